/**
 * Readiness reflects membership: a sharded controller given a manager's probes adds
 * `shard-membership-<ring>` to its `/readyz`, which fails before the first renewal, passes while
 * the membership Lease is held, fails once renewals have failed for the renew deadline, passes
 * again after a renewal, and fails after the shard stopped. Virtual time, fake cluster.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/core/client.js';
import { statusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { manager } from '../../src/runtime/manager.js';
import { shardedController } from '../../src/runtime/sharding/shardedController.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

describe('shard-membership readiness', () => {
  it('is ready only while the membership Lease is held', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    const inner = cluster.client;
    let renewalsFail = false;
    // The cluster's client, but this replica's membership renewals fail while renewalsFail.
    const client: KubeClient = Object.create(inner);
    client.patch = (resource, name, body, type, options) =>
      renewalsFail && resource.kind === 'Lease' && name === 'r1'
        ? Promise.reject(statusError(503, 'the API server is shutting down'))
        : inner.patch(resource, name, body, type, options);
    const mgr = manager({ client, scheduler: clock.scheduler });
    const shard = shardedController<V1ConfigMap>({
      ring: 'demo',
      client,
      identity: 'r1',
      for: resources.configMaps,
      leaseNamespace: 'default',
      leaseDurationMs: 15_000,
      scheduler: clock.scheduler,
      probes: mgr.probes,
      onError: () => undefined,
      reconcile: () => undefined,
    });
    const ready = async () => (await mgr.probes.answerUrl('/readyz/shard-membership-demo'))?.status;
    expect(mgr.probes.names('readyz')).toContain('shard-membership-demo');

    expect(await ready()).toBe(500);
    const subscription = shard.subscribe();
    expect(await ready()).toBe(500);
    const body = (await mgr.probes.answerUrl('/readyz?verbose'))?.body;
    expect(body).toContain('[-]shard-membership-demo failed: membership Lease of r1 in ring demo not held');

    await clock.advanceBy(1_000);
    expect(await ready()).toBe(200);
    await clock.advanceBy(9_000);
    expect(await ready()).toBe(200);

    // Renewals fail: unready within the renew deadline (2/3 of 15 s).
    const failedFrom = clock.now();
    renewalsFail = true;
    let lostAt: number | undefined;
    for (let t = 0; t < 12_000 && lostAt === undefined; t += 500) {
      await clock.advanceBy(500);
      if ((await ready()) === 500) lostAt = clock.now();
    }
    expect(lostAt).toBeDefined();
    expect((lostAt as number) - failedFrom).toBeLessThanOrEqual(10_500);
    expect((await mgr.probes.answerUrl('/readyz/shard-membership-demo'))?.body).toContain('renewals failing');

    // Renewals succeed again: the next one makes it ready.
    renewalsFail = false;
    await clock.advanceBy(2_500);
    expect(await ready()).toBe(200);

    subscription.unsubscribe();
    expect(await ready()).toBe(500);
  });
});
