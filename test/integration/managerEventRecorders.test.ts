/**
 * `manager({ eventRecorders })` in virtual time: on stop, the events the last reconciles queued
 * are written after the drain and before the Lease is released (a successor's events never come
 * first), and a recorder whose flush hangs cannot hold the stop past the drain deadline.
 */
import type { V1ConfigMap, V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventRecorder } from '../../src/api/eventRecorder/eventRecorder.js';
import type { KubeClient } from '../../src/core/client.js';
import { resources } from '../../src/core/resources.js';
import { manager } from '../../src/runtime/manager.js';
import type { StopResult } from '../../src/runtime/shutdown.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

const LEASE = { namespace: 'kube-system', name: 'recorder-operator', identity: 'one' };
const EVENT_WRITE_MS = 2_000;

function world() {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler, bookmarkIntervalMs: 0 });
  const writes: string[] = [];
  const inner = cluster.client;
  const later = <T>(ms: number, run: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      clock.scheduler.schedule(() => run().then(resolve, reject), ms);
    });
  // Event writes take 2 s; every Event and Lease write is logged with its time.
  const client: KubeClient = {
    list: (resource, options, signal) => inner.list(resource, options, signal),
    watch: (resource, options) => inner.watch(resource, options),
    get: (resource, name, options) => inner.get(resource, name, options),
    create: (resource, object, options) => {
      if (resource.kind !== 'Event') return inner.create(resource, object, options);
      return later(EVENT_WRITE_MS, () => {
        writes.push(`${clock.now()} event created`);
        return inner.create(resource, object, options);
      });
    },
    replace: (resource, object, options) => {
      if (resource.kind === 'Lease') {
        const holder = (object as V1Lease).spec?.holderIdentity;
        writes.push(`${clock.now()} lease ${holder ? `held by ${holder}` : 'released'}`);
      }
      return inner.replace(resource, object, options);
    },
    patch: (resource, name, body, type, options) => inner.patch(resource, name, body, type, options),
    delete: (resource, name, options) => inner.delete(resource, name, options),
  };
  return { clock, cluster, client, writes };
}

describe('manager eventRecorders', () => {
  it('flushes the recorders after the drain and before the Lease is released', async () => {
    const w = world();
    await w.cluster.admin.create<V1ConfigMap>(resources.configMaps, {
      metadata: { name: 'a', namespace: 'default' },
    });
    const recorder = eventRecorder(w.client, {
      controller: 'example.com/recorder',
      instance: 'one',
      scheduler: w.clock.scheduler,
    });
    const stop = new AbortController();
    const mgr = manager({
      client: w.client,
      scheduler: w.clock.scheduler,
      leaderElection: LEASE,
      eventRecorders: [recorder],
      signal: stop.signal,
    });
    let reconciled = false;
    mgr.controller('configmap', {
      for: mgr.informers.for(resources.configMaps, { namespace: 'default' }),
      reconcile: (key, snapshot) => {
        const object = snapshot.get(key);
        if (object) recorder.event(object, { type: 'Normal', reason: 'Synced', action: 'Reconcile' });
        reconciled = true;
      },
    });
    let result: StopResult | undefined;
    void mgr.start().then((r) => {
      result = r;
    });
    await w.clock.advanceUntil(() => reconciled, 10_000);
    const stoppedAt = w.clock.now();
    stop.abort(); // the event is still being written
    await w.clock.advanceUntil(() => result !== undefined, 60_000);
    expect(result).toMatchObject({ reason: 'abort', drained: true, heldLease: true, leaseReleased: true });
    const afterStop = w.writes.filter((line) => !line.includes('held by'));
    expect(afterStop).toEqual([
      `${stoppedAt + EVENT_WRITE_MS} event created`,
      expect.stringMatching(/ lease released$/),
    ]);
    expect(Number(afterStop[1]?.split(' ')[0])).toBeGreaterThanOrEqual(stoppedAt + EVENT_WRITE_MS);
    expect(recorder.stats()).toMatchObject({ created: 1, failed: 0 });
  });

  it('stops by the drain deadline when a flush hangs', async () => {
    const w = world();
    const stop = new AbortController();
    const mgr = manager({
      client: w.client,
      scheduler: w.clock.scheduler,
      leaderElection: LEASE,
      drainDeadlineMs: 5_000,
      eventRecorders: [{ flush: () => new Promise<void>(() => undefined) }],
      signal: stop.signal,
    });
    let result: StopResult | undefined;
    let at = 0;
    void mgr.start().then((r) => {
      result = r;
      at = w.clock.now();
    });
    await w.clock.advanceUntil(() => mgr.leading, 10_000);
    const stoppedAt = w.clock.now();
    stop.abort();
    await w.clock.advanceUntil(() => result !== undefined, 60_000);
    expect(result).toMatchObject({ reason: 'abort', drained: true, leaseReleased: true });
    expect(at - stoppedAt).toBeGreaterThanOrEqual(5_000);
    expect(at - stoppedAt).toBeLessThan(6_000);
  });
});
