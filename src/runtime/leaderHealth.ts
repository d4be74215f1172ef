/**
 * The readiness check `leader-election` of a manager that campaigns for a Lease. Leading and
 * standing by are both ready (a warm standby is what a second replica is for, as in
 * controller-runtime, which never gates readiness on leadership). The check fails while the
 * candidate cannot reach its Lease: an attempt's error was reported within the last
 * `renewDeadlineMs + retryPeriodMs`. A candidate that keeps failing reports at least that often
 * (an attempt every retry period, a hung one timing out within the renew deadline), so it stays
 * unready; one whose attempts succeed again goes quiet and is ready after that window.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { HealthCheck } from './probes.js';

/** The election's timings, as the manager gives them to `leaderElection`. */
export interface LeaderHealthOptions {
  readonly retryPeriodMs: number;
  readonly renewDeadlineMs: number;
  /** Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** What the manager tells about its candidate, and the check derived from it. */
export interface LeaderHealth {
  /** The election said whether this process leads. */
  observe(leading: boolean): void;
  /** An attempt failed (the election's `onError`). */
  reported(error: unknown): void;
  /** Whether this process leads now. */
  readonly leading: boolean;
  /** Readiness check `leader-election`. */
  readonly check: HealthCheck;
}

/** Creates the tracker. */
export function leaderHealth(options: LeaderHealthOptions): LeaderHealth {
  const scheduler = options.scheduler ?? asyncScheduler;
  const windowMs = options.renewDeadlineMs + options.retryPeriodMs;
  let leading = false;
  let lastError: { readonly at: number; readonly message: string } | undefined;
  return {
    observe(value) {
      leading = value;
    },
    reported(error) {
      lastError = { at: scheduler.now(), message: error instanceof Error ? error.message : String(error) };
    },
    get leading() {
      return leading;
    },
    check() {
      if (lastError && scheduler.now() - lastError.at < windowMs)
        throw new Error(`${leading ? 'leader' : 'candidate'} cannot reach its Lease: ${lastError.message}`);
    },
  };
}
