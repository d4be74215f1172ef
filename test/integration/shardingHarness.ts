/**
 * A sharded ring on the fake cluster in virtual time, for the sharding tests: replicas that can
 * join, crash and restart, an auditing reconcile that records any instant at which two replicas
 * reconcile the same key (or a replica caches an object of another shard), and readers of the
 * assignment as the API server holds it.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { firstValueFrom, from, type Subscription } from 'rxjs';
import type { KubeClient } from '../../src/core/client.js';
import { resources } from '../../src/core/resources.js';
import { drainLabel, shardLabel } from '../../src/runtime/sharding/labels.js';
import { hashRing } from '../../src/runtime/sharding/ring.js';
import { shardedController } from '../../src/runtime/sharding/shardedController.js';
import type { SharderPass } from '../../src/runtime/sharding/sharder.js';
import type { ShardingMetrics } from '../../src/runtime/sharding/shardingMetrics.js';
import {
  createFakeCluster,
  type FakeCluster,
  type VirtualClock,
  virtualClock,
} from '../../src/testing/index.js';

export const RING = 'demo';
export const NAMESPACE = 'default';
export const LEASE_DURATION = 15_000;
export const PASS_INTERVAL = 1_000;
export const SHARD = shardLabel(RING);
export const DRAIN = drainLabel(RING);

export interface Ring {
  readonly clock: VirtualClock;
  readonly cluster: FakeCluster;
  readonly client: KubeClient;
  /** Audit failures: two replicas on one key, or a foreign object in a shard's cache. */
  readonly violations: string[];
  /** Every sharder pass, whichever replica ran it. */
  readonly passes: SharderPass[];
  /** Reconciles started, per replica. */
  readonly reconciles: Map<string, number>;
  /** Replicas running now. */
  running(): string[];
  start(identity: string): void;
  /** The process dies: its subscriptions end and its reconciles stop at this instant. */
  crash(identity: string): void;
  /** key -> shard label (or undefined) and whether the drain label is set, from the API server. */
  assignment(): Promise<Map<string, { shard: string | undefined; draining: boolean }>>;
  /**
   * Every object has exactly one shard label, that of its owner on the ring of the running
   * replicas, and none is draining.
   */
  settled(): Promise<boolean>;
}

/** A ring over `objects` ConfigMaps; with `owned`, each controls a Secret of the same name. */
export async function createRing(
  objects: number,
  reconcileMs = 20,
  owned = false,
  shardingMetrics?: ShardingMetrics,
): Promise<Ring> {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler });
  const client = cluster.client;
  for (let i = 0; i < objects; i++) {
    const name = `object-${i}`;
    const created = await client.create(
      resources.configMaps,
      { metadata: { name, namespace: NAMESPACE }, data: { i: String(i) } },
      { namespace: NAMESPACE },
    );
    if (!owned) continue;
    const owner = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name,
      uid: created.metadata?.uid ?? '',
      controller: true,
    };
    await client.create(
      resources.secrets,
      { metadata: { name, namespace: NAMESPACE, ownerReferences: [owner] } },
      { namespace: NAMESPACE },
    );
  }

  const violations: string[] = [];
  const reconciles = new Map<string, number>();
  const passes: SharderPass[] = [];
  /** key -> the replica reconciling it and a token of that reconcile. */
  const inFlight = new Map<string, { identity: string; token: object }>();
  const replicas = new Map<string, Subscription>();

  const start = (identity: string) => {
    if (replicas.has(identity)) return;
    const subscription = shardedController<V1ConfigMap>({
      ring: RING,
      client,
      identity,
      for: resources.configMaps,
      leaseNamespace: NAMESPACE,
      ...(owned ? { owns: [resources.secrets] } : {}),
      leaseDurationMs: LEASE_DURATION,
      passIntervalMs: PASS_INTERVAL,
      scheduler: clock.scheduler,
      concurrency: 10,
      onPass: (pass) => passes.push(pass),
      ...(shardingMetrics ? { shardingMetrics } : {}),
      onError: (error) => violations.push(`${identity}: ${error.message}`),
      reconcile: async (key, snapshot, context) => {
        const cached = snapshot.get(key);
        if (cached && cached.metadata?.labels?.[SHARD] !== identity)
          violations.push(`${clock.now()}: ${identity} caches ${key} of ${cached.metadata?.labels?.[SHARD]}`);
        const other = inFlight.get(key);
        if (other && other.identity !== identity)
          violations.push(`${clock.now()}: ${key} reconciled by ${other.identity} and ${identity}`);
        const token = {};
        inFlight.set(key, { identity, token });
        reconciles.set(identity, (reconciles.get(identity) ?? 0) + 1);
        await new Promise<void>((resolve) => {
          const timer = clock.scheduler.schedule(() => resolve(), reconcileMs);
          context.signal.addEventListener('abort', () => {
            timer.unsubscribe();
            resolve();
          });
        });
        if (inFlight.get(key)?.token === token) inFlight.delete(key);
      },
    }).subscribe({ error: (error: Error) => violations.push(`${identity} failed: ${error.message}`) });
    replicas.set(identity, subscription);
  };

  const crash = (identity: string) => {
    replicas.get(identity)?.unsubscribe();
    replicas.delete(identity);
    for (const [key, entry] of inFlight) if (entry.identity === identity) inFlight.delete(key);
  };

  const assignment = async () => {
    // The fake cluster answers a list on its scheduler: run the clock until it has.
    let answered = false;
    const pending = firstValueFrom(from(client.list(resources.configMaps, { namespace: NAMESPACE }))).finally(
      () => {
        answered = true;
      },
    );
    await clock.advanceUntil(() => answered, 1_000);
    const list = await pending;
    const result = new Map<string, { shard: string | undefined; draining: boolean }>();
    for (const item of list.items as V1ConfigMap[]) {
      const labels = item.metadata?.labels ?? {};
      result.set(`${NAMESPACE}/${item.metadata?.name}`, { shard: labels[SHARD], draining: DRAIN in labels });
    }
    return result;
  };

  const settled = async () => {
    const live = new Set(replicas.keys());
    const ring = hashRing(live);
    for (const [key, { shard, draining }] of await assignment())
      if (draining || shard === undefined || !live.has(shard) || ring.ownerOf(key) !== shard) return false;
    return true;
  };

  return {
    clock,
    cluster,
    client,
    violations,
    reconciles,
    passes,
    running: () => [...replicas.keys()],
    start,
    crash,
    assignment,
    settled,
  };
}
