/**
 * `manager`: controller-runtime's Manager, built from kube-rx's pieces. One object owns the client,
 * an informer factory, the controllers and an optional leader election, and runs them in
 * controller-runtime's order:
 *
 * ```
 *  start() ──> caches list and watch (every informer of mgr.informers, leading or not: a warm standby)
 *          ──> all synced ──> campaign for the Lease (or lead at once without leaderElection)
 *          ──> leading: controllers run (switchMap: losing the Lease stops them, regaining restarts them)
 *  stop (SIGTERM/SIGINT, the AbortSignal, or a fatal error)
 *          ──> readyz fails (`shutdown`) ──> drain: no new keys, every running reconcile's signal
 *              aborted, waited for up to drainDeadlineMs ──> event recorders flushed
 *          ──> unsubscribe: the Lease is released
 *          ──> factory shutdown: every watch closed ──> server closed ──> start() resolves
 * ```
 *
 * Probes (`/healthz`: `ping`; `/readyz`: `ping`, `informer-sync`, `watches`, `leader-election`,
 * `shutdown`, plus yours) and `/metrics` are served on one optional port; `watches` follows each
 * informer's reflector lifecycle. Every timer (drain deadline, Lease, watch health windows) runs
 * on the injected scheduler, so a whole run, SIGTERM included, plays out in virtual time.
 * `start()` resolves with a {@link StopResult} instead of exiting; `runManager` is the helper that
 * listens for signals and exits with its code.
 */
import {
  asyncScheduler,
  catchError,
  combineLatest,
  concat,
  defer,
  EMPTY,
  first,
  ignoreElements,
  merge,
  mergeMap,
  NEVER,
  type Observable,
  of,
  ReplaySubject,
  type SchedulerLike,
  type Subscription,
  switchMap,
  tap,
} from 'rxjs';
import type { EventRecorder } from '../api/eventRecorder/eventRecorder.js';
import type { KubeClient, SelectorOptions } from '../core/client.js';
import { KubeRxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { KubeObject } from '../core/objects.js';
import { reportsRequests } from '../core/requestReport.js';
import { describeResource, type ResourceType } from '../core/resources.js';
import { prometheusControllerMetrics } from '../workqueue/controllerMetrics.js';
import { prometheusWorkQueueMetrics } from '../workqueue/metrics.js';
import type { PromClientModule, PromScrapeRegistry } from '../workqueue/promClientShape.js';
import type { DrainReport, WorkResult } from '../workqueue/workQueue.js';
import { workQueueHandle } from '../workqueue/workQueueHandle.js';
import { type ControllerOptions, controller } from './controller.js';
import { type HealthServer, serveHealth } from './healthServer.js';
import type { Informer, InformerOptions } from './informer.js';
import { type InformerDefaults, type InformerFactory, informerFactory } from './informerFactory.js';
import { type LeaderElectionOptions, type LeaseRelease, leaderElection } from './leaderElection.js';
import { prometheusLeaderElectionMetrics } from './leaderElectionMetrics.js';
import { leaderHealth } from './leaderHealth.js';
import { managerLog } from './managerLog.js';
import { type Probes, ping, probes } from './probes.js';
import { prometheusReflectorMetrics } from './reflectorMetrics.js';
import { prometheusRestClientMetrics } from './restClientMetrics.js';
import { type StopCause, type StopResult, type StopTriggerOptions, stopTriggers } from './shutdown.js';
import { watchHealth } from './watchHealth.js';

/** Leader election of a manager: {@link LeaderElectionOptions} without what the manager sets. */
export type ManagerLeaderElectionOptions = Omit<LeaderElectionOptions, 'scheduler' | 'onRelease'>;

/** The probe and metrics port. */
export interface ManagerServerOptions {
  /** TCP port (controller-runtime's probes default to 8081); 0 picks a free one, for tests. */
  readonly port: number;
  /** Interface to bind. Default: every interface. */
  readonly host?: string;
}

/** What `/metrics` serves, and how controllers get their metrics. */
export interface ManagerMetricsOptions<R extends PromScrapeRegistry> {
  /** The prom-client registry served on `/metrics`. */
  readonly registry: R;
  /**
   * The prom-client module: with it, every controller without its own `metrics` and
   * `reconcileMetrics` gets client-go's `workqueue_*` and controller-runtime's
   * `controller_runtime_*` series, labelled with its name, in `registry`; so do the client's
   * requests (`rest_client_*`, when it reports them, as `kubeClient`'s does), the leader election
   * (`leader_election_master_status`) and every informer's reflector (`kube_rx_reflector_*`).
   */
  readonly prom?: PromClientModule<R>;
}

/** Options of {@link manager}. */
export interface ManagerOptions<R extends PromScrapeRegistry = PromScrapeRegistry>
  extends StopTriggerOptions {
  /** The client every informer, controller and the election use. */
  readonly client: KubeClient;
  /** Options every informer of `mgr.informers` gets unless `for()` overrides them. */
  readonly informerDefaults?: InformerDefaults;
  /** Campaign for this Lease and run the controllers only while leading. Default: always lead. */
  readonly leaderElection?: ManagerLeaderElectionOptions;
  /** Serve `/healthz`, `/readyz` and `/metrics` on this port. Default: no server. */
  readonly server?: ManagerServerOptions;
  /** The registry behind `/metrics`, and optionally prom-client to give controllers metrics. */
  readonly metrics?: ManagerMetricsOptions<R>;
  /** How long a stop waits for running reconciles. Default 30 000 ms (controller-runtime's). */
  readonly drainDeadlineMs?: number;
  /**
   * Event recorders to flush on stop, after the drain (the last reconciles' events are queued by
   * then) and before the Lease is released, so a successor's events never precede ours. The
   * flush waits up to `drainDeadlineMs`.
   */
  readonly eventRecorders?: readonly Pick<EventRecorder, 'flush'>[];
  /**
   * How long a watch restarted after a failure must run without failing before the `watches`
   * check counts it as recovered (an event, a bookmark or a list counts at once). Default 10 000 ms.
   */
  readonly watchRecoveryGraceMs?: number;
  /** Scheduler of every timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /**
   * Structured logger (pino's shape, `(fields, message)`): the manager's start, sync, leadership
   * and stop; given to every informer of `mgr.informers` (unless `informerDefaults` has its own)
   * and every controller (with its name). Pass it to `kubeClient` too for request lines. Default:
   * silent.
   */
  readonly logger?: Logger;
}

/** A controller as the manager runs it: {@link ControllerOptions} without the drain handle it sets. */
export interface ManagedControllerOptions<T extends KubeObject> extends Omit<ControllerOptions<T>, 'handle'> {
  /** Sees every attempt's result (the manager consumes the controller's output). */
  readonly onResult?: (result: WorkResult) => void;
}

/** The manager; see {@link manager}. */
export interface Manager {
  /** The client it was given. */
  readonly client: KubeClient;
  /**
   * Its shared informers: take every informer of the controllers from here, so the manager keeps
   * them warm, waits for them before campaigning, and watches their health.
   */
  readonly informers: Pick<InformerFactory, 'for'>;
  /** Adds a controller (before `start()`); `name` labels its metrics and must be unique. */
  controller<T extends KubeObject>(name: string, options: ManagedControllerOptions<T>): void;
  /** The `/healthz` and `/readyz` checks: add yours with `probes.add`, answer without HTTP with `answerUrl`. */
  readonly probes: Probes;
  /** Whether this process leads now (always true once synced without leader election). */
  readonly leading: boolean;
  /** The server's address once it listens; `undefined` without a server or if it could not listen. */
  readonly listening: Promise<{ readonly port: number; readonly url: string } | undefined>;
  /** Runs until stopped; resolves with how it stopped. Calling it again returns the same promise. */
  start(): Promise<StopResult>;
}

interface View {
  readonly name: string;
  readonly informer: Informer<KubeObject>;
}

/** A readable name of an informer view, for the `watches` and `informer-sync` checks. */
function viewName(resource: ResourceType<KubeObject>, options: SelectorOptions): string {
  const parts = [describeResource(resource)];
  if (resource.namespaced && options.namespace) parts.push(`-n ${options.namespace}`);
  if (options.labelSelector) parts.push(`-l ${options.labelSelector}`);
  if (options.fieldSelector) parts.push(`--field-selector ${options.fieldSelector}`);
  return parts.join(' ');
}

/** Resolves with `promise`'s value, or with `fallback` after `ms` on the scheduler. */
function within<T>(promise: Promise<T>, ms: number, fallback: T, scheduler: SchedulerLike): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = scheduler.schedule(() => resolve(fallback), ms);
    void promise.then((value) => {
      timer.unsubscribe();
      resolve(value);
    });
  });
}

const describeCause = (cause: StopCause) =>
  cause.reason === 'signal' ? cause.signal : cause.reason === 'abort' ? 'aborted' : 'error';

/**
 * Creates a manager. Nothing runs until `start()`.
 *
 * @example
 * ```ts
 * const mgr = manager({
 *   client: kubeClient(),
 *   leaderElection: { namespace: 'operators', name: 'websites', identity: os.hostname() },
 *   server: { port: 8081 },
 *   handleSignals: true,
 * });
 * mgr.controller('website', {
 *   for: mgr.informers.for(websites),
 *   owns: [mgr.informers.for(resources.configMaps)],
 *   reconcile: async (key, snapshot, { signal }) => { ... },
 * });
 * const stopped = await mgr.start(); // on SIGTERM: drained, Lease released, watches closed
 * process.exit(exitCodeOf(stopped));
 * ```
 */
export function manager<R extends PromScrapeRegistry = PromScrapeRegistry>(
  options: ManagerOptions<R>,
): Manager {
  const scheduler = options.scheduler ?? asyncScheduler;
  const drainDeadlineMs = options.drainDeadlineMs ?? 30_000;
  const election = options.leaderElection;
  const prom = options.metrics?.prom;
  const registry = options.metrics?.registry;
  const reflectorMetrics = prom ? prometheusReflectorMetrics(prom, { registry }) : undefined;
  const factory = informerFactory(options.client, {
    scheduler,
    ...(options.logger ? { logger: options.logger } : {}),
    ...options.informerDefaults,
  });
  const log = managerLog(options.logger, election);
  const queues = workQueueHandle();
  const health = watchHealth({ scheduler, recoveryGraceMs: options.watchRecoveryGraceMs });
  const leader = election
    ? leaderHealth({
        scheduler,
        retryPeriodMs: election.retryPeriodMs ?? 2_000,
        renewDeadlineMs: election.renewDeadlineMs ?? 10_000,
      })
    : undefined;

  const views: View[] = [];
  const views$ = new ReplaySubject<View>();
  const controllers = new Map<string, () => Observable<WorkResult>>();
  let leading = false;
  let campaigning = false;
  let cause: StopCause | undefined;
  let started = false;
  let finished!: (result: StopResult) => void;
  const stopped = new Promise<StopResult>((resolve) => {
    finished = resolve;
  });
  let run: Subscription | undefined;
  let stopRequestMetrics: (() => void) | undefined;
  let disposeTriggers: (() => void) | undefined;
  let server: Promise<HealthServer | undefined> = Promise.resolve(undefined);
  let leaseReleased!: (outcome: LeaseRelease) => void;
  const lease = new Promise<LeaseRelease>((resolve) => {
    leaseReleased = resolve;
  });
  let listened!: (address: { port: number; url: string } | undefined) => void;
  const listening = new Promise<{ port: number; url: string } | undefined>((resolve) => {
    listened = resolve;
  });

  const checks = probes();
  checks.add('healthz', 'ping', ping);
  checks.add('readyz', 'ping', ping);
  checks.add('readyz', 'informer-sync', health.synced);
  checks.add('readyz', 'watches', health.alive);
  if (leader) checks.add('readyz', 'leader-election', leader.check);
  checks.add('readyz', 'shutdown', () => {
    if (cause) throw new Error(`stopping (${describeCause(cause)})`);
  });

  const informers: Pick<InformerFactory, 'for'> = {
    for<T extends KubeObject>(
      resource: ResourceType<T>,
      informerOptions: InformerOptions<T> = {},
    ): Informer<T> {
      const merged = { ...(options.informerDefaults as InformerOptions<T>), ...informerOptions };
      let name = viewName(resource, merged);
      const own = factory.for(resource, {
        ...informerOptions,
        onLifecycle: (event, status) => {
          health.observe(name, event);
          reflectorMetrics?.(event, status);
          merged.onLifecycle?.(event, status);
        },
      });
      const informer = own as unknown as Informer<KubeObject>;
      if (!views.some((view) => view.informer === informer)) {
        // Two views that differ only by their transform share a description.
        const taken = views.filter((view) => view.name === name || view.name.startsWith(`${name} #`)).length;
        if (taken > 0) name = `${name} #${taken + 1}`;
        const view = { name, informer };
        views.push(view);
        health.track(name);
        views$.next(view);
      }
      return own;
    },
  };

  /** The first stop runs the stop sequence; later ones change nothing. */
  const stop = (why: StopCause): void => {
    if (cause) return;
    cause = why;
    log.stopping(why);
    disposeTriggers?.();
    void shutdown(why).then((result) => {
      log.stopped(result);
      finished(result);
    });
  };
  const fail = (error: unknown) => stop({ reason: 'error', error });

  /** Every view's store, kept subscribed (warm caches) and followed for the health checks. */
  const caches$ = views$.pipe(
    mergeMap((view) =>
      view.informer.store$.pipe(
        tap((snapshot) => health.progressed(view.name, snapshot.synced)),
        ignoreElements(),
        catchError((error: unknown) => {
          health.failed(view.name, error);
          fail(error);
          return EMPTY;
        }),
      ),
    ),
  );

  /** Completes once every view registered before start synced; a failed one is reported by caches$. */
  const synced$ = defer(() =>
    views.length === 0
      ? of(true)
      : combineLatest(views.map((view) => view.informer.store$.pipe(first((snapshot) => snapshot.synced)))),
  ).pipe(
    catchError(() => NEVER),
    first(),
    tap(() => log.synced(views.length)),
  );

  const leading$: Observable<boolean> = election
    ? defer(() => {
        // Stopping before the caches synced: never take the Lease.
        if (cause) return EMPTY;
        campaigning = true;
        return leaderElection(options.client, {
          ...election,
          scheduler,
          onError: (error) => {
            leader?.reported(error);
            log.electionError(error);
            election.onError?.(error);
          },
          onRelease: leaseReleased,
          ...(prom ? { metrics: prometheusLeaderElectionMetrics(prom, { registry }) } : {}),
        });
      })
    : of(true);

  const controllers$ = leading$.pipe(
    tap((value) => {
      leading = value;
      leader?.observe(value);
      log.leadership(value);
    }),
    switchMap((value) =>
      value && !cause
        ? merge(
            ...[...controllers.values()].map((start) =>
              start().pipe(
                catchError((error: unknown) => {
                  fail(error);
                  return EMPTY;
                }),
              ),
            ),
          )
        : EMPTY,
    ),
    ignoreElements(),
  );

  /** Writes what the event recorders still queue; never rejects, waits up to the drain deadline. */
  const flushRecorders = async (): Promise<void> => {
    const recorders = options.eventRecorders ?? [];
    if (recorders.length === 0) return;
    const flushed = Promise.all(recorders.map((recorder) => recorder.flush().catch(() => undefined)));
    await within(
      flushed.then(() => undefined),
      drainDeadlineMs,
      undefined,
      scheduler,
    );
  };

  /** The stop sequence; never rejects. */
  const shutdown = async (why: StopCause): Promise<StopResult> => {
    const heldLease = campaigning && leading;
    let report: DrainReport;
    try {
      report = await queues.drain({ deadlineMs: drainDeadlineMs });
    } catch {
      report = { ended: 'deadline', abandoned: [], pending: [] };
    }
    await flushRecorders();
    run?.unsubscribe();
    factory.shutdown();
    const released = campaigning
      ? await within(lease, election?.leaseDurationMs ?? 15_000, 'failed', scheduler)
      : 'notHeld';
    leading = false;
    await (await server)?.close();
    stopRequestMetrics?.();
    return {
      reason: why.reason,
      ...(why.reason === 'signal' ? { signal: why.signal } : {}),
      ...(why.reason === 'error' ? { error: why.error } : {}),
      drained: report.ended === 'settled',
      abandoned: report.abandoned,
      pending: report.pending,
      heldLease,
      leaseReleased: released === 'released',
    };
  };

  return {
    client: options.client,
    informers,
    probes: checks,
    listening,
    get leading() {
      return leading;
    },
    controller<T extends KubeObject>(name: string, controllerOptions: ManagedControllerOptions<T>) {
      if (started) throw new KubeRxError(`manager: controller ${name} added after start()`);
      if (controllers.has(name)) throw new KubeRxError(`manager: a controller named ${name} exists already`);
      const { onResult, ...rest } = controllerOptions;
      const metrics =
        rest.metrics ?? (prom ? prometheusWorkQueueMetrics(prom, { name, registry }) : undefined);
      const reconcileMetrics =
        rest.reconcileMetrics ?? (prom ? prometheusControllerMetrics(prom, { name, registry }) : undefined);
      controllers.set(name, () =>
        controller<T>({
          scheduler,
          name,
          ...(options.logger ? { logger: options.logger } : {}),
          ...rest,
          ...(metrics ? { metrics } : {}),
          ...(reconcileMetrics ? { reconcileMetrics } : {}),
          handle: queues,
        }).pipe(tap((result) => onResult?.(result))),
      );
    },
    start() {
      if (started) return stopped;
      started = true;
      disposeTriggers = stopTriggers(options, stop);
      log.starting([...controllers.keys()], views.length);
      if (prom && reportsRequests(options.client))
        stopRequestMetrics = options.client.observeRequests(prometheusRestClientMetrics(prom, { registry }));
      if (options.server && !cause) {
        server = serveHealth({
          port: options.server.port,
          host: options.server.host,
          probes: checks,
          registry: options.metrics?.registry,
        }).then(
          (listeningServer) => {
            listened({ port: listeningServer.port, url: listeningServer.url });
            return listeningServer;
          },
          (error: unknown) => {
            listened(undefined);
            fail(error);
            return undefined;
          },
        );
      } else listened(undefined);
      if (!cause)
        run = merge(caches$, concat(synced$.pipe(ignoreElements()), controllers$)).subscribe({ error: fail });
      return stopped;
    },
  };
}
