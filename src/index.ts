/**
 * kube-rx: client-go's informer machinery (Reflector, DeltaFIFO, Indexer, SharedInformer) as
 * RxJS pipelines, testable in virtual time.
 * @packageDocumentation
 */
export type {
  APIResource,
  APIResourceList,
  KubeClient,
  ListOptions,
  ListResult,
  PatchType,
  RawWatchEvent,
  SelectorOptions,
  WatchOptions,
  WriteOptions,
} from './client.js';
export {
  type ControllerOptions,
  controller,
  controllerOwnerKeys,
  type SecondaryInformer,
  type WatchSpec,
} from './controller.js';
export { discoverResource } from './discovery.js';
export {
  IndexNotFoundError,
  InvalidObjectError,
  InvalidSelectorError,
  isPersistentFailure,
  isResourceExpired,
  isStatusError,
  KubeRxError,
  type KubeStatus,
  ShortWatchError,
  StatusError,
  statusError,
  WatchProtocolError,
} from './errors.js';
export {
  type BookmarkEvent,
  DeletedFinalStateUnknown,
  type Delta,
  type DeltaBatch,
  type DeltaType,
  type InformerEvent,
  isObjectEvent,
  type ObjectWatchEvent,
  type ReplaceEvent,
  type ResyncEvent,
  type WatchEvent,
} from './events.js';
export { type Informer, type InformerOptions, informer } from './informer.js';
export { type InformerDefaults, type InformerFactory, informerFactory } from './informerFactory.js';
export { type LeaderElectionOptions, leaderElection } from './leaderElection.js';
export { type PrometheusMetricsOptions, prometheusWorkQueueMetrics } from './metrics.js';
export { type KubeObject, type KubeObjectMeta, objectKey, resourceVersionOf, splitKey } from './objects.js';
export { type DeltaFifoOptions, deltaFifo } from './operators/deltaFifo.js';
export { indexer } from './operators/indexer.js';
export {
  annotationsChanged,
  generationChanged,
  labelsChanged,
  resourceVersionChanged,
} from './operators/predicates.js';
export {
  defaultControllerRateLimiter,
  exponentialFailure,
  maxOf,
  type RateLimiter,
  tokenBucket,
} from './operators/rateLimiters.js';
export { resync } from './operators/resync.js';
export { batchToEvents, toEvents } from './operators/toEvents.js';
export { stripManagedFields, transformObjects } from './operators/transform.js';
export {
  type Reconcile,
  type ReconcileResult,
  WorkDroppedError,
  type WorkQueueMetrics,
  type WorkQueueOptions,
  type WorkResult,
  workQueue,
} from './operators/workQueue.js';
export {
  ensureFinalizer,
  isBeingDeleted,
  type PatchRecipe,
  type PatchWithOptions,
  patchStatusWith,
  patchWith,
  removeFinalizer,
  toJsonPatch,
} from './patchWith.js';
export { apiVersionOf, defineResource, describeResource, type ResourceType, resources } from './resources.js';
export { Backoff, type BackoffOptions, defaultBackoff } from './sources/backoff.js';
export {
  INITIAL_EVENTS_END_ANNOTATION,
  type ListMode,
  type ListWatchErrorContext,
  type ListWatchOptions,
  listWatch,
} from './sources/listWatch.js';
export {
  type HttpKubeClient,
  type KubeClientOptions,
  kubeClient,
  PATCH_CONTENT_TYPES,
} from './sources/transports/kubeClient.js';
export { loadDefaultKubeConfig } from './sources/transports/kubeConfig.js';
export {
  IdleTimeoutError,
  InvalidRequestError,
  KubeConfigError,
  RequestAbortedError,
  TransportError,
  WatchIdleTimeoutError,
} from './sources/transports/transportErrors.js';
export {
  byField,
  byLabel,
  byNamespace,
  byOwner,
  type Indexers,
  type IndexFunc,
  NAMESPACE_INDEX,
} from './store/indexFuncs.js';
export {
  everything,
  type LabelSelector,
  type LabelSelectorObject,
  labelSelectorFromObject,
  parseLabelSelector,
  type SelectorInput,
  type SelectorOperator,
  type SelectorRequirement,
  toLabelSelector,
} from './store/labelSelector.js';
export { IndexFunctionError, type NamespaceLister, Snapshot, snapshotOf } from './store/snapshot.js';
