/**
 * The Indexer's state as an immutable value (client-go's `cache.Indexer` / `ThreadSafeStore`).
 *
 * Objects live in a persistent hash map ({@link PersistentMap}, a CHAMP trie) keyed by
 * `namespace/name`, and every index is a persistent map from index value to the set of keys. Applying a batch costs
 * O(changes x log n) and returns a new snapshot that shares structure with the old one, so old
 * snapshots stay valid and cheap to keep, and a relist replaces the whole cache in one step.
 * Objects are deep-frozen and typed {@link DeepReadonly}: a reader can never corrupt the cache by
 * mutating what it got, and the compiler says so before the run time does.
 *
 * Layer `store`: immutable data structures (persistent map, snapshots, indexes, label selectors),
 * free of RxJS and I/O. May import: `core`.
 */
import { freeze } from 'immer';
import { IndexNotFoundError, KubeRxError } from '../core/errors.js';
import type { Delta, DeltaBatch } from '../core/events.js';
import { type DeepReadonly, deepFreeze, type KubeObject, objectKey } from '../core/objects.js';
import { FifoBatch } from './fifoBatch.js';
import { byNamespace, type Indexers, type IndexFunc, NAMESPACE_INDEX } from './indexFuncs.js';
import { everything, type LabelSelector, type SelectorInput, toLabelSelector } from './labelSelector.js';
import { PersistentMap, type TransientMap } from './persistentMap.js';

/** Index value -> the keys filed under it. */
type Index = PersistentMap<PersistentMap<true>>;
const EMPTY_KEYS: PersistentMap<true> = PersistentMap.empty();

/** An index function that threw or returned something other than an array of strings. */
export class IndexFunctionError extends KubeRxError {
  override readonly name: string = 'IndexFunctionError';
  constructor(
    readonly index: string,
    readonly key: string,
    cause: unknown,
  ) {
    super(`index function ${JSON.stringify(index)} failed for ${JSON.stringify(key)}: ${String(cause)}`, {
      cause,
    });
  }
}

/** Read access to one namespace (client-go's `PodNamespaceLister`); objects are the cache's, read-only. */
export interface NamespaceLister<T> {
  /** The object called `name` in this namespace. */
  get(name: string): DeepReadonly<T> | undefined;
  /** Every object of the namespace, or those matching a label selector. */
  list(selector?: SelectorInput): DeepReadonly<T>[];
}

function indexValues<T>(
  name: string,
  fn: IndexFunc<T>,
  object: DeepReadonly<T>,
  key: string,
): readonly string[] {
  let values: unknown;
  try {
    values = fn(object);
  } catch (error) {
    throw new IndexFunctionError(name, key, error);
  }
  if (!Array.isArray(values)) throw notStrings(name, key);
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'string') throw notStrings(name, key);
  return values;
}

function notStrings(name: string, key: string): IndexFunctionError {
  return new IndexFunctionError(name, key, new TypeError('expected an array of strings'));
}
const NO_VALUES: readonly string[] = [];

function labelsOf(object: unknown): Record<string, string> | undefined {
  return (object as KubeObject).metadata?.labels;
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
    private readonly items: PersistentMap<DeepReadonly<T>>,
    /** One index per name in `names`, in the same order. */
    private readonly indices: readonly Index[],
    private readonly names: readonly string[],
    private readonly indexers: Indexers<T>,
    /** resourceVersion of the last list, event or bookmark applied. */
    readonly resourceVersion: string,
    /** True once the initial list has been applied. */
    readonly synced: boolean,
  ) {}

  /**
   * An empty snapshot with the given indexers. A `namespace` index (client-go's `NamespaceIndex`)
   * is always present so namespace listers do not scan.
   */
  static empty<T>(indexers: Indexers<T> = {}): Snapshot<T> {
    const all: Indexers<T> = { [NAMESPACE_INDEX]: byNamespace as IndexFunc<T>, ...indexers };
    const names = Object.keys(all);
    return new Snapshot(
      PersistentMap.empty(),
      names.map(() => PersistentMap.empty()),
      names,
      all,
      '',
      false,
    );
  }

  /** Number of cached objects. */
  get size(): number {
    return this.items.size;
  }

  /** The objects by key, shared with the `deltaFifo` that feeds this snapshot. @internal */
  get objectMap(): PersistentMap<DeepReadonly<T>> {
    return this.items;
  }

  /** The object stored under `namespace/name` (or `name` for cluster-scoped objects). */
  get(key: string): DeepReadonly<T> | undefined {
    return this.items.get(key);
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
    this.items.forEach((object) => {
      if (sel === everything || sel.matches(labelsOf(object))) out.push(object);
    });
    return out;
  }

  /** Iterates over every cached object, e.g. `for (const pod of snapshot)`. */
  [Symbol.iterator](): Iterator<DeepReadonly<T>> {
    return this.items.values();
  }

  /** A lister scoped to one namespace, backed by the namespace index. */
  namespace(namespace: string): NamespaceLister<T> {
    return {
      get: (name) => this.items.get(namespace ? `${namespace}/${name}` : name),
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
    return [...this.names];
  }

  /**
   * Applies a batch and returns the next snapshot; `this` is unchanged. If an index function
   * fails, nothing is applied and an {@link IndexFunctionError} is thrown.
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
        const old = delta.type === 'Added' ? undefined : (delta as { oldObject: DeepReadonly<T> }).oldObject;
        const next = delta.type === 'Deleted' ? undefined : delta.object;
        if (old !== next) this.reindex(indices, delta.key, old, next);
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
    let old: DeepReadonly<T> | undefined;
    let next: DeepReadonly<T> | undefined;
    if (items !== undefined) {
      old = delta.type === 'Added' ? undefined : (delta as { oldObject: DeepReadonly<T> }).oldObject;
      next = delta.type === 'Deleted' ? undefined : delta.object;
    } else {
      old = this.items.get(delta.key);
      next = delta.type === 'Deleted' ? undefined : freeze(delta.object, true);
      if (old === next) items = this.items;
      else items = next === undefined ? this.items.delete(delta.key) : this.items.set(delta.key, next);
    }
    return this.with(items, old === next ? this.indices : this.reindexOne(delta.key, old, next), batch);
  }

  /** The indexes after one object changed from `old` to `next` (`this.indices` if none moved). */
  private reindexOne(
    key: string,
    old: DeepReadonly<T> | undefined,
    next: DeepReadonly<T> | undefined,
  ): readonly Index[] {
    let out: Index[] | undefined;
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string;
      const fn = this.indexers[name] as IndexFunc<T>;
      const before = old === undefined ? NO_VALUES : indexValues(name, fn, old, key);
      const after = next === undefined ? NO_VALUES : indexValues(name, fn, next, key);
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
    items: PersistentMap<DeepReadonly<T>>,
    indices: readonly Index[],
    batch: DeltaBatch<T>,
  ): Snapshot<T> {
    return new Snapshot(items, indices, this.names, this.indexers, batch.resourceVersion, batch.synced);
  }

  private applyDelta(items: TransientMap<DeepReadonly<T>>, indices: IndexEdit, delta: Delta<T>): void {
    const old = items.get(delta.key);
    if (delta.type === 'Deleted') {
      if (old === undefined) return;
      items.delete(delta.key);
      this.reindex(indices, delta.key, old, undefined);
    } else {
      const object = freeze(delta.object, true);
      if (old === object) return;
      items.set(delta.key, object);
      this.reindex(indices, delta.key, old, object);
    }
  }

  private reindex(
    indices: IndexEdit,
    key: string,
    old: DeepReadonly<T> | undefined,
    next: DeepReadonly<T> | undefined,
  ): void {
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i] as string;
      const fn = this.indexers[name] as IndexFunc<T>;
      const before = old === undefined ? NO_VALUES : indexValues(name, fn, old, key);
      const after = next === undefined ? NO_VALUES : indexValues(name, fn, next, key);
      for (const value of before) if (!after.includes(value)) indices.remove(i, value, key);
      for (const value of after) if (!before.includes(value)) indices.add(i, value, key);
    }
  }

  private index(name: string): Index {
    const i = this.names.indexOf(name);
    if (i < 0) throw new IndexNotFoundError(name);
    return this.indices[i] as Index;
  }

  private filter(keys: Iterable<string>, selector?: SelectorInput): DeepReadonly<T>[] {
    const sel: LabelSelector = selector === undefined ? everything : toLabelSelector(selector);
    const out: DeepReadonly<T>[] = [];
    for (const key of keys) {
      const object = this.items.get(key);
      if (object !== undefined && (sel === everything || sel.matches(labelsOf(object)))) out.push(object);
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
 * are frozen in place, as objects entering an informer's cache are.
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
    const key = objectKey(object);
    if (key === undefined) throw new KubeRxError('snapshotOf: every object needs metadata.name');
    return { type: 'Added' as const, key, object: deepFreeze<T>(object) };
  });
  return Snapshot.empty(indexers).apply({ deltas, resourceVersion, synced: true, initialList: true });
}
