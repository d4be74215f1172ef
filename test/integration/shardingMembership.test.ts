/**
 * The membership Lease on the fake cluster in virtual time: held while renewals succeed, lost
 * within renewDeadline once they fail (before the Lease's expiry as others judge it), held again
 * after a renewal; `shardMembers` drops the member at its expiry.
 */
import { describe, expect, it } from 'vitest';
import { membershipLease, shardMembers } from '../../src/runtime/sharding/membership.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

describe('membershipLease', () => {
  it('is held while renewed, lost within renewDeadline of failing renewals, and expires for the others', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    const held: [number, boolean][] = [];
    const members: [number, string[]][] = [];
    const options = { ring: 'demo', identity: 'r1', namespace: 'default', scheduler: clock.scheduler };
    const lease = membershipLease(cluster.client, { ...options, leaseDurationMs: 15_000 }).subscribe((h) =>
      held.push([clock.now(), h]),
    );
    const watch = shardMembers(cluster.client, 'demo', {
      namespace: 'default',
      scheduler: clock.scheduler,
    }).subscribe((m) => members.push([clock.now(), m]));
    await clock.advanceBy(10_000);
    expect(held).toEqual([[0, true]]);
    expect(members.at(-1)?.[1]).toEqual(['r1']);

    const failedFrom = clock.now();
    cluster.failNext(1_000, 503);
    await clock.advanceBy(20_000);
    const lost = held.find(([, h]) => !h)?.[0] as number;
    const gone = members.find(([t, m]) => t > failedFrom && m.length === 0)?.[0] as number;
    expect(lost).toBeLessThanOrEqual(failedFrom + 10_000);
    expect(gone).toBeGreaterThan(lost);
    lease.unsubscribe();
    watch.unsubscribe();
  });
});
