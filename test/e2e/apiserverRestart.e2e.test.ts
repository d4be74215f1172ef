/**
 * kube-apiserver SIGKILLed and restarted in the middle of a churn: every connection dies without
 * a goodbye, requests fail while it is down, and the restarted server starts with an empty watch
 * cache. Nobody tells the informer anything; it must notice, back off, re-watch or relist, and end
 * equal to a fresh LIST — snapshot and the state rebuilt from its events alike.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeRxError } from '../../src/core/errors.js';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import type { ListWatchErrorContext } from '../../src/sources/listWatch.js';
import { countingClient } from '../../src/testing/countingClient.js';
import { configMapChurner } from './support/churn.js';
import { client, control, differences, ensureNamespace, eventually, freshList } from './support/env.js';

const subscriptions: Subscription[] = [];
afterAll(() => {
  for (const s of subscriptions) s.unsubscribe();
});

describe('kube-apiserver killed and restarted mid-churn', () => {
  it('the informer recovers by itself and loses nothing', async () => {
    const c = client();
    const namespaces = ['restart-a', 'restart-b'];
    for (const ns of namespaces) await ensureNamespace(c, ns);
    const selector = 'kube-rx-e2e=restart';
    const churn = configMapChurner(c, { namespaces, label: ['kube-rx-e2e', 'restart'], seed: 7 });
    await churn.run(100);

    const { client: counted, calls } = countingClient(c);
    const errors: { error: KubeRxError; context: ListWatchErrorContext }[] = [];
    let completed = false;
    const configMaps = informer(counted, resources.configMaps, {
      labelSelector: selector,
      backoff: { initialMs: 200, maxMs: 2_000 },
      onError: (error, context) => errors.push({ error, context }),
    });
    const fromEvents = new Map<string, DeepReadonly<V1ConfigMap>>();
    subscriptions.push(
      configMaps.events$.subscribe({
        next: (event) => {
          const key = objectKey(event.object) as string;
          if (event.type === 'delete') fromEvents.delete(key);
          else fromEvents.set(key, event.object);
        },
        complete: () => {
          completed = true;
        },
        error: () => {
          completed = true;
        },
      }),
    );
    await configMaps.synced;
    const watchesBefore = calls.watches;

    const churning = churn.run(1_200, 4, 250);
    await eventually(() => churn.stats.applied >= 400, 60_000, 'churn to get going');
    const { ms: restartMs } = await control('restart', { downMs: '2000' });
    const stats = await churning;
    // The kill really landed mid-churn: some requests got no answer, and churn went on after it.
    expect(stats.unanswered).toBeGreaterThan(0);
    expect(stats.applied).toBeGreaterThan(600);

    const expected = await freshList(c, resources.configMaps, { labelSelector: selector });
    await eventually(
      () =>
        differences(configMaps.snapshot().list(), expected).length === 0 &&
        differences(fromEvents.values(), expected).length === 0,
      60_000,
      'the informer to recover',
    );
    expect(differences(configMaps.snapshot().list(), expected)).toEqual([]);
    expect(differences(fromEvents.values(), expected)).toEqual([]);
    expect(completed).toBe(false);
    // It noticed (errors were reported) and reconnected (a new watch) without anyone's help.
    expect(errors.length).toBeGreaterThan(0);
    expect(calls.watches).toBeGreaterThan(watchesBefore);
    console.log(
      `[e2e restart] kube-apiserver down+up in ${restartMs} ms; churn applied ${stats.applied}, unanswered ${stats.unanswered}; ` +
        `lists ${calls.lists}, watches ${calls.watches}; errors: ${[
          ...new Set(errors.map(({ error, context }) => `${context.phase}:${error.name}`)),
        ].join(', ')}`,
    );
  });
});
