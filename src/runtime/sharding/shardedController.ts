/**
 * `shardedController`: one replica of a controller whose objects are split between replicas by
 * a consistent-hash ring (timebertt/kubernetes-controller-sharding's design, on Leases and labels
 * only). Subscribing one per process runs three things:
 *
 * - the membership Lease (`sharding.kube-rx.io/ring=<ring>`, named after `identity`);
 * - a campaign for the ring's sharder (the existing `leaderElection` on the Lease
 *   `<ring>-sharder`); the winner labels every object `shard.kube-rx.io/<ring>=<member>`;
 * - this shard's controller: its informer selects `shard.kube-rx.io/<ring>=<identity>`, so it
 *   caches, watches and reconciles only its shard; it skips keys marked
 *   `drain.kube-rx.io/<ring>` and acknowledges the drain once their reconcile ended.
 */
import {
  asyncScheduler,
  EMPTY,
  finalize,
  merge,
  type Observable,
  type SchedulerLike,
  switchMap,
  tap,
} from 'rxjs';
import type { KubeClient } from '../../core/client.js';
import type { KubeObject } from '../../core/objects.js';
import type { ResourceType } from '../../core/resources.js';
import type { Snapshot } from '../../store/snapshot.js';
import type { Reconcile, WorkQueueOptions, WorkResult } from '../../workqueue/workQueue.js';
import { type ControllerReconcileContext, controller } from '../controller.js';
import { informer } from '../informer.js';
import { leaderElection } from '../leaderElection.js';
import type { Probes } from '../probes.js';
import { shardLabel } from './labels.js';
import { membershipLease, shardMembers } from './membership.js';
import { type SharderPass, sharder } from './sharder.js';
import { ShardHandover } from './shardHandover.js';
import type { ShardingMetrics } from './shardingMetrics.js';
import { shardMembershipReadiness } from './shardReadiness.js';

/** Options of {@link shardedController}. */
export interface ShardedControllerOptions<T extends KubeObject> extends WorkQueueOptions {
  /** The ring's name: a label value and part of label keys (a DNS label). */
  readonly ring: string;
  /** The API connection of this replica. */
  readonly client: KubeClient;
  /** This replica's identity, unique in the ring (e.g. the pod name). */
  readonly identity: string;
  /** The ring's resource; its objects are sharded. */
  readonly for: ResourceType<T>;
  /**
   * Resources of dependents: an object with a controller owner reference to an object of the ring
   * follows it onto its shard, and an event on it wakes its owner (controller-runtime `Owns`).
   */
  readonly owns?: readonly ResourceType<KubeObject>[];
  /** Shard only the objects (and dependents) of this namespace. Default: every namespace. */
  readonly namespace?: string;
  /** Namespace of the membership and sharder Leases. */
  readonly leaseNamespace: string;
  /** Reconciles one key of this shard (as `controller`'s reconcile). */
  readonly reconcile: (
    key: string,
    snapshot: Snapshot<T>,
    context: ControllerReconcileContext,
  ) => ReturnType<Reconcile>;
  /** Membership and sharder Lease duration. Default 15 000 ms. */
  readonly leaseDurationMs?: number;
  /** Membership renewal and sharder election retry period. Default 2 000 ms. */
  readonly renewPeriodMs?: number;
  /** Least time between two sharder passes. Default 1 000 ms. */
  readonly passIntervalMs?: number;
  /** Virtual nodes per member. Default 100. */
  readonly virtualNodes?: number;
  /** Scheduler of every timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Told each sharder pass's counts while this replica is the sharder (see {@link SharderPass}). */
  readonly onPass?: (pass: SharderPass) => void;
  /** Sharding metrics, reported while this replica is the sharder (`prometheusShardingMetrics`). */
  readonly shardingMetrics?: ShardingMetrics;
  /**
   * Probes to add the readiness check `shard-membership-<ring>` to (a manager's `mgr.probes`):
   * it passes only while this replica's membership Lease is held.
   */
  readonly probes?: Pick<Probes, 'add'>;
  /** Receives the Lease and label write errors (they are retried). */
  readonly onError?: (error: Error) => void;
}

/** Runs one replica of a sharded controller while subscribed; emits this shard's work results. */
export function shardedController<T extends KubeObject>(
  options: ShardedControllerOptions<T>,
): Observable<WorkResult> {
  const { ring, client, identity, leaseNamespace: namespace } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewPeriodMs = options.renewPeriodMs ?? 2_000;
  const scope = { scheduler, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) };
  const handover = new ShardHandover(ring, identity, scheduler, options.onError);
  const owns = options.owns ?? [];
  const readiness = shardMembershipReadiness(ring, identity);
  options.probes?.add('readyz', `shard-membership-${ring}`, readiness.check);

  const membership = membershipLease(client, {
    ring,
    identity,
    namespace,
    leaseDurationMs,
    renewPeriodMs,
    scheduler,
    ...(options.onError ? { onError: options.onError } : {}),
  });

  const sharding = leaderElection(client, {
    namespace,
    name: `${ring}-sharder`,
    identity,
    leaseDurationMs,
    renewDeadlineMs: Math.round((leaseDurationMs * 2) / 3),
    retryPeriodMs: renewPeriodMs,
    scheduler,
    ...(options.onError ? { onError: options.onError } : {}),
  }).pipe(
    switchMap((leading) =>
      leading
        ? sharder(client, {
            ring,
            // Metadata only: the sharder reads names, labels and owner references, never specs,
            // so its cache of every object in the ring costs a fraction of a full one.
            objects: informer(client, options.for, { ...scope, metadataOnly: true }),
            controlled: owns.map((resource) => informer(client, resource, { ...scope, metadataOnly: true })),
            members: shardMembers(client, ring, { namespace, scheduler }),
            scheduler,
            ...(options.passIntervalMs === undefined ? {} : { passIntervalMs: options.passIntervalMs }),
            ...(options.virtualNodes === undefined ? {} : { virtualNodes: options.virtualNodes }),
            ...(options.onError ? { onError: options.onError } : {}),
            onPass: (pass) => {
              options.shardingMetrics?.pass(ring, pass);
              options.onPass?.(pass);
            },
            onAssign: (assign) => options.shardingMetrics?.assigned(ring, assign),
          })
        : EMPTY,
    ),
  );

  const selector = { ...scope, labelSelector: `${shardLabel(ring)}=${identity}` };
  const mine = informer(client, options.for, selector);
  const {
    ring: _r,
    client: _c,
    identity: _i,
    for: _f,
    leaseNamespace: _n,
    owns: _o,
    onPass: _p,
    shardingMetrics: _m,
    probes: _pr,
    namespace: _ns,
    reconcile,
    ...queueOptions
  } = options;
  const work = controller<T>({
    ...queueOptions,
    scheduler,
    for: mine,
    owns: owns.map((resource) => informer(client, resource, selector)),
    reconcile: (key, snapshot, context) =>
      handover.mayReconcile(key, snapshot.get(key) as KubeObject | undefined)
        ? handover.track(key, () => reconcile(key, snapshot, context))
        : undefined,
  });

  // The shard works only while its membership is held: renewals failing for renewDeadline stop it
  // before the sharder may give its objects to others. The acknowledger subscribes first, so it
  // sees an object's return before the controller does.
  const shardWork = merge(handover.acknowledge(client, options.for, mine.events$ as never), work);
  return merge(
    membership.pipe(
      tap((held) => readiness.observe(held)),
      finalize(() => readiness.stopped()),
      switchMap((held) => (held ? shardWork : EMPTY)),
    ),
    sharding,
  ) as Observable<WorkResult>;
}
