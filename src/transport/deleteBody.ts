/**
 * The body of a `DELETE`: a `meta/v1` `DeleteOptions` object carrying what the query cannot
 * (propagation policy, grace period, preconditions on uid and resourceVersion). `dryRun` travels
 * in the query like on every write, so it is left out here. No body at all when nothing is set,
 * so a plain delete stays the request it always was.
 */
import type { DeleteOptions } from '../core/client.js';

/** The JSON `DeleteOptions` body for `options`, or undefined when there is nothing to send. */
export function deleteBody(options: DeleteOptions): string | undefined {
  const { propagationPolicy, gracePeriodSeconds, preconditions } = options;
  if (propagationPolicy === undefined && gracePeriodSeconds === undefined && preconditions === undefined)
    return undefined;
  return JSON.stringify({
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    ...(propagationPolicy !== undefined ? { propagationPolicy } : {}),
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    ...(preconditions !== undefined ? { preconditions } : {}),
  });
}
