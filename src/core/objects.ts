/**
 * The minimal object shape kube-rx relies on, the cache key function, and the read-only type of
 * cached objects.
 *
 * Every Kubernetes object has `metadata.name`, an optional `metadata.namespace` and a
 * `metadata.resourceVersion`. client-node's models (`V1Pod`, `V1Deployment`, ...) satisfy
 * {@link KubeObject} structurally, so users keep their familiar types. What the cache hands out
 * is frozen at run time ({@link deepFreeze}) and typed {@link DeepReadonly} to match.
 */
import { InvalidObjectError } from './errors.js';

/**
 * Object metadata fields the cache reads. Everything else is carried through untouched. Its arrays
 * are read-only so that a cached object ({@link DeepReadonly}) still is a {@link KubeObject}.
 */
export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
  ownerReferences?: ReadonlyArray<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }>;
  deletionTimestamp?: unknown;
  finalizers?: readonly string[];
}

/** Anything with Kubernetes object metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
}

/**
 * `T` with every nested property read-only and every array a `ReadonlyArray`: the type of what
 * the cache hands out (snapshot reads, deltas, informer events, the snapshot `reconcile` gets).
 * Those objects are deep-frozen at run time and shared by every reader, like the pointers
 * client-go's listers return; the type makes a mutation a compile error instead of a `TypeError`
 * (ES modules) or a silently ignored write (sloppy-mode CommonJS). Primitives, functions and
 * Dates are left as they are. Every `T` is assignable to `DeepReadonly<T>`, so write helpers that
 * take one accept both; to change a cached object, edit a draft with `patchWith`, or copy it.
 *
 * @example
 * ```ts
 * const pod: DeepReadonly<V1Pod> | undefined = snapshot.get('default/web');
 * pod?.metadata?.name;                          // reading is fine
 * pod!.metadata!.labels = {};                   // compile error: read-only property
 * pod!.spec!.containers.push(sidecar);          // compile error: push does not exist on ReadonlyArray
 * await patchWith(client, resources.pods, pod!, (draft) => {
 *   draft.metadata!.labels = { ...draft.metadata!.labels, tier: 'web' }; // the draft is mutable
 * });
 * ```
 */
export type DeepReadonly<T> = T extends ((...args: never[]) => unknown) | Date | RegExp
  ? T // left as they are: functions stay callable, Dates and RegExps keep their methods
  : T extends ReadonlyArray<infer E>
    ? ReadonlyArray<DeepReadonly<E>>
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/**
 * `value` typed as the read-only view it always is, nothing frozen: every `T` is assignable to
 * `DeepReadonly<T>`, but TypeScript cannot see that for a generic `T`. For code that hands a
 * plain object to something that only reads it (a transform, an expected informer event).
 */
export function asReadonly<T>(value: T | DeepReadonly<T>): DeepReadonly<T> {
  return value as DeepReadonly<T>;
}

/**
 * True for a resourceVersion the cache admits: absent, or a non-empty string. The Reflector's
 * check, the parse-made cell and the scan-made cell all apply this one rule.
 *
 * @example
 * ```ts
 * cacheableResourceVersion('42'); // true
 * cacheableResourceVersion(''); // false
 * ```
 */
export function cacheableResourceVersion(rv: unknown): boolean {
  return rv === undefined || (typeof rv === 'string' && rv !== '');
}

/**
 * client-go's `MetaNamespaceKeyFunc`: `namespace/name` for namespaced objects, `name` otherwise.
 * Returns `undefined` when the object cannot have a key of its own: no name, or a name or
 * namespace that is not a non-empty string without `/` (see `objectKeyProblem`). That makes
 * keys unique: with a `/` allowed, namespace `a` + name `b/c` and namespace `a/b` + name `c`
 * would both be `a/b/c`. Kubernetes names never contain `/`, so no real object is turned away.
 *
 * @example
 * ```ts
 * objectKey({ metadata: { namespace: 'default', name: 'web' } }); // 'default/web'
 * objectKey({ metadata: { namespace: 'a', name: 'b/c' } });       // undefined
 * ```
 */
export function objectKey(object: KubeObject): string | undefined {
  const meta = object.metadata;
  if (!meta) return undefined;
  const name: unknown = meta.name;
  if (typeof name !== 'string' || name === '' || name.includes('/')) return undefined;
  const namespace: unknown = meta.namespace;
  if (namespace === undefined || namespace === null || namespace === '') return name;
  if (typeof namespace !== 'string' || namespace.includes('/')) return undefined;
  // Joined, not a template: a template makes a cons string, a wrapper object that a cached key
  // keeps and that every lookup's comparison of the key goes through.
  return [namespace, name].join('/');
}

/** A short description of a field's value for a message: its type, never its content. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (value === '') return 'an empty string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Why {@link objectKey} gives `value` no key, as a phrase for an error message, or `undefined`
 * when it has one. An absent, `null` or `''` namespace means cluster-scoped, as client-go reads it
 * (a Go server decodes all three to `""`).
 *
 * @example
 * ```ts
 * objectKeyProblem({ metadata: { namespace: 5, name: 'web' } }); // 'metadata.namespace is a number, not a string'
 * ```
 */
export function objectKeyProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `the object is ${kindOf(value)}`;
  const meta: unknown = (value as KubeObject).metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta))
    return `metadata is ${kindOf(meta)}, not an object`;
  const { name, namespace } = meta as { name?: unknown; namespace?: unknown };
  if (typeof name !== 'string' || name === '')
    return `metadata.name is ${kindOf(name)}, not a non-empty string`;
  if (name.includes('/')) return 'metadata.name contains "/"';
  if (namespace === undefined || namespace === null || namespace === '') return undefined;
  if (typeof namespace !== 'string') return `metadata.namespace is ${kindOf(namespace)}, not a string`;
  if (namespace.includes('/')) return 'metadata.namespace contains "/"';
  return undefined;
}

/**
 * How an object that has no key is named in messages: its namespace and name as they are
 * (JSON-quoted, so `"a"/"b/c"` and `"a/b"/"c"` read differently), or only what they are.
 *
 * @example
 * ```ts
 * describeObject({ metadata: { namespace: 'a', name: 'b/c' } }); // '"a"/"b/c"'
 * ```
 */
export function describeObject(value: unknown): string {
  const meta: unknown =
    value !== null && typeof value === 'object' ? (value as KubeObject).metadata : undefined;
  if (meta === null || typeof meta !== 'object') return 'an object without metadata';
  const { name, namespace } = meta as { name?: unknown; namespace?: unknown };
  const part = (field: unknown) =>
    typeof field === 'string'
      ? JSON.stringify(field.length > 80 ? `${field.slice(0, 80)}...` : field)
      : `(${kindOf(field)})`;
  return namespace === undefined ? part(name) : `${part(namespace)}/${part(name)}`;
}

/**
 * Splits a cache key into namespace and name, like client-go's `SplitMetaNamespaceKey`.
 *
 * @example
 * ```ts
 * splitKey('default/web'); // { namespace: 'default', name: 'web' }
 * splitKey('node-a');      // { namespace: '', name: 'node-a' }
 * ```
 */
export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0
    ? { namespace: '', name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** The object's resourceVersion, or `''` when it has none. */
export function resourceVersionOf(object: KubeObject): string {
  return object.metadata?.resourceVersion ?? '';
}

function isPlainData(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}

/**
 * Limits of the fast path of {@link deepFreeze}: nodes visited, and nesting depth (a cycle nests
 * without end; Kubernetes objects, CRD schemas included, nest far less than 100 levels).
 */
const FAST_FREEZE_BUDGET = 10_000;
const FAST_FREEZE_DEPTH = 100;
let freezeBudget = 0;

/**
 * Freezes `value` and what it reaches, without remembering what it visited (a shared node is
 * visited again, which is harmless). Returns false when a limit is reached: the value may have a
 * cycle (or is just very large or deep), and the caller finishes with {@link freezeGuarded}.
 */
function freezeFast(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object' || !isPlainData(value)) return true;
  if (--freezeBudget < 0 || depth > FAST_FREEZE_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!freezeFast(value[i], depth + 1)) return false;
  } else {
    // for-in over a plain object (its prototype is Object.prototype or null) visits its own keys
    // without allocating the array Object.values would.
    for (const key in value)
      if (!freezeFast((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  // After the children: a walk that stops early leaves the root unfrozen, so an object turned away
  // never looks frozen (and so admitted) to a check of `Object.isFrozen`.
  Object.freeze(value);
  return true;
}

/**
 * How deep an object may nest to enter the cache. Past it, the object is turned away
 * ({@link deepFreeze} throws {@link InvalidObjectError}) rather than frozen by an unbounded walk.
 * A depth cap rather than only an iterative walk because the cache hands objects to code that
 * recurses: Node 20's `structuredClone` overflows its stack at about 1,950 levels and
 * `JSON.stringify` at about 4,170, and so would a reconcile's own recursion or a `patchWith`
 * draft; an object deeper than that would fail in every consumer instead of once, here. Real
 * Kubernetes objects nest a few dozen levels (a CRD's schema a few hundred at most).
 */
export const MAX_OBJECT_DEPTH = 1000;

/**
 * Freezes `value` and what it reaches, with an explicit stack (no recursion, so no depth can
 * overflow the call stack); `seen` stops cycles. Visits everything first and freezes only when
 * nothing nests deeper than {@link MAX_OBJECT_DEPTH}; otherwise freezes nothing more and returns false.
 */
function freezeGuarded(root: object): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const value = stack.pop();
    const depth = depths.pop() as number;
    if (value === null || typeof value !== 'object' || seen.has(value) || !isPlainData(value)) continue;
    if (depth > MAX_OBJECT_DEPTH) return false;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        stack.push(value[i]);
        depths.push(depth + 1);
      }
    } else {
      for (const key in value) {
        stack.push((value as Record<string, unknown>)[key]);
        depths.push(depth + 1);
      }
    }
  }
  for (const value of seen) Object.freeze(value);
  return true;
}

/**
 * True when the JSON text `text` cannot nest deeper than {@link MAX_OBJECT_DEPTH}, judged from its
 * length and its count of `[` alone (so its parse need not be walked). On the deepest path each
 * array takes two characters (`[`, `]`) and each object at least five (`{`, `""`, `:`, `}`; the
 * innermost needs no key), so a path of `c` containers, `a` of them arrays, takes at least
 * `5c - 3a - 3` characters. A pod's text (about ten `[` in 3 KB) passes; a text that does not pass
 * may still nest within the limit, and is walked.
 *
 * @example
 * ```ts
 * textNestsWithinLimit('{"metadata":{"name":"a"}}'); // true
 * textNestsWithinLimit('['.repeat(1002) + ']'.repeat(1002)); // false: walk the parse
 * ```
 */
export function textNestsWithinLimit(text: string): boolean {
  // Too deep means at least MAX + 2 containers on one path (the top level is depth 0).
  const budget = 5 * (MAX_OBJECT_DEPTH + 2) - 3 - text.length;
  if (budget <= 0) return false;
  let arrays = 0;
  for (let at = text.indexOf('['); at >= 0; at = text.indexOf('[', at + 1)) {
    arrays++;
    if (3 * arrays >= budget) return false;
  }
  return true;
}

/** {@link parsedNestsWithinLimit}'s walk: false when something under `value` is too deep. */
function parsedWithin(value: object, depth: number): boolean {
  if (depth > MAX_OBJECT_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object' && !parsedWithin(item, depth + 1)) return false;
    }
    return true;
  }
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object' && !parsedWithin(item, depth + 1)) return false;
  }
  return true;
}

/**
 * True when `value`, a result of `JSON.parse`, nests no deeper than {@link MAX_OBJECT_DEPTH}
 * levels, so {@link deepFreeze} will take it: the admission check for an object whose decoding is
 * deferred (its parse is walked, then dropped). A parse is a tree of plain objects and arrays, so
 * the walk needs no visited set and no prototype checks, and it recurses at most
 * `MAX_OBJECT_DEPTH` frames deep.
 */
export function parsedNestsWithinLimit(value: unknown): boolean {
  return value === null || typeof value !== 'object' || parsedWithin(value, 0);
}

/**
 * Freezes the plain objects and arrays reachable from `value`, in place (like immer's
 * `freeze(v, true)`, class instances such as Dates are left alone). Unlike immer, it also descends
 * into objects that are already frozen, so a shallowly frozen input (say, a transform returning
 * `Object.freeze({ ...pod })`) cannot bring mutable nested fields into the cache.
 *
 * It runs for every object entering the cache, so the usual case allocates nothing: a walk with a
 * node budget, a depth limit and no visited set (a pod is a few dozen nodes). Only an object that hits
 * a limit (a cycle, more than 10 000 nodes or 100 levels) is walked again, iteratively, with a
 * visited `Set`; freezing twice is harmless. That is several times cheaper than the former
 * `WeakSet` + `Object.values` walk (docs/benchmarks.md, P1).
 *
 * This is where an object becomes a cached one, so the result is typed {@link DeepReadonly}; it
 * also takes an object that already is (a snapshot's objects as `knownObjects`).
 *
 * @throws {@link InvalidObjectError} when `value` nests deeper than {@link MAX_OBJECT_DEPTH}
 * levels; parts of it may then be frozen, never `value` itself.
 */
export function deepFreeze<T>(value: T | DeepReadonly<T>): DeepReadonly<T> {
  if (value !== null && typeof value === 'object') {
    freezeBudget = FAST_FREEZE_BUDGET;
    if (!freezeFast(value, 0) && !freezeGuarded(value))
      throw new InvalidObjectError(`the object nests deeper than ${MAX_OBJECT_DEPTH} levels`, value);
  }
  // Frozen now, so the read-only type is true of it (TypeScript cannot relate T to DeepReadonly<T>
  // for a generic T, hence the assertion).
  return value as DeepReadonly<T>;
}
