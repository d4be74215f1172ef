/**
 * Read-your-own-writes in virtual time, under a watch that delivers every event 2 s late:
 * `awaitObserved` waits for the cache to reach a write's resourceVersion (or times out with a
 * typed error), and a controller with `readYourWrites` never reconciles a key on a view older
 * than its own last write, where one without it does.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { delay, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { patchWith } from '../../src/api/patchWith.js';
import { resourceVersionAtLeast } from '../../src/api/resourceVersion.js';
import type { KubeClient } from '../../src/core/client.js';
import { resourceVersionOf } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { awaitObserved, ObservationTimeoutError } from '../../src/runtime/awaitObserved.js';
import { controller } from '../../src/runtime/controller.js';
import { informer } from '../../src/runtime/informer.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

const WATCH_DELAY = 2_000;
const subscriptions: Subscription[] = [];
afterEach(() => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
});

function setup() {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler });
  const slow: KubeClient = {
    ...cluster.client,
    watch: (resource, options) =>
      cluster.client.watch(resource, options).pipe(delay(WATCH_DELAY, clock.scheduler)),
  };
  const configMaps = informer(slow, resources.configMaps, { scheduler: clock.scheduler });
  return { clock, cluster, configMaps };
}

const cm = (name: string): V1ConfigMap => ({ metadata: { name, namespace: 'default' }, data: { n: '0' } });

describe('awaitObserved', () => {
  it('resolves once the delayed watch brought the write into the cache, not before', async () => {
    const { clock, cluster, configMaps } = setup();
    subscriptions.push(configMaps.store$.subscribe());
    await cluster.admin.create(resources.configMaps, cm('a'));
    await clock.advanceUntil(() => configMaps.hasSynced());
    const written = await cluster.client.patch(resources.configMaps, 'a', { data: { n: '1' } }, 'merge', {
      namespace: 'default',
    });
    let seen: V1ConfigMap | undefined | 'pending' = 'pending';
    void awaitObserved(configMaps, 'default/a', resourceVersionOf(written), {
      scheduler: clock.scheduler,
    }).then((o) => {
      seen = o as V1ConfigMap | undefined;
    });
    const start = clock.now();
    await clock.advanceBy(WATCH_DELAY - 1);
    expect(seen).toBe('pending');
    expect(configMaps.snapshot().get('default/a')?.data?.n).toBe('0');
    await clock.advanceUntil(() => seen !== 'pending');
    expect(clock.now() - start).toBe(WATCH_DELAY);
    expect((seen as unknown as V1ConfigMap).data?.n).toBe('1');
  });

  it('rejects with ObservationTimeoutError when the cache does not catch up in time', async () => {
    const { clock, cluster, configMaps } = setup();
    subscriptions.push(configMaps.store$.subscribe());
    await cluster.admin.create(resources.configMaps, cm('b'));
    await clock.advanceUntil(() => configMaps.hasSynced());
    const written = await cluster.client.patch(resources.configMaps, 'b', { data: { n: '1' } }, 'merge', {
      namespace: 'default',
    });
    let error: unknown;
    void awaitObserved(configMaps, 'default/b', resourceVersionOf(written), {
      scheduler: clock.scheduler,
      timeoutMs: 500,
    }).catch((e: unknown) => {
      error = e;
    });
    await clock.advanceBy(600);
    expect(error).toBeInstanceOf(ObservationTimeoutError);
    expect(error).toMatchObject({ key: 'default/b', resourceVersion: resourceVersionOf(written) });
  });

  it('resolves with undefined when the object was deleted after the write', async () => {
    const { clock, cluster, configMaps } = setup();
    subscriptions.push(configMaps.store$.subscribe());
    const created = await cluster.admin.create(resources.configMaps, cm('c'));
    await cluster.admin.delete(resources.configMaps, 'c', { namespace: 'default' });
    let result: unknown = 'pending';
    void awaitObserved(configMaps, 'default/c', resourceVersionOf(created), {
      scheduler: clock.scheduler,
    }).then((o) => {
      result = o;
    });
    await clock.advanceUntil(() => result !== 'pending');
    expect(result).toBeUndefined();
  });
});

describe('controller readYourWrites', () => {
  /** A reconcile that bumps data.n each time and asks to run again 100 ms later (before the watch delivers). */
  async function run(readYourWrites: boolean) {
    const { clock, cluster, configMaps } = setup();
    await cluster.admin.create(resources.configMaps, cm('counter'));
    const lastWrite = new Map<string, string>();
    const views: { rv: string; stale: boolean }[] = [];
    subscriptions.push(
      controller({
        for: configMaps,
        scheduler: clock.scheduler,
        readYourWrites,
        reconcile: async (key, snapshot, context) => {
          const current = snapshot.get(key);
          if (!current) return undefined;
          const rv = resourceVersionOf(current);
          const mine = lastWrite.get(key);
          views.push({ rv, stale: mine !== undefined && !resourceVersionAtLeast(rv, mine) });
          if (views.length >= 5) return undefined;
          const written = await patchWith(cluster.client, resources.configMaps, current, (d) => {
            d.data = { n: String(Number(d.data?.n ?? 0) + 1) };
          });
          context.wrote(written);
          lastWrite.set(key, resourceVersionOf(written));
          return { requeueAfter: 100 };
        },
      }).subscribe(),
    );
    await clock.advanceUntil(() => views.length >= 5, 60_000);
    return { views, clock };
  }

  it('never reconciles on a view older than its own last write', async () => {
    const { views } = await run(true);
    expect(views.length).toBeGreaterThanOrEqual(5);
    expect(views.filter((v) => v.stale)).toEqual([]);
    // Each of the first five reconciles saw the previous one's write: resourceVersions strictly grow.
    const rvs = views.slice(0, 5).map((v) => Number(v.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(new Set(rvs).size).toBe(5);
  });

  it('without it, the delayed watch makes the next reconcile see a stale view (the test can fail)', async () => {
    const { views } = await run(false);
    expect(views.some((v) => v.stale)).toBe(true);
  });
});
