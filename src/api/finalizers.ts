/**
 * Finalizer helpers: add a finalizer before creating external state, remove it after cleaning up,
 * so a deletion waits for the controller (Kubernetes' finalizer protocol). Each write goes through
 * {@link patchWith}, so it is guarded by the resourceVersion the caller saw and retried on conflict,
 * and takes a cached (read-only) object as it is.
 */
import type { Draft } from 'immer';
import type { KubeClient } from '../core/client.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import { patchWith } from './patchWith.js';

/**
 * Adds `finalizer` to the object if missing (before a controller creates external state).
 *
 * @example
 * ```ts
 * obj = await ensureFinalizer(client, resources.configMaps, obj, 'example.com/cleanup');
 * ```
 */
export function ensureFinalizer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
  finalizer: string,
): Promise<DeepReadonly<T>> {
  return patchWith(client, resource, object, (draft) => {
    const meta = (draft as Draft<KubeObject>).metadata;
    if (!meta) return;
    if (!meta.finalizers?.includes(finalizer)) meta.finalizers = [...(meta.finalizers ?? []), finalizer];
  });
}

/**
 * Removes `finalizer` (after cleanup), letting a pending deletion complete.
 *
 * @example
 * ```ts
 * if (isBeingDeleted(obj)) {
 *   await cleanUpExternalState(obj);
 *   await removeFinalizer(client, resources.configMaps, obj, 'example.com/cleanup');
 * }
 * ```
 */
export function removeFinalizer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  object: T | DeepReadonly<T>,
  finalizer: string,
): Promise<DeepReadonly<T>> {
  return patchWith(client, resource, object, (draft) => {
    const meta = (draft as Draft<KubeObject>).metadata;
    if (meta?.finalizers?.includes(finalizer))
      meta.finalizers = meta.finalizers.filter((f) => f !== finalizer);
  });
}

/**
 * True once deletion was requested (`metadata.deletionTimestamp` set): time to clean up.
 *
 * @example
 * ```ts
 * if (isBeingDeleted(obj)) return finalize(obj);
 * ```
 */
export function isBeingDeleted(object: KubeObject): boolean {
  return object.metadata?.deletionTimestamp !== undefined && object.metadata?.deletionTimestamp !== null;
}
