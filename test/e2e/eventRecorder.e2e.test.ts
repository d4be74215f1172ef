/**
 * The event recorder against the real kube-apiserver: the same event three times is one
 * events.k8s.io/v1 Event whose `series.count` grows (client-go's isomorphic events), a different
 * note is a second Event, and the API server shows them through core/v1 `events` as well.
 */
import type { CoreV1Event, EventsV1Event, V1ConfigMap } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { eventRecorder } from '../../src/api/eventRecorder/eventRecorder.js';
import { resources } from '../../src/core/resources.js';
import { client, ensureNamespace } from './support/env.js';

const NS = 'event-recorder-e2e';
const synced = { type: 'Normal', reason: 'Synced', action: 'Reconcile', note: 'page applied' } as const;

describe('eventRecorder against a real kube-apiserver', () => {
  it('writes one Event for repeats, its series count growing, and a second one for a new note', async () => {
    const c = client();
    await ensureNamespace(c, NS);
    const site = await c.create<V1ConfigMap>(
      resources.configMaps,
      { metadata: { name: 'site' }, data: {} },
      { namespace: NS },
    );
    const errors: unknown[] = [];
    const recorder = eventRecorder(c, {
      controller: 'web.kube-rx.example/e2e',
      instance: 'e2e-1',
      onError: (error) => errors.push(error),
    });
    const events = async () =>
      ((await firstValueFrom(from(c.list(resources.eventsV1, { namespace: NS })))).items as EventsV1Event[])
        .filter((e) => e.regarding?.uid === site.metadata?.uid)
        .sort((a, b) => (a.note ?? '').localeCompare(b.note ?? ''));

    recorder.event(site, { ...synced, resource: resources.configMaps });
    await recorder.flush();
    const [first] = await events();
    expect(first).toMatchObject({
      type: 'Normal',
      reason: 'Synced',
      action: 'Reconcile',
      note: 'page applied',
      reportingController: 'web.kube-rx.example/e2e',
      reportingInstance: 'e2e-1',
      regarding: { kind: 'ConfigMap', name: 'site', namespace: NS, uid: site.metadata?.uid },
    });
    expect(first?.series).toBeUndefined();

    for (const expected of [2, 3]) {
      recorder.event(site, { ...synced, resource: resources.configMaps });
      await recorder.flush();
      const [only, ...others] = await events();
      expect(others).toEqual([]);
      expect(only?.metadata?.name).toBe(first?.metadata?.name);
      expect(only?.series?.count).toBe(expected);
    }

    recorder.event(site, { ...synced, note: 'page applied again', resource: resources.configMaps });
    await recorder.flush();
    const written = await events();
    expect(written.map((e) => [e.note, e.series?.count])).toEqual([
      ['page applied', 3],
      ['page applied again', undefined],
    ]);
    // core/v1 shows the same Events (the API server stores one kind and serves both versions).
    const core = (await firstValueFrom(from(c.list(resources.events, { namespace: NS }))))
      .items as CoreV1Event[];
    expect(core.filter((e) => e.involvedObject?.uid === site.metadata?.uid).map((e) => e.reason)).toEqual([
      'Synced',
      'Synced',
    ]);
    expect(recorder.stats()).toMatchObject({ created: 2, seriesUpdates: 2, failed: 0 });
    expect(errors).toEqual([]);
  });
});
