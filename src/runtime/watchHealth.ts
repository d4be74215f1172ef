/**
 * The readiness of a manager's informers, as two checks: `informer-sync` (kube-apiserver's name:
 * every cache has applied its first list) and `watches` (every reflector is getting through).
 *
 * `watches` reads each view's reflector lifecycle (`onLifecycle`). A view counts as failing from
 * an error about the stream (one about a single object, which has a `key`, does not count) until
 * the reflector shows it gets through again: a list finishes, an object event or a bookmark
 * arrives, or a watch it started has run `recoveryGraceMs` without failing (a healthy watch on a
 * quiet resource may say nothing for a minute, until its bookmark). A reflector that keeps failing
 * reports every attempt, so it stays failing; one that stopped for good (its stream errored) is
 * failing for good.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { ReflectorEvent } from '../sources/reflectorEvents.js';
import type { HealthCheck } from './probes.js';

/** Options of {@link watchHealth}. */
export interface WatchHealthOptions {
  /** Clock of the grace window. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** How long a restarted watch must run without failing to count as recovered. Default 10 s. */
  readonly recoveryGraceMs?: number;
}

/** What the manager tells about each informer view, and the two checks derived from it. */
export interface WatchHealth {
  /** Starts following a view (an informer of one resource, namespace and selectors). */
  track(view: string): void;
  /** The view's reflector did something (its `onLifecycle`). */
  observe(view: string, event: ReflectorEvent): void;
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
  /** Why the stream is failing, and whether for good. */
  failing?: { readonly reason: string; readonly fatal: boolean };
  /** When the watch started after the failure, if one did. */
  watchingSince?: number;
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
  const recovered = (s: ViewState) => {
    if (!s.failing?.fatal) {
      s.failing = undefined;
      s.watchingSince = undefined;
    }
  };
  const fail = (view: string, reason: string, fatal: boolean) => {
    const s = state(view);
    if (s.failing?.fatal) return;
    s.failing = { reason, fatal };
    s.watchingSince = undefined;
  };

  return {
    track: (view) => void state(view),
    observe(view, event) {
      const s = state(view);
      switch (event.type) {
        case 'error':
          if (event.context.key === undefined)
            fail(view, `${event.context.phase}: ${event.error.message}`, false);
          return;
        case 'watchStarted':
          if (s.failing) s.watchingSince = event.at;
          return;
        case 'listFinished':
        case 'event':
        case 'bookmark':
          recovered(s);
          return;
        case 'stopped':
          if (event.error !== undefined) fail(view, `stopped: ${messageOf(event.error)}`, true);
          return;
        default:
      }
    },
    progressed(view, synced) {
      state(view).synced ||= synced;
    },
    failed(view, error) {
      fail(view, `stopped: ${messageOf(error)}`, true);
    },
    synced() {
      const waiting = [...views].filter(([, s]) => !s.synced).map(([view]) => view);
      if (waiting.length > 0) throw new Error(`waiting for the first list of ${waiting.join(', ')}`);
    },
    alive() {
      const now = scheduler.now();
      const dead = [...views]
        .filter(([, s]) => {
          if (!s.failing) return false;
          return s.failing.fatal || s.watchingSince === undefined || now - s.watchingSince < graceMs;
        })
        .map(([view, s]) => `${view} (${s.failing?.reason})`);
      if (dead.length > 0) throw new Error(`failing: ${dead.join('; ')}`);
    },
  };
}
