/**
 * Ring membership on coordination.k8s.io/v1 Leases, as the shards of
 * timebertt/kubernetes-controller-sharding announce themselves: each replica keeps a Lease named
 * after its identity and labelled `sharding.kube-rx.io/ring=<ring>`, renewed every
 * `renewPeriodMs`; a member is live while its `renewTime + leaseDurationSeconds` is in the future.
 *
 * Unlike leader election there is no contention (one Lease per member), so a small renew loop
 * suffices. Liveness is judged from the Lease's own times against the local clock (the sharder's),
 * so the clocks of the replicas must agree within a fraction of the lease duration.
 */
import type { V1Lease } from '@kubernetes/client-node';
import {
  asyncScheduler,
  catchError,
  concat,
  defer,
  distinctUntilChanged,
  EMPTY,
  exhaustMap,
  from,
  map,
  type Observable,
  of,
  type SchedulerLike,
  switchMap,
  timer,
} from 'rxjs';
import type { KubeClient } from '../../core/client.js';
import { isStatusError } from '../../core/errors.js';
import type { DeepReadonly } from '../../core/objects.js';
import { resources } from '../../core/resources.js';
import { informer } from '../informer.js';
import { microTime } from '../leaderElectionState.js';
import { RING_LABEL } from './labels.js';

/** Options of {@link membershipLease}. */
export interface MembershipLeaseOptions {
  /** The ring this replica joins. */
  readonly ring: string;
  /** This replica's identity, unique in the ring (e.g. the pod name); also the Lease's name. */
  readonly identity: string;
  /** Namespace of the Leases. */
  readonly namespace: string;
  /** How long the membership lasts after a renewal. Default 15 000 ms. */
  readonly leaseDurationMs?: number;
  /** Interval between renewals; well under the duration. Default 2 000 ms. */
  readonly renewPeriodMs?: number;
  /**
   * The membership counts as lost this long after the last successful renewal started; shorter
   * than the duration (the margin covers clock skew). Default 2/3 of `leaseDurationMs`.
   */
  readonly renewDeadlineMs?: number;
  /** Scheduler of the renewals and of the written times. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Receives failed renewals (they are retried at the next period). */
  readonly onError?: (error: Error) => void;
}

/**
 * Keeps this replica's membership Lease renewed while subscribed, and says whether the membership
 * is held: `true` after a renewal, `false` once renewals have failed for `renewDeadlineMs`, so a
 * shard stops reconciling before the sharder may hand its objects to others. Unsubscribing leaves
 * the Lease to expire (a crash and a stop look the same to the sharder).
 */
export function membershipLease(client: KubeClient, options: MembershipLeaseOptions): Observable<boolean> {
  const { ring, identity, namespace } = options;
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewPeriodMs = options.renewPeriodMs ?? 2_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? Math.round((leaseDurationMs * 2) / 3);
  const scheduler = options.scheduler ?? asyncScheduler;
  const lease = resources.leases;

  const renew = async (): Promise<void> => {
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      renewTime: microTime(scheduler.now()) as unknown as Date,
    };
    try {
      await client.patch(lease, identity, { metadata: { labels: { [RING_LABEL]: ring } }, spec }, 'merge', {
        namespace,
      });
    } catch (error) {
      if (!isStatusError(error) || error.code !== 404) throw error;
      await client.create(
        lease,
        { metadata: { name: identity, namespace, labels: { [RING_LABEL]: ring } }, spec },
        { namespace },
      );
    }
  };

  // Each successful renewal, as the time its attempt started (the write committed no earlier).
  const renewed = timer(0, renewPeriodMs, scheduler).pipe(
    exhaustMap(() => {
      const started = scheduler.now();
      return from(renew()).pipe(
        map(() => started),
        catchError((error: unknown) => {
          options.onError?.(error as Error);
          return EMPTY;
        }),
      );
    }),
  );
  // Held from a renewal until renewDeadline after it: before the sharder, judging from the
  // renewTime written no earlier, may call this member dead at renewTime + leaseDuration.
  return renewed.pipe(
    switchMap((started) =>
      concat(
        of(true),
        timer(Math.max(0, started + renewDeadlineMs - scheduler.now()), scheduler).pipe(map(() => false)),
      ),
    ),
    distinctUntilChanged(),
  );
}

/** Options of {@link shardMembers}. */
export interface ShardMembersOptions {
  /** Namespace of the Leases. */
  readonly namespace: string;
  /** Scheduler for the clock and the expiry timers. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Overrides the Leases' own `leaseDurationSeconds` when judging liveness. */
  readonly leaseDurationMs?: number;
}

/**
 * A shard's state from its Lease times (timebertt's states, without the sharder's takeover
 * attempt): `ready` until `renewTime + duration`; `expired` for one more duration (a replica that
 * stopped or lost its connection; its objects are already reassigned); `dead` after that, or when
 * the Lease was never renewed. Only ready members are on the ring.
 */
export type ShardState = 'ready' | 'expired' | 'dead';

/** The {@link ShardState} of a membership Lease at `now` (scheduler ms). */
export function shardState(lease: DeepReadonly<V1Lease>, now: number, leaseDurationMs?: number): ShardState {
  const expiry = leaseExpiry(lease, leaseDurationMs);
  if (expiry === undefined || Number.isNaN(expiry)) return 'dead';
  if (now < expiry) return 'ready';
  const duration = leaseDurationMs ?? (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  return now < expiry + duration ? 'expired' : 'dead';
}

/** When a membership Lease expires (scheduler ms), or `undefined` when it has no renewal. */
export function leaseExpiry(lease: DeepReadonly<V1Lease>, leaseDurationMs?: number): number | undefined {
  const renewed = lease.spec?.renewTime as unknown as string | undefined;
  if (renewed === undefined) return undefined;
  const duration = leaseDurationMs ?? (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
  return Date.parse(renewed) + duration;
}

/**
 * The live members of `ring` (sorted identities), emitted on every change: a Lease added,
 * renewed or deleted, or one expiring (a timer fires at the earliest expiry).
 */
export function shardMembers(
  client: KubeClient,
  ring: string,
  options: ShardMembersOptions,
): Observable<string[]> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const leases = informer(client, resources.leases, {
    namespace: options.namespace,
    labelSelector: `${RING_LABEL}=${ring}`,
    scheduler,
  });
  return leases.store$.pipe(
    switchMap((snapshot) => {
      const expiries = snapshot
        .list()
        .map((l) => [l.metadata?.name ?? '', leaseExpiry(l, options.leaseDurationMs)] as const);
      const liveAt = (): Observable<string[]> =>
        defer(() => {
          const now = scheduler.now();
          const live = expiries.filter(([, at]) => at !== undefined && at > now);
          const next = Math.min(...live.map(([, at]) => at as number));
          const names = live.map(([name]) => name).sort();
          return Number.isFinite(next)
            ? concat(of(names), timer(next - now, scheduler).pipe(switchMap(liveAt)))
            : of(names);
        });
      return liveAt();
    }),
    map((names) => names.join('\n')),
    distinctUntilChanged(),
    map((joined) => (joined === '' ? [] : joined.split('\n'))),
  );
}
