/**
 * The minimal object shape kube-rx relies on, the cache key function, and the read-only type of
 * cached objects.
 *
 * Every Kubernetes object has `metadata.name`, an optional `metadata.namespace` and a
 * `metadata.resourceVersion`. client-node's models (`V1Pod`, `V1Deployment`, ...) satisfy
 * {@link KubeObject} structurally, so users keep their familiar types. What the cache hands out
 * is frozen at run time ({@link deepFreeze}) and typed {@link DeepReadonly} to match.
 */

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
 * client-go's `MetaNamespaceKeyFunc`: `namespace/name` for namespaced objects, `name` otherwise.
 * Returns `undefined` when the object has no name (such an object cannot be cached).
 *
 * @example
 * ```ts
 * objectKey({ metadata: { namespace: 'default', name: 'web' } }); // 'default/web'
 * ```
 */
export function objectKey(object: KubeObject): string | undefined {
  const meta = object.metadata;
  if (!meta || typeof meta.name !== 'string' || meta.name === '') return undefined;
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
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
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!freezeFast(value[i], depth + 1)) return false;
  } else {
    // for-in over a plain object (its prototype is Object.prototype or null) visits its own keys
    // without allocating the array Object.values would.
    for (const key in value)
      if (!freezeFast((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** Freezes `value` and what it reaches; `seen` stops cycles. */
function freezeGuarded(value: unknown, seen: Set<object>): void {
  if (value === null || typeof value !== 'object' || seen.has(value) || !isPlainData(value)) return;
  seen.add(value);
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) freezeGuarded(value[i], seen);
  } else {
    for (const key in value) freezeGuarded((value as Record<string, unknown>)[key], seen);
  }
}

/**
 * Freezes the plain objects and arrays reachable from `value`, in place (like immer's
 * `freeze(v, true)`, class instances such as Dates are left alone). Unlike immer, it also descends
 * into objects that are already frozen, so a shallowly frozen input (say, a transform returning
 * `Object.freeze({ ...pod })`) cannot bring mutable nested fields into the cache.
 *
 * It runs for every object entering the cache, so the usual case allocates nothing: a walk with a
 * node budget, a depth limit and no visited set (a pod is a few dozen nodes). Only an object that hits
 * a limit (a cycle, more than 10 000 nodes or 100 levels) is walked again with a visited `Set`;
 * freezing twice is harmless. That is several times cheaper than the former `WeakSet` +
 * `Object.values` walk (docs/benchmarks.md, P1).
 *
 * This is where an object becomes a cached one, so the result is typed {@link DeepReadonly}; it
 * also takes an object that already is (a snapshot's objects as `knownObjects`).
 */
export function deepFreeze<T>(value: T | DeepReadonly<T>): DeepReadonly<T> {
  if (value !== null && typeof value === 'object') {
    freezeBudget = FAST_FREEZE_BUDGET;
    if (!freezeFast(value, 0)) freezeGuarded(value, new Set());
  }
  // Frozen now, so the read-only type is true of it (TypeScript cannot relate T to DeepReadonly<T>
  // for a generic T, hence the assertion).
  return value as DeepReadonly<T>;
}
