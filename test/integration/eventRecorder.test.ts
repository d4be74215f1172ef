/**
 * The event recorder against the fake cluster (events.k8s.io/v1) in virtual time: series within
 * the 6-minute window (one Event, count grows), a new Event after it, the per-object spam filter
 * (burst 25, one token per 5 minutes), the bounded queue, and failures that never reach the caller.
 */
import type { EventsV1Event, V1ConfigMap } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { eventRecorder } from '../../src/api/eventRecorder/eventRecorder.js';
import type { KubeClient } from '../../src/core/client.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

const site: V1ConfigMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'site', namespace: 'web', uid: 'u-1' },
};

function setup() {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler });
  // The fake's list answers on the (virtual) scheduler: run it.
  const events = async () => {
    const answer = firstValueFrom(from(cluster.admin.list(resources.eventsV1, { namespace: 'web' })));
    await clock.advanceBy(0);
    return (await answer).items as EventsV1Event[];
  };
  return { clock, cluster, events };
}

const published = { type: 'Normal', reason: 'Published', action: 'Reconcile', note: 'page updated' } as const;

describe('eventRecorder', () => {
  it('writes an events.k8s.io/v1 Event, and repeats within 6 minutes as one series whose count grows', async () => {
    const { clock, cluster, events } = setup();
    const recorder = eventRecorder(cluster.client, {
      controller: 'example.com/op',
      instance: 'pod-a',
      scheduler: clock.scheduler,
    });
    recorder.event(site, published);
    await recorder.flush();
    const [first] = await events();
    expect(first).toMatchObject({
      reportingController: 'example.com/op',
      reportingInstance: 'pod-a',
      type: 'Normal',
      reason: 'Published',
      action: 'Reconcile',
      note: 'page updated',
      regarding: { apiVersion: 'v1', kind: 'ConfigMap', name: 'site', namespace: 'web', uid: 'u-1' },
    });
    expect(first?.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(first?.series).toBeUndefined();
    await clock.advanceBy(60_000);
    recorder.event(site, published);
    await recorder.flush();
    await clock.advanceBy(5 * 60_000); // 5 min after the last occurrence: still the series
    recorder.event(site, published);
    recorder.event(site, published);
    await recorder.flush();
    const list = await events();
    expect(list).toHaveLength(1);
    expect(list[0]?.series?.count).toBe(4);
    expect(list[0]?.series?.lastObservedTime).toBe(new Date(clock.now()).toISOString().replace('Z', '000Z'));
    expect(recorder.stats()).toMatchObject({ created: 1, seriesUpdates: 3 });
    // A different note is a different event.
    recorder.event(site, { ...published, note: 'other' });
    // Past the window: a new Event.
    await clock.advanceBy(6 * 60_000 + 1);
    recorder.event(site, published);
    await recorder.flush();
    expect(await events()).toHaveLength(3);
  });

  it('drops an object’s events beyond a burst of 25, and allows one more per 5 minutes', async () => {
    const { clock, cluster, events } = setup();
    const recorder = eventRecorder(cluster.client, {
      controller: 'c',
      instance: 'i',
      scheduler: clock.scheduler,
    });
    for (let i = 0; i < 30; i++) recorder.event(site, { ...published, reason: `R${i}` });
    recorder.event({ ...site, metadata: { ...site.metadata, name: 'other', uid: 'u-2' } }, published);
    await recorder.flush();
    expect(recorder.stats().dropped.spam).toBe(5);
    expect(await events()).toHaveLength(26);
    await clock.advanceBy(5 * 60_000);
    recorder.event(site, { ...published, reason: 'Again' });
    recorder.event(site, { ...published, reason: 'AgainTooSoon' });
    await recorder.flush();
    expect(recorder.stats().dropped.spam).toBe(6);
    expect(await events()).toHaveLength(27);
  });

  it('never blocks or throws: a full queue drops and counts, failed writes are counted and reported', async () => {
    const { clock, cluster } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const errors: unknown[] = [];
    let calls = 0;
    const client: KubeClient = {
      ...cluster.client,
      create: async () => {
        calls++;
        await gate;
        throw new Error('API server down');
      },
    };
    const recorder = eventRecorder(client, {
      controller: 'c',
      instance: 'i',
      scheduler: clock.scheduler,
      maxQueued: 2,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 5; i++)
      expect(() => recorder.event(site, { ...published, reason: `R${i}` })).not.toThrow();
    recorder.event({ metadata: { name: 'kindless' } }, published);
    await new Promise((r) => setImmediate(r));
    // One write in flight, two waiting, two dropped.
    expect(calls).toBe(1);
    expect(recorder.stats().dropped).toEqual({ queueFull: 2, spam: 0, invalid: 1 });
    release();
    await recorder.flush();
    expect(recorder.stats().failed).toBe(3);
    expect(errors).toHaveLength(3);
  });

  it('creates a new Event when the series’ Event is gone', async () => {
    const { clock, cluster, events } = setup();
    const recorder = eventRecorder(cluster.client, {
      controller: 'c',
      instance: 'i',
      scheduler: clock.scheduler,
    });
    recorder.event(site, published);
    await recorder.flush();
    const [first] = await events();
    await cluster.admin.delete(resources.eventsV1, first?.metadata?.name as string, { namespace: 'web' });
    recorder.event(site, published);
    await recorder.flush();
    const list = await events();
    expect(list).toHaveLength(1);
    expect(list[0]?.metadata?.name).not.toBe(first?.metadata?.name);
    expect(list[0]?.series?.count).toBe(2);
  });
});
