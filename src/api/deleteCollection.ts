/**
 * `deleteCollection`: delete every object of a collection that matches a namespace and selectors
 * (client-go's `DeleteCollection`), with the same delete options as a single delete. Uses the
 * client's own `deleteCollection` (one `DELETE` on the collection) when it has one, and otherwise
 * lists and deletes one by one, so any {@link KubeClient} works.
 */
import { from, lastValueFrom } from 'rxjs';
import type { DeleteCollectionOptions, KubeClient } from '../core/client.js';
import { isStatusError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';

/**
 * Deletes the matching objects.
 *
 * @example
 * ```ts
 * await deleteCollection(client, resources.configMaps, {
 *   namespace: 'web',
 *   labelSelector: 'app.kubernetes.io/managed-by=website-operator',
 *   propagationPolicy: 'Background',
 * });
 * ```
 */
export async function deleteCollection(
  client: KubeClient,
  resource: ResourceType<KubeObject>,
  options: DeleteCollectionOptions = {},
): Promise<void> {
  if (client.deleteCollection) {
    await client.deleteCollection(resource, options);
    return;
  }
  const { labelSelector, fieldSelector, ...deleteOptions } = options;
  const list = await lastValueFrom(
    from(client.list(resource, { namespace: options.namespace, labelSelector, fieldSelector })),
  );
  for (const item of list.items as KubeObject[]) {
    const name = item.metadata?.name;
    if (!name) continue;
    try {
      await client.delete(resource, name, { ...deleteOptions, namespace: item.metadata?.namespace });
    } catch (error) {
      // Deleted in between: that is what was asked for.
      if (!(isStatusError(error) && error.code === 404)) throw error;
    }
  }
}
