/**
 * Index functions (client-go's `IndexFunc`) and the built-in ones.
 * An index function maps an object to the values it is filed under; `byIndex(name, value)` then
 * answers "which objects have this value" without a scan.
 */
import { captureSlot } from '../core/capturedPaths.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';
import { labelValue, ownerReferencesOf } from './metadataFields.js';

/**
 * Maps an object to its index values (client-go's `IndexFunc`). Must be pure: it gets the cached
 * object itself, frozen, hence read-only.
 */
export type IndexFunc<T> = (object: DeepReadonly<T>) => readonly string[];

/** Named index functions (client-go's `Indexers`). */
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/**
 * Index functions known to read nothing but an object's metadata name, namespace, uid, labels and
 * owner references: the cache runs them on an object it keeps encoded without decoding it (see
 * core/encodedObject.ts). Any other function gets the object itself.
 */
const METADATA_READERS = new WeakSet<IndexFunc<never>>();

function readsMetadata<F extends IndexFunc<never>>(fn: F): F {
  METADATA_READERS.add(fn);
  return fn;
}

/** True for the built-in index functions that read only the metadata a cell keeps. */
export function readsOnlyMetadata(fn: IndexFunc<never>): boolean {
  return METADATA_READERS.has(fn);
}

/** The index name client-go uses for namespaces; namespace listers read it. */
export const NAMESPACE_INDEX = 'namespace';

/**
 * Files an object under its namespace (`''` for cluster-scoped objects), like client-go's
 * `MetaNamespaceIndexFunc`. A namespace that is not a string (the cache turns such objects away)
 * counts as none.
 */
export const byNamespace: IndexFunc<KubeObject> = readsMetadata((object) => {
  const namespace: unknown = object.metadata?.namespace;
  return [typeof namespace === 'string' ? namespace : ''];
});

/**
 * Files an object under the value of one label; objects without the label are not indexed, nor
 * are label values that are not strings. Reads the object's own labels only: `byLabel('constructor')`
 * does not find `Object.prototype.constructor`, and `labels: null` is no labels.
 *
 * @example
 * ```ts
 * indexer({ app: byLabel('app.kubernetes.io/name') })
 * ```
 */
export function byLabel(key: string): IndexFunc<KubeObject> {
  return readsMetadata((object) => {
    const value = labelValue(object, key);
    return value === undefined ? [] : [value];
  });
}

/**
 * Files an object under the uid of each of its owners, so `byIndex('owner', owner.metadata.uid)`
 * finds the dependents. Owner references that are not objects with string fields are skipped.
 */
export const byOwner: IndexFunc<KubeObject> = readsMetadata((object) =>
  ownerReferencesOf(object).map((ref) => ref.uid),
);

/**
 * Files an object under the string at a dotted path, e.g. `byField('spec.nodeName')`.
 * Missing or non-string values are not indexed; only own properties are read, so
 * `byField('metadata.constructor.name')` finds nothing.
 *
 * @example
 * ```ts
 * informer(client, resources.pods, { indexers: { node: byField('spec.nodeName') } });
 * snapshot.byIndex('node', 'worker-1'); // the pods scheduled on worker-1
 * ```
 */
export function byField(path: string): IndexFunc<unknown> {
  const parts = path.split('.');
  const metadataField = parts.length === 2 && parts[0] === 'metadata' && CELL_FIELDS.has(parts[1] as string);
  const fn: IndexFunc<unknown> = (object) => {
    let value: unknown = object;
    for (const part of parts) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return [];
      value = (value as Record<string, unknown>)[part];
    }
    return fieldIndexValues(value);
  };
  if (metadataField) return readsMetadata(fn);
  // Every object the transport scans from now on captures this field (core/capturedPaths.ts).
  const slot = captureSlot(path);
  if (slot !== undefined) FIELD_SLOTS.set(fn, slot);
  return fn;
}

/** What `byField` files an object under, given the value at its path. */
export function fieldIndexValues(value: unknown): readonly string[] {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? [String(value)]
    : [];
}

/** The capture slot of each `byField` function whose path the JSON scan captures. */
const FIELD_SLOTS = new WeakMap<IndexFunc<never>, number>();

/**
 * The capture slot a `byField` function reads (a cell then holds its value, see
 * `EncodedObject.capturedField`), or `undefined` for any other function.
 */
export function capturedSlotOf(fn: IndexFunc<never>): number | undefined {
  return FIELD_SLOTS.get(fn);
}

/** The metadata fields an encoded object keeps (core/encodedObject.ts `CellMetadata`). */
const CELL_FIELDS = new Set(['name', 'namespace', 'resourceVersion', 'uid']);
