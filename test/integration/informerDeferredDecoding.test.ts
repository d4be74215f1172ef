/**
 * An informer that keeps watched objects as their JSON text (the default since issue 17, see
 * core/encodedObject.ts) reads the same as one that decodes every event at once: over real HTTP
 * to the fake cluster through `kubeClient`, every read of a snapshot (get, list, a label
 * selector, namespace listers, a custom index, iteration), every informer event and every delta
 * gives frozen plain objects equal to those of an informer with `deferDecoding: false`, with
 * server-side label selectors and transforms too. A cell stays encoded until a read returns its
 * object, is decoded once for every later snapshot, and an object nested past the cache's limit is
 * still turned away.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { filter, firstValueFrom, from, type Subscription } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { isDeferred } from '../../src/core/deferredRecord.js';
import { EncodedObject } from '../../src/core/encodedObject.js';
import type { Delta, InformerEvent } from '../../src/core/events.js';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { type Informer, type InformerOptions, informer } from '../../src/runtime/informer.js';
import { UncacheableObjectError } from '../../src/store/cacheAdmission.js';
import { NAMESPACE_INDEX } from '../../src/store/indexFuncs.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import type { FakeCluster } from '../../src/testing/index.js';
import type { kubeClient } from '../../src/transport/kubeClient.js';
import { deeplyFrozen } from '../support/cells.js';
import { afterTest, indexedInformer, podOn, servePods } from '../support/podsOverHttp.js';

const pod = (namespace: string, name: string, app: string, nodeName: string): V1Pod =>
  podOn(namespace, name, app, nodeName, `pod ${name} "quoted" ✓`);

const serve = () =>
  servePods(['a', 'b'].flatMap((ns) => [pod(ns, 'web', 'web', 'n1'), pod(ns, 'db', 'db', 'n2')]));

/** An informer over `client`, subscribed for the test, with its events, deltas and errors. */
function started(client: ReturnType<typeof kubeClient>, options: InformerOptions<V1Pod> = {}) {
  const { pods, errors } = indexedInformer(client, options);
  const events: InformerEvent<V1Pod>[] = [];
  const deltas: Delta<V1Pod>[] = [];
  const subscriptions: Subscription[] = [
    pods.events$.subscribe((event) => events.push(event)),
    pods.deltas$.subscribe((batch) => deltas.push(...batch.deltas)),
  ];
  afterTest(() => {
    for (const s of subscriptions) s.unsubscribe();
  });
  return { pods, events, deltas, errors };
}

const byKey = (objects: readonly DeepReadonly<V1Pod>[]) =>
  [...objects].sort((x, y) => String(objectKey(x)).localeCompare(String(objectKey(y))));

/**
 * Waits until `pods` holds what the cluster lists now (with a label selector, the objects it
 * selects), after `transform`; without a selector, also at the cluster's resourceVersion (a
 * selecting watch never hears of the other objects' changes).
 */
async function caughtUp(
  cluster: FakeCluster,
  pods: Informer<V1Pod>,
  {
    labelSelector,
    transform = (object) => object,
  }: Pick<InformerOptions<V1Pod>, 'labelSelector' | 'transform'> = {},
): Promise<Snapshot<V1Pod>> {
  const fresh = await firstValueFrom(from(cluster.admin.list(resources.pods, { labelSelector })));
  const expected = byKey((fresh.items as V1Pod[]).map(transform));
  await vi.waitFor(
    () => {
      const snapshot = pods.snapshot();
      expect(byKey(snapshot.list())).toEqual(expected);
      if (labelSelector === undefined) expect(snapshot.resourceVersion).toBe(fresh.metadata.resourceVersion);
    },
    { timeout: 5000, interval: 5 },
  );
  return pods.snapshot();
}

/** Some updates of every kind: a create, label and node changes, a delete. */
async function churn(cluster: FakeCluster): Promise<void> {
  await cluster.client.create(resources.pods, pod('a', 'cache', 'web', 'n2'));
  await cluster.client.patch(resources.pods, 'db', { metadata: { labels: { app: 'web' } } }, 'merge', {
    namespace: 'b',
  });
  await cluster.client.patch(resources.pods, 'web', { spec: { nodeName: 'n3' } }, 'merge', {
    namespace: 'a',
  });
  await cluster.client.delete(resources.pods, 'db', { namespace: 'a' });
  await cluster.client.create(resources.pods, pod('b', 'queue', 'db', 'n1'));
}

/** Every read a snapshot offers, as plain data; each object also checked to be frozen and plain. */
function reads(snapshot: Snapshot<V1Pod>) {
  const all = [
    ...snapshot.list(),
    ...snapshot,
    ...snapshot.keys().map((key) => snapshot.get(key) as DeepReadonly<V1Pod>),
    ...['a', 'b'].flatMap((ns) => snapshot.namespace(ns).list()),
  ];
  for (const object of all) {
    expect(object).not.toBeInstanceOf(EncodedObject);
    expect(deeplyFrozen(object)).toBe(true);
  }
  return {
    list: byKey(snapshot.list()),
    iterated: byKey([...snapshot]),
    get: Object.fromEntries(snapshot.keys().map((key) => [key, snapshot.get(key)])),
    selected: byKey(snapshot.list('app=web')),
    namespaces: ['a', 'b'].map((ns) => ({
      list: byKey(snapshot.namespace(ns).list()),
      web: snapshot.namespace(ns).get('web'),
      selected: byKey(snapshot.namespace(ns).list('app in (web,db)')),
    })),
    nodes: ['n1', 'n2', 'n3'].map((node) => byKey(snapshot.byIndex('node', node))),
    apps: ['web', 'db'].map((app) => byKey(snapshot.byIndex('app', app))),
    namespaceIndex: ['a', 'b'].map((ns) => byKey(snapshot.byIndex(NAMESPACE_INDEX, ns))),
    indexValues: snapshot.indexNames().map((name) => snapshot.indexValues(name).sort()),
  };
}

/** An event as plain data (its getters read). */
const plainEvent = (event: InformerEvent<V1Pod>) => ({ ...event });

describe('informer with deferred decoding over HTTP', () => {
  it('reads, events and deltas equal those of an informer that decodes at once', async () => {
    const { cluster, client } = await serve();
    const lazy = started(client);
    const eager = started(client, { deferDecoding: false });
    await Promise.all([lazy.pods.synced, eager.pods.synced]);
    await churn(cluster);
    const [lazySnap, eagerSnap] = [await caughtUp(cluster, lazy.pods), await caughtUp(cluster, eager.pods)];

    // The default keeps cells (the watched objects at least); the eager informer never does.
    const stored = (snapshot: Snapshot<V1Pod>) => snapshot.keys().map((key) => snapshot.objectMap.get(key));
    expect(stored(lazySnap).some((value) => value instanceof EncodedObject)).toBe(true);
    expect(stored(eagerSnap).some((value) => value instanceof EncodedObject)).toBe(false);

    const lazyReads = reads(lazySnap);
    expect(lazyReads).toEqual(reads(eagerSnap));
    expect(lazyReads.nodes.map((pods) => pods.map((p) => objectKey(p)))).toEqual([
      ['b/queue', 'b/web'],
      ['a/cache', 'b/db'],
      ['a/web'],
    ]);
    expect(lazyReads.selected.map((p) => objectKey(p))).toEqual(['a/cache', 'a/web', 'b/db', 'b/web']);
    expect(stored(lazySnap).every((value) => !(value instanceof EncodedObject) || !value.encoded)).toBe(true);

    expect(lazy.events.map(plainEvent)).toEqual(eager.events.map(plainEvent));
    expect(lazy.events.map((e) => e.type)).toEqual(expect.arrayContaining(['add', 'update', 'delete']));
    for (const event of lazy.events) {
      expect(event.object).not.toBeInstanceOf(EncodedObject);
      expect(deeplyFrozen(event.object)).toBe(true);
      if (event.type === 'update') expect(deeplyFrozen(event.oldObject)).toBe(true);
    }

    expect(lazy.deltas.map((d) => ({ ...d }))).toEqual(eager.deltas.map((d) => ({ ...d })));
    expect(lazy.deltas.some(isDeferred)).toBe(true);
    expect(eager.deltas.some(isDeferred)).toBe(false);
    expect(lazy.errors).toEqual([]);
    expect(eager.errors).toEqual([]);
  });

  it('a server-side label selector gives the same cache and events as without deferral', async () => {
    const { cluster, client } = await serve();
    const lazy = started(client, { labelSelector: 'app=web' });
    const eager = started(client, { labelSelector: 'app=web', deferDecoding: false });
    await Promise.all([lazy.pods.synced, eager.pods.synced]);
    await churn(cluster);
    const lazySnap = await caughtUp(cluster, lazy.pods, { labelSelector: 'app=web' });
    const eagerSnap = await caughtUp(cluster, eager.pods, { labelSelector: 'app=web' });
    expect(lazySnap.keys().sort()).toEqual(['a/cache', 'a/web', 'b/db', 'b/web']);
    expect(reads(lazySnap)).toEqual(reads(eagerSnap));
    expect(lazy.events.map(plainEvent)).toEqual(eager.events.map(plainEvent));
  });

  it('a streaming list (KEP-3157) and a metadata-only informer read the same deferred or not', async () => {
    const { cluster, client } = await serve();
    const variants: InformerOptions<V1Pod>[] = [
      { listMode: 'streaming' },
      { metadataOnly: true } as InformerOptions<V1Pod>,
    ];
    for (const [i, options] of variants.entries()) {
      const lazy = started(client, options);
      const eager = started(client, { ...options, deferDecoding: false });
      await Promise.all([lazy.pods.synced, eager.pods.synced]);
      await cluster.client.create(resources.pods, pod('a', `more-${i}`, 'web', 'n1'));
      await cluster.client.delete(resources.pods, 'web', { namespace: 'b' });
      await cluster.client.create(resources.pods, pod('b', 'web', 'web', 'n2'));
      const fresh = await firstValueFrom(from(cluster.admin.list(resources.pods, {})));
      await vi.waitFor(
        () => {
          expect(lazy.pods.snapshot().resourceVersion).toBe(fresh.metadata.resourceVersion);
          expect(eager.pods.snapshot().resourceVersion).toBe(fresh.metadata.resourceVersion);
        },
        { timeout: 5000, interval: 5 },
      );
      const lazySnap = lazy.pods.snapshot();
      expect(lazySnap.objectMap.get(`a/more-${i}`)).toBeInstanceOf(EncodedObject);
      expect(reads(lazySnap)).toEqual(reads(eager.pods.snapshot()));
      expect(lazySnap.size).toBe(fresh.items.length);
      expect(lazy.events.map(plainEvent)).toEqual(eager.events.map(plainEvent));
      expect(lazy.errors).toEqual([]);
    }
  });

  it('resync events read the cached object: one decoded object as object and oldObject', async () => {
    const { cluster, client } = await serve();
    const lazy = started(client, { resyncPeriodMs: 20 });
    await lazy.pods.synced;
    await cluster.client.create(resources.pods, pod('a', 'watched', 'web', 'n1'));
    await vi.waitFor(
      () => {
        const keys = lazy.events
          .filter((e) => e.type === 'update' && e.resync)
          .map((e) => objectKey(e.object));
        expect(keys).toContain('a/watched');
      },
      { timeout: 5000, interval: 5 },
    );
    const snapshot = lazy.pods.snapshot();
    for (const event of lazy.events) {
      if (event.type !== 'update' || !event.resync) continue;
      expect(event.oldObject).toBe(event.object);
      expect(event.object).toBe(snapshot.get(objectKey(event.object) as string));
      expect(deeplyFrozen(event.object)).toBe(true);
    }
  });

  it('a transform gets decoded objects and caches what it returns, deferred or not', async () => {
    const { cluster, client } = await serve();
    const annotate = (object: DeepReadonly<V1Pod>): DeepReadonly<V1Pod> => ({
      ...object,
      metadata: { ...object.metadata, annotations: { transformed: 'yes' } },
    });
    const seen: unknown[] = [];
    const transform = (object: DeepReadonly<V1Pod>) => {
      seen.push(object);
      return annotate(object);
    };
    const byDefault = started(client, { transform });
    const deferred = started(client, { transform, deferDecoding: true });
    const eager = started(client, { transform, deferDecoding: false });
    await Promise.all([byDefault.pods.synced, deferred.pods.synced, eager.pods.synced]);
    await churn(cluster);
    const snapshots = [
      await caughtUp(cluster, byDefault.pods, { transform: annotate }),
      await caughtUp(cluster, deferred.pods, { transform: annotate }),
      await caughtUp(cluster, eager.pods, { transform: annotate }),
    ];
    expect(seen.length).toBeGreaterThan(0);
    for (const object of seen) {
      expect(object).not.toBeInstanceOf(EncodedObject);
      expect((object as V1Pod).metadata?.annotations?.note).toMatch(/^pod /);
    }
    for (const snapshot of snapshots) {
      for (const key of snapshot.keys())
        expect(snapshot.objectMap.get(key)).not.toBeInstanceOf(EncodedObject);
      for (const object of snapshot) expect(object.metadata?.annotations).toEqual({ transformed: 'yes' });
    }
    const [first, second, third] = snapshots.map(reads);
    expect(first).toEqual(third);
    expect(second).toEqual(third);
    expect(byDefault.events.map(plainEvent)).toEqual(eager.events.map(plainEvent));
    expect(deferred.events.map(plainEvent)).toEqual(eager.events.map(plainEvent));
  });

  it('keeps a watched object encoded until a read returns it, then decodes it once for every snapshot', async () => {
    const { cluster, client } = await serve();
    const pods = informer(client, resources.pods);
    const subscription = pods.store$.subscribe();
    afterTest(() => subscription.unsubscribe());
    await pods.synced;
    await cluster.client.create(resources.pods, pod('a', 'lazy', 'web', 'n1'));
    const snapshot = await firstValueFrom(pods.store$.pipe(filter((s) => s.has('a/lazy'))));

    const cell = snapshot.objectMap.get('a/lazy');
    expect(cell).toBeInstanceOf(EncodedObject);
    expect((cell as EncodedObject).encoded).toBe(true);
    // Reads of keys, sizes and the namespace index decode nothing.
    expect(snapshot.keys()).toContain('a/lazy');
    expect(snapshot.size).toBe(5);
    expect(snapshot.indexKeys(NAMESPACE_INDEX, 'a')).toContain('a/lazy');
    expect(snapshot.indexValues(NAMESPACE_INDEX).sort()).toEqual(['a', 'b']);
    expect((cell as EncodedObject).encoded).toBe(true);

    const object = snapshot.get('a/lazy');
    expect((cell as EncodedObject).encoded).toBe(false);
    expect(object).toEqual(await cluster.client.get(resources.pods, 'lazy', { namespace: 'a' }));
    expect(deeplyFrozen(object)).toBe(true);
    expect(snapshot.objectMap.get('a/lazy')).toBe(cell);
    expect(snapshot.get('a/lazy')).toBe(object);
    expect(snapshot.namespace('a').get('lazy')).toBe(object);
    expect(snapshot.list().find((p) => p.metadata?.name === 'lazy')).toBe(object);

    // A later snapshot shares the cell, decoded already: the same object.
    await cluster.client.create(resources.pods, pod('b', 'later', 'db', 'n1'));
    const later = await firstValueFrom(pods.store$.pipe(filter((s) => s.has('b/later'))));
    expect(later.objectMap.get('a/lazy')).toBe(cell);
    expect(later.get('a/lazy')).toBe(object);
    expect((later.objectMap.get('b/later') as EncodedObject).encoded).toBe(true);
  });

  it('turns away an object nested past 1,000 levels with deferral on, and keeps one within it', async () => {
    const { cluster, client } = await serve();
    const lazy = started(client, { indexers: {} });
    const eager = started(client, { indexers: {}, deferDecoding: false });
    await Promise.all([lazy.pods.synced, eager.pods.synced]);
    /** `{ a: { a: ... {} } }`: its innermost object `levels` below the pod (spec is one level). */
    const nest = (levels: number) => {
      let inner: Record<string, unknown> = {};
      for (let i = 1; i < levels; i++) inner = { a: inner };
      return inner;
    };
    await cluster.client.create(resources.pods, {
      ...pod('a', 'deep', 'web', 'n1'),
      spec: nest(1001),
    } as unknown as V1Pod);
    // Within the limit with room to spare: the cluster's managedFields mirror spec a few levels deeper.
    await cluster.client.create(resources.pods, {
      ...pod('a', 'edge', 'web', 'n1'),
      spec: nest(990),
    } as unknown as V1Pod);
    await cluster.client.create(resources.pods, pod('a', 'after', 'web', 'n1'));
    for (const { pods } of [lazy, eager])
      await firstValueFrom(pods.store$.pipe(filter((s) => s.has('a/after'))));

    for (const { pods, errors } of [lazy, eager]) {
      const snapshot = pods.snapshot();
      expect(snapshot.has('a/deep')).toBe(false);
      expect(snapshot.has('a/edge')).toBe(true);
      expect(deeplyFrozen(snapshot.get('a/edge'))).toBe(true);
      expect(errors).toHaveLength(1);
      const error = errors[0] as UncacheableObjectError;
      expect(error).toBeInstanceOf(UncacheableObjectError);
      expect(error.key).toBe('a/deep');
      expect(error.problem).toBe('the object nests deeper than 1000 levels');
      expect(error.object).not.toBeInstanceOf(EncodedObject);
    }
    expect(lazy.errors[0]?.message).toBe(eager.errors[0]?.message);
    expect(lazy.pods.snapshot().objectMap.get('a/after')).toBeInstanceOf(EncodedObject);
  });
});
