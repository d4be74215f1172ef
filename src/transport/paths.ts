/**
 * Kubernetes REST paths and query strings, built the way client-go's `rest.Request` builds them:
 * `/api/v1/...` for the core group, `/apis/{group}/{version}/...` otherwise, a
 * `namespaces/{ns}/` segment only for namespaced resources (a cluster-scoped resource ignores a
 * namespace rather than producing a path the server answers with 404), then the plural, the
 * object name and the subresource.
 */
import type { ListOptions, WatchOptions, WriteOptions } from '../core/client.js';
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';

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
  if (resource.namespaced && target.namespace) segments.push('namespaces', target.namespace);
  segments.push(resource.plural);
  if (target.name !== undefined) {
    segments.push(target.name);
    if (target.subresource) segments.push(target.subresource);
  }
  return `/${segments.map(encodeURIComponent).join('/')}`;
}

type QueryValue = string | number | boolean | undefined;

/** `?a=1&b=2` from the defined, non-empty values, or `''` when there are none. */
export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    search.append(key, String(value));
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
