/**
 * The minimal object shape kube-rx relies on, and the cache key function.
 *
 * Every Kubernetes object has `metadata.name`, an optional `metadata.namespace` and a
 * `metadata.resourceVersion`. client-node's models (`V1Pod`, `V1Deployment`, ...) satisfy
 * {@link KubeObject} structurally, so users keep their familiar types.
 */

/** Object metadata fields the cache reads. Everything else is carried through untouched. */
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
  finalizers?: string[];
}

/** Anything with Kubernetes object metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObjectMeta;
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

/** Splits a cache key into namespace and name, like client-go's `SplitMetaNamespaceKey`. */
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
 * Freezes the plain objects and arrays reachable from `value`, in place (like immer's
 * `freeze(v, true)`, class instances such as Dates are left alone). Unlike immer, it also descends
 * into objects that are already frozen, so a shallowly frozen input (say, a transform returning
 * `Object.freeze({ ...pod })`) cannot bring mutable nested fields into the cache.
 */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (value === null || typeof value !== 'object' || seen.has(value) || !isPlainData(value)) return value;
  seen.add(value);
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child, seen);
  return value;
}
