/**
 * Sharding metrics for Prometheus, from the sharder's view (only the replica that is the sharder
 * reports them, as only it sees the whole ring): objects per shard and unassigned at each pass,
 * objects moved between shards, and how long a handover's drain took. They answer the questions a
 * sharded controller's on-call asks: is the load even, is the ring churning, does a drain hang.
 */
import type {
  PromClientModule,
  PrometheusRegistryOptions,
  PromRegistry,
} from '../../workqueue/promClientShape.js';
import { family } from '../../workqueue/promFamily.js';
import type { ShardAssign, SharderPass } from './sharder.js';

/** What a sharder tells its metrics; `shardedController`'s `shardingMetrics` option wires both. */
export interface ShardingMetrics {
  /** One pass's counts (the sharder's `onPass`). */
  pass(ring: string, pass: SharderPass): void;
  /** One shard label written (the sharder's `onAssign`). */
  assigned(ring: string, assign: ShardAssign): void;
}

/** Drain durations: a reconcile in flight ends within seconds, a hung one shows up past a minute. */
const DRAIN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * {@link ShardingMetrics} backed by prom-client: `kube_rx_shard_objects{ring,shard}`,
 * `kube_rx_shard_unassigned_objects{ring}`, `kube_rx_shard_rebalances_total{ring}` and
 * `kube_rx_shard_drain_duration_seconds{ring}`.
 *
 * @example
 * ```ts
 * import * as prom from 'prom-client';
 * shardedController({ ...options, shardingMetrics: prometheusShardingMetrics(prom, { registry }) });
 * ```
 */
export function prometheusShardingMetrics<R extends PromRegistry>(
  prom: PromClientModule<R>,
  options: PrometheusRegistryOptions<R> = {},
): ShardingMetrics {
  const registry = options.registry ?? prom.register;
  const gauge = (name: string, help: string, labelNames: string[]) =>
    family(registry, name, () => new prom.Gauge({ name, help, labelNames, registers: [registry] }));
  const objects = gauge(
    'kube_rx_shard_objects',
    'Objects labelled with each live shard, at the last sharder pass.',
    ['ring', 'shard'],
  );
  const unassigned = gauge(
    'kube_rx_shard_unassigned_objects',
    'Objects without a live shard (new, unlabelled, or of a dead member), at the last sharder pass.',
    ['ring'],
  );
  const rebalances = family(
    registry,
    'kube_rx_shard_rebalances_total',
    () =>
      new prom.Counter({
        name: 'kube_rx_shard_rebalances_total',
        help: 'Objects moved to another shard (after a drain, or off a dead member).',
        labelNames: ['ring'],
        registers: [registry],
      }),
  );
  const drains = family(
    registry,
    'kube_rx_shard_drain_duration_seconds',
    () =>
      new prom.Histogram({
        name: 'kube_rx_shard_drain_duration_seconds',
        help: 'From setting the drain label to setting the new shard label.',
        labelNames: ['ring'],
        buckets: DRAIN_BUCKETS,
        registers: [registry],
      }),
  );
  // A shard that left the ring is set to 0 rather than left at its last count.
  const shown = new Map<string, Set<string>>();
  return {
    pass(ring, pass) {
      const before = shown.get(ring) ?? new Set<string>();
      const now = new Set([...pass.members, ...Object.keys(pass.perShard)]);
      for (const shard of before) if (!now.has(shard)) objects.set({ ring, shard }, 0);
      for (const shard of now) objects.set({ ring, shard }, pass.perShard[shard] ?? 0);
      shown.set(ring, now);
      unassigned.set({ ring }, pass.unassigned);
    },
    assigned(ring, assign) {
      if (assign.moved) rebalances.inc({ ring });
      if (assign.drainMs !== undefined) drains.observe({ ring }, assign.drainMs / 1000);
    },
  };
}
