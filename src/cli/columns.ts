/**
 * The columns `kubectl get` prints per kind, for the table output of `kube-rx watch`: pods
 * `NAME READY STATUS RESTARTS AGE` (wide: `IP NODE`), deployments `NAME READY UP-TO-DATE
 * AVAILABLE AGE` (wide: `CONTAINERS IMAGES SELECTOR`), config maps `NAME DATA AGE`, namespaces
 * `NAME STATUS AGE`, anything else `NAME AGE`. `-L` label columns and `--show-labels` come after,
 * as in kubectl.
 */
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import { type LabelSelectorObject, labelSelectorFromObject } from '../store/labelSelector.js';
import { age } from './age.js';
import { type PodShape, podReady, podRestarts, podStatus } from './podColumns.js';

/** One column: its header and how to compute a cell (at `now`, for AGE). */
export interface Column {
  readonly header: string;
  cell(object: KubeObject, now: number): string;
}

const meta = (object: KubeObject) =>
  (object.metadata ?? {}) as NonNullable<KubeObject['metadata']> & { creationTimestamp?: string };

const NAME: Column = { header: 'NAME', cell: (o) => meta(o).name ?? '<unknown>' };
const AGE: Column = { header: 'AGE', cell: (o, now) => age(meta(o).creationTimestamp, now) };

const pod = (o: KubeObject) => o as PodShape;

const POD: readonly Column[] = [
  NAME,
  { header: 'READY', cell: (o) => podReady(pod(o)) },
  { header: 'STATUS', cell: (o) => podStatus(pod(o)) },
  { header: 'RESTARTS', cell: (o, now) => podRestarts(pod(o), now) },
  AGE,
];
const POD_WIDE: readonly Column[] = [
  { header: 'IP', cell: (o) => pod(o).status?.podIP || '<none>' },
  { header: 'NODE', cell: (o) => pod(o).spec?.nodeName || '<none>' },
];

interface DeploymentShape extends KubeObject {
  readonly spec?: {
    readonly replicas?: number;
    readonly selector?: LabelSelectorObject;
    readonly template?: {
      readonly spec?: { readonly containers?: readonly { name: string; image?: string }[] };
    };
  };
  readonly status?: {
    readonly readyReplicas?: number;
    readonly updatedReplicas?: number;
    readonly availableReplicas?: number;
  };
}

const deployment = (o: KubeObject) => o as DeploymentShape;
const containers = (o: KubeObject) => deployment(o).spec?.template?.spec?.containers ?? [];

const DEPLOYMENT: readonly Column[] = [
  NAME,
  // The API server defaults spec.replicas to 1.
  {
    header: 'READY',
    cell: (o) => `${deployment(o).status?.readyReplicas ?? 0}/${deployment(o).spec?.replicas ?? 1}`,
  },
  { header: 'UP-TO-DATE', cell: (o) => String(deployment(o).status?.updatedReplicas ?? 0) },
  { header: 'AVAILABLE', cell: (o) => String(deployment(o).status?.availableReplicas ?? 0) },
  AGE,
];
const DEPLOYMENT_WIDE: readonly Column[] = [
  {
    header: 'CONTAINERS',
    cell: (o) =>
      containers(o)
        .map((c) => c.name)
        .join(',') || '<none>',
  },
  {
    header: 'IMAGES',
    cell: (o) =>
      containers(o)
        .map((c) => c.image ?? '')
        .join(',') || '<none>',
  },
  {
    header: 'SELECTOR',
    cell: (o) => {
      const selector = deployment(o).spec?.selector;
      return selector ? labelSelectorFromObject(selector).toString() || '<none>' : '<none>';
    },
  },
];

const CONFIG_MAP: readonly Column[] = [
  NAME,
  {
    header: 'DATA',
    cell: (o) => {
      const { data, binaryData } = o as KubeObject & { data?: object; binaryData?: object };
      return String(Object.keys(data ?? {}).length + Object.keys(binaryData ?? {}).length);
    },
  },
  AGE,
];

const NAMESPACE: readonly Column[] = [
  NAME,
  { header: 'STATUS', cell: (o) => (o as KubeObject & { status?: { phase?: string } }).status?.phase ?? '' },
  AGE,
];

/** The kind's columns, with its `-o wide` extras when `wide`. */
export function kindColumns(resource: ResourceType<KubeObject>, wide: boolean): readonly Column[] {
  const core = resource.group === '';
  if (core && resource.plural === 'pods') return wide ? [...POD, ...POD_WIDE] : POD;
  if (resource.group === 'apps' && resource.plural === 'deployments')
    return wide ? [...DEPLOYMENT, ...DEPLOYMENT_WIDE] : DEPLOYMENT;
  if (core && resource.plural === 'configmaps') return CONFIG_MAP;
  if (core && resource.plural === 'namespaces') return NAMESPACE;
  return [NAME, AGE];
}

/** `-L app.kubernetes.io/name` is headed `NAME`: the key's last segment, upper-cased, like kubectl. */
export function labelColumn(key: string): Column {
  return {
    header: (key.split('/').pop() ?? key).toUpperCase(),
    cell: (o) => meta(o).labels?.[key] ?? '',
  };
}

/** `--show-labels`: every label, `key=value` sorted by key, or `<none>`. */
export const LABELS: Column = {
  header: 'LABELS',
  cell: (o) => {
    const labels = Object.entries(meta(o).labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return labels.map(([k, v]) => `${k}=${v}`).join(',') || '<none>';
  },
};
