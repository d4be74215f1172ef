/**
 * An informer's indexes over cells (issue 17), over real HTTP to the fake cluster through
 * `kubeClient`: with a node index (`byField('spec.nodeName')`, which reads more than metadata, so
 * it reads a cell's parse, never decodes it) and an app index (`byLabel('app')`, which reads the
 * cell's metadata), pods created on nodes, moved between nodes, relabelled and deleted are filed
 * exactly as an eager informer (`deferDecoding: false`) files them, after every change: index
 * values, the keys under each, and `byIndex` objects. An informer nobody reads keeps every stored
 * object encoded through all of it (list items and watched objects alike); `list('app=web')`
 * decodes the objects it returns and no others; a deleted pod leaves the node index.
 */

import { fc, test } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from, type Subscription } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { EncodedObject } from '../../src/core/encodedObject.js';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import type { Informer, InformerOptions } from '../../src/runtime/informer.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import type { FakeCluster } from '../../src/testing/index.js';
import type { kubeClient } from '../../src/transport/kubeClient.js';
import { indexState } from '../support/indexState.js';
import { afterTest, closeAll, indexedInformer, podOn, servePods } from '../support/podsOverHttp.js';

const pod = (namespace: string, name: string, app: string, nodeName: string): V1Pod =>
  podOn(namespace, name, app, nodeName, `pod ${name} },{"metadata":`);

const serve = servePods;

/** A running informer with the node and app indexes; only its store is subscribed (nothing reads). */
function started(client: ReturnType<typeof kubeClient>, options: InformerOptions<V1Pod> = {}) {
  const { pods, errors } = indexedInformer(client, options);
  const subscription: Subscription = pods.store$.subscribe();
  afterTest(() => subscription.unsubscribe());
  return { pods, errors };
}

/** Waits until every informer is at the cluster's resourceVersion, reading no object. */
async function settled(cluster: FakeCluster, ...informers: Informer<V1Pod>[]): Promise<void> {
  const fresh = await firstValueFrom(from(cluster.admin.list(resources.pods, {})));
  await vi.waitFor(
    () => {
      for (const pods of informers)
        expect(pods.snapshot().resourceVersion).toBe(fresh.metadata.resourceVersion);
    },
    { timeout: 5000, interval: 5 },
  );
}

const byKey = (objects: readonly DeepReadonly<V1Pod>[]) =>
  [...objects].sort((x, y) => String(objectKey(x)).localeCompare(String(objectKey(y))));

/** `byIndex` for every value of the node and app indexes (decodes what it returns). */
function byIndexReads(snapshot: Snapshot<V1Pod>, values: { node: string[]; app: string[] }) {
  return {
    node: values.node.map((value) => byKey(snapshot.byIndex('node', value))),
    app: values.app.map((value) => byKey(snapshot.byIndex('app', value))),
  };
}

/** Each key with whether its stored value is a cell still encoded. */
function encodedState(snapshot: Snapshot<V1Pod>): Record<string, boolean> {
  return Object.fromEntries(
    snapshot
      .keys()
      .sort()
      .map((key) => {
        const stored = snapshot.objectMap.get(key);
        return [key, stored instanceof EncodedObject && stored.encoded];
      }),
  );
}

const NODES = ['n1', 'n2', 'n3'];
const APPS = ['web', 'db', 'cache'];

/**
 * Three informers on one cluster: `untouched` (deferred, never read), `read` (deferred, read
 * through `byIndex` after every change) and `eager` (`deferDecoding: false`).
 */
async function trio(initial: readonly V1Pod[]) {
  const { cluster, client } = await serve(initial);
  const untouched = started(client);
  const read = started(client);
  const eager = started(client, { deferDecoding: false });
  await Promise.all([untouched.pods.synced, read.pods.synced, eager.pods.synced]);
  const all = [untouched.pods, read.pods, eager.pods];
  /** After a change: all three agree, and nothing of the untouched one is decoded. */
  const check = async (what: string) => {
    await settled(cluster, ...all);
    const [u, r, e] = all.map((pods) => pods.snapshot()) as [
      Snapshot<V1Pod>,
      Snapshot<V1Pod>,
      Snapshot<V1Pod>,
    ];
    const expected = indexState(e);
    expect([what, indexState(u)]).toEqual([what, expected]);
    expect([what, indexState(r)]).toEqual([what, expected]);
    expect([what, byIndexReads(r, { node: NODES, app: APPS })]).toEqual([
      what,
      byIndexReads(e, { node: NODES, app: APPS }),
    ]);
    expect([what, Object.values(encodedState(u)).every(Boolean)]).toEqual([what, true]);
    expect(e.keys().some((key) => e.objectMap.get(key) instanceof EncodedObject)).toBe(false);
    return { untouched: u, read: r, eager: e };
  };
  const errors = () => [...untouched.errors, ...read.errors, ...eager.errors];
  return { cluster, check, errors };
}

describe('informer indexes over cells, over HTTP', () => {
  it('files created, moved, relabelled and deleted pods as an eager informer does, decoding nothing', async () => {
    const { cluster, check, errors } = await trio([
      pod('a', 'web-1', 'web', 'n1'),
      pod('a', 'web-2', 'web', 'n2'),
      pod('a', 'db-1', 'db', 'n1'),
      pod('b', 'web-3', 'web', 'n2'),
      pod('b', 'queue', 'db', 'n1'),
    ]);
    const listed = await check('listed');
    // The list's items are cells too (the deferred list reader cut the page).
    expect(Object.keys(encodedState(listed.untouched))).toHaveLength(5);

    await cluster.client.create(resources.pods, pod('b', 'cache', 'cache', 'n3'));
    const created = await check('created');
    expect(created.untouched.indexKeys('node', 'n3')).toEqual(['b/cache']);

    await cluster.client.patch(resources.pods, 'web-1', { spec: { nodeName: 'n2' } }, 'merge', {
      namespace: 'a',
    });
    const moved = await check('moved');
    expect(moved.untouched.indexKeys('node', 'n1').sort()).toEqual(['a/db-1', 'b/queue']);
    expect(moved.untouched.indexKeys('node', 'n2').sort()).toEqual(['a/web-1', 'a/web-2', 'b/web-3']);

    // Moved back and forth before anything read it: the cell's kept values take it out of n2.
    await cluster.client.patch(resources.pods, 'web-1', { spec: { nodeName: 'n3' } }, 'merge', {
      namespace: 'a',
    });
    await cluster.client.patch(resources.pods, 'web-1', { spec: { nodeName: 'n1' } }, 'merge', {
      namespace: 'a',
    });
    await check('moved twice');

    await cluster.client.patch(resources.pods, 'db-1', { metadata: { labels: { app: 'web' } } }, 'merge', {
      namespace: 'a',
    });
    const relabelled = await check('relabelled');
    expect(relabelled.untouched.indexKeys('app', 'db')).toEqual(['b/queue']);

    await cluster.client.patch(resources.pods, 'queue', { metadata: { labels: { app: 'web' } } }, 'merge', {
      namespace: 'b',
    });
    const noDb = await check('no db left');
    expect(noDb.untouched.indexValues('app').sort()).toEqual(['cache', 'web']);

    await cluster.client.delete(resources.pods, 'web-3', { namespace: 'b' });
    await cluster.client.delete(resources.pods, 'cache', { namespace: 'b' });
    const deleted = await check('deleted');
    expect(deleted.untouched.has('b/web-3')).toBe(false);
    expect(deleted.untouched.indexKeys('node', 'n2')).toEqual(['a/web-2']);
    expect(deleted.untouched.indexValues('node').sort()).toEqual(['n1', 'n2']);
    expect(deleted.untouched.indexKeys('app', 'cache')).toEqual([]);

    expect(errors()).toEqual([]);
  });

  it("list('app=web') decodes the objects it returns and leaves the others encoded", async () => {
    const { cluster, check } = await trio([
      pod('a', 'web-1', 'web', 'n1'),
      pod('a', 'db-1', 'db', 'n1'),
      pod('b', 'web-2', 'web', 'n2'),
    ]);
    await cluster.client.create(resources.pods, pod('b', 'db-2', 'db', 'n2'));
    await cluster.client.create(resources.pods, pod('a', 'web-3', 'web', 'n3'));
    await cluster.client.patch(resources.pods, 'db-1', { spec: { nodeName: 'n2' } }, 'merge', {
      namespace: 'a',
    });
    const { untouched, eager } = await check('changed');
    expect(Object.values(encodedState(untouched)).every(Boolean)).toBe(true);

    const selected = untouched.list('app=web');
    expect(byKey(selected)).toEqual(byKey(eager.list('app=web')));
    expect(selected.map((p) => objectKey(p)).sort()).toEqual(['a/web-1', 'a/web-3', 'b/web-2']);
    expect(encodedState(untouched)).toEqual({
      'a/db-1': true,
      'a/web-1': false,
      'a/web-3': false,
      'b/db-2': true,
      'b/web-2': false,
    });
    // The node index over the same snapshot still reads keys without decoding the others.
    expect(untouched.indexKeys('node', 'n2').sort()).toEqual(['a/db-1', 'b/db-2', 'b/web-2']);
    expect(encodedState(untouched)['b/db-2']).toBe(true);
  });
});

type Op =
  | { readonly op: 'create'; readonly name: string; readonly app: string; readonly node: string }
  | { readonly op: 'move'; readonly name: string; readonly node: string }
  | { readonly op: 'relabel'; readonly name: string; readonly app: string }
  | { readonly op: 'delete'; readonly name: string };

const nameArb = fc.constantFrom('p1', 'p2', 'p3', 'p4');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    name: nameArb,
    app: fc.constantFrom(...APPS),
    node: fc.constantFrom(...NODES),
  }),
  fc.record({ op: fc.constant('move' as const), name: nameArb, node: fc.constantFrom(...NODES) }),
  fc.record({ op: fc.constant('relabel' as const), name: nameArb, app: fc.constantFrom(...APPS) }),
  fc.record({ op: fc.constant('delete' as const), name: nameArb }),
);

describe('informer indexes over cells, random changes over HTTP', () => {
  test.prop([fc.array(opArb, { minLength: 1, maxLength: 8 })], { numRuns: 8 })(
    'agree with an eager informer after every change, and an unread informer decodes nothing',
    async (ops) => {
      try {
        const { cluster, check, errors } = await trio([pod('default', 'p1', 'web', 'n1')]);
        const live = new Set(['p1']);
        for (const [i, change] of ops.entries()) {
          const exists = live.has(change.name);
          if (change.op === 'create') {
            if (exists) continue;
            await cluster.client.create(resources.pods, pod('default', change.name, change.app, change.node));
            live.add(change.name);
          } else if (!exists) continue;
          else if (change.op === 'move')
            await cluster.client.patch(
              resources.pods,
              change.name,
              { spec: { nodeName: change.node } },
              'merge',
              {
                namespace: 'default',
              },
            );
          else if (change.op === 'relabel')
            await cluster.client.patch(
              resources.pods,
              change.name,
              { metadata: { labels: { app: change.app } } },
              'merge',
              { namespace: 'default' },
            );
          else {
            await cluster.client.delete(resources.pods, change.name, { namespace: 'default' });
            live.delete(change.name);
          }
          const { untouched } = await check(`${i}: ${JSON.stringify(change)}`);
          expect(untouched.keys().sort()).toEqual([...live].map((name) => `default/${name}`).sort());
        }
        expect(errors()).toEqual([]);
      } finally {
        await closeAll();
      }
    },
  );
});
