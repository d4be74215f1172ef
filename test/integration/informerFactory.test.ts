/**
 * `informerFactory` against the fake cluster in virtual time: one informer (one list, one watch)
 * per view, late subscribers replayed from the cache, `waitForCacheSync` over every informer and
 * a `shutdown` that completes every consumer stream and closes every watch.
 */
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { defer, from, mergeMap, type Subscription, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/core/client.js';
import { KubeRxError } from '../../src/core/errors.js';
import type { InformerEvent } from '../../src/core/events.js';
import type { DeepReadonly, KubeObject } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { informerFactory } from '../../src/runtime/informerFactory.js';
import {
  createFakeCluster,
  type FakeCluster,
  type VirtualClock,
  virtualClock,
} from '../../src/testing/index.js';

interface Counting {
  readonly client: KubeClient;
  /** Requests per `verb plural namespace`, e.g. `watch configmaps a`. */
  readonly counts: Map<string, number>;
  count(prefix: string): number;
}

/** Counts lists and watches; `listDelayMs` delays the answers of chosen lists on the scheduler. */
function counting(
  inner: KubeClient,
  clock: VirtualClock,
  listDelayMs: (plural: string, namespace: string) => number = () => 0,
): Counting {
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  return {
    counts,
    count: (prefix) => [...counts].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0),
    client: {
      ...inner,
      list: (resource, options, signal) => {
        bump(`list ${resource.plural} ${options.namespace ?? ''}`);
        const delay = listDelayMs(resource.plural, options.namespace ?? '');
        const answer = from(inner.list(resource, options, signal));
        return delay > 0 ? timer(delay, clock.scheduler).pipe(mergeMap(() => answer)) : answer;
      },
      watch: (resource, options) =>
        defer(() => {
          bump(`watch ${resource.plural} ${options.namespace ?? ''}`);
          return inner.watch(resource, options);
        }),
    },
  };
}

async function seeded(): Promise<{ clock: VirtualClock; cluster: FakeCluster }> {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler });
  for (const ns of ['a', 'b'])
    for (const name of ['one', 'two'])
      await cluster.admin.create(resources.configMaps, {
        metadata: { name, namespace: ns, labels: { app: name } },
        data: { ns },
      } as V1ConfigMap);
  await cluster.admin.create(resources.pods, { metadata: { name: 'p', namespace: 'a' } } as V1Pod);
  return { clock, cluster };
}

/** Awaits `promise` while advancing virtual time (nothing else moves the clock). */
async function inVirtualTime<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  await clock.advanceUntil(() => settled, 600_000);
  return tracked;
}

interface Consumer<T> {
  readonly events: InformerEvent<T>[];
  readonly subscription: Subscription;
  readonly completed: boolean;
  names(): string[];
}

function consume<T extends KubeObject>(events$: import('rxjs').Observable<InformerEvent<T>>): Consumer<T> {
  const events: InformerEvent<T>[] = [];
  let completed = false;
  const subscription = events$.subscribe({
    next: (e) => events.push(e),
    complete: () => {
      completed = true;
    },
  });
  return {
    events,
    subscription,
    get completed() {
      return completed;
    },
    names: () => events.map((e) => `${e.type} ${e.object.metadata?.namespace}/${e.object.metadata?.name}`),
  };
}

describe('informerFactory: one informer per view', () => {
  it('the same (resource, namespace, selectors, transform) is the same informer, with one list and one watch', async () => {
    const { clock, cluster } = await seeded();
    const c = counting(cluster.client, clock);
    const factory = informerFactory(c.client, { scheduler: clock.scheduler });
    const strip = (cm: DeepReadonly<V1ConfigMap>) => cm;
    const first = factory.for(resources.configMaps, {
      namespace: 'a',
      labelSelector: 'app',
      transform: strip,
    });
    const second = factory.for(resources.configMaps, {
      namespace: 'a',
      labelSelector: 'app',
      transform: strip,
    });
    expect(second).toBe(first);

    const x = consume(first.events$);
    const y = consume(second.events$);
    await clock.advanceBy(1_000);
    expect(c.count('list configmaps')).toBe(1);
    expect(c.count('watch configmaps')).toBe(1);
    expect(cluster.activeWatches).toBe(1);
    expect(x.names()).toEqual(['add a/one', 'add a/two']);
    expect(y.names()).toEqual(x.names());

    await cluster.admin.patch(resources.configMaps, 'one', { data: { v: '2' } }, 'merge', { namespace: 'a' });
    await clock.advanceBy(1_000);
    expect(x.names().at(-1)).toBe('update a/one');
    expect(y.names()).toEqual(x.names());
    x.subscription.unsubscribe();
    y.subscription.unsubscribe();
    factory.shutdown();
  });

  it('a different namespace, selector or transform is a different informer with its own watch', async () => {
    const { clock, cluster } = await seeded();
    const c = counting(cluster.client, clock);
    const factory = informerFactory(c.client, { scheduler: clock.scheduler });
    const inA = factory.for(resources.configMaps, { namespace: 'a' });
    const inB = factory.for(resources.configMaps, { namespace: 'b' });
    const selected = factory.for(resources.configMaps, { namespace: 'a', labelSelector: 'app=one' });
    const transformed = factory.for(resources.configMaps, { namespace: 'a', transform: (cm) => cm });
    const otherTransform = factory.for(resources.configMaps, { namespace: 'a', transform: (cm) => cm });
    const all = [inA, inB, selected, transformed, otherTransform];
    expect(new Set(all).size).toBe(5);

    factory.start();
    await inVirtualTime(clock, factory.waitForCacheSync());
    expect(c.count('watch configmaps a')).toBe(4);
    expect(c.count('watch configmaps b')).toBe(1);
    expect(cluster.activeWatches).toBe(5);
    expect(
      inA
        .snapshot()
        .list()
        .map((cm) => `${cm.metadata?.namespace}/${cm.data?.ns}`),
    ).toEqual(['a/a', 'a/a']);
    expect(
      inB
        .snapshot()
        .list()
        .map((cm) => `${cm.metadata?.namespace}/${cm.data?.ns}`),
    ).toEqual(['b/b', 'b/b']);
    expect(
      selected
        .snapshot()
        .list()
        .map((cm) => cm.metadata?.name),
    ).toEqual(['one']);
    factory.shutdown();
  });

  it('defaults apply to every informer unless for() overrides them', async () => {
    const { clock, cluster } = await seeded();
    const c = counting(cluster.client, clock);
    const factory = informerFactory(c.client, { scheduler: clock.scheduler, namespace: 'b' });
    const implicit = factory.for(resources.configMaps);
    expect(factory.for(resources.configMaps, { namespace: 'b' })).toBe(implicit);
    const explicit = factory.for(resources.configMaps, { namespace: 'a' });
    expect(explicit).not.toBe(implicit);
    await inVirtualTime(clock, factory.waitForCacheSync());
    expect(
      implicit
        .snapshot()
        .list()
        .map((cm) => cm.data?.ns),
    ).toEqual(['b', 'b']);
    expect(
      explicit
        .snapshot()
        .list()
        .map((cm) => cm.data?.ns),
    ).toEqual(['a', 'a']);
    factory.shutdown();
  });

  it('late subscribers get the cache replayed as adds, then live events, without a new list or watch', async () => {
    const { clock, cluster } = await seeded();
    const c = counting(cluster.client, clock);
    const factory = informerFactory(c.client, { scheduler: clock.scheduler });
    const cms = factory.for(resources.configMaps);
    const early = consume(cms.events$);
    await clock.advanceBy(1_000);
    await cluster.admin.patch(resources.configMaps, 'one', { data: { v: '2' } }, 'merge', { namespace: 'b' });
    await cluster.admin.delete(resources.configMaps, 'two', { namespace: 'a' });
    await clock.advanceBy(1_000);

    const late = consume(factory.for(resources.configMaps).events$);
    expect(late.names().sort()).toEqual(['add a/one', 'add b/one', 'add b/two']);
    expect(late.events.every((e) => e.type === 'add' && e.isInInitialList)).toBe(true);
    const replayedOne = late.events.find(
      (e) => e.object.metadata?.namespace === 'b' && e.object.metadata.name === 'one',
    );
    expect(replayedOne?.object.data).toEqual({ ns: 'b', v: '2' });

    await cluster.admin.create(resources.configMaps, {
      metadata: { name: 'three', namespace: 'a' },
    } as V1ConfigMap);
    await clock.advanceBy(1_000);
    expect(late.names().slice(3)).toEqual(['add a/three']);
    expect(early.names().slice(-3)).toEqual(['update b/one', 'delete a/two', 'add a/three']);
    expect(c.count('list')).toBe(1);
    expect(c.count('watch')).toBe(1);
    factory.shutdown();
  });
});

describe('informerFactory: lifecycle', () => {
  it('waitForCacheSync starts every informer and resolves once all of them have synced', async () => {
    const { clock, cluster } = await seeded();
    const c = counting(cluster.client, clock, (plural, ns) =>
      plural === 'configmaps' && ns === 'b' ? 5_000 : 0,
    );
    const factory = informerFactory(c.client, { scheduler: clock.scheduler });
    const fast = factory.for(resources.configMaps, { namespace: 'a' });
    const slow = factory.for(resources.configMaps, { namespace: 'b' });
    const pods = factory.for(resources.pods);
    let resolvedAt: number | undefined;
    const done = factory.waitForCacheSync().then(() => {
      resolvedAt = clock.now();
      return [fast.hasSynced(), slow.hasSynced(), pods.hasSynced()];
    });
    await clock.advanceBy(4_000);
    expect(fast.hasSynced()).toBe(true);
    expect(pods.hasSynced()).toBe(true);
    expect(slow.hasSynced()).toBe(false);
    expect(resolvedAt).toBeUndefined();
    await clock.advanceBy(2_000);
    expect(await done).toEqual([true, true, true]);
    expect(resolvedAt).toBe(5_000);
    expect(slow.snapshot().size).toBe(2);
    factory.shutdown();
  });

  it('start() keeps informers running while consumers come and go', async () => {
    const { clock, cluster } = await seeded();
    const c = counting(cluster.client, clock);
    const factory = informerFactory(c.client, { scheduler: clock.scheduler });
    const cms = factory.for(resources.configMaps);
    factory.start();
    await clock.advanceBy(1_000);
    expect(cluster.activeWatches).toBe(1);
    const consumer = consume(cms.events$);
    consumer.subscription.unsubscribe();
    await clock.advanceBy(1_000);
    expect(cluster.activeWatches).toBe(1);
    expect(cms.hasSynced()).toBe(true);
    expect(c.count('list')).toBe(1);
    // Informers created after start() are started by the next start().
    factory.for(resources.pods);
    factory.start();
    await clock.advanceBy(1_000);
    expect(cluster.activeWatches).toBe(2);
    factory.shutdown();
  });

  it('shutdown() completes every consumer stream and closes every watch; for() afterwards throws', async () => {
    const { clock, cluster } = await seeded();
    const factory = informerFactory(cluster.client, { scheduler: clock.scheduler });
    const cms = factory.for(resources.configMaps, { namespace: 'a' });
    const pods = factory.for(resources.pods);
    const started = factory.for(resources.configMaps, { namespace: 'b' });
    const events = consume(cms.events$);
    let storeCompleted = false;
    let deltasCompleted = false;
    pods.store$.subscribe({ complete: () => (storeCompleted = true) });
    pods.deltas$.subscribe({ complete: () => (deltasCompleted = true) });
    factory.start();
    await inVirtualTime(clock, factory.waitForCacheSync());
    await clock.advanceBy(1_000);
    expect(cluster.activeWatches).toBe(3);
    expect(started.hasSynced()).toBe(true);

    factory.shutdown();
    expect(events.completed).toBe(true);
    expect(storeCompleted).toBe(true);
    expect(deltasCompleted).toBe(true);
    expect(cluster.activeWatches).toBe(0);
    await clock.advanceBy(60_000);
    expect(cluster.activeWatches).toBe(0);
    expect(() => factory.for(resources.configMaps, { namespace: 'a' })).toThrow(KubeRxError);
    expect(() => factory.for(resources.secrets)).toThrow(/after shutdown/);
  });

  it('an informer handed out before shutdown() does not reopen a watch when subscribed afterwards', async () => {
    const { clock, cluster } = await seeded();
    const c = counting(cluster.client, clock);
    const factory = informerFactory(c.client, { scheduler: clock.scheduler });
    const cms = factory.for(resources.configMaps);
    await inVirtualTime(clock, factory.waitForCacheSync());
    factory.shutdown();
    const after = consume(cms.events$);
    factory.start();
    await clock.advanceBy(10_000);
    expect(after.completed).toBe(true);
    expect(after.events).toEqual([]);
    expect(cluster.activeWatches).toBe(0);
    expect(c.count('list')).toBe(1);
  });
});
