/**
 * `leaderElection`: client-go's `leaderelection` on a coordination.k8s.io/v1 Lease, as an
 * `Observable<boolean>` that says whether this process leads right now.
 *
 * Every `retryPeriod` a candidate reads the Lease. It takes it over when it is free or expired,
 * and a leader renews it. Expiry is judged like client-go: by the local time at which this
 * candidate last saw the record change plus `leaseDuration`, never by the timestamps in the
 * record, so clock skew between machines cannot create two leaders. A leader that fails to renew
 * for `renewDeadline` (shorter than `leaseDuration`) steps down before anyone else may take over.
 * Writes use the Lease's resourceVersion, so two candidates racing for it cannot both win.
 * Unsubscribing releases a held Lease (as `ReleaseOnCancel`), so a successor does not wait.
 * The candidate's state and every decision live in `leaderElectionState.ts`; this observable only
 * drives it: a timer per retry period, the Lease reads and writes, the timeouts.
 *
 * Gate a controller with it: `leaderElection(...).pipe(switchMap((lead) => lead ? controller$ : EMPTY))`.
 */
import type { V1Lease } from '@kubernetes/client-node';
import {
  asyncScheduler,
  catchError,
  defer,
  distinctUntilChanged,
  exhaustMap,
  finalize,
  from,
  map,
  type Observable,
  of,
  type SchedulerLike,
  startWith,
  tap,
  timeout,
  timer,
} from 'rxjs';
import type { KubeClient } from '../core/client.js';
import { isStatusError, type KubeRxError } from '../core/errors.js';
import { resources } from '../core/resources.js';
import {
  type Attempt,
  afterAttempt,
  attemptBudget,
  attemptPending,
  attemptSettled,
  attemptStarted,
  initialElectionState,
  onLeaseRead,
  releasedLease,
  releasePlan,
  stop,
  wrote,
} from './leaderElectionState.js';

/** Options of {@link leaderElection}: where the Lease lives, who competes, and client-go's timings. */
export interface LeaderElectionOptions {
  /** Namespace of the Lease. */
  namespace: string;
  /** Lease name. */
  name: string;
  /** This candidate's identity, unique per process (e.g. the pod name). */
  identity: string;
  /** How long a Lease is valid after its last observed renewal. Default 15 s. */
  leaseDurationMs?: number;
  /** A leader steps down after failing to renew for this long. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Scheduler for every timer and for the observed time. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Receives errors of individual attempts (they are retried). */
  onError?: (error: KubeRxError | Error) => void;
  /**
   * Told once after unsubscribe what became of the Lease, so a manager can report how it stopped:
   * `released` (handed back: a successor takes it at its next attempt), `notHeld` (this candidate
   * did not lead) or `failed` (the release write failed: the Lease expires after `leaseDurationMs`).
   */
  onRelease?: (outcome: LeaseRelease) => void;
  /**
   * Told whether this candidate leads, at the start (not leading), at every change and at the end
   * (not leading): client-go's `leader_election_master_status`, e.g. `prometheusLeaderElectionMetrics`.
   */
  metrics?: LeaderElectionMetrics;
}

/** What a candidate tells about its leadership; see {@link LeaderElectionOptions.metrics}. */
export interface LeaderElectionMetrics {
  /** `leading` for the Lease `name` (client-go's `name` label). */
  status(name: string, leading: boolean): void;
}

/** What a stopped candidate did with the Lease; see {@link LeaderElectionOptions.onRelease}. */
export type LeaseRelease = 'released' | 'notHeld' | 'failed';

/**
 * Campaigns for leadership for as long as it is subscribed.
 *
 * @example
 * ```ts
 * leaderElection(client, { namespace: 'kube-system', name: 'my-controller', identity: os.hostname() })
 *   .pipe(switchMap((leading) => (leading ? controller(options) : EMPTY)))
 *   .subscribe();
 * ```
 */
export function leaderElection(client: KubeClient, options: LeaderElectionOptions): Observable<boolean> {
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  const scheduler = options.scheduler ?? asyncScheduler;
  const { namespace, name, identity } = options;
  const config = { identity, leaseDurationMs, renewDeadlineMs, retryPeriodMs };
  const lease = resources.leases;

  return defer(() => {
    let state = initialElectionState;

    /** One client-go `tryAcquireOrRenew`: read the Lease, then write it if `onLeaseRead` says so. */
    const tryAcquireOrRenew = async (): Promise<Attempt> => {
      const now = scheduler.now();
      let current: V1Lease | undefined;
      try {
        current = await client.get(lease, name, { namespace });
      } catch (error) {
        if (!isStatusError(error) || error.code !== 404) throw error;
      }
      const read = onLeaseRead(state, config, current, now);
      state = read.state;
      const { action } = read;
      if (action.kind === 'leave') return action.result;
      const written =
        action.kind === 'create'
          ? await client.create(lease, { metadata: { name, namespace }, spec: action.spec }, { namespace })
          : await client.replace(lease, action.lease, { namespace });
      state = wrote(state, written, now);
      return 'held';
    };

    const attempt = () => {
      state = attemptStarted(state, scheduler.now());
      const budget = attemptBudget(state, config);
      if (budget <= 0) return of<Attempt>('failed');
      const pending = tryAcquireOrRenew();
      const settled: Promise<void> = pending.then(
        () => {
          state = attemptSettled(state, settled);
        },
        () => {
          state = attemptSettled(state, settled);
        },
      );
      state = attemptPending(state, settled);
      return from(pending).pipe(
        timeout({ first: budget, scheduler }),
        catchError((error: unknown) => {
          // 409: somebody else wrote first; anything else is reported. Both count as a failed attempt.
          if (!(isStatusError(error) && error.code === 409)) options.onError?.(error as Error);
          return of<Attempt>('failed');
        }),
      );
    };

    const release = () => {
      state = stop(state);
      const plan = releasePlan(state);
      if (plan === 'none') return options.onRelease?.('notHeld');
      // Reads `state.latest` when it sends: a renewal that was in flight may have written a newer version.
      const send = () => {
        client.replace(lease, releasedLease(state.latest as V1Lease, scheduler.now()), { namespace }).then(
          () => options.onRelease?.('released'),
          (error: unknown) => {
            try {
              options.onError?.(error as Error);
            } finally {
              options.onRelease?.('failed');
            }
          },
        );
      };
      if (plan === 'now') return send();
      let sent = false;
      let deadline: { unsubscribe(): void } | undefined;
      const once = () => {
        if (sent) return;
        sent = true;
        deadline?.unsubscribe();
        send();
      };
      deadline = scheduler.schedule(once, retryPeriodMs);
      void state.inflight?.then(once);
    };

    return timer(0, retryPeriodMs, scheduler).pipe(
      exhaustMap(attempt),
      map((result) => {
        state = afterAttempt(state, config, result, scheduler.now());
        return state.leading;
      }),
      startWith(false),
      distinctUntilChanged(),
      tap((leading) => options.metrics?.status(name, leading)),
      finalize(() => {
        options.metrics?.status(name, false);
        release();
      }),
    );
  });
}
