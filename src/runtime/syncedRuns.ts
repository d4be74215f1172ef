/**
 * What `informer.synced` answers. An informer's pipeline is shared and cold: it runs from its
 * first subscriber until the last one leaves (refCount) or it fails, and may run again later.
 * Each run has its own synced promise: it resolves with the run's first synced snapshot, rejects
 * with the run's fatal error, or rejects if the run is stopped before it synced. So `synced`
 * never hangs: with nothing running it rejects at once, with the last run's fatal error if there
 * was one, else with an {@link InformerNotRunningError} that says how to start the informer.
 *
 * Awaiting `synced` does not start the informer on purpose: a watch opened by a promise would
 * have nothing to unsubscribe, so it would either never close (a leaked socket that keeps the
 * process alive) or close right after the sync and leave `snapshot()` empty.
 */
import { KubeRxError } from '../core/errors.js';

/**
 * `informer.synced` awaited while the informer is not running (no subscriber), or a run stopped
 * before its first list completed.
 *
 * @example
 * ```ts
 * const pods = informer(client, resources.pods);
 * pods.store$.subscribe();      // start it first ...
 * const snapshot = await pods.synced; // ... then wait for the first full list
 * ```
 */
export class InformerNotRunningError extends KubeRxError {
  override readonly name: string = 'InformerNotRunningError';
  /** The informer's resource, as `describeResource` prints it. */
  readonly resource: string;
  constructor(resource: string, message: string) {
    super(message);
    this.resource = resource;
  }
}

/** The callbacks of one run of the shared pipeline. */
export interface SyncedRun<S> {
  /** A synced snapshot was applied (the first one resolves the run's promise). */
  synced(snapshot: S): void;
  /** The pipeline errored: the run's promise rejects with it, and so does `synced` afterwards. */
  failed(error: unknown): void;
  /** The pipeline stopped (error or last unsubscribe). */
  stopped(): void;
}

/** The runs of one informer. */
export interface SyncedRuns<S> {
  /** Call when the shared pipeline connects. */
  start(): SyncedRun<S>;
  /** What `synced` returns now. */
  current(): Promise<S>;
}

/** A rejected promise that is already handled: nobody awaiting it must not crash the process. */
function rejected<S>(error: unknown): Promise<S> {
  const promise = Promise.reject(error);
  promise.catch(() => undefined);
  return promise;
}

/** The synced promises of an informer of `resource`. */
export function syncedRuns<S>(resource: string): SyncedRuns<S> {
  let running: Promise<S> | undefined;
  let lastFailure: { readonly error: unknown } | undefined;
  return {
    start() {
      let resolve!: (snapshot: S) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<S>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined);
      running = promise;
      lastFailure = undefined;
      return {
        synced: (snapshot) => resolve(snapshot),
        failed: (error) => {
          lastFailure = { error };
          reject(error);
        },
        stopped: () => {
          if (running === promise) running = undefined;
          // A no-op once the run synced or failed.
          reject(
            new InformerNotRunningError(
              resource,
              `informer for ${resource} stopped before it synced: its last subscriber unsubscribed`,
            ),
          );
        },
      };
    },
    current() {
      if (running) return running;
      if (lastFailure) return rejected(lastFailure.error);
      return rejected(
        new InformerNotRunningError(
          resource,
          `informer for ${resource} is not running, so it cannot sync: subscribe to its events$, ` +
            'store$ or deltas$ first (or call start() or waitForCacheSync() on its informerFactory), ' +
            'then await synced',
        ),
      );
    },
  };
}
