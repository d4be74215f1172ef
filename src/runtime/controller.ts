/**
 * `controller`: informers wired into a work queue, as controller-runtime's builder does with
 * `For`, `Owns` and `Watches`.
 *
 * - `for`: the primary informer; each of its events enqueues the object's key.
 * - `owns`: informers of dependents; an event enqueues the key of the dependent's controlling
 *   owner (the `ownerReferences` entry with `controller: true` of the primary's kind), for both
 *   the old and the new state of an update, so a dependent that changes owner wakes both.
 * - `watches`: any informer with a map function from an object to primary keys.
 * Events are followed from the first list on, but nothing is reconciled until every informer
 * synced; then every primary seen so far is reconciled once (including tombstoned deletes of
 * warm-up objects) and later events as they come. `reconcile` gets
 * the key and the primary's latest snapshot, so it reads the cache instead of the API server, and
 * the work queue's context (`signal`, aborted on timeout or shutdown; `attempt`; `wrote`). After a
 * drain through the `handle` option the queue completes, and so does the controller.
 *
 * With `readYourWrites`, a reconcile reports what it wrote with `context.wrote(object)` (the
 * object the API server answered); the next reconcile of the same key first waits until the
 * caches reflect those writes, so it never acts on a view older than its own write.
 */
import {
  asyncScheduler,
  buffer,
  combineLatest,
  concat,
  connect,
  defer,
  endWith,
  filter,
  from,
  ignoreElements,
  isObservable,
  map,
  merge,
  mergeAll,
  mergeMap,
  type Observable,
  type ObservableInput,
  of,
  take,
  takeUntil,
} from 'rxjs';
import type { InformerEvent } from '../core/events.js';
import { type Logger, withFields } from '../core/logger.js';
import { type DeepReadonly, type KubeObject, objectKey } from '../core/objects.js';
import { apiVersionOf, describeResource, type ResourceType } from '../core/resources.js';
import { ownerReferencesOf } from '../store/metadataFields.js';
import type { Snapshot } from '../store/snapshot.js';
import type { ReconcileContext } from '../workqueue/reconcileContext.js';
import {
  type Reconcile,
  type ReconcileResult,
  type WorkQueueOptions,
  type WorkResult,
  workQueue,
} from '../workqueue/workQueue.js';
import type { ObservableCache } from './awaitObserved.js';
import { loggedResults } from './controllerLog.js';
import type { Informer } from './informer.js';
import { OwnWrites } from './ownWrites.js';

/**
 * What the controller reads from a secondary informer: its events and whether it synced. Every
 * `Informer<S>` is one, whatever `S`; `Informer<S>` itself is invariant in `S` (its snapshot takes
 * index functions of `S`), so an `Informer<V1ConfigMap>` is not an `Informer<KubeObject>`.
 */
export interface SecondaryInformer<S extends KubeObject = KubeObject> {
  readonly events$: Observable<InformerEvent<S>>;
  readonly store$: Observable<{ readonly synced: boolean }>;
}

/** A secondary informer and how its objects map to primary keys. */
export interface WatchSpec<S extends KubeObject = KubeObject> {
  readonly informer: SecondaryInformer<S>;
  /**
   * A method (bivariant), so a `WatchSpec<V1Secret>` fits `watches`: it only sees its informer's
   * objects, which are cached ones, read-only.
   */
  map(object: DeepReadonly<S>): readonly string[];
}

/** The context a controller's reconcile gets: the work queue's, plus a way to report its writes. */
export interface ControllerReconcileContext extends ReconcileContext {
  /**
   * Records that this reconcile wrote `object` (the object the API server answered with, carrying
   * the new resourceVersion), which `cache` (default: the primary informer) will show. With
   * `readYourWrites`, the key's next reconcile waits until the cache reflects it; without, a no-op.
   */
  wrote(object: KubeObject | DeepReadonly<KubeObject>, cache?: ObservableCache): void;
}

/** The `readYourWrites` option of {@link controller}. */
export interface ReadYourWritesOptions {
  /**
   * How long a reconcile waits for the caches to reflect its key's last writes; then it fails with
   * an `ObservationTimeoutError` and is retried like any failure. Default 30 000 ms.
   */
  readonly timeoutMs?: number;
}

/**
 * Options of {@link controller}: the primary informer, its dependents, the reconcile function,
 * plus every {@link WorkQueueOptions} (concurrency, rate limiter, retries, scheduler).
 */
export interface ControllerOptions<T extends KubeObject> extends WorkQueueOptions {
  /** The primary resource: its keys are what `reconcile` receives (controller-runtime `For`). */
  readonly for: Informer<T>;
  /** Dependents: an event on one wakes its controlling owner (controller-runtime `Owns`). */
  readonly owns?: readonly SecondaryInformer[];
  /** Other resources, mapped to primary keys by a function (controller-runtime `Watches`). */
  readonly watches?: readonly WatchSpec<KubeObject>[];
  /**
   * Reconciles one primary key against the latest snapshot of the primary cache; `context.signal`
   * aborts on `timeoutMs` or shutdown (controller-runtime's `ctx`).
   */
  readonly reconcile: (
    key: string,
    snapshot: Snapshot<T>,
    context: ControllerReconcileContext,
  ) => ReturnType<Reconcile>;
  /**
   * Hold a key's next reconcile until the caches reflect the writes its last reconcile reported
   * with `context.wrote(object)`. Default false.
   */
  readonly readYourWrites?: boolean | ReadYourWritesOptions;
  /** Filters or reshapes primary events before they become keys (e.g. `generationChanged()`). */
  readonly forEvents?: (events: Observable<InformerEvent<T>>) => Observable<InformerEvent<T>>;
  /** The controller's name, in its log lines (the manager sets it). */
  readonly name?: string;
  /**
   * Structured logger (pino's shape, `(fields, message)`): reconcile failures (`Reconciler error`)
   * and dropped keys at error, successes and requeues at debug; every line has `controller`,
   * `resource` and `key`. Default: silent.
   */
  readonly logger?: Logger;
}

/**
 * Keys of the controlling owners of `object` that are of the primary resource's kind. A cached
 * (read-only) object is a {@link KubeObject} too. Owner references that are not objects with
 * string fields (`ownerReferences: {}`, `[null]`) and owner names that cannot be a key (empty, or
 * with a `/`) are skipped: they name no owner.
 */
export function controllerOwnerKeys(object: KubeObject, owner: ResourceType<KubeObject>): string[] {
  const apiVersion = apiVersionOf(owner);
  const namespace: unknown = owner.namespaced ? object.metadata?.namespace : undefined;
  const prefix = typeof namespace === 'string' && namespace !== '' ? `${namespace}/` : '';
  const keys: string[] = [];
  for (const ref of ownerReferencesOf(object)) {
    if (ref.controller !== true || ref.kind !== owner.kind || ref.apiVersion !== apiVersion) continue;
    if (ref.name !== '' && !ref.name.includes('/')) keys.push(`${prefix}${ref.name}`);
  }
  return keys;
}

function objectsOf<S>(event: InformerEvent<S>): DeepReadonly<S>[] {
  return event.type === 'update' ? [event.oldObject, event.object] : [event.object];
}

/**
 * Runs a controller for as long as it is subscribed; emits one {@link WorkResult} per attempt.
 *
 * @example
 * ```ts
 * const factory = informerFactory(client);
 * controller({
 *   for: factory.for(resources.deployments),
 *   owns: [factory.for(resources.replicaSets)],
 *   reconcile: async (key, snapshot) => {
 *     const deployment = snapshot.get(key);
 *     if (!deployment) return; // deleted
 *     await ensureConfigMap(deployment);
 *   },
 *   concurrency: 2,
 *   maxRetries: 5,
 * }).subscribe((r) => r.outcome === 'dropped' && console.error(r.key, r.error));
 * ```
 */
export function controller<T extends KubeObject>(options: ControllerOptions<T>): Observable<WorkResult> {
  const primary = options.for;
  const owns = options.owns ?? [];
  const watches = options.watches ?? [];
  return defer(() => {
    const all: SecondaryInformer[] = [primary, ...owns, ...watches.map((w) => w.informer)];
    // Subscribing every store keeps every informer running for the controller's lifetime.
    const keepAlive = merge(...all.map((inf) => inf.store$)).pipe(ignoreElements());
    const allSynced = combineLatest(
      all.map((inf) =>
        inf.store$.pipe(
          filter((snapshot) => snapshot.synced),
          take(1),
        ),
      ),
    );
    const primaryEvents = options.forEvents ? options.forEvents(primary.events$) : primary.events$;
    const keys: Observable<string> = merge(
      primaryEvents.pipe(map((event) => objectKey(event.object) as string)),
      ...owns.map((inf) =>
        inf.events$.pipe(
          mergeMap((event) => objectsOf(event).flatMap((o) => controllerOwnerKeys(o, primary.resource))),
        ),
      ),
      ...watches.map((spec) =>
        spec.informer.events$.pipe(mergeMap((event) => objectsOf(event).flatMap((o) => [...spec.map(o)]))),
      ),
    );
    const reconcile = readYourWrites(options, primary);
    // Events are watched from the start, so nothing that happens during the first lists (such as a
    // warm-up object's tombstoned delete) is missed; their keys wait until every cache synced.
    const gatedKeys = keys.pipe(
      connect((live) => concat(live.pipe(buffer(allSynced), take(1), mergeAll()), live)),
    );
    // A drained queue completes; the informers are then released too.
    const results$ = gatedKeys.pipe(
      workQueue(reconcile, options),
      connect((results) =>
        merge(keepAlive.pipe(takeUntil(results.pipe(ignoreElements(), endWith(true)))), results),
      ),
    );
    if (!options.logger) return results$;
    const fields = {
      ...(options.name ? { controller: options.name } : {}),
      resource: describeResource(primary.resource),
    };
    return results$.pipe(loggedResults(withFields(options.logger, fields)));
  });
}

/** The reconcile the work queue runs: the user's, with `wrote` and, if asked, the wait for own writes. */
function readYourWrites<T extends KubeObject>(
  options: ControllerOptions<T>,
  primary: Informer<T>,
): Reconcile {
  const setting = options.readYourWrites;
  if (!setting) {
    const ignore = () => {};
    return (key, context) => options.reconcile(key, primary.snapshot(), withWrote(context, ignore));
  }
  const writes = new OwnWrites({
    scheduler: options.scheduler ?? asyncScheduler,
    timeoutMs: typeof setting === 'object' ? setting.timeoutMs : undefined,
  });
  return (key, context) => {
    const wrote = (object: KubeObject | DeepReadonly<KubeObject>, cache: ObservableCache = primary) =>
      writes.record(key, object, cache);
    // The snapshot is taken after the wait, so it is at least as new as every write waited for.
    return concat(
      writes.observed(key),
      defer(() => {
        const result = options.reconcile(key, primary.snapshot(), withWrote(context, wrote));
        return isObservableInput(result) ? from(result) : of(result);
      }),
    );
  };
}

/** The work queue's context with `wrote`; its `signal` stays lazy (read through, never copied). */
function withWrote(
  context: ReconcileContext,
  wrote: ControllerReconcileContext['wrote'],
): ControllerReconcileContext {
  return {
    get signal() {
      return context.signal;
    },
    get attempt() {
      return context.attempt;
    },
    wrote,
  };
}

function isObservableInput(value: unknown): value is ObservableInput<ReconcileResult> {
  return (
    value !== null &&
    typeof value === 'object' &&
    (isObservable(value) ||
      typeof (value as PromiseLike<unknown>).then === 'function' ||
      Symbol.iterator in value ||
      Symbol.asyncIterator in value)
  );
}

export type { ReconcileResult };
