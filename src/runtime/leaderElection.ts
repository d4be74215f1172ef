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
  timeout,
  timer,
} from 'rxjs';
import type { KubeClient } from '../core/client.js';
import { isStatusError, type KubeRxError } from '../core/errors.js';
import { resources } from '../core/resources.js';

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
}

type LeaseSpec = NonNullable<V1Lease['spec']>;
type Attempt = 'held' | 'other' | 'failed';

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

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
  const lease = resources.leases;

  return defer(() => {
    let observed: string | undefined;
    let observedAt = Number.NEGATIVE_INFINITY;
    let leading = false;
    /** When the last successful attempt started: its write committed no earlier than this. */
    let lastRenewal = Number.NEGATIVE_INFINITY;
    let attemptStartedAt = Number.NEGATIVE_INFINITY;
    let latest: V1Lease | undefined;
    /** Set on unsubscribe: an attempt still in flight must not write the Lease after that. */
    let stopped = false;
    /** The latest attempt while its requests are pending (it may outlive its timeout). */
    let inflight: Promise<void> | undefined;

    const spec = (now: number, previous: LeaseSpec | undefined): LeaseSpec =>
      ({
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: (previous?.holderIdentity === identity
          ? previous.acquireTime
          : microTime(now)) as unknown as Date,
        renewTime: microTime(now) as unknown as Date,
        leaseTransitions:
          (previous?.leaseTransitions ?? 0) + (previous?.holderIdentity === identity ? 0 : previous ? 1 : 0),
      }) as LeaseSpec;

    /**
     * One client-go `tryAcquireOrRenew`: `held` when this candidate holds the Lease afterwards,
     * `other` when another live holder has it, `failed` when the attempt failed (error, conflict).
     */
    const tryAcquireOrRenew = async (): Promise<Attempt> => {
      const now = scheduler.now();
      let current: V1Lease;
      try {
        current = await client.get(lease, name, { namespace });
      } catch (error) {
        if (!isStatusError(error) || error.code !== 404) throw error;
        if (stopped) return 'failed';
        latest = await client.create(
          lease,
          { metadata: { name, namespace }, spec: spec(now, undefined) },
          { namespace },
        );
        observed = JSON.stringify(latest.spec);
        observedAt = now;
        return 'held';
      }
      if (stopped) return 'failed';
      const record = JSON.stringify(current.spec ?? {});
      if (record !== observed) {
        observed = record;
        observedAt = now;
      }
      const holder = current.spec?.holderIdentity;
      if (holder && holder !== identity && observedAt + leaseDurationMs > now) return 'other';
      latest = await client.replace(lease, { ...current, spec: spec(now, current.spec) }, { namespace });
      observed = JSON.stringify(latest.spec);
      observedAt = now;
      return 'held';
    };

    const attempt = () => {
      attemptStartedAt = scheduler.now();
      // A leader's attempt may not outlive its renew deadline (client-go's renew context): a hanging
      // request must not keep it leading past the point where others may take the Lease over.
      const budget = leading ? lastRenewal + renewDeadlineMs - attemptStartedAt : renewDeadlineMs;
      if (budget <= 0) return of<Attempt>('failed');
      const pending = tryAcquireOrRenew();
      const settled: Promise<void> = pending.then(
        () => {
          if (inflight === settled) inflight = undefined;
        },
        () => {
          if (inflight === settled) inflight = undefined;
        },
      );
      inflight = settled;
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
      stopped = true;
      if (!leading || !latest) return;
      const send = () => {
        const held = latest as V1Lease;
        client
          .replace(
            lease,
            {
              ...held,
              spec: {
                ...held.spec,
                holderIdentity: '',
                leaseDurationSeconds: 1,
                renewTime: microTime(scheduler.now()) as unknown as Date,
              },
            },
            { namespace },
          )
          .catch((error: unknown) => options.onError?.(error as Error));
      };
      if (!inflight) return send();
      // A renewal in flight at unsubscribe would make a release sent now fail (409) and leave the
      // successor waiting for the Lease to expire: wait for it (at most a retry period) and release
      // the version it wrote. Only versions this candidate wrote itself are ever released.
      let sent = false;
      let deadline: { unsubscribe(): void } | undefined;
      const once = () => {
        if (sent) return;
        sent = true;
        deadline?.unsubscribe();
        send();
      };
      deadline = scheduler.schedule(once, retryPeriodMs);
      void inflight.then(once);
    };

    return timer(0, retryPeriodMs, scheduler).pipe(
      exhaustMap(attempt),
      map((result) => {
        const now = scheduler.now();
        if (result === 'held') {
          // Counted from the attempt's start, not its answer: others judge expiry from when they
          // saw the write, which is after it committed, which is after the attempt started.
          lastRenewal = attemptStartedAt;
          leading = true;
        } else if (result === 'other' || now - lastRenewal >= renewDeadlineMs) {
          // Someone else holds it, or renewals failed for renewDeadline: step down.
          leading = false;
        }
        return leading;
      }),
      startWith(false),
      distinctUntilChanged(),
      finalize(release),
    );
  });
}
