/**
 * `discoverResource`: find the REST collection of a kind through the discovery endpoints, like
 * client-go's DiscoveryClient + RESTMapper, so a program can watch a CRD it only knows by
 * `apiVersion` and `kind`.
 */
import type { KubeClient } from '../core/client.js';
import { KubeRxError, statusError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import { defineResource, type ResourceType } from '../core/resources.js';

/**
 * Resolves `apiVersion` + `kind` to a {@link ResourceType}. Throws a 404 `StatusError` when the
 * group version is not served or has no such kind.
 *
 * @example
 * ```ts
 * const widgets = await discoverResource<Widget>(client, 'example.com/v1', 'Widget');
 * informer(client, widgets).events$.subscribe(console.log);
 * ```
 */
export async function discoverResource<T extends KubeObject = KubeObject>(
  client: KubeClient,
  apiVersion: string,
  kind: string,
): Promise<ResourceType<T>> {
  if (!client.discover) throw new KubeRxError('this KubeClient does not implement discover()');
  const list = await client.discover(apiVersion);
  const found = list.resources.find((r) => r.kind === kind && !r.name.includes('/'));
  if (!found) throw statusError(404, `no resource of kind ${kind} is served in ${apiVersion}`);
  const slash = apiVersion.indexOf('/');
  return defineResource<T>({
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    plural: found.name,
    kind: found.kind,
    namespaced: found.namespaced,
  });
}
