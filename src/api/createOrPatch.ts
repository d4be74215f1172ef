/**
 * `createOrPatch`: controller-runtime's `controllerutil.CreateOrPatch`. Like `createOrUpdate`, but
 * an existing object is changed with a JSON merge patch of what `mutate` changed instead of a
 * `PUT` of the whole object: fields the mutate function does not touch (written by other
 * controllers, or added by a newer API version this program does not know) are left alone, and no
 * resourceVersion guard makes it fail when someone else wrote in between. Lists are replaced whole
 * by a merge patch, so a list that others also edit is better kept by `patchWith` or apply.
 * Status changes go to the main endpoint, which ignores them where a status subresource exists:
 * write status with `patchStatusWith`.
 */
import type { KubeClient } from '../core/client.js';
import { asReadonly, type DeepReadonly, type KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import {
  type CreateOrUpdateOptions,
  type CreateOrUpdateResult,
  createOr,
  mutated,
} from './createOrUpdate.js';
import { mergePatchOf } from './mergePatch.js';
import type { PatchRecipe } from './patchWith.js';

/**
 * Creates `object` (after `mutate`) if absent, else merge-patches what `mutate` changed onto
 * the existing object; writes nothing when it changed nothing.
 *
 * @example
 * ```ts
 * const { operation, object } = await createOrPatch(client, resources.configMaps, desired, (cm) => {
 *   cm.data = { ...cm.data, html: website.spec.html };
 *   return setControllerReference(website, cm); // a returned object replaces the draft
 * });
 * ```
 */
export async function createOrPatch<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
  mutate: PatchRecipe<T>,
  options: CreateOrUpdateOptions = {},
): Promise<CreateOrUpdateResult<T>> {
  return createOr(client, resource, object, mutate, options, async (existing, write) => {
    const patch = mergePatchOf(existing, mutated(existing, mutate));
    if (patch === undefined) return { operation: 'unchanged', object: asReadonly<T>(existing) };
    const name = existing.metadata?.name as string;
    const patched = await client.patch(resource, name, patch, 'merge', write);
    return { operation: 'updated', object: asReadonly<T>(patched) };
  });
}
