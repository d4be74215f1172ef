/**
 * Owned objects follow their owner's shard: 300 ConfigMaps each controlling a Secret, on 3 then
 * 4 replicas; every Secret carries the shard label of its owner, before and after the rebalance.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { createRing, NAMESPACE, type Ring, SHARD } from './shardingHarness.js';

async function secretShards(ring: Ring): Promise<Map<string, string | undefined>> {
  let answered = false;
  const pending = firstValueFrom(from(ring.client.list(resources.secrets, { namespace: NAMESPACE }))).finally(
    () => {
      answered = true;
    },
  );
  await ring.clock.advanceUntil(() => answered, 1_000);
  const list = await pending;
  return new Map(
    (list.items as V1Secret[]).map((s) => [`${NAMESPACE}/${s.metadata?.name}`, s.metadata?.labels?.[SHARD]]),
  );
}

async function followOwners(ring: Ring): Promise<boolean> {
  if (!(await ring.settled())) return false;
  const owners = await ring.assignment();
  for (const [key, shard] of await secretShards(ring)) if (owners.get(key)?.shard !== shard) return false;
  return true;
}

async function converge(ring: Ring) {
  let done = false;
  for (let t = 0; t < 60_000 && !done; t += 1_000) {
    await ring.clock.advanceBy(1_000);
    done = await followOwners(ring);
  }
  expect(done).toBe(true);
}

describe('shardedController owns', () => {
  it('puts each controlled Secret on its owner ConfigMap shard, also after a join', async () => {
    const ring = await createRing(300, 20, true);
    for (const id of ['r1', 'r2', 'r3']) ring.start(id);
    await converge(ring);
    ring.start('r4');
    await converge(ring);
    expect(ring.violations).toEqual([]);
    for (const id of ring.running()) ring.crash(id);
  }, 60_000);
});
