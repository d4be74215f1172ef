/**
 * kube-rx: client-go's informer machinery (Reflector, DeltaFIFO, Indexer, SharedInformer) as
 * RxJS pipelines, testable in virtual time.
 *
 * The exports are grouped by layer, lowest first; docs/architecture.md draws the layers and the
 * direction in which they may import each other.
 * @packageDocumentation
 */

/* core: the vocabulary every layer shares (objects, resources, events, errors, the KubeClient interface) */
export type {
  APIResource,
  APIResourceList,
  DeleteCollectionOptions,
  DeleteOptions,
  KubeClient,
  ListOptions,
  ListResult,
  PatchType,
  RawWatchEvent,
  SelectorOptions,
  WatchOptions,
  WriteOptions,
} from './core/client.js';
export {
  type ApplyConflict,
  ApplyConflictError,
  ClientNodeUnavailableError,
  IndexNotFoundError,
  InvalidListError,
  InvalidObjectError,
  InvalidSelectorError,
  isPersistentFailure,
  isResourceExpired,
  isStatusError,
  isUnrecoverable,
  KubeRxError,
  type KubeStatus,
  ListPagingError,
  ShortWatchError,
  StatusError,
  statusError,
  WatchProtocolError,
} from './core/errors.js';
export { type CellMetadata, EncodedObject, readObject, type Stored } from './core/encodedObject.js';
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
} from './core/events.js';
export { type LogFields, type Logger, type LogLevel, withFields } from './core/logger.js';
export {
  type DeepReadonly,
  type KubeObject,
  type KubeObjectMeta,
  objectKey,
  resourceVersionOf,
  splitKey,
} from './core/objects.js';
export {
  METADATA_API_VERSION,
  METADATA_LIST_ACCEPT,
  METADATA_OBJECT_ACCEPT,
  type PartialObjectMetadata,
  type PartialObjectMetadataList,
} from './core/partialObjectMetadata.js';
export { INITIAL_EVENTS_END_ANNOTATION, PATCH_CONTENT_TYPES } from './core/protocol.js';
export {
  type RequestObserver,
  type RequestReport,
  type RequestReporting,
  reportsRequests,
} from './core/requestReport.js';
export {
  apiVersionOf,
  defineResource,
  describeResource,
  type ResourceType,
  resources,
} from './core/resources.js';

/* store: immutable snapshots (persistent map + secondary indexes), label selectors, index functions */
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
export { UncacheableObjectError } from './store/cacheAdmission.js';
export {
  IndexFunctionError,
  type NamespaceLister,
  Snapshot,
  type SnapshotOptions,
  snapshotOf,
} from './store/snapshot.js';

/* transport: the KubeClient over HTTP (kubeconfig, requests, watch decoding, typed transport errors) */
export type { TransportClock } from './transport/clock.js';
export {
  type HttpDeleteOptions,
  type HttpKubeClient,
  type HttpWriteOptions,
  type KubeClientOptions,
  kubeClient,
} from './transport/kubeClient.js';
export type { RequestRateLimit } from './transport/rateLimit.js';
export { loadDefaultKubeConfig } from './transport/kubeConfig.js';
export {
  IdleTimeoutError,
  InvalidRequestError,
  KubeConfigError,
  RequestAbortedError,
  TransportError,
  WatchFrameTooLargeError,
  WatchIdleTimeoutError,
} from './transport/transportErrors.js';

/* sources: the Reflector as a cold Observable (list, watch, relist, backoff) */
export { Backoff, type BackoffOptions, defaultBackoff } from './sources/backoff.js';
export {
  type ListMode,
  type ListWatchErrorContext,
  type ListWatchOptions,
  listWatch,
} from './sources/listWatch.js';
export type {
  BackoffEvent,
  BookmarkReceivedEvent,
  ErrorReportedEvent,
  LifecycleObserver,
  ListFinishedEvent,
  ListStartedEvent,
  ObjectReceivedEvent,
  ReflectorEvent,
  ReflectorEventBase,
  ReflectorPhase,
  ReflectorStatus,
  RelistEvent,
  RelistReason,
  StoppedEvent,
  WatchEndedEvent,
  WatchEndReason,
  WatchStartedEvent,
} from './sources/reflectorEvents.js';

/* operators: DeltaFIFO, Indexer, resync, events and predicates as RxJS operators */
export { type DeltaFifoOptions, deltaFifo } from './operators/deltaFifo.js';
export { indexer } from './operators/indexer.js';
export {
  annotationsChanged,
  generationChanged,
  labelsChanged,
  resourceVersionChanged,
} from './operators/predicates.js';
export { resync } from './operators/resync.js';
export { batchToEvents, toEvents } from './operators/toEvents.js';
export { stripManagedFields, transformObjects } from './operators/transform.js';

/* workqueue: the rate-limited work queue operator, its rate limiters and its Prometheus metrics */
export {
  type PrometheusControllerMetricsOptions,
  prometheusControllerMetrics,
} from './workqueue/controllerMetrics.js';
export { type PrometheusMetricsOptions, prometheusWorkQueueMetrics } from './workqueue/metrics.js';
export type {
  MetricConfiguration,
  MetricLabels,
  PromClientModule,
  PromCounter,
  PromGauge,
  PromHistogram,
  PrometheusRegistryOptions,
  PromRegistry,
  PromScrapeRegistry,
} from './workqueue/promClientShape.js';
export {
  defaultControllerRateLimiter,
  exponentialFailure,
  maxOf,
  type RateLimiter,
  tokenBucket,
} from './workqueue/rateLimiters.js';
export type { ErrorAction, ErrorPolicy } from './workqueue/errorPolicy.js';
export type { ReconcileContext } from './workqueue/reconcileContext.js';
export {
  isTerminalError,
  ReconcileTimeoutError,
  TerminalError,
  WorkQueueShutdownError,
} from './workqueue/reconcileErrors.js';
export {
  type DrainReport,
  type DropReason,
  type Reconcile,
  type ReconcileMetrics,
  type ReconcileReport,
  type ReconcileResult,
  WorkDroppedError,
  type WorkQueueMetrics,
  type WorkQueueOptions,
  type WorkResult,
  workQueue,
} from './workqueue/workQueue.js';
export {
  type DrainOptions,
  type WorkQueueHandle,
  workQueueHandle,
} from './workqueue/workQueueHandle.js';

/* api: write helpers (immer patches, finalizers) and discovery */
export {
  type ApplyConfiguration,
  type ApplyOptions,
  apply,
  applyStatus,
  asApplyConflict,
} from './api/apply.js';
export { createOrPatch } from './api/createOrPatch.js';
export {
  type CreateOrUpdateOptions,
  type CreateOrUpdateResult,
  createOrUpdate,
} from './api/createOrUpdate.js';
export { deleteCollection } from './api/deleteCollection.js';
export { discoverResource } from './api/discovery.js';
export type { EventObjectReference } from './api/eventRecorder/eventObject.js';
export {
  type EventDetails,
  type EventRecorder,
  type EventRecorderOptions,
  type EventRecorderStats,
  eventRecorder,
} from './api/eventRecorder/eventRecorder.js';
export type { SpamFilterOptions } from './api/eventRecorder/spamFilter.js';
export { FinalizerError, type FinalizerHandlers, finalizer } from './api/finalizer.js';
export { ensureFinalizer, isBeingDeleted, removeFinalizer } from './api/finalizers.js';
export { mergePatchOf } from './api/mergePatch.js';
export {
  AlreadyOwnedError,
  controllerReferenceOf,
  type OwnerReference,
  type OwnerReferenceOptions,
  ownerReferenceTo,
  setControllerReference,
  setOwnerReference,
} from './api/ownerReferences.js';
export {
  type PatchRecipe,
  type PatchWithOptions,
  patchStatusWith,
  patchWith,
  toJsonPatch,
} from './api/patchWith.js';
export { resourceVersionAtLeast } from './api/resourceVersion.js';

/* runtime: informers, the shared informer factory, controllers and leader election composed from the above */
export {
  type AwaitObservedOptions,
  awaitObserved,
  hasObserved,
  type ObservableCache,
  ObservationTimeoutError,
} from './runtime/awaitObserved.js';
export {
  type ControllerOptions,
  type ControllerReconcileContext,
  controller,
  controllerOwnerKeys,
  type ReadYourWritesOptions,
  type SecondaryInformer,
  type WatchSpec,
} from './runtime/controller.js';
export {
  type Informer,
  type InformerOptions,
  informer,
  type MetadataInformerOptions,
} from './runtime/informer.js';
export { InformerNotRunningError } from './runtime/syncedRuns.js';
export { type InformerDefaults, type InformerFactory, informerFactory } from './runtime/informerFactory.js';
export {
  type LeaderElectionMetrics,
  type LeaderElectionOptions,
  type LeaseRelease,
  leaderElection,
} from './runtime/leaderElection.js';
export { prometheusLeaderElectionMetrics } from './runtime/leaderElectionMetrics.js';
export { drainLabel, RING_LABEL, shardLabel } from './runtime/sharding/labels.js';
export {
  type MembershipLeaseOptions,
  membershipLease,
  type ShardMembersOptions,
  type ShardState,
  shardMembers,
  shardState,
} from './runtime/sharding/membership.js';
export { type HashRing, type HashRingOptions, hashRing } from './runtime/sharding/ring.js';
export {
  type ControlledInformer,
  type Listable,
  type ShardAssign,
  type SharderOptions,
  type SharderPass,
  sharder,
} from './runtime/sharding/sharder.js';
export { prometheusShardingMetrics, type ShardingMetrics } from './runtime/sharding/shardingMetrics.js';
export {
  type ShardMembershipReadiness,
  type ShardMembershipState,
  shardMembershipReadiness,
} from './runtime/sharding/shardReadiness.js';
export { type ShardedControllerOptions, shardedController } from './runtime/sharding/shardedController.js';
export { prometheusReflectorMetrics } from './runtime/reflectorMetrics.js';
export { prometheusRestClientMetrics } from './runtime/restClientMetrics.js';
export {
  type HealthServer,
  type HealthServerOptions,
  serveHealth,
} from './runtime/healthServer.js';
export {
  type HealthCheck,
  type ProbeEndpoint,
  type ProbeRequest,
  type ProbeResponse,
  type Probes,
  parseProbeUrl,
  ping,
  probes,
} from './runtime/probes.js';
export {
  type ManagedControllerOptions,
  type Manager,
  type ManagerLeaderElectionOptions,
  type ManagerMetricsOptions,
  type ManagerOptions,
  type ManagerServerOptions,
  manager,
} from './runtime/manager.js';
export { type RunManagerOptions, runManager } from './runtime/runManager.js';
export {
  describeStop,
  exitCodeOf,
  type SignalSource,
  type StopCause,
  type StopResult,
  type StopSignal,
  type StopTriggerOptions,
} from './runtime/shutdown.js';
