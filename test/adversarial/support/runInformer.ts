/**
 * Runs an informer against a hostile server for a bounded real time and records what happened:
 * every error reported through `onError`, any stream error or completion, the cache at the end,
 * and the worst event-loop stall (a quadratic regex or a slow relist shows up there).
 */
import type { Subscription } from 'rxjs';
import type { KubeRxError } from '../../../src/core/errors.js';
import { type KubeObject, objectKey } from '../../../src/core/objects.js';
import { resources } from '../../../src/core/resources.js';
import { type Informer, informer } from '../../../src/runtime/informer.js';
import type { ListWatchErrorContext } from '../../../src/sources/listWatch.js';
import type { Snapshot } from '../../../src/store/snapshot.js';
import { kubeClient } from '../../../src/transport/kubeClient.js';
import type { InformerCase } from './adversarialCase.js';
import type { HostileServer } from './hostileServer.js';

/**
 * Backoff of every case unless it sets its own: 20 ms doubling to 200 ms, so a case sees several
 * retries within a second, and a loop that skips the backoff stands out by orders of magnitude.
 */
export const HARNESS_BACKOFF = { initialMs: 20, factor: 2, maxMs: 200, jitter: 0.25, resetAfterMs: 60_000 };

/**
 * A case without its own `runMs` runs at least `MIN_RUN_MS` and at most `DEFAULT_RUN_MS`: it ends
 * early once its cache has converged and no request came for `QUIET_MS` (the server's script has
 * played out). A case that sets `runMs` runs exactly that long, as a request-rate case must.
 */
export const DEFAULT_RUN_MS = 1000;
const MIN_RUN_MS = 500;
const QUIET_MS = 300;

/** How long a run may go on past its end waiting for the cache to converge. */
const SETTLE_MS = 1000;

export interface Reported {
  readonly error: KubeRxError;
  readonly context: ListWatchErrorContext;
}

export interface InformerRun {
  readonly server: HostileServer;
  readonly informer: Informer<KubeObject>;
  /** Everything `onError` received. */
  readonly reported: readonly Reported[];
  /** Errors that ended the informer's streams (or a consumer's). */
  readonly streamErrors: readonly unknown[];
  /** True if a stream completed (an informer's never should). */
  readonly completed: boolean;
  /** The cache when the run ended. */
  readonly snapshot: Snapshot<KubeObject>;
  readonly elapsedMs: number;
  /** The longest the event loop was blocked during the run. */
  readonly maxEventLoopLagMs: number;
}

/** `key -> resourceVersion` of some objects: what "the cache equals the server" compares. */
export function versionsByKey(objects: Iterable<KubeObject>): Record<string, unknown> {
  const entries = [...objects].map((o) => [objectKey(o) ?? '<no key>', o.metadata?.resourceVersion] as const);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function converged(inf: Informer<KubeObject>, server: HostileServer): boolean {
  if (server.valid === undefined) return false;
  const cached = versionsByKey(inf.snapshot().list());
  return inf.hasSynced() && JSON.stringify(cached) === JSON.stringify(versionsByKey(server.valid));
}

/** Measures how late a 10 ms interval fires: the longest event-loop block. */
function lagMonitor(): { stop(): number } {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 10);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, performance.now() - last - 10);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs the case's informer against `server` (see `DEFAULT_RUN_MS`), plus up to 1 s to converge. */
export async function runInformer(server: HostileServer, c: InformerCase): Promise<InformerRun> {
  const reported: Reported[] = [];
  const streamErrors: unknown[] = [];
  let completed = false;
  const inf = informer(kubeClient(server.kubeConfig, c.client), resources.pods, {
    ...c.informer,
    backoff: { ...HARNESS_BACKOFF, ...c.informer?.backoff },
    onError: (error, context) => reported.push({ error, context }),
  });
  let stopped = () => {};
  const ended = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const observer = {
    error: (error: unknown) => {
      streamErrors.push(error);
      stopped();
    },
    complete: () => {
      completed = true;
      stopped();
    },
  };
  const started = performance.now();
  const lag = lagMonitor();
  const subscriptions: Subscription[] = [inf.events$.subscribe(observer)];
  if (c.consumers) subscriptions.push(c.consumers(inf).subscribe(observer));
  try {
    // A stream that ended will not change its mind, and a capped server proves the storm.
    let interrupted = false;
    const interrupt = Promise.race([server.capReached, ended]).then(() => {
      interrupted = true;
    });
    const expectsConvergence = !c.fatal && server.valid !== undefined;
    const runUntil = started + (c.runMs ?? DEFAULT_RUN_MS);
    let requestsSeen = server.requests.length;
    let lastRequestAt = started;
    for (;;) {
      const now = performance.now();
      if (server.requests.length !== requestsSeen) {
        requestsSeen = server.requests.length;
        lastRequestAt = now;
      }
      const done = expectsConvergence && converged(inf, server);
      const quiet = c.runMs === undefined && now - started >= MIN_RUN_MS && now - lastRequestAt >= QUIET_MS;
      if (interrupted || (done && quiet) || (now >= runUntil && (done || !expectsConvergence))) break;
      if (now >= runUntil + SETTLE_MS) break;
      await Promise.race([sleep(20), interrupt]);
    }
    return {
      server,
      informer: inf,
      reported,
      streamErrors,
      completed,
      snapshot: inf.snapshot(),
      elapsedMs: performance.now() - started,
      maxEventLoopLagMs: lag.stop(),
    };
  } finally {
    for (const s of subscriptions) s.unsubscribe();
    lag.stop();
  }
}
