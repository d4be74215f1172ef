/**
 * The list-shape check: what a list answer must be before the Reflector believes it. Every
 * `KubeClient` answer passes through here, so a transport, a fake or a proxy that hands over
 * something else cannot make the reflector emit a REPLACE with nothing, which would delete every
 * cached object (issue 14: a 200 with a Status, `{}` or `[]`).
 *
 * A list is an object whose `items` is an array and whose `metadata.resourceVersion` is a
 * non-empty string; a continue token, when present, is a string. `items: null` counts as empty:
 * that is how Go encodes a nil slice, and the object still states its resourceVersion. A body of
 * `kind: Status` is the failure it carries, as a `StatusError`. Anything else is an
 * `InvalidListError` naming the resource.
 */
import type { ListResult } from '../core/client.js';
import { InvalidListError, type KubeStatus, StatusError } from '../core/errors.js';
import { shortDescription } from './objectChecks.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Returns `page` as a {@link ListResult}, or throws what it says instead. */
export function checkListPage(resourceName: string, page: unknown): ListResult {
  const invalid = (detail: string) => new InvalidListError(resourceName, detail);
  if (!isRecord(page)) throw invalid(`the body is ${shortDescription(page)}`);
  // A 200 carrying a Status (a proxy, an aggregated API server): the code it states, else a 500.
  if (page.kind === 'Status') throw new StatusError(page as KubeStatus, 500);
  const { items, metadata } = page;
  if (!isRecord(metadata)) throw invalid(`metadata is ${shortDescription(metadata)}`);
  const resourceVersion = metadata.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '')
    throw invalid(`metadata.resourceVersion is ${shortDescription(resourceVersion)}, not a non-empty string`);
  if (items !== null && !Array.isArray(items))
    throw invalid(`items is ${shortDescription(items)}, not an array`);
  const token = metadata.continue;
  if (token !== undefined && typeof token !== 'string')
    throw invalid(`metadata.continue is ${shortDescription(token)}, not a string`);
  return {
    items: items ?? [],
    metadata: token ? { resourceVersion, continue: token } : { resourceVersion },
  };
}
