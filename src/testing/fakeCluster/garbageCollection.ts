/**
 * Pieces of the fake cluster's delete that a real cluster splits between the API server
 * (preconditions) and kube-controller-manager's garbage collector (owner references): which
 * objects depend on an owner, and how an orphaned dependent loses its reference.
 */
import type { DeleteOptions } from '../../core/client.js';
import { statusError } from '../../core/errors.js';
import type { KubeObject } from '../../core/objects.js';
import type { ResourceType } from '../../core/resources.js';

/** 409 Conflict when the object's uid or resourceVersion is not the one the delete requires. */
export function checkDeletePreconditions(
  resource: ResourceType,
  current: KubeObject,
  preconditions: DeleteOptions['preconditions'],
): void {
  const meta = current.metadata ?? {};
  const fail = (field: string, wanted: string, actual: string | undefined) =>
    statusError(
      409,
      `Operation cannot be fulfilled on ${resource.plural} "${meta.name}": Precondition failed: ${field} in precondition: ${wanted}, ${field} in object meta: ${actual ?? ''}`,
      'Conflict',
    );
  if (preconditions?.uid !== undefined && preconditions.uid !== meta.uid)
    throw fail('UID', preconditions.uid, meta.uid);
  if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== meta.resourceVersion)
    throw fail('ResourceVersion', preconditions.resourceVersion, meta.resourceVersion);
}

/** Whether `object` lists `uid` among its owner references. */
export function ownedBy(object: KubeObject, uid: string): boolean {
  const refs: unknown = object.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.some((ref) => (ref as { uid?: unknown } | null)?.uid === uid);
}

/** `object` (a mutable copy) without its owner references to `uid`. */
export function withoutOwner<T extends KubeObject>(object: T, uid: string): T {
  const meta = object.metadata;
  if (!meta?.ownerReferences) return object;
  const kept = meta.ownerReferences.filter((ref) => ref.uid !== uid);
  if (kept.length > 0) meta.ownerReferences = kept;
  else delete meta.ownerReferences;
  return object;
}

/** The uids `object`'s owner references name (none for a malformed list). */
export function ownerUids(object: KubeObject | undefined): string[] {
  const refs: unknown = object?.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs.flatMap((ref) => {
    const uid = (ref as { uid?: unknown } | null)?.uid;
    return typeof uid === 'string' ? [uid] : [];
  });
}
