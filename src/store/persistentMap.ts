/**
 * A persistent hash map from strings to values: a CHAMP trie (Steindorfer and Vinju's compressed
 * hash-array mapped prefix tree), the structure behind every snapshot, index and the deltaFifo.
 *
 * Why not immutable's `Map`: its string hashing goes through a small global cache that thrashes
 * on cache keys (`namespace/name` is longer than its 16-character threshold), and every entry is
 * a separate object. Here keys and values sit inline in the node arrays (two slots per entry) and
 * the hash is computed straight from the string, which made an update about 2.5x cheaper at 100k
 * keys. Node arrays always have their exact length (see `spliced`): a 100k-entry map takes about
 * 41 bytes per entry, not counting the key strings and values themselves. Updates copy one path
 * of a few nodes, so old versions stay valid and share everything else; a
 * {@link TransientMap} applies a batch of edits in place on the nodes it created, like
 * immutable's `withMutations`.
 *
 * Keys are placed by two seeded hashes (`stringHash.ts`): seven levels of five bits of the first,
 * then, for keys whose first hashes are equal, seven levels of the second. So keys crafted to
 * collide still cost O(log n) per update; only keys equal under both 32-bit hashes share a
 * collision node, whose lookups are linear.
 */
import { type KeyHashes, processHashes } from './stringHash.js';

const BITS = 5;
const MASK = 0b11111;
/** The shift at which the second hash takes over: its first level. */
const SECOND_ROUND = 35;
/** The last level with hash bits left (bits 30 and 31 of the second hash); deeper, keys share both hashes. */
const LAST_SHIFT = SECOND_ROUND + 30;
/** Returned by lookups for a missing key, so `undefined` can be a stored value. */
const MISSING: unique symbol = Symbol('missing');

/** Identifies the nodes one transient edit created and may therefore change in place. */
type Owner = object;

/**
 * An inner node is one array, to save an object and an indirection per node:
 * `[dataMap, nodeMap, owner, key0, value0, key1, value1, ..., childN, ..., child0]`.
 * Bit `f` of `dataMap` set: the entry whose hash fragment is `f` is stored inline; of `nodeMap`:
 * the keys with fragment `f` are in a child node. Entries come in pairs from the front, children
 * from the back (the CHAMP layout), each in the order of their bits.
 */
type BitmapNode = unknown[];
const DATA_MAP = 0;
const NODE_MAP = 1;
const OWNER = 2;
const FIRST = 3;

/** Keys whose two 32-bit hashes are both equal, below the last level. */
class CollisionNode {
  constructor(
    readonly keys: string[],
    readonly values: unknown[],
  ) {}
}

type Node = BitmapNode | CollisionNode;

const EMPTY_NODE: BitmapNode = [0, 0, undefined];

/** Set by every update: +1 when it added a key, -1 when it removed one, else 0. */
let sizeChange = 0;

/**
 * Set by `put` to the value it found under the key; left alone when it added the key, so a reader
 * (`swap`) clears it first and reads undefined for an added key.
 */
let replaced: unknown;

/** The hash fragment (0-31) that places a key at the level of `shift`, from the hash of that level's round. */
function fragment(hash: number, shift: number): number {
  return (hash >>> (shift < SECOND_ROUND ? shift : shift - SECOND_ROUND)) & MASK;
}

/** The hash of `key` that places it at the level of `shift`. */
function hashAt(hashes: KeyHashes, key: string, shift: number): number {
  return shift < SECOND_ROUND ? hashes.first(key) : hashes.second(key);
}

function bitCount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  n = (n + (n >>> 4)) & 0x0f0f0f0f;
  return Math.imul(n, 0x01010101) >>> 24;
}

/** Index of the entry (its key) with the given bit. */
function dataIndex(dataMap: number, bit: number): number {
  return FIRST + 2 * bitCount(dataMap & (bit - 1));
}

/** Index of the child with the given bit (children are stored from the back). */
function childIndex(node: BitmapNode, nodeMap: number, bit: number): number {
  return node.length - 1 - bitCount(nodeMap & (bit - 1));
}

function lookup(root: Node, key: string, hashes: KeyHashes): unknown {
  let node = root;
  let shift = 0;
  let hash = hashes.first(key);
  for (;;) {
    if (node instanceof CollisionNode) {
      const i = node.keys.indexOf(key);
      return i < 0 ? MISSING : node.values[i];
    }
    if (shift === SECOND_ROUND) hash = hashes.second(key);
    const bit = 1 << fragment(hash, shift);
    const dataMap = node[DATA_MAP] as number;
    if ((dataMap & bit) !== 0) {
      const i = dataIndex(dataMap, bit);
      return node[i] === key ? node[i + 1] : MISSING;
    }
    const nodeMap = node[NODE_MAP] as number;
    if ((nodeMap & bit) === 0) return MISSING;
    node = node[childIndex(node, nodeMap, bit)] as Node;
    shift += BITS;
  }
}

/** The node to edit: itself when the edit owns it, else a copy the edit owns. */
function editable(node: BitmapNode, owner: Owner | undefined): BitmapNode {
  if (owner !== undefined && node[OWNER] === owner) return node;
  const copy = node.slice();
  copy[OWNER] = owner;
  return copy;
}

/**
 * `node` with `deleteCount` slots removed at `start` and `insertCount` (0-2) of `a`, `b` inserted
 * there, as a new array of exactly the new length, owned by `owner`. `Array#splice` would grow the
 * array with spare capacity that a long-lived node keeps for good (a 100k-entry map took 71 bytes
 * per entry instead of 41).
 */
function spliced(
  node: BitmapNode,
  owner: Owner | undefined,
  start: number,
  deleteCount: number,
  insertCount: number,
  a?: unknown,
  b?: unknown,
): BitmapNode {
  const length = node.length - deleteCount + insertCount;
  const out: unknown[] = new Array(length);
  for (let k = 0; k < start; k++) out[k] = node[k];
  if (insertCount > 0) out[start] = a;
  if (insertCount > 1) out[start + 1] = b;
  for (let k = start + deleteCount, to = start + insertCount; k < node.length; k++, to++) out[to] = node[k];
  out[OWNER] = owner;
  return out;
}

/**
 * A subtree holding two entries whose hashes agree above `shift`; `h1` and `h2` are their hashes
 * of the round `shift` belongs to (recomputed here when `shift` starts the second round).
 */
function pair(
  k1: string,
  h1: number,
  v1: unknown,
  k2: string,
  h2: number,
  v2: unknown,
  shift: number,
  owner: Owner | undefined,
  hashes: KeyHashes,
): Node {
  if (shift > LAST_SHIFT) return new CollisionNode([k1, k2], [v1, v2]);
  const a = shift === SECOND_ROUND ? hashes.second(k1) : h1;
  const b = shift === SECOND_ROUND ? hashes.second(k2) : h2;
  const f1 = fragment(a, shift);
  const f2 = fragment(b, shift);
  if (f1 === f2) return [0, 1 << f1, owner, pair(k1, a, v1, k2, b, v2, shift + BITS, owner, hashes)];
  const dataMap = (1 << f1) | (1 << f2);
  return f1 < f2 ? [dataMap, 0, owner, k1, v1, k2, v2] : [dataMap, 0, owner, k2, v2, k1, v1];
}

/** The hash of `key` for the level below `shift`, given `hash`, its hash for the level of `shift`. */
function hashBelow(hashes: KeyHashes, key: string, hash: number, shift: number): number {
  return shift + BITS === SECOND_ROUND ? hashes.second(key) : hash;
}

/** `node` with `key` set; `hash` is the key's hash for the round `shift` belongs to. */
function put(
  node: Node,
  key: string,
  hash: number,
  value: unknown,
  shift: number,
  owner: Owner | undefined,
  hashes: KeyHashes,
): Node {
  if (node instanceof CollisionNode) return putCollision(node, key, value);
  const bit = 1 << fragment(hash, shift);
  const dataMap = node[DATA_MAP] as number;
  const nodeMap = node[NODE_MAP] as number;
  if ((dataMap & bit) !== 0) {
    const i = dataIndex(dataMap, bit);
    const existing = node[i] as string;
    if (existing === key) {
      replaced = node[i + 1];
      if (node[i + 1] === value) return node;
      const next = editable(node, owner);
      next[i + 1] = value;
      return next;
    }
    // Two keys share this fragment: both move down into a new child.
    const child = pair(
      existing,
      hashAt(hashes, existing, shift),
      node[i + 1],
      key,
      hash,
      value,
      shift + BITS,
      owner,
      hashes,
    );
    sizeChange = 1;
    const withoutEntry = spliced(node, owner, i, 2, 0);
    const at = withoutEntry.length - bitCount(nodeMap & (bit - 1));
    const next = spliced(withoutEntry, owner, at, 0, 1, child);
    next[DATA_MAP] = dataMap ^ bit;
    next[NODE_MAP] = nodeMap | bit;
    return next;
  }
  if ((nodeMap & bit) !== 0) {
    const j = childIndex(node, nodeMap, bit);
    const child = node[j] as Node;
    const updated = put(child, key, hashBelow(hashes, key, hash, shift), value, shift + BITS, owner, hashes);
    if (updated === child) return node;
    const next = editable(node, owner);
    next[j] = updated;
    return next;
  }
  sizeChange = 1;
  const next = spliced(node, owner, dataIndex(dataMap, bit), 0, 2, key, value);
  next[DATA_MAP] = dataMap | bit;
  return next;
}

/**
 * Collision nodes need keys equal under both seeded hashes, so they are rare and small: they are
 * always copied, never edited in place.
 */
function putCollision(node: CollisionNode, key: string, value: unknown): Node {
  const i = node.keys.indexOf(key);
  if (i >= 0) replaced = node.values[i];
  if (i >= 0 && node.values[i] === value) return node;
  const keys = node.keys.slice();
  const values = node.values.slice();
  if (i >= 0) values[i] = value;
  else {
    keys.push(key);
    values.push(value);
    sizeChange = 1;
  }
  return new CollisionNode(keys, values);
}

/** True for a non-root node left with one entry: its parent takes the entry inline instead. */
function isSingleEntry(node: Node): boolean {
  return node instanceof CollisionNode
    ? node.keys.length === 1
    : node[NODE_MAP] === 0 && node.length === FIRST + 2;
}

function remove(
  node: Node,
  key: string,
  hash: number,
  shift: number,
  owner: Owner | undefined,
  hashes: KeyHashes,
): Node {
  if (node instanceof CollisionNode) {
    const i = node.keys.indexOf(key);
    if (i < 0) return node;
    sizeChange = -1;
    const keys = node.keys.slice();
    const values = node.values.slice();
    keys.splice(i, 1);
    values.splice(i, 1);
    return new CollisionNode(keys, values);
  }
  const bit = 1 << fragment(hash, shift);
  const dataMap = node[DATA_MAP] as number;
  const nodeMap = node[NODE_MAP] as number;
  if ((dataMap & bit) !== 0) {
    const i = dataIndex(dataMap, bit);
    if (node[i] !== key) return node;
    sizeChange = -1;
    const next = spliced(node, owner, i, 2, 0);
    next[DATA_MAP] = dataMap ^ bit;
    return next;
  }
  if ((nodeMap & bit) === 0) return node;
  const j = childIndex(node, nodeMap, bit);
  const child = node[j] as Node;
  const updated = remove(child, key, hashBelow(hashes, key, hash, shift), shift + BITS, owner, hashes);
  // A child this edit owns shrinks in place and comes back as itself: check the size change.
  if (sizeChange === 0) return node;
  if (!isSingleEntry(updated)) {
    const next = editable(node, owner);
    next[j] = updated;
    return next;
  }
  // Keep the trie canonical: a child with one entry is folded back into this node.
  const k = updated instanceof CollisionNode ? updated.keys[0] : updated[FIRST];
  const v = updated instanceof CollisionNode ? updated.values[0] : updated[FIRST + 1];
  const folded = spliced(spliced(node, owner, j, 1, 0), owner, dataIndex(dataMap, bit), 0, 2, k, v);
  folded[DATA_MAP] = dataMap | bit;
  folded[NODE_MAP] = nodeMap ^ bit;
  return folded;
}

function each(node: Node, fn: (value: never, key: string) => void): void {
  if (node instanceof CollisionNode) {
    for (let i = 0; i < node.keys.length; i++) fn(node.values[i] as never, node.keys[i] as string);
    return;
  }
  const dataEnd = FIRST + 2 * bitCount(node[DATA_MAP] as number);
  for (let i = FIRST; i < dataEnd; i += 2) fn(node[i + 1] as never, node[i] as string);
  for (let i = node.length - 1; i >= dataEnd; i--) each(node[i] as Node, fn);
}

function* entriesOf(node: Node): Generator<[string, unknown]> {
  if (node instanceof CollisionNode) {
    for (let i = 0; i < node.keys.length; i++) yield [node.keys[i] as string, node.values[i]];
    return;
  }
  const dataEnd = FIRST + 2 * bitCount(node[DATA_MAP] as number);
  for (let i = FIRST; i < dataEnd; i += 2) yield [node[i] as string, node[i + 1]];
  for (let i = node.length - 1; i >= dataEnd; i--) yield* entriesOf(node[i] as Node);
}

/** Read access shared by {@link PersistentMap} and {@link TransientMap}. */
abstract class MapView<V> implements Iterable<[string, V]> {
  protected abstract readonly root: Node;
  /** The hashes this map and every map made from it place keys by. */
  protected abstract readonly hashes: KeyHashes;
  abstract readonly size: number;

  /** The value stored under `key`. */
  get(key: string): V | undefined {
    const found = lookup(this.root, key, this.hashes);
    return found === MISSING ? undefined : (found as V);
  }

  /** True when `key` is present. */
  has(key: string): boolean {
    return lookup(this.root, key, this.hashes) !== MISSING;
  }

  /** Calls `fn` for every entry, in hash order (which differs between processes). Faster than iterating. */
  forEach(fn: (value: V, key: string) => void): void {
    each(this.root, fn as (value: never, key: string) => void);
  }

  entries(): IterableIterator<[string, V]> {
    return entriesOf(this.root) as IterableIterator<[string, V]>;
  }

  *keys(): IterableIterator<string> {
    for (const [key] of entriesOf(this.root)) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of entriesOf(this.root)) yield value as V;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}

/**
 * An immutable map from strings to values; `set` and `delete` return a new map and leave this
 * one as it was.
 *
 * @example
 * ```ts
 * const a = PersistentMap.empty<number>().set('default/web', 1);
 * const b = a.set('default/api', 2);
 * a.size; // 1: `a` is unchanged
 * const c = b.withMutations((m) => m.set('default/db', 3).delete('default/web'));
 * ```
 */
export class PersistentMap<V> extends MapView<V> {
  private static readonly EMPTY = new PersistentMap<never>(EMPTY_NODE, 0, processHashes);

  private constructor(
    protected readonly root: Node,
    readonly size: number,
    protected readonly hashes: KeyHashes,
  ) {
    super();
  }

  /**
   * The empty map. Every map placed its keys by this process's seeded hashes; `hashes` replaces
   * them for this map and those made from it, for tests that need a reproducible layout or
   * forced collisions (`seededHashes` in `stringHash.ts`).
   */
  static empty<V>(hashes?: KeyHashes): PersistentMap<V> {
    return hashes === undefined || hashes === processHashes
      ? PersistentMap.EMPTY
      : new PersistentMap(EMPTY_NODE, 0, hashes);
  }

  /** A map of the given entries (later entries win). */
  static of<V>(entries: Iterable<readonly [string, V]>, hashes?: KeyHashes): PersistentMap<V> {
    const draft = PersistentMap.empty<V>(hashes).asMutable();
    for (const [key, value] of entries) draft.set(key, value);
    return draft.asPersistent();
  }

  /** @internal */
  static fromRoot<V>(root: Node, size: number, hashes: KeyHashes): PersistentMap<V> {
    return size === 0 ? PersistentMap.empty(hashes) : new PersistentMap(root, size, hashes);
  }

  /** This map with `key` set to `value` (this map itself when it already holds that value). */
  set(key: string, value: V): PersistentMap<V> {
    sizeChange = 0;
    const hashes = this.hashes;
    const root = put(this.root, key, hashes.first(key), value, 0, undefined, hashes);
    return root === this.root ? this : new PersistentMap(root, this.size + sizeChange, hashes);
  }

  /**
   * {@link PersistentMap.set}, and the value `key` held before (undefined when it was absent): one
   * walk down the trie instead of a `get` and a `set`.
   *
   * @example
   * ```ts
   * const [next, old] = map.swap('default/a', pod);
   * ```
   */
  swap(key: string, value: V): [PersistentMap<V>, V | undefined] {
    replaced = undefined;
    const next = this.set(key, value);
    const old = replaced as V | undefined;
    replaced = undefined;
    return [next, old];
  }

  /** This map without `key` (this map itself when the key is absent). */
  delete(key: string): PersistentMap<V> {
    sizeChange = 0;
    const hashes = this.hashes;
    const root = remove(this.root, key, hashes.first(key), 0, undefined, hashes);
    return root === this.root ? this : PersistentMap.fromRoot(root, this.size + sizeChange, hashes);
  }

  /** A transient copy for a batch of edits; this map is unchanged by them. */
  asMutable(): TransientMap<V> {
    return new TransientMap(this.root, this.size, this.hashes);
  }

  /** Applies a batch of edits at once and returns the result. */
  withMutations(edit: (draft: TransientMap<V>) => void): PersistentMap<V> {
    const draft = this.asMutable();
    edit(draft);
    return draft.asPersistent();
  }
}

/**
 * A map being edited in a batch: it changes in place the nodes it created itself and copies the
 * ones it shares, so a batch of k edits allocates far less than k persistent updates.
 */
export class TransientMap<V> extends MapView<V> {
  private owner: Owner = {};

  /** @internal */
  constructor(
    protected root: Node,
    public size: number,
    protected readonly hashes: KeyHashes,
  ) {
    super();
  }

  /** Sets `key` to `value` in this draft. */
  set(key: string, value: V): this {
    sizeChange = 0;
    this.root = put(this.root, key, this.hashes.first(key), value, 0, this.owner, this.hashes);
    this.size += sizeChange;
    return this;
  }

  /** Removes `key` from this draft. */
  delete(key: string): this {
    sizeChange = 0;
    this.root = remove(this.root, key, this.hashes.first(key), 0, this.owner, this.hashes);
    this.size += sizeChange;
    return this;
  }

  /**
   * The draft's current content as a persistent map. The draft stays usable: its later edits
   * copy the nodes the returned map now shares instead of changing them.
   */
  asPersistent(): PersistentMap<V> {
    this.owner = {};
    return PersistentMap.fromRoot(this.root, this.size, this.hashes);
  }
}

/**
 * Checks the trie's invariants and returns what is wrong (empty when nothing is), for tests:
 * slot counts match the bitmaps, every key sits on its hashes' path (first hash, then second),
 * collision nodes only below the last level and only for keys equal under both hashes, every
 * non-root node holds at least two entries (the canonical form deletes keep), and `size` is the
 * number of entries.
 * @internal
 */
export function trieProblems(map: PersistentMap<unknown> | TransientMap<unknown>): string[] {
  const problems: string[] = [];
  const { root, hashes } = map as unknown as { root: Node; hashes: KeyHashes };
  /** The fragments that place `key` at every level down to `shift`. */
  const fragments = (key: string, shift: number): number[] => {
    const out: number[] = [];
    for (let s = 0; s <= shift && s <= LAST_SHIFT; s += BITS) out.push(fragment(hashAt(hashes, key, s), s));
    return out;
  };
  const onPath = (key: string, path: readonly number[]) =>
    fragments(key, (path.length - 1) * BITS).every((f, level) => f === path[level]);
  const count = (node: Node, shift: number, path: number[], isRoot: boolean): number => {
    if (node instanceof CollisionNode) {
      if (shift <= LAST_SHIFT) problems.push(`collision node above the last level (shift ${shift})`);
      if (node.keys.length < 2) problems.push('collision node with fewer than two keys');
      const [k0] = node.keys as [string];
      for (const key of node.keys) {
        if (!onPath(key, path)) problems.push(`${key} off its hash path`);
        if (hashes.first(key) !== hashes.first(k0) || hashes.second(key) !== hashes.second(k0))
          problems.push(`${key} in the wrong collision node`);
      }
      return node.keys.length;
    }
    const dataMap = node[DATA_MAP] as number;
    const nodeMap = node[NODE_MAP] as number;
    if ((dataMap & nodeMap) !== 0) problems.push('a fragment is both data and node');
    const data = bitCount(dataMap);
    const children = bitCount(nodeMap);
    if (node.length !== FIRST + 2 * data + children) problems.push('slot count does not match the bitmaps');
    let entries = data;
    for (let i = FIRST; i < FIRST + 2 * data; i += 2) {
      const key = node[i] as string;
      const own = fragments(key, shift);
      if (!onPath(key, [...path, own[own.length - 1] as number])) problems.push(`${key} off its hash path`);
      if ((dataMap & (1 << (own[own.length - 1] as number))) === 0) problems.push('key in the wrong slot');
    }
    for (let f = 0; f < 32; f++) {
      const bit = 1 << f;
      if ((nodeMap & bit) === 0) continue;
      entries += count(node[childIndex(node, nodeMap, bit)] as Node, shift + BITS, [...path, f], false);
    }
    if (!isRoot && entries < 2) problems.push(`non-root node with ${entries} entries`);
    return entries;
  };
  const total = count(root, 0, [], true);
  if (total !== map.size) problems.push(`size ${map.size} but ${total} entries`);
  return problems;
}

/**
 * How the trie holds its keys, for tests of its cost: the deepest level any key sits at (0 is the
 * root) and the largest collision node.
 * @internal
 */
export function trieShape(map: PersistentMap<unknown> | TransientMap<unknown>): {
  depth: number;
  largestCollision: number;
} {
  const { root } = map as unknown as { root: Node };
  let depth = 0;
  let largestCollision = 0;
  const walk = (node: Node, level: number): void => {
    if (node instanceof CollisionNode) {
      largestCollision = Math.max(largestCollision, node.keys.length);
      depth = Math.max(depth, level);
      return;
    }
    if (bitCount(node[DATA_MAP] as number) > 0) depth = Math.max(depth, level);
    const dataEnd = FIRST + 2 * bitCount(node[DATA_MAP] as number);
    for (let i = node.length - 1; i >= dataEnd; i--) walk(node[i] as Node, level + 1);
  };
  walk(root, 0);
  return { depth, largestCollision };
}
