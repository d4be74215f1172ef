/**
 * Kubernetes REST paths and query strings, built the way client-go's `rest.Request` builds them:
 * `/api/v1/...` for the core group, `/apis/{group}/{version}/...` otherwise, a
 * `namespaces/{ns}/` segment only for namespaced resources (a cluster-scoped resource ignores a
 * namespace rather than producing a path the server answers with 404), then the plural, the
 * object name and the subresource.
 *
 * Nothing is stringified blindly: a query value or a path segment that is not of its declared type
 * (a resourceVersion or continue token that is an object, a name that is a number, a limit that is
 * NaN) comes from a malformed object or list and would otherwise be sent as `[object Object]`, a
 * request the server answers with data for the wrong version. Such a request is refused with an
 * {@link InvalidRequestError} before anything is sent. A path segment of `.` or `..` is refused too
 * (client-go's `IsValidPathSegmentName`): it would address another path.
 */
import type { ListOptions, WatchOptions, WriteOptions } from '../core/client.js';
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import { InvalidRequestError } from './transportErrors.js';

/** Which object (or collection) of a resource a path addresses. */
export interface PathTarget {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * The REST path of a collection, an object or an object's subresource.
 *
 * @example
 * ```ts
 * resourcePath(resources.deployments, { namespace: 'prod', name: 'web', subresource: 'scale' });
 * // '/apis/apps/v1/namespaces/prod/deployments/web/scale'
 * ```
 */
export function resourcePath(resource: ResourceType<KubeObject>, target: PathTarget = {}): string {
  const segments = resource.group ? ['apis', resource.group, resource.version] : ['api', resource.version];
  const namespace = segment('namespace', target.namespace);
  if (resource.namespaced && namespace) segments.push('namespaces', namespace);
  segments.push(resource.plural);
  const name = segment('name', target.name);
  if (name !== undefined) {
    segments.push(name);
    const subresource = segment('subresource', target.subresource);
    if (subresource) segments.push(subresource);
  }
  return `/${segments.map(encodeURIComponent).join('/')}`;
}

/**
 * A path segment as given, or an {@link InvalidRequestError} when it is not a usable string. `null`
 * is absent (a YAML `namespace: ~` on a cluster-scoped object).
 */
function segment(what: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new InvalidRequestError(`the ${what} must be a string, not ${typeName(value)}`);
  if (value === '.' || value === '..')
    throw new InvalidRequestError(`the ${what} may not be ${JSON.stringify(value)}`);
  return value;
}

/** `an object`, `an array`, `a number`: for messages, without the value (it may be anything). */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

type QueryValue = string | number | boolean | undefined;

/** The text of one query value, or an {@link InvalidRequestError} when it cannot be one. */
function queryText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  const what = typeof value === 'number' ? `the number ${value}` : typeName(value);
  throw new InvalidRequestError(
    `query parameter ${key} must be a string, a finite number or a boolean, not ${what}`,
  );
}

/**
 * `?a=1&b=2` from the defined, non-empty values, or `''` when there are none. Throws
 * {@link InvalidRequestError} for a value of another type (it would be sent as `[object Object]`).
 */
export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    search.append(key, queryText(key, value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Query of `GET <collection>`. */
export function listQuery(options: ListOptions): string {
  return queryString({
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    limit: options.limit,
    continue: options.continue,
    resourceVersion: options.resourceVersion,
    resourceVersionMatch: options.resourceVersionMatch,
  });
}

/** Query of `GET <collection>?watch=true`. */
export function watchQuery(options: WatchOptions): string {
  return queryString({
    watch: true,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    resourceVersion: options.resourceVersion,
    resourceVersionMatch: options.resourceVersionMatch,
    allowWatchBookmarks: options.allowWatchBookmarks || undefined,
    sendInitialEvents: options.sendInitialEvents,
    timeoutSeconds: options.timeoutSeconds,
  });
}

/**
 * Query of a write. `force` is only sent with server-side apply (the server rejects it on other
 * patches); `dryRun=All` is the only dry-run value Kubernetes defines.
 */
export function writeQuery(options: WriteOptions, apply = false): string {
  return queryString({
    fieldManager: options.fieldManager,
    force: apply ? options.force : undefined,
    dryRun: options.dryRun ? 'All' : undefined,
  });
}
