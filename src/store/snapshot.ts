/**
 * The Indexer's state as an immutable value (client-go's `cache.Indexer` / `ThreadSafeStore`).
 *
 * Objects live in a persistent hash map ({@link PersistentMap}, a CHAMP trie) keyed by
 * `namespace/name`, and every index is a persistent map from index value to the set of keys. Applying a batch costs
 * O(changes x log n) and returns a new snapshot that shares structure with the old one, so old
 * snapshots stay valid and cheap to keep, and a relist replaces the whole cache in one step.
 * Objects are deep-frozen and typed {@link DeepReadonly}: a reader can never corrupt the cache by
 * mutating what it got, and the compiler says so before the run time does. An object the watch
 * kept as text (an `EncodedObject` cell) is decoded and frozen the first time a read returns it;
 * the built-in metadata indexes and label selectors read a cell's metadata without decoding it,
 * and other indexes read its parse once, when it is filed.
 *
 * Layer `store`: immutable data structures (persistent map, snapshots, indexes, label selectors),
 * free of RxJS and I/O. May import: `core`.
 */

import { isDeferred, storedField } from '../core/deferredRecord.js';
import { EncodedObject, NOT_CAPTURED, readObject, readOptional, type Stored } from '../core/encodedObject.js';
import { IndexNotFoundError, KubeRxError } from '../core/errors.js';
import type { Delta, DeltaBatch } from '../core/events.js';
import { type DeepReadonly, deepFreeze, type KubeObject } from '../core/objects.js';
import { admissionKey, admittedObject } from './cacheAdmission.js';
import { FifoBatch } from './fifoBatch.js';
import {
  byNamespace,
  capturedSlotOf,
  fieldIndexValues,
  type Indexers,
  type IndexFunc,
  NAMESPACE_INDEX,
  readsOnlyMetadata,
} from './indexFuncs.js';
import { everything, type LabelSelector, type SelectorInput, toLabelSelector } from './labelSelector.js';
import { labelsOf } from './metadataFields.js';
import { PersistentMap, type TransientMap } from './persistentMap.js';

/** Index value -> the keys filed under it. */
type Index = PersistentMap<PersistentMap<true>>;
const EMPTY_KEYS: PersistentMap<true> = PersistentMap.empty();

/**
 * An index function that threw or returned something other than an array of strings for one
 * object. With {@link SnapshotOptions.onError} the object stays cached and in every other index,
 * and is left out of this one.
 */
export class IndexFunctionError extends KubeRxError {
  override readonly name: string = 'IndexFunctionError';
  constructor(
    readonly index: string,
    readonly key: string,
    cause: unknown,
    /** The resource cached, as `describeResource` names it (`pods.v1`), when the snapshot knows it. */
    readonly resource?: string,
  ) {
    const where = resource === undefined ? '' : `${resource}: `;
    super(
      `${where}index function ${JSON.stringify(index)} failed for ${JSON.stringify(key)}: ${String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** Options of {@link Snapshot.empty}. */
export interface SnapshotOptions {
  /**
   * Receives what one object breaks, so the rest of the cache goes on: an
   * {@link IndexFunctionError} (the object stays cached and in every other index, and is left out
   * of that one), or an `InvalidObjectError` for a delta whose object nests too deep to freeze
   * (that delta is skipped). Without it, `apply` throws the error and applies nothing.
   */
  readonly onError?: (error: KubeRxError) => void;
  /** The resource cached (`pods.v1`), named in the errors. */
  readonly resource?: string;
}

/** What every snapshot of one lineage shares: its indexes and how it reports failures. */
interface SnapshotSetup<T> {
  readonly names: readonly string[];
  /** The index functions, in the order of `names`. */
  readonly fns: readonly IndexFunc<T>[];
  /** Per index, the capture slot its `byField` path is scanned into (found once, not per event). */
  readonly slots: readonly (number | undefined)[];
  /** Per index, whether it is a built-in that reads only a cell's metadata (found once, likewise). */
  readonly metadataOnly: readonly boolean[];
  /**
   * Per index, whether it is `byNamespace`, whose value the key already says (`namespace/name`):
   * two copies that `deltaFifo` filed under one key are in the same namespace, so an update
   * leaves that index as it is without reading the old copy's namespace.
   */
  readonly byKey: readonly boolean[];
  readonly options: SnapshotOptions;
}

/** Read access to one namespace (client-go's `PodNamespaceLister`); objects are the cache's, read-only. */
export interface NamespaceLister<T> {
  /** The object called `name` in this namespace. */
  get(name: string): DeepReadonly<T> | undefined;
  /** Every object of the namespace, or those matching a label selector. */
  list(selector?: SelectorInput): DeepReadonly<T>[];
}

const NO_VALUES: readonly string[] = [];

/** A loop, not `every`: this runs for every index of every object that changes. */
function allStrings(values: readonly unknown[]): values is readonly string[] {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'string') return false;
  return true;
}

/** The values index `i` files `object` under, or the reason it cannot say. */
function computeValues<T>(
  setup: SnapshotSetup<T>,
  i: number,
  object: DeepReadonly<T>,
  key: string,
): readonly string[] | IndexFunctionError {
  const name = setup.names[i] as string;
  let values: unknown;
  try {
    values = (setup.fns[i] as IndexFunc<T>)(object);
  } catch (error) {
    return new IndexFunctionError(name, key, error, setup.options.resource);
  }
  if (Array.isArray(values) && allStrings(values)) return values;
  return new IndexFunctionError(
    name,
    key,
    new TypeError('expected an array of strings'),
    setup.options.resource,
  );
}

/**
 * The values index `i` files `object` under. When the index function fails: without `onError`,
 * throws; with it, the object is in no value of this index, and the failure is reported when
 * `object` is entering the cache (`entering`). An object on its way out was reported when it came
 * in, and its values could not have been filed then either.
 */
function indexValues<T>(
  setup: SnapshotSetup<T>,
  i: number,
  stored: Stored<T> | undefined,
  key: string,
  entering: boolean,
): readonly string[] {
  if (stored === undefined) return NO_VALUES;
  if (!(stored instanceof EncodedObject) || !stored.encoded)
    return checkedValues(setup, i, readObject<T>(stored), key, entering);
  // An object kept encoded: a built-in metadata index reads the cell's metadata; any other index
  // reads the parse (the draft, or a throwaway one), once: its values are kept on the cell for
  // when the object leaves the index.
  if (setup.metadataOnly[i])
    return checkedValues(setup, i, stored as unknown as DeepReadonly<T>, key, entering);
  const slot = setup.slots[i];
  if (slot !== undefined) {
    const value = stored.capturedField(slot);
    if (value !== NOT_CAPTURED) return fieldIndexValues(value);
  }
  const known = stored.indexedValues(setup, i);
  if (known !== undefined) return known;
  const values = checkedValues(setup, i, stored.indexInput() as DeepReadonly<T>, key, entering);
  stored.recordIndexedValues(setup, i, values);
  return values;
}

/**
 * True when `old` and `next` are both still encoded and the scan captured the same value of index
 * `i`'s `byField` path in each: the index files both under the same values, so an update leaves
 * it as it is without making either's list of values.
 */
function sameCapturedValue<T>(
  setup: SnapshotSetup<T>,
  i: number,
  old: Stored<T> | undefined,
  next: Stored<T> | undefined,
): boolean {
  const slot = setup.slots[i];
  if (slot === undefined || !(old instanceof EncodedObject) || !(next instanceof EncodedObject)) return false;
  if (!old.encoded || !next.encoded || setup.metadataOnly[i]) return false;
  const value = next.capturedField(slot);
  return value !== NOT_CAPTURED && value === old.capturedField(slot);
}

function checkedValues<T>(
  setup: SnapshotSetup<T>,
  i: number,
  object: DeepReadonly<T>,
  key: string,
  entering: boolean,
): readonly string[] {
  const values = computeValues(setup, i, object, key);
  if (!(values instanceof IndexFunctionError)) return values;
  const report = setup.options.onError;
  if (report === undefined) throw values;
  if (entering) report(values);
  return NO_VALUES;
}

/** A cell the cache has filed in its indexes no longer needs its draft (see EncodedObject). */
function filed<T>(stored: Stored<T> | undefined): void {
  if (stored instanceof EncodedObject) stored.releaseDraft();
}

/**
 * `object` frozen for the cache: as it is when already frozen (objects from `deltaFifo` are), else
 * deep-frozen in place. Undefined (reported) when it nests too deep to freeze and `onError` is set.
 */
function frozenForCache<T>(
  setup: SnapshotSetup<T>,
  object: DeepReadonly<T>,
  key: string,
): DeepReadonly<T> | undefined {
  if (Object.isFrozen(object)) return object;
  const { onError, resource } = setup.options;
  return admittedObject<T>(object, key, onError ?? throwIt, resource);
}

const throwIt = (error: KubeRxError): never => {
  throw error;
};

/** The labels a selector matches against: own properties only, `null` or a non-map is none. */
function selectorLabels(object: unknown): Record<string, string> {
  return labelsOf(object as KubeObject) as Record<string, string>;
}

/**
 * The cell a deferred delta from a `deltaFifo` holds under `field`: the one the fifo put in its map
 * after the batch (`object`) or took from the map before (`oldObject`), so no trie walk is needed
 * to find it. Undefined once a reader decoded the delta's objects (freezing it does), or for an
 * object that was never a cell: then the maps are asked.
 */
function heldCell<T>(delta: Delta<T>, field: 'object' | 'oldObject'): Stored<T> | undefined {
  const held = storedField<T>(delta, field);
  return held instanceof EncodedObject ? held : undefined;
}

/**
 * A `deltaFifo` delta's stored values before and after it. A plain delta carries them; a deferred
 * one (its objects decode when read) gives the cells its target holds, or, once decoded, they are
 * read from the fifo's maps, so applying it decodes nothing.
 */
function storedChange<T>(
  delta: Delta<T>,
  before: PersistentMap<Stored<T>>,
  after: PersistentMap<Stored<T>>,
): [Stored<T> | undefined, Stored<T> | undefined] {
  // deltaFifo's deltas: an `Added` key was not in `before`, a `Deleted` one is not in `after`.
  if (isDeferred(delta))
    return [
      delta.type === 'Added' ? undefined : (heldCell<T>(delta, 'oldObject') ?? before.get(delta.key)),
      delta.type === 'Deleted' ? undefined : (heldCell<T>(delta, 'object') ?? after.get(delta.key)),
    ];
  const old = delta.type === 'Added' ? undefined : (delta as { oldObject: DeepReadonly<T> }).oldObject;
  return [old, delta.type === 'Deleted' ? undefined : delta.object];
}

/**
 * An immutable, indexed view of the cache at one resourceVersion.
 *
 * @example
 * ```ts
 * const snap = await informer(client, resources.pods, { indexers: { node: byField('spec.nodeName') } }).synced;
 * snap.namespace('default').list('app=web');
 * snap.byIndex('node', 'worker-1');
 * ```
 */
export class Snapshot<T> implements Iterable<DeepReadonly<T>> {
  private constructor(
    private readonly items: PersistentMap<Stored<T>>,
    /** One index per name in `setup.names`, in the same order. */
    private readonly indices: readonly Index[],
    private readonly setup: SnapshotSetup<T>,
    /** resourceVersion of the last list, event or bookmark applied. */
    readonly resourceVersion: string,
    /** True once the initial list has been applied. */
    readonly synced: boolean,
  ) {}

  /**
   * An empty snapshot with the given indexers. A `namespace` index (client-go's `NamespaceIndex`)
   * is always present so namespace listers do not scan. `options.onError` decides what an index
   * function that fails for one object does: without it `apply` throws, with it the object is
   * left out of that index only.
   */
  static empty<T>(indexers: Indexers<T> = {}, options: SnapshotOptions = {}): Snapshot<T> {
    const all: Indexers<T> = { [NAMESPACE_INDEX]: byNamespace as IndexFunc<T>, ...indexers };
    const names = Object.keys(all);
    const fns = names.map((name) => all[name] as IndexFunc<T>);
    return new Snapshot(
      PersistentMap.empty(),
      names.map(() => PersistentMap.empty()),
      {
        names,
        fns,
        slots: fns.map((fn) => capturedSlotOf(fn as IndexFunc<never>)),
        metadataOnly: fns.map((fn) => readsOnlyMetadata(fn as IndexFunc<never>)),
        byKey: fns.map((fn) => fn === (byNamespace as IndexFunc<T>)),
        options,
      },
      '',
      false,
    );
  }

  /** Number of cached objects. */
  get size(): number {
    return this.items.size;
  }

  /** The objects by key, shared with the `deltaFifo` that feeds this snapshot. @internal */
  get objectMap(): PersistentMap<Stored<T>> {
    return this.items;
  }

  /** The object stored under `namespace/name` (or `name` for cluster-scoped objects). */
  get(key: string): DeepReadonly<T> | undefined {
    return readOptional<T>(this.items.get(key));
  }

  /** True when an object is cached under `key`. */
  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Every cache key (client-go's `ListKeys`). */
  keys(): string[] {
    const out: string[] = [];
    this.items.forEach((_, key) => {
      out.push(key);
    });
    return out;
  }

  /** Every object, or those matching a label selector (client-go's `Lister.List`). */
  list(selector?: SelectorInput): DeepReadonly<T>[] {
    const sel = selector === undefined ? everything : toLabelSelector(selector);
    const out: DeepReadonly<T>[] = [];
    // Labels are read from a cell's metadata: only the objects that match are decoded.
    this.items.forEach((stored) => {
      if (sel === everything || sel.matches(selectorLabels(stored))) out.push(readObject<T>(stored));
    });
    return out;
  }

  /** Iterates over every cached object, e.g. `for (const pod of snapshot)`. */
  *[Symbol.iterator](): Iterator<DeepReadonly<T>> {
    for (const stored of this.items.values()) yield readObject<T>(stored);
  }

  /** A lister scoped to one namespace, backed by the namespace index. */
  namespace(namespace: string): NamespaceLister<T> {
    return {
      get: (name) => readOptional<T>(this.items.get(namespace ? `${namespace}/${name}` : name)),
      list: (selector) => this.filter(this.indexKeys(NAMESPACE_INDEX, namespace), selector),
    };
  }

  /** Objects filed under `value` in index `name` (client-go's `ByIndex`). */
  byIndex(name: string, value: string): DeepReadonly<T>[] {
    return this.filter(this.indexKeys(name, value));
  }

  /** Keys filed under `value` in index `name` (client-go's `IndexKeys`). */
  indexKeys(name: string, value: string): string[] {
    const out: string[] = [];
    (this.index(name).get(value) ?? EMPTY_KEYS).forEach((_, key) => {
      out.push(key);
    });
    return out;
  }

  /** Every value index `name` currently holds (client-go's `ListIndexFuncValues`). */
  indexValues(name: string): string[] {
    const out: string[] = [];
    this.index(name).forEach((_, value) => {
      out.push(value);
    });
    return out;
  }

  /** Names of the indexes this snapshot maintains. */
  indexNames(): string[] {
    return [...this.setup.names];
  }

  /**
   * Applies a batch and returns the next snapshot; `this` is unchanged. If an index function
   * fails for an object, without `onError` nothing is applied and an {@link IndexFunctionError}
   * is thrown; with it, the failure is reported and the object is left out of that index only.
   */
  apply(batch: DeltaBatch<T>): Snapshot<T> {
    if (batch.deltas.length === 0) {
      if (batch.resourceVersion === this.resourceVersion && batch.synced === this.synced) return this;
      return this.with(this.items, this.indices, batch);
    }
    if (batch.deltas.length === 1) return this.applyOne(batch.deltas[0] as Delta<T>, batch);
    const indices = new IndexEdit(this.indices);
    const shared = FifoBatch.itemsAfter(batch, this.items);
    if (shared !== undefined) {
      // The batch comes from the deltaFifo whose map these items are: its objects are frozen,
      // each key appears once, and each delta's oldObject is what this snapshot holds.
      for (const delta of batch.deltas) {
        const [old, next] = storedChange(delta, this.items, shared);
        if (old !== next) this.reindex(indices, delta.key, old, next, true);
        filed(next);
      }
      return this.with(shared, indices.result(), batch);
    }
    const items = this.items.asMutable();
    for (const delta of batch.deltas) this.applyDelta(items, indices, delta);
    return this.with(items.asPersistent(), indices.result(), batch);
  }

  /** One delta (a watch event): persistent updates, which allocate less than transient drafts. */
  private applyOne(delta: Delta<T>, batch: DeltaBatch<T>): Snapshot<T> {
    let items = FifoBatch.itemsAfter(batch, this.items);
    const fromFifo = items !== undefined;
    let old: Stored<T> | undefined;
    let next: Stored<T> | undefined;
    if (items !== undefined)
      [old, next] = FifoBatch.changeOf(batch) ?? storedChange(delta, this.items, items);
    else {
      old = this.items.get(delta.key);
      if (delta.type === 'Deleted') next = undefined;
      else {
        next = frozenForCache(this.setup, delta.object, delta.key);
        if (next === undefined) return this.with(this.items, this.indices, batch);
      }
      if (old === next) items = this.items;
      else items = next === undefined ? this.items.delete(delta.key) : this.items.set(delta.key, next);
    }
    const indices = old === next ? this.indices : this.reindexOne(delta.key, old, next, fromFifo);
    filed(next);
    return this.with(items, indices, batch);
  }

  /**
   * The indexes after one object changed from `old` to `next` (`this.indices` if none moved).
   * `sameKey`: both were filed under `key` by a `deltaFifo`, which keyed each by its own metadata.
   */
  private reindexOne(
    key: string,
    old: Stored<T> | undefined,
    next: Stored<T> | undefined,
    sameKey: boolean,
  ): readonly Index[] {
    let out: Index[] | undefined;
    const update = sameKey && old !== undefined && next !== undefined;
    for (let i = 0; i < this.setup.names.length; i++) {
      if (update && (this.setup.byKey[i] || sameCapturedValue(this.setup, i, old, next))) continue;
      const before = indexValues(this.setup, i, old, key, false);
      const after = indexValues(this.setup, i, next, key, true);
      for (const value of before) {
        if (after.includes(value)) continue;
        out ??= this.indices.slice();
        const index = out[i] as Index;
        const keys = (index.get(value) ?? EMPTY_KEYS).delete(key);
        out[i] = keys.size === 0 ? index.delete(value) : index.set(value, keys);
      }
      for (const value of after) {
        if (before.includes(value)) continue;
        out ??= this.indices.slice();
        const index = out[i] as Index;
        out[i] = index.set(value, (index.get(value) ?? EMPTY_KEYS).set(key, true));
      }
    }
    return out ?? this.indices;
  }

  private with(
    items: PersistentMap<Stored<T>>,
    indices: readonly Index[],
    batch: DeltaBatch<T>,
  ): Snapshot<T> {
    return new Snapshot(items, indices, this.setup, batch.resourceVersion, batch.synced);
  }

  private applyDelta(items: TransientMap<Stored<T>>, indices: IndexEdit, delta: Delta<T>): void {
    const old = items.get(delta.key);
    if (delta.type === 'Deleted') {
      if (old === undefined) return;
      items.delete(delta.key);
      this.reindex(indices, delta.key, old, undefined, false);
    } else {
      const object = frozenForCache(this.setup, delta.object, delta.key);
      if (object === undefined || old === object) return;
      items.set(delta.key, object);
      this.reindex(indices, delta.key, old, object, false);
      filed<T>(object);
    }
  }

  /** {@link Snapshot.reindexOne} for one delta of a batch, into `indices`. */
  private reindex(
    indices: IndexEdit,
    key: string,
    old: Stored<T> | undefined,
    next: Stored<T> | undefined,
    sameKey: boolean,
  ): void {
    const update = sameKey && old !== undefined && next !== undefined;
    for (let i = 0; i < this.setup.names.length; i++) {
      if (update && (this.setup.byKey[i] || sameCapturedValue(this.setup, i, old, next))) continue;
      const before = indexValues(this.setup, i, old, key, false);
      const after = indexValues(this.setup, i, next, key, true);
      for (const value of before) if (!after.includes(value)) indices.remove(i, value, key);
      for (const value of after) if (!before.includes(value)) indices.add(i, value, key);
    }
  }

  private index(name: string): Index {
    const i = this.setup.names.indexOf(name);
    if (i < 0) throw new IndexNotFoundError(name);
    return this.indices[i] as Index;
  }

  private filter(keys: Iterable<string>, selector?: SelectorInput): DeepReadonly<T>[] {
    const sel: LabelSelector = selector === undefined ? everything : toLabelSelector(selector);
    const out: DeepReadonly<T>[] = [];
    for (const key of keys) {
      const stored = this.items.get(key);
      if (stored !== undefined && (sel === everything || sel.matches(selectorLabels(stored))))
        out.push(readObject<T>(stored));
    }
    return out;
  }
}

/**
 * The index changes of a batch of several deltas (a relist, a resync): each key set the batch
 * touches becomes a transient draft on first change and is edited in place, so a value with
 * thousands of keys is not copied once per key. A delta that keeps its namespace, node and
 * labels touches nothing.
 */
class IndexEdit {
  /** Per index: value -> its key set's draft in this batch. */
  private readonly touched: (Map<string, TransientMap<true>> | undefined)[];

  constructor(private readonly base: readonly Index[]) {
    this.touched = new Array(base.length).fill(undefined);
  }

  add(i: number, value: string, key: string): void {
    this.keys(i, value).set(key, true);
  }

  remove(i: number, value: string, key: string): void {
    this.keys(i, value).delete(key);
  }

  private keys(i: number, value: string): TransientMap<true> {
    let touched = this.touched[i];
    if (touched === undefined) {
      touched = new Map();
      this.touched[i] = touched;
    }
    let keys = touched.get(value);
    if (keys === undefined) {
      keys = ((this.base[i] as Index).get(value) ?? EMPTY_KEYS).asMutable();
      touched.set(value, keys);
    }
    return keys;
  }

  /** The indexes with this batch's changes (the base array itself when nothing changed). */
  result(): readonly Index[] {
    if (this.touched.every((t) => t === undefined)) return this.base;
    return this.base.map((index, i) => {
      const touched = this.touched[i];
      if (touched === undefined) return index;
      return index.withMutations((next) => {
        for (const [value, keys] of touched) {
          if (keys.size === 0) next.delete(value);
          else next.set(value, keys.asPersistent());
        }
      });
    });
  }
}

/**
 * Builds a snapshot from plain objects, e.g. for tests of code that reads snapshots. The objects
 * are frozen in place, as objects entering an informer's cache are; one the cache would turn away
 * (no name, a `/` in its name) throws an `UncacheableObjectError`.
 *
 * @example
 * ```ts
 * const snap = snapshotOf([pod('a', '1', { nodeName: 'n1' })], { node: byField('spec.nodeName') });
 * snap.byIndex('node', 'n1').length; // 1
 * ```
 */
export function snapshotOf<T extends KubeObject>(
  objects: readonly T[],
  indexers: Indexers<T> = {},
  resourceVersion = '',
): Snapshot<T> {
  const deltas = objects.map((object) => {
    const key = admissionKey(object, throwIt);
    return { type: 'Added' as const, key: key as string, object: deepFreeze<T>(object) };
  });
  return Snapshot.empty(indexers).apply({ deltas, resourceVersion, synced: true, initialList: true });
}
