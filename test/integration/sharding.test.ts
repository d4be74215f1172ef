/**
 * Sharded controllers on the fake cluster in virtual time: 10,000 ConfigMaps on a ring of 3 to 5
 * replicas. Every object ends up with exactly one live shard; a joining replica takes about 1/N of
 * the objects (through the drain handover); a crashed replica's objects are reassigned within the
 * lease duration plus one sharder pass; no two replicas ever reconcile the same key at once.
 */
import { describe, expect, it } from 'vitest';
import { createRing, LEASE_DURATION, PASS_INTERVAL, type Ring } from './shardingHarness.js';

const OBJECTS = 10_000;

async function converge(ring: Ring, limitMs = 120_000) {
  let done = false;
  const poll = async () => {
    done = await ring.settled();
  };
  // settled() reads the API server (a Promise), so it is polled between virtual seconds.
  for (let t = 0; t < limitMs && !done; t += 500) {
    await ring.clock.advanceBy(500);
    await poll();
  }
  expect(done).toBe(true);
}

function moved(
  before: Map<string, { shard: string | undefined }>,
  after: Map<string, { shard: string | undefined }>,
) {
  let count = 0;
  for (const [key, { shard }] of after) if (before.get(key)?.shard !== shard) count++;
  return count;
}

describe('shardedController (10,000 objects)', () => {
  it('assigns, rebalances on joins and reassigns on a crash, never reconciling a key twice at once', async () => {
    const ring = await createRing(OBJECTS);
    for (const id of ['r1', 'r2', 'r3']) ring.start(id);
    await converge(ring);
    const three = await ring.assignment();
    const counts = new Map<string, number>();
    for (const { shard } of three.values())
      counts.set(shard as string, (counts.get(shard as string) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual(['r1', 'r2', 'r3']);
    for (const n of counts.values()) expect(Math.abs(n - OBJECTS / 3)).toBeLessThan(OBJECTS / 3 / 3);

    ring.start('r4');
    await converge(ring);
    const four = await ring.assignment();
    expect(Math.abs(moved(three, four) / OBJECTS - 1 / 4)).toBeLessThan(0.08);

    ring.start('r5');
    await converge(ring);
    const five = await ring.assignment();
    expect(Math.abs(moved(four, five) / OBJECTS - 1 / 5)).toBeLessThan(0.08);

    const crashedAt = ring.clock.now();
    ring.crash('r2');
    await converge(ring);
    const reassignedWithin = ring.clock.now() - crashedAt;
    expect(reassignedWithin).toBeLessThanOrEqual(LEASE_DURATION + PASS_INTERVAL + 500);
    const four2 = await ring.assignment();
    const fromR2 = [...five].filter(([, v]) => v.shard === 'r2').length;
    expect(moved(five, four2)).toBe(fromR2);

    expect(ring.violations).toEqual([]);
    // The audit saw real work: every replica reconciled its share.
    for (const id of ['r1', 'r2', 'r3', 'r4', 'r5'])
      expect(ring.reconciles.get(id) ?? 0).toBeGreaterThan(1_000);
    for (const id of ring.running()) ring.crash(id);
  }, 120_000);
});
