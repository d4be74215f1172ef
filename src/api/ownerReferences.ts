/**
 * Owner references, as controller-runtime's `controllerutil.SetControllerReference` and
 * `SetOwnerReference` write them. An owner reference ties a dependent to its owner: the garbage
 * collector deletes the dependent after the owner, and a `controller: true` reference names the one
 * controller responsible for it (what `controller({ owns })` follows back to the owner's key).
 *
 * Both helpers return a new object and leave their inputs alone, so a cached (frozen) object or
 * an immer draft is fine as input; inside a `createOrPatch` mutate function, return the result to
 * replace the draft.
 */
import { KubeRxError } from '../core/errors.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';
import { apiVersionOf, type ResourceType } from '../core/resources.js';

/** One `metadata.ownerReferences` entry (`metav1.OwnerReference`). */
export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/** Options of {@link setOwnerReference} and {@link setControllerReference}. */
export interface OwnerReferenceOptions {
  /**
   * The owner's resource, for its `apiVersion` and `kind` when the owner object does not carry
   * them (objects of a list response often do not).
   */
  readonly ownerResource?: ResourceType<KubeObject>;
  /**
   * Whether a foreground deletion of the owner waits for this dependent. Default true for the
   * controller reference (controller-runtime's), unset for other references.
   */
  readonly blockOwnerDeletion?: boolean;
}

/**
 * The object already has a controller reference to another owner (controller-runtime's
 * `AlreadyOwnedError`): two controllers would fight over it.
 */
export class AlreadyOwnedError extends KubeRxError {
  override readonly name = 'AlreadyOwnedError';
  constructor(
    /** The controller reference the object has. */
    readonly existing: OwnerReference,
    /** The name of the object that was to get a second controller. */
    readonly objectName: string | undefined,
  ) {
    super(
      `Object ${objectName ?? '(unnamed)'} is already owned by another ${existing.kind} controller ${existing.name}`,
    );
  }
}

/** The reference naming `owner`; throws when the owner lacks what a reference needs. */
export function ownerReferenceTo(
  owner: KubeObject | DeepReadonly<KubeObject>,
  options: OwnerReferenceOptions = {},
): OwnerReference {
  const apiVersion = owner.apiVersion ?? (options.ownerResource && apiVersionOf(options.ownerResource));
  const kind = owner.kind ?? options.ownerResource?.kind;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!apiVersion || !kind)
    throw new KubeRxError('owner reference: the owner has no apiVersion/kind; pass ownerResource');
  if (!name || !uid)
    throw new KubeRxError('owner reference: the owner has no metadata.name/uid (create it first)');
  return { apiVersion, kind, name, uid };
}

/** Same owner: same group, kind and name (controller-runtime's `referSameObject`; the version may differ). */
function sameOwner(a: OwnerReference, b: OwnerReference): boolean {
  const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
  return group(a.apiVersion) === group(b.apiVersion) && a.kind === b.kind && a.name === b.name;
}

/**
 * Namespaced owners own only dependents of their own namespace; a cluster-scoped dependent may
 * not have a namespaced owner (the garbage collector would delete it at once).
 */
function checkScope(
  owner: KubeObject | DeepReadonly<KubeObject>,
  object: KubeObject | DeepReadonly<KubeObject>,
): void {
  const ownerNamespace = owner.metadata?.namespace;
  if (!ownerNamespace) return;
  const namespace = object.metadata?.namespace;
  if (!namespace)
    throw new KubeRxError(
      `owner reference: cluster-scoped ${object.metadata?.name} cannot have a namespaced owner ${ownerNamespace}/${owner.metadata?.name}`,
    );
  if (namespace !== ownerNamespace)
    throw new KubeRxError(
      `owner reference: an owner in namespace ${ownerNamespace} cannot own an object in namespace ${namespace}`,
    );
}

/** A deep, mutable copy (works on frozen objects and immer drafts alike). */
function copyOf<T>(object: T | DeepReadonly<T>): T {
  return JSON.parse(JSON.stringify(object)) as T;
}

function withReference<T extends KubeObject>(object: T | DeepReadonly<T>, reference: OwnerReference): T {
  const copy = copyOf<T>(object);
  copy.metadata ??= {};
  const meta = copy.metadata;
  const existing = (meta.ownerReferences ?? []) as OwnerReference[];
  const index = existing.findIndex((ref) => sameOwner(ref, reference));
  meta.ownerReferences =
    index < 0 ? [...existing, reference] : existing.map((ref, i) => (i === index ? reference : ref));
  return copy;
}

/**
 * Returns a copy of `object` with a reference to `owner` (not as controller), replacing an
 * existing reference to the same owner.
 *
 * @example
 * ```ts
 * const shared = setOwnerReference(website, configMap); // deleted with the website, not controlled by it
 * ```
 */
export function setOwnerReference<T extends KubeObject>(
  owner: KubeObject | DeepReadonly<KubeObject>,
  object: T | DeepReadonly<T>,
  options: OwnerReferenceOptions = {},
): T {
  checkScope(owner, object);
  const reference = {
    ...ownerReferenceTo(owner, options),
    ...(options.blockOwnerDeletion !== undefined ? { blockOwnerDeletion: options.blockOwnerDeletion } : {}),
  };
  return withReference(object, reference);
}

/**
 * Returns a copy of `object` with `owner` as its controller (`controller: true`,
 * `blockOwnerDeletion: true`). Throws {@link AlreadyOwnedError} when another owner is its
 * controller already.
 *
 * @example
 * ```ts
 * await client.create(resources.configMaps, setControllerReference(website, { metadata: { name, namespace }, data }));
 * ```
 */
export function setControllerReference<T extends KubeObject>(
  owner: KubeObject | DeepReadonly<KubeObject>,
  object: T | DeepReadonly<T>,
  options: OwnerReferenceOptions = {},
): T {
  checkScope(owner, object);
  const reference: OwnerReference = {
    ...ownerReferenceTo(owner, options),
    controller: true,
    blockOwnerDeletion: options.blockOwnerDeletion ?? true,
  };
  const current = controllerReferenceOf(object);
  if (current && !sameOwner(current, reference)) throw new AlreadyOwnedError(current, object.metadata?.name);
  return withReference(object, reference);
}

/** The `controller: true` owner reference of `object`, if any (`metav1.GetControllerOf`). */
export function controllerReferenceOf(
  object: KubeObject | DeepReadonly<KubeObject>,
): OwnerReference | undefined {
  const refs: unknown = object.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  return (refs as (OwnerReference | null)[]).find((ref) => ref?.controller === true) ?? undefined;
}
