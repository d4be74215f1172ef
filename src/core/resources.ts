/**
 * Resource descriptors: which REST collection to list and watch.
 *
 * A {@link ResourceType} is the static half of client-go's `schema.GroupVersionResource` plus the
 * kind and scope, which is all a list-watch needs to build a URL. Types come from client-node's
 * models as type-only imports, so nothing of client-node is loaded at run time.
 */
import type {
  CoreV1Event,
  EventsV1Event,
  V1ConfigMap,
  V1CustomResourceDefinition,
  V1DaemonSet,
  V1Deployment,
  V1Ingress,
  V1Job,
  V1Lease,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ReplicaSet,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { KubeObject } from './objects.js';

/**
 * A Kubernetes resource collection. `group` is `''` for the core API.
 * The type parameter only carries the object type; it is never inspected at run time.
 */
export interface ResourceType<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Phantom field so `ResourceType<V1Pod>` and `ResourceType<V1Node>` are not interchangeable. */
  readonly __type?: T;
}

/**
 * Declares a resource, typically a CRD.
 *
 * @example
 * ```ts
 * interface Widget { metadata?: V1ObjectMeta; spec: { size: number } }
 * const widgets = defineResource<Widget>({
 *   group: 'example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true,
 * });
 * ```
 */
export function defineResource<T extends KubeObject>(spec: Omit<ResourceType<T>, '__type'>): ResourceType<T> {
  return Object.freeze({ ...spec });
}

/** `apiVersion` as it appears in objects: `v1` or `group/version`. */
export function apiVersionOf(resource: ResourceType<KubeObject>): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** A short, stable description used in error messages and metrics labels. */
export function describeResource(resource: ResourceType<KubeObject>): string {
  return resource.group
    ? `${resource.plural}.${resource.version}.${resource.group}`
    : `${resource.plural}.${resource.version}`;
}

const core = <T extends KubeObject>(plural: string, kind: string, namespaced = true) =>
  defineResource<T>({ group: '', version: 'v1', plural, kind, namespaced });
const grouped = <T extends KubeObject>(group: string, plural: string, kind: string, namespaced = true) =>
  defineResource<T>({ group, version: 'v1', plural, kind, namespaced });

/** Built-in resources, typed with client-node's models. */
export const resources = {
  pods: core<V1Pod>('pods', 'Pod'),
  services: core<V1Service>('services', 'Service'),
  configMaps: core<V1ConfigMap>('configmaps', 'ConfigMap'),
  secrets: core<V1Secret>('secrets', 'Secret'),
  serviceAccounts: core<V1ServiceAccount>('serviceaccounts', 'ServiceAccount'),
  events: core<CoreV1Event>('events', 'Event'),
  persistentVolumeClaims: core<V1PersistentVolumeClaim>('persistentvolumeclaims', 'PersistentVolumeClaim'),
  persistentVolumes: core<V1PersistentVolume>('persistentvolumes', 'PersistentVolume', false),
  namespaces: core<V1Namespace>('namespaces', 'Namespace', false),
  nodes: core<V1Node>('nodes', 'Node', false),
  deployments: grouped<V1Deployment>('apps', 'deployments', 'Deployment'),
  replicaSets: grouped<V1ReplicaSet>('apps', 'replicasets', 'ReplicaSet'),
  statefulSets: grouped<V1StatefulSet>('apps', 'statefulsets', 'StatefulSet'),
  daemonSets: grouped<V1DaemonSet>('apps', 'daemonsets', 'DaemonSet'),
  jobs: grouped<V1Job>('batch', 'jobs', 'Job'),
  ingresses: grouped<V1Ingress>('networking.k8s.io', 'ingresses', 'Ingress'),
  leases: grouped<V1Lease>('coordination.k8s.io', 'leases', 'Lease'),
  /** events.k8s.io/v1 Events (what `eventRecorder` writes); the API server keeps them with `events`. */
  eventsV1: grouped<EventsV1Event>('events.k8s.io', 'events', 'Event'),
  customResourceDefinitions: grouped<V1CustomResourceDefinition>(
    'apiextensions.k8s.io',
    'customresourcedefinitions',
    'CustomResourceDefinition',
    false,
  ),
} as const;
