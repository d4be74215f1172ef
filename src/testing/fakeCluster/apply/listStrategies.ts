/**
 * How server-side apply treats the lists and structs of the built-in kinds, the part of their
 * OpenAPI schema the fake cluster needs: associative lists (`x-kubernetes-list-type: map`) merged
 * item by item on their merge keys (containers by name, container ports by containerPort and
 * protocol, env by name, volumes by name, volumeMounts by mountPath, conditions by type, ...),
 * sets (`metadata.finalizers`), and atomic structs (a workload's `spec.selector`). Every other
 * list is atomic: replaced whole and owned as one field, as for a custom resource whose schema the
 * fake does not read. Maps and structs are granular.
 */

/** How a list merges and is owned. */
export type ListStrategy =
  | {
      readonly type: 'map';
      readonly keys: readonly string[];
      readonly defaults?: Readonly<Record<string, unknown>>;
    }
  | { readonly type: 'set' }
  | { readonly type: 'atomic' };

/** The schema context of a value: its kind, whether it is a built-in, and the field names leading to it. */
export interface SchemaContext {
  readonly kind: string;
  readonly builtin: boolean;
}

const ATOMIC: ListStrategy = { type: 'atomic' };
const byName: ListStrategy = { type: 'map', keys: ['name'] };
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const TCP = { protocol: 'TCP' };

/** Lists of a container (the parent field is a container list), by their field name. */
const CONTAINER_FIELDS: Readonly<Record<string, ListStrategy>> = {
  ports: { type: 'map', keys: ['containerPort', 'protocol'], defaults: TCP },
  env: byName,
  volumeMounts: { type: 'map', keys: ['mountPath'] },
  volumeDevices: { type: 'map', keys: ['devicePath'] },
  resizePolicy: { type: 'map', keys: ['resourceName'] },
};

/** Lists of a PodSpec, by their field name. */
const POD_SPEC_FIELDS: Readonly<Record<string, ListStrategy>> = {
  containers: byName,
  initContainers: byName,
  ephemeralContainers: byName,
  volumes: byName,
  imagePullSecrets: byName,
  hostAliases: { type: 'map', keys: ['ip'] },
  topologySpreadConstraints: { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] },
  readinessGates: { type: 'map', keys: ['conditionType'] },
  resourceClaims: byName,
};

/** Kinds whose `spec.selector` is a LabelSelector, an atomic struct. */
const LABEL_SELECTOR_KINDS = new Set([
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'PodDisruptionBudget',
]);

/**
 * The strategy of the list at `names` (the field names from the root, list keys left out).
 *
 * @example
 * ```ts
 * listStrategy({ kind: 'Deployment', builtin: true }, ['spec', 'template', 'spec', 'containers']);
 * // { type: 'map', keys: ['name'] }
 * ```
 */
export function listStrategy(ctx: SchemaContext, names: readonly string[]): ListStrategy {
  const last = names[names.length - 1] ?? '';
  const parent = names[names.length - 2] ?? '';
  if (names.length === 2 && parent === 'metadata') {
    if (last === 'finalizers') return { type: 'set' };
    if (last === 'ownerReferences') return { type: 'map', keys: ['uid'] };
  }
  if (!ctx.builtin) return ATOMIC;
  if (CONTAINER_LISTS.has(parent)) return CONTAINER_FIELDS[last] ?? ATOMIC;
  if (parent === 'spec' && ctx.kind === 'Service' && names.length === 2 && last === 'ports')
    return { type: 'map', keys: ['port', 'protocol'], defaults: TCP };
  if (parent === 'status' && last === 'conditions') return { type: 'map', keys: ['type'] };
  if (parent === 'spec' && isPodSpec(ctx, names.slice(0, -1))) return POD_SPEC_FIELDS[last] ?? ATOMIC;
  return ATOMIC;
}

/** True at a PodSpec: a Pod's `spec`, or a pod template's `spec` (`...template.spec`). */
function isPodSpec(ctx: SchemaContext, names: readonly string[]): boolean {
  if (names.length === 1) return ctx.kind === 'Pod' || ctx.kind === 'PodTemplate';
  return names[names.length - 2] === 'template';
}

/** True for a struct owned as one field (a workload's LabelSelector). */
export function isAtomicStruct(ctx: SchemaContext, names: readonly string[]): boolean {
  return (
    ctx.builtin &&
    names.length === 2 &&
    names[0] === 'spec' &&
    names[1] === 'selector' &&
    LABEL_SELECTOR_KINDS.has(ctx.kind)
  );
}
