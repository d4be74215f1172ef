/**
 * `informer`: client-go's SharedIndexInformer as one shared pipeline
 * `listWatch -> transform -> resync -> deltaFifo -> indexer`.
 *
 * Every output (`events$`, `store$`, `deltas$`) is a view of the same shared stream, so the first
 * subscriber starts one list-watch, later subscribers join it, and the last one to leave closes
 * it (refCount). Like client-go's `AddEventHandler`, a late subscriber to `events$` first receives
 * an `add` for every cached object, then live events: no event is lost or duplicated between the
 * replay and the live stream because both are cut at the same batch.
 *
 * Layer `runtime`: informers, the shared factory, controllers and leader election, composed from the
 * layers below. May import: `core`, `store`, `sources`, `operators`, `workqueue`, `api`.
 */
import { concat, defer, filter, from, map, mergeMap, Observable, scan, shareReplay, tap } from 'rxjs';
import type { KubeClient } from '../core/client.js';
import type { DeltaBatch, InformerEvent } from '../core/events.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';
import type { PartialObjectMetadata } from '../core/partialObjectMetadata.js';
import { describeResource, type ResourceType } from '../core/resources.js';
import { deltaFifo } from '../operators/deltaFifo.js';
import { resync } from '../operators/resync.js';
import { batchToEvents } from '../operators/toEvents.js';
import { transformObjects } from '../operators/transform.js';
import { type ListWatchOptions, listWatch } from '../sources/listWatch.js';
import { admissionKey, admittedObject } from '../store/cacheAdmission.js';
import type { Indexers } from '../store/indexFuncs.js';
import { Snapshot, type SnapshotOptions } from '../store/snapshot.js';
import { syncedRuns } from './syncedRuns.js';

export interface InformerOptions<T extends KubeObject> extends ListWatchOptions {
  /** Resync period (client-go's `defaultEventHandlerResyncPeriod`); 0 (default) disables it. */
  resyncPeriodMs?: number;
  /** Secondary indexes of the store. */
  indexers?: Indexers<T>;
  /**
   * Objects known before the first list (cache warm-up); missing ones are deleted after sync. They
   * are frozen in place as they enter the cache; cached objects (another snapshot's) are fine too.
   */
  knownObjects?: Iterable<T | DeepReadonly<T>>;
  /**
   * Keep watched objects as their JSON text and decode each the first time it is read (from a
   * snapshot, a delta or an event), frozen, once: an informer whose objects are mostly not read
   * (a controller reads one per reconciled key) parses each event once instead of twice as much
   * heap per object. Default true, unless there is a `transform` (it reads every object). Set it
   * false when every object is read anyway (a read costs a second parse the first time).
   */
  deferDecoding?: boolean;
  /**
   * Applied to every object before it is cached, e.g. `stripManagedFields()`. It gets the object
   * read-only and returns a new one (or the same); see `transformObjects`.
   */
  transform?: (object: DeepReadonly<T>) => DeepReadonly<T>;
}

/**
 * Options of a metadata-only informer (client-go's \`metadatainformer\`): it caches
 * \`PartialObjectMetadata\` objects, so its indexers and transform see those.
 */
export type MetadataInformerOptions = InformerOptions<PartialObjectMetadata> & { metadataOnly: true };

/** A shared, indexed, list-watched cache of one resource. */
export interface Informer<T extends KubeObject> {
  /** The resource this informer lists and watches. */
  readonly resource: ResourceType<T>;
  /** add/update/delete events; late subscribers first get `add` for every cached object. */
  readonly events$: Observable<InformerEvent<T>>;
  /** One immutable snapshot per applied batch; late subscribers get the current one. */
  readonly store$: Observable<Snapshot<T>>;
  /** The raw delta batches from this point on. */
  readonly deltas$: Observable<DeltaBatch<T>>;
  /**
   * The first synced snapshot of the current run: resolves once the informer has applied its
   * initial list. It never hangs, and it does not start the informer (subscribe first):
   * - running: resolves with the run's first synced snapshot; rejects with the stream's fatal
   *   error (a persistent 401/403/404, a 400 list, an invalid selector, a client-node that cannot
   *   load), or with `InformerNotRunningError` if the last subscriber leaves before the sync;
   * - not running: rejects at once, with the last run's fatal error if it failed, else with an
   *   `InformerNotRunningError` that says how to start it.
   *
   * Read it after subscribing: `pods.events$.subscribe(...); await pods.synced`.
   */
  readonly synced: Promise<Snapshot<T>>;
  /** The latest snapshot (empty before the informer runs). */
  snapshot(): Snapshot<T>;
  /** True once the current run applied its initial list. */
  hasSynced(): boolean;
}

/**
 * The snapshot before the first list: empty, or holding the warm-up objects, not synced. Objects
 * the cache cannot hold, and index functions that fail for one object, are reported, not thrown.
 */
function snapshotBefore<T extends KubeObject>(
  objects: readonly (T | DeepReadonly<T>)[],
  indexers: Indexers<T>,
  options: Required<SnapshotOptions>,
): Snapshot<T> {
  const empty = Snapshot.empty(indexers, options);
  const deltas = objects.flatMap((raw) => {
    const key = admissionKey(raw, options.onError, options.resource);
    const object =
      key === undefined ? undefined : admittedObject<T>(raw, key, options.onError, options.resource);
    return object === undefined ? [] : [{ type: 'Added' as const, key: key as string, object }];
  });
  return deltas.length === 0
    ? empty
    : empty.apply({ deltas, resourceVersion: '', synced: false, initialList: false });
}

interface State<T> {
  readonly seq: number;
  readonly snapshot: Snapshot<T>;
  /**
   * The batch this state applied, while it is delivered; null once every subscriber has had it
   * (see {@link handedOn}), and in the state before the first batch.
   */
  batch: DeltaBatch<T> | null;
}

/** A state while it is delivered: it still holds its batch. */
type Delivering<T> = State<T> & { readonly batch: DeltaBatch<T> };

/**
 * Hands each state on, then drops its batch. Subscribers read the batch while the state is
 * delivered (`shareReplay` delivers synchronously); what keeps the state afterwards (`scan`'s
 * accumulator, `latest`, the replay buffer) needs only its sequence number and snapshot. Without
 * this, an informer whose watch goes quiet after its list keeps the list's batch, a delta per
 * object, until the next event.
 */
function handedOn<T>(source: Observable<State<T>>): Observable<State<T>> {
  return new Observable<State<T>>((subscriber) =>
    source.subscribe({
      next: (state) => {
        subscriber.next(state);
        state.batch = null;
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    }),
  );
}

/**
 * Creates an informer. Nothing runs until a stream is subscribed; `synced` rejects until then.
 *
 * @example
 * ```ts
 * const pods = informer(kubeClient(), resources.pods, { namespace: 'default', resyncPeriodMs: 60_000 });
 * pods.events$.subscribe((e) => console.log(e.type, e.object.metadata?.name));
 * const snap = await pods.synced;
 * console.log(snap.namespace('default').list('app=web').length);
 * // Metadata only: an Informer<PartialObjectMetadata> that caches names, labels, owners.
 * const podMeta = informer(kubeClient(), resources.pods, { metadataOnly: true });
 * ```
 */
export function informer(
  client: KubeClient,
  resource: ResourceType<KubeObject>,
  options: MetadataInformerOptions,
): Informer<PartialObjectMetadata>;
export function informer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  options?: InformerOptions<T>,
): Informer<T>;
export function informer<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  options: InformerOptions<T> = {},
): Informer<T> {
  const { resyncPeriodMs = 0, indexers = {}, knownObjects, transform, ...listWatchOptions } = options;
  const resourceName = describeResource(resource);
  // One malformed object is reported and skipped (or left out of the one index it breaks).
  const cacheErrors: Required<SnapshotOptions> = {
    resource: resourceName,
    onError: (error) => options.onError?.(error, { resource: resourceName, phase: 'watch', relist: false }),
  };
  // Like objects added to client-go's indexer before Run: visible until the first list says otherwise.
  const warm = knownObjects ? [...knownObjects] : [];
  const before = snapshotBefore(warm, indexers, cacheErrors);
  const empty: State<T> = { seq: 0, snapshot: before, batch: null };
  let latest = empty;
  const runs = syncedRuns<Snapshot<T>>(describeResource(resource));

  const state$ = defer(() => {
    const run = runs.start();
    // A cache keeps watched objects as text until they are read (core/encodedObject.ts), unless a
    // transform reads every object anyway or the caller turned it off.
    const deferDecoding = listWatchOptions.deferDecoding ?? transform === undefined;
    const source = listWatch(client, resource, { ...listWatchOptions, deferDecoding });
    return (transform ? source.pipe(transformObjects(transform)) : source).pipe(
      resync(resyncPeriodMs, options.scheduler),
      deltaFifo({
        // The snapshot itself, so the fifo and the snapshots share one map of objects.
        knownObjects: before,
        ...cacheErrors,
      }),
      scan(
        (state: State<T>, batch) => ({ seq: state.seq + 1, snapshot: state.snapshot.apply(batch), batch }),
        empty,
      ),
      tap({
        next: (state) => {
          latest = state;
          if (state.snapshot.synced) run.synced(state.snapshot);
        },
        error: (error) => run.failed(error),
        finalize: () => {
          latest = empty;
          run.stopped();
        },
      }),
      handedOn,
    );
  }).pipe(shareReplay({ bufferSize: 1, refCount: true }));

  /**
   * The live part of `state$`: batches after the one current at subscription time. A replayed
   * state has been delivered before, so its batch is gone; the filter leaves it out.
   */
  const after = (seq: number) =>
    state$.pipe(
      filter((state): state is Delivering<T> => state.seq > seq && state.batch !== null),
      map((state) => state.batch),
    );

  return {
    resource,
    events$: defer(() => {
      const start = latest;
      // Replay the cache only once the informer applied a batch: warm-up objects alone are not
      // announced, as client-go handlers are not told about objects added before Run. In key
      // order, so a late subscriber sees a reproducible sequence.
      const snapshot = start.snapshot;
      const cached =
        start.seq > 0
          ? snapshot
              .keys()
              .sort()
              .map((key) => snapshot.get(key) as DeepReadonly<T>)
          : [];
      const replay = cached.map(
        (object): InformerEvent<T> => ({ type: 'add', object, isInInitialList: true }),
      );
      return concat(from(replay), after(start.seq).pipe(mergeMap(batchToEvents)));
    }),
    store$: state$.pipe(map((state) => state.snapshot)),
    deltas$: defer(() => after(latest.seq)),
    get synced() {
      return runs.current();
    },
    snapshot: () => latest.snapshot,
    hasSynced: () => latest.snapshot.synced,
  };
}
