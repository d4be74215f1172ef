/**
 * The Indexer's state as an immutable value (client-go's `cache.Indexer` / `ThreadSafeStore`).
 *
 * Objects live in a persistent hash map (immutable's HAMT) keyed by `namespace/name`, and every
 * index is a persistent map from index value to the set of keys. Applying a batch costs
 * O(changes x log n) and returns a new snapshot that shares structure with the old one, so old
 * snapshots stay valid and cheap to keep, and a relist replaces the whole cache in one step.
 * Objects are deep-frozen: a reader can never corrupt the cache by mutating what it got.
 */
import { freeze } from 'immer';
import { Map as IMap, Set as ISet } from 'immutable';
import { IndexNotFoundError, KubeRxError } from '../errors.js';
import type { DeltaBatch } from '../events.js';
import { type KubeObject, objectKey } from '../objects.js';
import { byNamespace, type Indexers, type IndexFunc, NAMESPACE_INDEX } from './indexFuncs.js';
import { everything, type LabelSelector, type SelectorInput, toLabelSelector } from './labelSelector.js';

type Index = IMap<string, ISet<string>>;
const EMPTY_KEYS: ISet<string> = ISet();

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

/** Read access to one namespace (client-go's `PodNamespaceLister`). */
export interface NamespaceLister<T> {
  /** The object called `name` in this namespace. */
  get(name: string): T | undefined;
  /** Every object of the namespace, or those matching a label selector. */
  list(selector?: SelectorInput): T[];
}

function indexValues<T>(name: string, fn: IndexFunc<T>, object: T, key: string): readonly string[] {
  let values: unknown;
  try {
    values = fn(object);
  } catch (error) {
    throw new IndexFunctionError(name, key, error);
  }
  if (!Array.isArray(values) || !values.every(isString)) {
    throw new IndexFunctionError(name, key, new TypeError('expected an array of strings'));
  }
  return values;
}

const isString = (value: unknown): boolean => typeof value === 'string';
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
export class Snapshot<T> {
  private constructor(
    private readonly items: IMap<string, T>,
    private readonly indices: IMap<string, Index>,
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
    let indices = IMap<string, Index>();
    for (const name of Object.keys(all)) indices = indices.set(name, IMap());
    return new Snapshot(IMap(), indices, all, '', false);
  }

  /** Number of cached objects. */
  get size(): number {
    return this.items.size;
  }

  /** The object stored under `namespace/name` (or `name` for cluster-scoped objects). */
  get(key: string): T | undefined {
    return this.items.get(key);
  }

  /** True when an object is cached under `key`. */
  has(key: string): boolean {
    return this.items.has(key);
  }

  /** Every cache key (client-go's `ListKeys`). */
  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Every object, or those matching a label selector (client-go's `Lister.List`). */
  list(selector?: SelectorInput): T[] {
    const sel = selector === undefined ? everything : toLabelSelector(selector);
    const out: T[] = [];
    for (const object of this.items.values())
      if (sel === everything || sel.matches(labelsOf(object))) out.push(object);
    return out;
  }

  /** A lister scoped to one namespace, backed by the namespace index. */
  namespace(namespace: string): NamespaceLister<T> {
    return {
      get: (name) => this.items.get(namespace ? `${namespace}/${name}` : name),
      list: (selector) => this.filter(this.indexKeys(NAMESPACE_INDEX, namespace), selector),
    };
  }

  /** Objects filed under `value` in index `name` (client-go's `ByIndex`). */
  byIndex(name: string, value: string): T[] {
    return this.filter(this.indexKeys(name, value));
  }

  /** Keys filed under `value` in index `name` (client-go's `IndexKeys`). */
  indexKeys(name: string, value: string): string[] {
    return [...(this.index(name).get(value) ?? EMPTY_KEYS)];
  }

  /** Every value index `name` currently holds (client-go's `ListIndexFuncValues`). */
  indexValues(name: string): string[] {
    return [...this.index(name).keys()];
  }

  /** Names of the indexes this snapshot maintains. */
  indexNames(): string[] {
    return Object.keys(this.indexers);
  }

  /**
   * Applies a batch and returns the next snapshot; `this` is unchanged. If an index function
   * fails, nothing is applied and an {@link IndexFunctionError} is thrown.
   */
  apply(batch: DeltaBatch<T>): Snapshot<T> {
    if (batch.deltas.length === 0) {
      if (batch.resourceVersion === this.resourceVersion && batch.synced === this.synced) return this;
      return new Snapshot(this.items, this.indices, this.indexers, batch.resourceVersion, batch.synced);
    }
    const items = this.items.asMutable();
    const names = Object.keys(this.indexers);
    // Mutable copies of the indexes a delta actually changes, made on first change: a MODIFIED
    // event that keeps its namespace, node and labels touches no index at all.
    const indices: (Index | undefined)[] = new Array(names.length);
    for (const delta of batch.deltas) {
      const old = items.get(delta.key);
      if (delta.type === 'Deleted') {
        if (old === undefined) continue;
        items.delete(delta.key);
        this.reindex(names, indices, delta.key, old, undefined);
      } else {
        const object = freeze(delta.object, true);
        if (old === object) continue;
        items.set(delta.key, object);
        this.reindex(names, indices, delta.key, old, object);
      }
    }
    let nextIndices = this.indices;
    for (let i = 0; i < names.length; i++) {
      const index = indices[i];
      if (index !== undefined) nextIndices = nextIndices.set(names[i] as string, index.asImmutable());
    }
    return new Snapshot(items.asImmutable(), nextIndices, this.indexers, batch.resourceVersion, batch.synced);
  }

  private reindex(
    names: string[],
    indices: (Index | undefined)[],
    key: string,
    old: T | undefined,
    next: T | undefined,
  ): void {
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const fn = this.indexers[name] as IndexFunc<T>;
      const before = old === undefined ? NO_VALUES : indexValues(name, fn, old, key);
      const after = next === undefined ? NO_VALUES : indexValues(name, fn, next, key);
      for (const value of before) {
        if (after.includes(value)) continue;
        const index = this.mutableIndex(indices, i, name);
        const keys = (index.get(value) ?? EMPTY_KEYS).delete(key);
        if (keys.size === 0) index.delete(value);
        else index.set(value, keys);
      }
      for (const value of after) {
        if (before.includes(value)) continue;
        const index = this.mutableIndex(indices, i, name);
        index.set(value, (index.get(value) ?? EMPTY_KEYS).add(key));
      }
    }
  }

  /** The mutable copy of index `i` for the batch being applied, made on its first change. */
  private mutableIndex(indices: (Index | undefined)[], i: number, name: string): Index {
    const existing = indices[i];
    if (existing !== undefined) return existing;
    const index = (this.indices.get(name) as Index).asMutable();
    indices[i] = index;
    return index;
  }

  private index(name: string): Index {
    const index = this.indices.get(name);
    if (index === undefined) throw new IndexNotFoundError(name);
    return index;
  }

  private filter(keys: Iterable<string>, selector?: SelectorInput): T[] {
    const sel: LabelSelector = selector === undefined ? everything : toLabelSelector(selector);
    const out: T[] = [];
    for (const key of keys) {
      const object = this.items.get(key);
      if (object !== undefined && (sel === everything || sel.matches(labelsOf(object)))) out.push(object);
    }
    return out;
  }
}

/**
 * Builds a snapshot from plain objects, e.g. for tests of code that reads snapshots.
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
    return { type: 'Added' as const, key, object };
  });
  return Snapshot.empty(indexers).apply({ deltas, resourceVersion, synced: true, initialList: true });
}
