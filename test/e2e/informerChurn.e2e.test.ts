/**
 * An informer over `kubeClient` (the production HTTP transport) against the real kube-apiserver:
 * a cluster-wide, label-selected ConfigMap informer follows 2,000 random creates, updates
 * (labels, data, and moves in and out of its selector) and deletes across four namespaces, and
 * ends equal to a fresh LIST, both as its snapshot and as the state rebuilt from its events.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeRxError } from '../../src/core/errors.js';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import { countingClient } from '../../src/testing/countingClient.js';
import { configMapChurner } from './support/churn.js';
import { client, differences, ensureNamespace, eventually, freshList } from './support/env.js';

const subscriptions: Subscription[] = [];
afterAll(() => {
  for (const s of subscriptions) s.unsubscribe();
});

describe('informer over kubeClient against kube-apiserver', () => {
  it('converges with the server through 2,000 random creates, updates and deletes across namespaces', async () => {
    const c = client();
    const namespaces = ['churn-a', 'churn-b', 'churn-c', 'churn-d'];
    for (const ns of namespaces) await ensureNamespace(c, ns);
    const selector = 'kube-rx-e2e=churn';
    const churn = configMapChurner(c, { namespaces, label: ['kube-rx-e2e', 'churn'], seed: 20_000 });
    await churn.run(200); // state before the informer starts: its first list is not empty

    const { client: counted, calls } = countingClient(c);
    const errors: KubeRxError[] = [];
    const configMaps = informer(counted, resources.configMaps, {
      labelSelector: selector,
      pageSize: 50,
      onError: (error) => errors.push(error),
    });
    const fromEvents = new Map<string, DeepReadonly<V1ConfigMap>>();
    const counts = { add: 0, update: 0, delete: 0 };
    subscriptions.push(
      configMaps.events$.subscribe((event) => {
        counts[event.type]++;
        const key = objectKey(event.object) as string;
        if (event.type === 'delete') fromEvents.delete(key);
        else fromEvents.set(key, event.object);
      }),
    );
    const first = await configMaps.synced;
    expect(first.size).toBeGreaterThan(0);

    const started = Date.now();
    const stats = await churn.run(2_000, 8);
    const churnMs = Date.now() - started;
    expect(stats.unanswered).toBe(0);
    expect(stats.applied).toBe(2_200);

    const expected = await freshList(c, resources.configMaps, { labelSelector: selector });
    await eventually(
      () =>
        differences(configMaps.snapshot().list(), expected).length === 0 &&
        differences(fromEvents.values(), expected).length === 0,
      30_000,
      'the informer to catch up with the final LIST',
    );
    expect(differences(configMaps.snapshot().list(), expected)).toEqual([]);
    expect(differences(fromEvents.values(), expected)).toEqual([]);
    expect(configMaps.snapshot().size).toBe(expected.size);
    // Every namespace took part.
    for (const ns of namespaces) expect(configMaps.snapshot().namespace(ns).list().length).toBeGreaterThan(0);
    // No fault, so one list and no relist; every operation showed up as an event.
    expect(errors).toEqual([]);
    expect(calls.lists).toBe(1);
    expect(counts.add + counts.update + counts.delete).toBeGreaterThan(1_500);
    console.log(
      `[e2e churn] ${stats.applied} ops (${stats.creates} creates, ${stats.updates} updates, ${stats.deletes} deletes) in ${churnMs} ms; ` +
        `events add=${counts.add} update=${counts.update} delete=${counts.delete}; final ${expected.size} objects`,
    );
  });
});
