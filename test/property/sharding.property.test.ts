/**
 * Random joins, crashes and restarts of up to five replicas on a ring of 200 objects, in virtual
 * time: at no instant do two replicas reconcile the same key, no replica caches another shard's
 * object, and once the churn stops every object ends on its ring owner among the running replicas.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRing, LEASE_DURATION, PASS_INTERVAL } from '../integration/shardingHarness.js';

const IDS = ['r1', 'r2', 'r3', 'r4', 'r5'] as const;
const step = fc.record({
  kind: fc.constantFrom('start', 'crash', 'restart'),
  id: fc.constantFrom(...IDS),
  waitMs: fc.integer({ min: 0, max: 20_000 }),
});

describe('shardedController (property)', () => {
  it('never reconciles a key on two replicas at once, and converges after churn', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const ring = await createRing(200, 300);
        ring.start('r1');
        for (const { kind, id, waitMs } of steps) {
          if (kind !== 'start') ring.crash(id);
          if (kind !== 'crash') ring.start(id);
          await ring.clock.advanceBy(waitMs);
        }
        if (ring.running().length === 0) ring.start('r1');
        let settled = false;
        for (let t = 0; t < 3 * LEASE_DURATION && !settled; t += PASS_INTERVAL) {
          await ring.clock.advanceBy(PASS_INTERVAL);
          settled = await ring.settled();
        }
        for (const id of ring.running()) ring.crash(id);
        expect(ring.violations).toEqual([]);
        expect(settled).toBe(true);
      }),
      { numRuns: 100 },
    );
  }, 300_000);
});
