/**
 * `prometheusShardingMetrics` fed by a ring on the fake cluster in virtual time, read back from a
 * prom-client Registry: objects per shard and unassigned match the API server's labels, a join
 * counts its drained moves (each with a drain duration), a crash counts its reassigned objects
 * (without a drain) and leaves the dead shard at 0.
 */
import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { prometheusShardingMetrics } from '../../src/runtime/sharding/shardingMetrics.js';
import { createRing, NAMESPACE, RING, type Ring } from './shardingHarness.js';

async function converge(ring: Ring) {
  for (let t = 0; t < 120_000; t += 500) {
    await ring.clock.advanceBy(500);
    if (await ring.settled()) return;
  }
  throw new Error('not converged');
}

/** Every series but histogram buckets, as `name{k=v,...}` -> value. */
async function scrape(registry: prom.Registry) {
  const series = new Map<string, number>();
  for (const metric of await registry.getMetricsAsJSON())
    for (const value of metric.values) {
      if ('le' in value.labels) continue;
      const labels = Object.entries(value.labels)
        .map(([key, v]) => `${key}=${v}`)
        .join(',');
      const name = (value as { metricName?: string }).metricName ?? metric.name;
      series.set(`${name}{${labels}}`, value.value);
    }
  return series;
}

function perShard(assignment: Map<string, { shard: string | undefined }>) {
  const counts: Record<string, number> = {};
  for (const { shard } of assignment.values()) counts[shard ?? ''] = (counts[shard ?? ''] ?? 0) + 1;
  return counts;
}

function moved(
  before: Map<string, { shard: string | undefined }>,
  after: Map<string, { shard: string | undefined }>,
) {
  let count = 0;
  for (const [key, { shard }] of after) if (before.get(key)?.shard !== shard) count++;
  return count;
}

describe('prometheusShardingMetrics', () => {
  it('reports objects per shard, unassigned, moves and drain durations', async () => {
    const registry = new prom.Registry();
    const ring = await createRing(300, 20, false, prometheusShardingMetrics(prom, { registry }));
    ring.start('r1');
    ring.start('r2');
    await converge(ring);
    await ring.clock.advanceBy(6_000);
    const two = await ring.assignment();
    const first = await scrape(registry);
    expect(first.get(`kube_rx_shard_objects{ring=${RING},shard=r1}`)).toBe(perShard(two).r1);
    expect(first.get(`kube_rx_shard_objects{ring=${RING},shard=r2}`)).toBe(perShard(two).r2);
    expect(first.get(`kube_rx_shard_unassigned_objects{ring=${RING}}`)).toBe(0);

    ring.start('r3');
    await converge(ring);
    await ring.clock.advanceBy(6_000);
    const three = await ring.assignment();
    const joined = await scrape(registry);
    const drained = moved(two, three);
    expect(drained).toBeGreaterThan(50);
    const rebalances = `kube_rx_shard_rebalances_total{ring=${RING}}`;
    expect((joined.get(rebalances) ?? 0) - (first.get(rebalances) ?? 0)).toBe(drained);
    const drainCount = `kube_rx_shard_drain_duration_seconds_count{ring=${RING}}`;
    expect((joined.get(drainCount) ?? 0) - (first.get(drainCount) ?? 0)).toBe(drained);
    expect(joined.get(`kube_rx_shard_drain_duration_seconds_sum{ring=${RING}}`)).toBeGreaterThan(0);
    for (const shard of ['r1', 'r2', 'r3'])
      expect(joined.get(`kube_rx_shard_objects{ring=${RING},shard=${shard}}`)).toBe(perShard(three)[shard]);

    // Crash a replica that is not the sharder: its objects move without a drain.
    const sharderLease = await ring.client.get(resources.leases, `${RING}-sharder`, { namespace: NAMESPACE });
    const victim = ['r1', 'r2', 'r3'].find((id) => id !== sharderLease.spec?.holderIdentity) as string;
    ring.crash(victim);
    await converge(ring);
    await ring.clock.advanceBy(6_000);
    const after = await ring.assignment();
    const crashed = await scrape(registry);
    expect((crashed.get(rebalances) ?? 0) - (joined.get(rebalances) ?? 0)).toBe(moved(three, after));
    expect(crashed.get(drainCount)).toBe(joined.get(drainCount));
    expect(crashed.get(`kube_rx_shard_objects{ring=${RING},shard=${victim}}`)).toBe(0);
    for (const shard of ring.running())
      expect(crashed.get(`kube_rx_shard_objects{ring=${RING},shard=${shard}}`)).toBe(perShard(after)[shard]);
    expect(crashed.get(`kube_rx_shard_unassigned_objects{ring=${RING}}`)).toBe(0);
    expect(ring.violations).toEqual([]);
    for (const id of ring.running()) ring.crash(id);
  }, 60_000);
});
