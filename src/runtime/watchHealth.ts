/**
 * The readiness of a manager's informers, as two checks: `informer-sync` (kube-apiserver's name:
 * every cache has applied its first list) and `watches` (every reflector is getting through).
 *
 * Until the reflector reports its lifecycle (watch started, ended, relisted) this is derived from
 * what an informer already tells: its `onError` reports and its `store$` progress. A view's watch
 * counts as dead from a report about the stream (one about a single object, which has a `key`,
 * does not count) until the informer applies a batch again, or until the retry the report
 * announced (`retryInMs`) is `recoveryGraceMs` past without another report: a reflector that keeps
 * failing reports every attempt, at most a backoff cap apart, so it stays dead; one whose retry
 * worked goes quiet. A fatal error (the informer's stream failed) is dead for good. When lifecycle
 * events land, `watchStarted`-style calls replace the grace window; the checks stay the same.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { KubeRxError } from '../core/errors.js';
import type { ListWatchErrorContext } from '../sources/listWatchOptions.js';
import type { HealthCheck } from './probes.js';

/** Options of {@link watchHealth}. */
export interface WatchHealthOptions {
  /** Clock of the grace window. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** How long after its announced retry a quiet reflector counts as recovered. Default 10 s. */
  readonly recoveryGraceMs?: number;
}

/** What the manager tells about each informer view, and the two checks derived from it. */
export interface WatchHealth {
  /** Starts following a view (an informer of one resource, namespace and selectors). */
  track(view: string): void;
  /** The view's reflector reported a non-fatal error (its `onError`). */
  reported(view: string, error: KubeRxError, context: ListWatchErrorContext): void;
  /** The view's informer applied a batch. */
  progressed(view: string, synced: boolean): void;
  /** The view's stream failed for good. */
  failed(view: string, error: unknown): void;
  /** Readiness check `informer-sync`: every view synced. */
  readonly synced: HealthCheck;
  /** Readiness check `watches`: no view's reflector is failing. */
  readonly alive: HealthCheck;
}

interface ViewState {
  synced: boolean;
  /** The stream is failing: why, and until when it counts (Infinity: fatal). */
  failing?: { readonly reason: string; readonly until: number };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Creates the tracker; see the module comment for the rules. */
export function watchHealth(options: WatchHealthOptions = {}): WatchHealth {
  const scheduler = options.scheduler ?? asyncScheduler;
  const graceMs = options.recoveryGraceMs ?? 10_000;
  const views = new Map<string, ViewState>();
  const state = (view: string): ViewState => {
    let found = views.get(view);
    if (!found) {
      found = { synced: false };
      views.set(view, found);
    }
    return found;
  };
  const isFatal = (s: ViewState) => s.failing?.until === Number.POSITIVE_INFINITY;

  return {
    track: (view) => void state(view),
    reported(view, error, context) {
      const s = state(view);
      if (context.key !== undefined || isFatal(s)) return;
      const until = scheduler.now() + (context.retryInMs ?? 0) + graceMs;
      s.failing = { reason: `${context.phase}: ${messageOf(error)}`, until };
    },
    progressed(view, synced) {
      const s = state(view);
      if (isFatal(s)) return;
      s.synced ||= synced;
      s.failing = undefined;
    },
    failed(view, error) {
      state(view).failing = { reason: `stopped: ${messageOf(error)}`, until: Number.POSITIVE_INFINITY };
    },
    synced() {
      const waiting = [...views].filter(([, s]) => !s.synced).map(([view]) => view);
      if (waiting.length > 0) throw new Error(`waiting for the first list of ${waiting.join(', ')}`);
    },
    alive() {
      const now = scheduler.now();
      const dead = [...views]
        .filter(([, s]) => s.failing !== undefined && now < s.failing.until)
        .map(([view, s]) => `${view} (${s.failing?.reason})`);
      if (dead.length > 0) throw new Error(`failing: ${dead.join('; ')}`);
    },
  };
}
