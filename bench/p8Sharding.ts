/**
 * P8 sharding (issue 18): per-replica memory and reconcile throughput of `shardedController` at
 * 1, 2 and 3 replicas on the same ConfigMaps, in one process on the in-memory fake cluster (real
 * time). Each reconcile waits 2 ms (an API call's latency, not CPU), 10 at once per replica, so
 * throughput is bounded by reconciles in flight and should grow with the replicas.
 *
 * Per point: the time from the replicas' start until every object was reconciled once (the
 * sharder's labelling included), the objects each shard caches, and the heap the replicas added
 * (after a forced GC), whole and shared out per replica by cached objects. The sharder's own
 * informer holds every object: that replica carries a full cache on top of its shard.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { resources, shardedController } from '../src/index.js';
import { createFakeCluster } from '../src/testing/index.js';
import { emitResult } from './lib/child.js';
import { fmt, heapUsed, scale } from './lib/harness.js';

/** One replica count's measurements. */
export interface P8Point {
  readonly replicas: number;
  /** Start to every object reconciled once. */
  readonly ms: number;
  readonly reconcilesPerSec: number;
  /** Objects in each shard's cache at the end. */
  readonly cached: readonly number[];
  /** Heap the replicas added, all of them (one process: shard caches plus the sharder's). */
  readonly heapBytes: number;
  /**
   * Each replica's shard, estimated from the heap shared out by cached objects (every shard cache
   * plus the sharder's full one); the replica that is the sharder adds `sharderBytes`.
   */
  readonly shardBytes: readonly number[];
  readonly sharderBytes: number;
}

export interface P8Result {
  readonly objects: number;
  readonly reconcileMs: number;
  readonly concurrency: number;
  readonly points: readonly P8Point[];
}

const OBJECTS = scale(20_000, 5_000);
const RECONCILE_MS = 2;
const CONCURRENCY = 10;
const NAMESPACE = 'bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function point(replicas: number): Promise<P8Point> {
  const cluster = createFakeCluster();
  const client = cluster.client;
  for (let i = 0; i < OBJECTS; i += 500)
    await Promise.all(
      Array.from({ length: Math.min(500, OBJECTS - i) }, (_, j) =>
        client.create(
          resources.configMaps,
          { metadata: { name: `object-${i + j}`, namespace: NAMESPACE }, data: { i: String(i + j) } },
          { namespace: NAMESPACE },
        ),
      ),
    );
  const before = heapUsed();
  const seen = new Set<string>();
  const sizes = new Map<string, number>();
  const started = performance.now();
  const subscriptions: Subscription[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => {
    done = r;
  });
  for (let n = 0; n < replicas; n++) {
    const identity = `r${n + 1}`;
    subscriptions.push(
      shardedController<V1ConfigMap>({
        ring: 'bench',
        client,
        identity,
        for: resources.configMaps,
        namespace: NAMESPACE,
        leaseNamespace: NAMESPACE,
        renewPeriodMs: 500,
        passIntervalMs: 200,
        concurrency: CONCURRENCY,
        reconcile: async (key, snapshot) => {
          sizes.set(identity, snapshot.size);
          await sleep(RECONCILE_MS);
          seen.add(key);
          if (seen.size === OBJECTS) done();
        },
      }).subscribe(),
    );
  }
  await all;
  const ms = performance.now() - started;
  const heapBytes = heapUsed() - before;
  for (const s of subscriptions) s.unsubscribe();
  const cached = [...sizes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, size]) => size);
  const perObject = heapBytes / (cached.reduce((a, b) => a + b, 0) + OBJECTS);
  const shardBytes = cached.map((n) => n * perObject);
  console.error(
    `P8: ${replicas} replica(s): ${fmt(ms)} ms, ${fmt((OBJECTS * 1000) / ms)} reconciles/s, caches ${cached.join('/')}, heap +${fmt(heapBytes / 1e6, 1)} MB (shards ${shardBytes.map((b) => fmt(b / 1e6, 1)).join('/')} MB, sharder ${fmt((OBJECTS * perObject) / 1e6, 1)} MB)`,
  );
  return {
    replicas,
    ms,
    reconcilesPerSec: (OBJECTS * 1000) / ms,
    cached,
    heapBytes,
    shardBytes,
    sharderBytes: OBJECTS * perObject,
  };
}

async function main(): Promise<void> {
  const points: P8Point[] = [];
  for (const replicas of [1, 2, 3]) points.push(await point(replicas));
  emitResult({
    objects: OBJECTS,
    reconcileMs: RECONCILE_MS,
    concurrency: CONCURRENCY,
    points,
  } satisfies P8Result);
  process.exit(0);
}

await main();
