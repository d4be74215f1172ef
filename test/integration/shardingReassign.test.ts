/**
 * The sharder's watch in virtual time: new objects, and objects whose shard label was removed by
 * hand, are (re)assigned within one sharder pass of the change.
 */
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { createRing, NAMESPACE, PASS_INTERVAL, type Ring, SHARD } from './shardingHarness.js';

async function settleWithin(ring: Ring, limitMs: number): Promise<number> {
  const from = ring.clock.now();
  for (let t = 0; t <= limitMs; t += 100) {
    if (await ring.settled()) return ring.clock.now() - from;
    await ring.clock.advanceBy(100);
  }
  throw new Error(`not settled within ${limitMs} ms`);
}

describe('sharder', () => {
  it('assigns new objects and reassigns hand-unlabelled ones within one pass', async () => {
    const ring = await createRing(300);
    for (const id of ['r1', 'r2', 'r3']) ring.start(id);
    await settleWithin(ring, 30_000);
    await ring.clock.advanceBy(5_000);

    for (let i = 0; i < 10; i++) {
      await ring.client.patch(
        resources.configMaps,
        `object-${i}`,
        { metadata: { labels: { [SHARD]: null } } },
        'merge',
        { namespace: NAMESPACE },
      );
      await ring.client.create(
        resources.configMaps,
        { metadata: { name: `late-${i}`, namespace: NAMESPACE } },
        { namespace: NAMESPACE },
      );
    }
    expect(await ring.settled()).toBe(false);
    // The time the settled() reads take is included: a bound, not an exact figure.
    expect(await settleWithin(ring, 10_000)).toBeLessThanOrEqual(PASS_INTERVAL + 500);
    expect(ring.violations).toEqual([]);
    // The sharder's own view: a pass saw the 20 unassigned objects, and the latest sees none.
    expect(ring.passes.some((p) => p.unassigned === 20 && p.assigns === 20)).toBe(true);
    await ring.clock.advanceBy(PASS_INTERVAL * 6);
    const last = ring.passes.at(-1);
    expect(last?.unassigned).toBe(0);
    expect(Object.values(last?.perShard ?? {}).reduce((a, b) => a + b, 0)).toBe(310);
    expect(last?.members).toEqual(['r1', 'r2', 'r3']);
    for (const id of ring.running()) ring.crash(id);
  }, 60_000);
});
