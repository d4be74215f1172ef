/**
 * Retries of one request the way client-go's rest client makes them (`rest/with_retry.go`):
 * the server said when to come back, so come back then, a bounded number of times. The Reflector
 * does its own retrying of lists and watches (with backoff, and `retryAfterSeconds` from the
 * error); this is for the calls a controller makes: get, create, replace, patch, delete, discover.
 *
 * Retried, after the wait the server asked for (`Retry-After`, or the Status's
 * `details.retryAfterSeconds`):
 * - 429 Too Many Requests and 503 Service Unavailable, for every method: the server (API Priority
 *   and Fairness, max-in-flight, a server shutting down, the aggregator without a backend) did not
 *   process the request, so sending it again cannot apply it twice;
 * - other 5xx, for GET only. client-go retries any method there, but a 500 or 504 may come after
 *   the change was applied ("the server may still be processing the request"), and a second POST
 *   with `generateName` creates a second object; a GET changes nothing.
 * Also retried, after 1 s, GET only: a connection reset or broken before the answer (client-go's
 * `IsConnectionReset`/`IsProbableEOF` for GET; writes are not retried there either).
 *
 * Not retried: an answer without a wait, a wait longer than `maxWaitSeconds` (the error goes to the
 * caller with `retryAfterSeconds`, to schedule as it sees fit), anything after `maxRetries`
 * retries (client-go: 10), and anything once the caller's signal has aborted. Every attempt takes a
 * token of the client-side rate limit, as client-go throttles its retries too.
 */
import { isStatusError } from '../core/errors.js';
import type { TransportClock } from './clock.js';
import { describeRequest } from './http.js';
import type { RequestSpec } from './kubeConfig.js';
import { RequestAbortedError, TransportError } from './transportErrors.js';

/** How a client retries (`KubeClientOptions.maxRetries`, `maxRetryAfterSeconds`). */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly maxWaitSeconds: number;
  readonly clock: TransportClock;
}

/** client-go's `rest.Request` default. */
export const DEFAULT_MAX_RETRIES = 10;
/**
 * The longest server-requested wait the transport sits out before a retry: the Reflector's own
 * longest backoff. A longer wait is the caller's to schedule (a work queue requeue, say).
 */
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 30;

/** Node's codes for a connection that broke before the answer. */
const BROKEN_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Seconds to wait before retrying `method` after `error`, or `undefined` when it must not be
 * retried (see the module comment).
 *
 * @example
 * ```ts
 * retryWaitSeconds(statusErrorWithRetryAfter429, 'POST'); // e.g. 1
 * retryWaitSeconds(statusError(500, 'boom'), 'POST');     // undefined
 * ```
 */
export function retryWaitSeconds(error: unknown, method: RequestSpec['method']): number | undefined {
  if (isStatusError(error)) {
    const retriable = error.code === 429 || error.code === 503 || (error.code >= 500 && method === 'GET');
    return retriable ? error.retryAfterSeconds : undefined;
  }
  if (method === 'GET' && error instanceof TransportError && BROKEN_CONNECTION.has(error.code ?? ''))
    return 1;
  return undefined;
}

/**
 * Runs `attempt` until it succeeds or may not be retried, waiting as told between attempts.
 * `signal` aborts a wait (with a {@link RequestAbortedError}) and stops further attempts.
 *
 * @example
 * ```ts
 * await withRetries(() => requestJson(connection, spec, options), spec, policy, signal);
 * ```
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  spec: RequestSpec,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<T> {
  for (let retries = 0; ; retries++) {
    try {
      return await attempt();
    } catch (error) {
      const wait = retryWaitSeconds(error, spec.method);
      const allowed = wait !== undefined && wait <= policy.maxWaitSeconds && retries < policy.maxRetries;
      if (!allowed || signal?.aborted) throw error;
      try {
        await policy.clock.sleep(wait * 1000, signal);
      } catch {
        throw new RequestAbortedError(
          `${describeRequest(spec)}: aborted by the caller while waiting to retry`,
        );
      }
    }
  }
}
