/**
 * `createFakeCluster`: an in-memory Kubernetes API with real resourceVersion, watch, 410 Gone
 * and bookmark semantics, for the demo and for tests of code built on kube-rx.
 *
 * `cluster.client` is a {@link KubeClient} used in-process: list answers are Observables and
 * every timer (bookmarks, watch timeouts, latency) runs on the cluster's scheduler, so a test can
 * run a whole informer or controller under `TestScheduler`. `cluster.listen()` serves the same
 * state over real HTTP with the Kubernetes REST paths, so `@kubernetes/client-node` and `kubectl`-
 * style clients talk to it unchanged. Fault injection (`compact`, `dropWatches`, `failNext`,
 * `injectRawLine`, latency) reproduces the failures informers must survive.
 */
import {
  asyncScheduler,
  map,
  Observable,
  type ObservableInput,
  type SchedulerLike,
  Subscription,
  timer,
} from 'rxjs';
import type {
  KubeClient,
  ListOptions,
  ListResult,
  PatchType,
  RawWatchEvent,
  WatchOptions,
  WriteOptions,
} from '../../core/client.js';
import { type KubeStatus, StatusError, statusError, WatchProtocolError } from '../../core/errors.js';
import type { KubeObject } from '../../core/objects.js';
import type { ResourceType } from '../../core/resources.js';
import { ClusterState } from './clusterState.js';
import { resourceList } from './discovery.js';
import { type FakeServer, type ListenOptions, listen } from './http.js';
import { metadataList, metadataWatchEvent } from './metadataOnly.js';
import { applyJsonPatch, applyMergePatch } from './patches.js';
import { type ActiveWatch, openWatch, type WatchSettings } from './watchStream.js';

/** Options of {@link createFakeCluster}. */
export interface FakeClusterOptions {
  /** Scheduler for timestamps and timers. Default `asyncScheduler` (real time). */
  scheduler?: SchedulerLike;
  /** Events kept for watches; a watch from an older resourceVersion gets 410. Default 10 000. */
  eventWindow?: number;
  /** Interval of BOOKMARK events on watches that allow them. Default 60 s; 0 disables. */
  bookmarkIntervalMs?: number;
  /** Lifetime of a continue token. Default 5 min. */
  continueTokenTtlMs?: number;
  /** Whether `sendInitialEvents` watches (streaming lists) are served. Default true. */
  supportsStreamingLists?: boolean;
  /** Delay of list answers and watch starts, on the scheduler. Default 0. */
  latencyMs?: number;
}

/**
 * An in-memory Kubernetes API: clients, an HTTP server, and fault injection
 * (see {@link createFakeCluster}).
 */
export interface FakeCluster {
  /** A client with the cluster's latency and fault injection applied. */
  readonly client: KubeClient;
  /** A client that bypasses faults and latency: for test set-up and churn. */
  readonly admin: KubeClient;
  /** The current global resourceVersion. */
  readonly resourceVersion: string;
  /** Number of open watches. */
  readonly activeWatches: number;
  /** Serves the cluster over HTTP on loopback. */
  listen(options?: ListenOptions): Promise<FakeServer>;
  /** Makes a resource (e.g. a CRD's) servable. Creating a CustomResourceDefinition does this too. */
  registerResource(resource: ResourceType): void;
  /** Drops the event log: watches from any older resourceVersion get 410 Gone. */
  compact(): void;
  /** Ends every open watch, as a server restart or load balancer would. */
  dropWatches(): void;
  /** The next `count` requests (list, watch, reads and writes) fail with `status` (default 500). */
  failNext(count: number, status?: number | KubeStatus): void;
  /** Writes a raw line into every open watch stream (e.g. garbage, to test the decoder). */
  injectRawLine(text: string): void;
  /** Changes the latency of list answers and watch starts. */
  setLatency(ms: number): void;
}

function toPromise<T>(run: () => T): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Parses an injected line the way a transport would: JSON becomes an event, anything else an error. */
function decodeLine(line: string): RawWatchEvent | Error {
  try {
    const value = JSON.parse(line) as RawWatchEvent;
    if (value && typeof value === 'object' && typeof value.type === 'string') return value;
  } catch {
    // fall through
  }
  return new WatchProtocolError(`malformed watch line: ${line.slice(0, 80)}`);
}

/**
 * Creates an empty fake cluster with the built-in resources registered.
 *
 * @example
 * ```ts
 * const cluster = createFakeCluster();
 * await cluster.admin.create(resources.configMaps, { metadata: { name: 'cfg', namespace: 'default' }, data: {} });
 * const cms = informer(cluster.client, resources.configMaps);
 * ```
 */
export function createFakeCluster(options: FakeClusterOptions = {}): FakeCluster {
  const scheduler = options.scheduler ?? asyncScheduler;
  const state = new ClusterState(
    scheduler,
    options.eventWindow ?? 10_000,
    options.continueTokenTtlMs ?? 300_000,
  );
  const settings: WatchSettings = {
    scheduler,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    supportsStreamingLists: options.supportsStreamingLists ?? true,
  };
  const watches = new Set<ActiveWatch>();
  const failures: StatusError[] = [];
  let latencyMs = options.latencyMs ?? 0;

  const takeFailure = (): StatusError | undefined => failures.shift();

  /** Patch dispatch shared by the in-process clients and the HTTP server. */
  const patch = (
    resource: ResourceType,
    name: string,
    body: unknown,
    type: PatchType,
    opts: WriteOptions = {},
  ) => {
    if (type === 'apply') return state.apply(resource, name, body, opts);
    const current = state.get(resource, name, opts.namespace ?? 'default');
    const next = type === 'json' ? applyJsonPatch(current, body) : applyMergePatch(current, body);
    return state.update(resource, current, next, opts);
  };

  const makeClient = (faulty: boolean): KubeClient => {
    const guard = <T>(run: () => T): T => {
      const failure = faulty ? takeFailure() : undefined;
      if (failure) throw failure;
      return run();
    };
    return {
      list<T extends KubeObject>(
        resource: ResourceType<T>,
        opts: ListOptions,
      ): ObservableInput<ListResult<T>> {
        const delay = faulty ? latencyMs : 0;
        return timer(delay, scheduler).pipe(
          map(() =>
            guard(() => {
              const list = state.list(resource, opts);
              // Stored objects are of the resource's kind (as over HTTP: the type is not a check).
              return (opts.asMetadata ? metadataList(list) : list) as ListResult<T>;
            }),
          ),
        );
      },
      watch(resource: ResourceType<KubeObject>, opts: WatchOptions): Observable<RawWatchEvent> {
        return new Observable<RawWatchEvent>((subscriber) => {
          const subscription = new Subscription();
          const start = () => {
            try {
              const stop = guard(() =>
                openWatch(
                  state,
                  resource,
                  opts,
                  settings,
                  {
                    event: (event) => subscriber.next(opts.asMetadata ? metadataWatchEvent(event) : event),
                    raw: (line) => {
                      const decoded = decodeLine(line);
                      if (decoded instanceof Error) subscriber.error(decoded);
                      else subscriber.next(decoded);
                    },
                    end: () => subscriber.complete(),
                  },
                  watches,
                ),
              );
              subscription.add(stop);
            } catch (error) {
              subscriber.error(error);
            }
          };
          const delay = faulty ? latencyMs : 0;
          if (delay > 0) subscription.add(scheduler.schedule(start, delay));
          else start();
          return subscription;
        });
      },
      get: (resource, name, opts = {}) =>
        toPromise(() => guard(() => state.get(resource, name, opts.namespace ?? 'default') as never)),
      create: (resource, object, opts) =>
        toPromise(() => guard(() => state.create(resource, object, opts) as never)),
      replace: (resource, object, opts) =>
        toPromise(() => guard(() => state.replace(resource, object, opts) as never)),
      patch: (resource, name, body, type, opts) =>
        toPromise(() => guard(() => patch(resource, name, body, type, opts) as never)),
      delete: (resource, name, opts) => toPromise(() => guard(() => state.delete(resource, name, opts))),
      deleteCollection: (resource, opts) =>
        toPromise(() => guard(() => state.deleteCollection(resource, opts))),
      discover: (groupVersion) =>
        toPromise(() => guard(() => resourceList(state.registered(), groupVersion))),
    };
  };

  const cluster: FakeCluster = {
    client: makeClient(true),
    admin: makeClient(false),
    get resourceVersion() {
      return String(state.resourceVersion);
    },
    get activeWatches() {
      return watches.size;
    },
    listen: (listenOptions) => listen({ state, settings, watches, takeFailure, patch }, listenOptions),
    registerResource: (resource) => state.register(resource),
    compact: () => state.compact(),
    dropWatches: () => {
      for (const watch of [...watches]) watch.drop();
    },
    failNext: (count, status = 500) => {
      for (let i = 0; i < count; i++) {
        failures.push(
          typeof status === 'number'
            ? statusError(status, `injected failure ${i + 1} of ${count}`)
            : new StatusError(status),
        );
      }
    },
    injectRawLine: (text) => {
      for (const watch of [...watches]) watch.injectRawLine(text);
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
  };
  return cluster;
}
