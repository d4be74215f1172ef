/**
 * Reads of the metadata maps and lists the cache files objects by (labels, annotations, owner
 * references), tolerant of objects the API server's validation would have refused.
 *
 * A buggy aggregated API server or a CRD with a loose schema can send `labels: null`, labels that
 * are a string, `ownerReferences: {}` or `[null]`. The cache keeps such an object, so whatever
 * reads it (index functions, predicates, the controller's owner mapping) must not throw on it,
 * and must not read `constructor` or `toString` through `Object.prototype` as if they were labels.
 * The rule: own properties only; a map that is not a plain object is empty; a list entry that is
 * not an object with the string fields a reader needs is not there.
 */
import type { DeepReadonly, KubeObject } from '../core/objects.js';

type StringMap = Readonly<Record<string, unknown>>;
const NO_ENTRIES: StringMap = Object.freeze({});

/** `value` when it is a map (a non-null, non-array object), else an empty one. */
function asMap(value: unknown): StringMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as StringMap)
    : NO_ENTRIES;
}

/** The string stored under `key` as an own property of `map`, else undefined. */
function ownString(map: StringMap, key: string): string | undefined {
  if (!Object.hasOwn(map, key)) return undefined;
  const value = map[key];
  return typeof value === 'string' ? value : undefined;
}

/** The object's labels as a map: empty when absent, `null` or not a map. Values are as sent. */
export function labelsOf(object: KubeObject | DeepReadonly<KubeObject>): StringMap {
  return asMap(object.metadata?.labels);
}

/** The object's annotations as a map: empty when absent, `null` or not a map. Values are as sent. */
export function annotationsOf(object: KubeObject | DeepReadonly<KubeObject>): StringMap {
  return asMap(object.metadata?.annotations);
}

/**
 * The value of one label: an own property holding a string, else undefined. `labelValue(o,
 * 'constructor')` is undefined unless the object has a label called `constructor`.
 */
export function labelValue(object: KubeObject | DeepReadonly<KubeObject>, key: string): string | undefined {
  return ownString(labelsOf(object), key);
}

/**
 * An owner reference with the fields an owner is found by. `controller` is whatever was sent:
 * compare it with `=== true`.
 */
export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: unknown;
}

function isOwnerReference(entry: unknown): entry is OwnerReference {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const ref = entry as StringMap;
  return (
    ownString(ref, 'apiVersion') !== undefined &&
    ownString(ref, 'kind') !== undefined &&
    ownString(ref, 'name') !== undefined &&
    ownString(ref, 'uid') !== undefined
  );
}

/**
 * The object's owner references that are well formed: entries that are objects with string
 * `apiVersion`, `kind`, `name` and `uid`. Anything else (`ownerReferences: {}`, `[null]`, an entry
 * without a uid) is left out: it cannot name an owner.
 */
export function ownerReferencesOf(object: KubeObject | DeepReadonly<KubeObject>): readonly OwnerReference[] {
  const refs: unknown = object.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  // The entries themselves, not copies: this runs for every object an index or a controller reads.
  return refs.every(isOwnerReference) ? refs : refs.filter(isOwnerReference);
}
