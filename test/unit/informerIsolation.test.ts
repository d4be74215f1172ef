/**
 * One malformed object never stops an informer or a controller (issue 14): it is reported with its
 * key and skipped by the cache, or left out of the one index that cannot file it, and the stream
 * goes on. Each test lists and watches through a scripted client and checks the four things that
 * matter: the informer keeps running, the cache holds every valid object, the bad one is reported
 * (with its key where it has one), and an index failure costs only that index.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { concat, from, NEVER, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  byLabel,
  byOwner,
  controller,
  type Indexers,
  IndexFunctionError,
  type Informer,
  InvalidObjectError,
  informer,
  type KubeObject,
  type KubeRxError,
  type ListWatchErrorContext,
  resources,
  type Snapshot,
  UncacheableObjectError,
} from '../../src/index.js';
import { added, listOf, pod, scriptedClient } from '../../src/testing/index.js';

interface Run {
  readonly reported: { error: KubeRxError; context: ListWatchErrorContext }[];
  readonly streamErrors: unknown[];
  readonly completed: boolean;
  readonly snapshot: Snapshot<V1Pod>;
  readonly reconciled: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Lists `listed`, then watches `watched` and keeps the watch open; runs `consumer` beside the
 * informer's events, and returns what happened once it all settled.
 */
async function run(options: {
  listed: readonly unknown[];
  watched?: readonly unknown[];
  indexers?: Indexers<V1Pod>;
  consumer?: (pods: Informer<V1Pod>, reconciled: string[]) => Observable<unknown>;
}): Promise<Run> {
  const reported: Run['reported'] = [];
  const streamErrors: unknown[] = [];
  const reconciled: string[] = [];
  let completed = false;
  const client = scriptedClient({
    lists: [listOf(options.listed as KubeObject[], '10')],
    watches: [concat(from((options.watched ?? []).map((object) => added(object as KubeObject))), NEVER)],
  });
  const pods = informer<V1Pod>(client, resources.pods, {
    indexers: options.indexers ?? {},
    onError: (error, context) => reported.push({ error, context }),
  });
  const observer = {
    error: (error: unknown) => streamErrors.push(error),
    complete: () => {
      completed = true;
    },
  };
  const subscriptions = [pods.events$.subscribe(observer)];
  if (options.consumer) subscriptions.push(options.consumer(pods, reconciled).subscribe(observer));
  try {
    await pods.synced;
    await sleep(30);
    return { reported, streamErrors, completed, snapshot: pods.snapshot(), reconciled };
  } finally {
    for (const s of subscriptions) s.unsubscribe();
  }
}

/** The informer is still running: nothing errored or completed. */
function expectRunning(r: Run): void {
  expect(r.streamErrors.map(String)).toEqual([]);
  expect(r.completed).toBe(false);
}

const keys = (snapshot: Snapshot<V1Pod>) => snapshot.keys().sort();

/** A pod whose `spec.nested` nests `depth` levels (built without recursion). */
function nested(name: string, resourceVersion: string, depth: number): V1Pod {
  let inner: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) inner = { a: inner };
  return { ...pod(name, resourceVersion), spec: { containers: [], nested: inner } as V1Pod['spec'] };
}

/** A pod with `metadata` fields set to anything at all. */
const oddPod = (name: string, resourceVersion: string, fields: Record<string, unknown>): V1Pod =>
  ({
    ...pod(name, resourceVersion),
    metadata: { ...pod(name, resourceVersion).metadata, ...fields },
  }) as V1Pod;

const listed = [pod('a', '1'), pod('b', '2'), pod('c', '3')];
const listedKeys = ['default/a', 'default/b', 'default/c'];

describe('informer isolation of malformed objects (issue 14)', () => {
  it('a listed object nested 10,000 levels deep is reported with its key and skipped; the informer keeps running', async () => {
    const r = await run({ listed: [...listed, nested('deep', '4', 10_000)], watched: [pod('later', '11')] });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual([...listedKeys, 'default/later']);
    expect(r.reported).toHaveLength(1);
    const error = r.reported[0]?.error as UncacheableObjectError;
    expect(error).toBeInstanceOf(UncacheableObjectError);
    expect([error.key, error.resource]).toEqual(['default/deep', 'pods.v1']);
    expect(error.message).toBe('pods.v1 default/deep: the object nests deeper than 1000 levels; skipped');
  });

  it('a watched object nested 10,000 levels deep is reported with its key and skipped; later events apply', async () => {
    const r = await run({ listed, watched: [nested('deep', '11', 10_000), pod('later', '12')] });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual([...listedKeys, 'default/later']);
    expect(r.reported.map((x) => (x.error as UncacheableObjectError).key)).toEqual(['default/deep']);
  });

  it('metadata.namespace that is a number, an object or an array is reported and skipped, never keyed "[object Object]/..."', async () => {
    const bad = [
      oddPod('numbered', '4', { namespace: 5 }),
      oddPod('objected', '5', { namespace: { name: 'default' } }),
      oddPod('listed', '6', { namespace: ['default'] }),
    ];
    const r = await run({ listed: [...listed, bad[0]], watched: [bad[1], bad[2], pod('later', '12')] });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual([...listedKeys, 'default/later']);
    expect(r.reported.map((x) => x.error)).toHaveLength(3);
    for (const [i, x] of r.reported.entries()) {
      expect(x.error).toBeInstanceOf(InvalidObjectError);
      expect((x.error as InvalidObjectError).object).toBe(bad[i]);
    }
  });

  it('identity: namespace "a" + name "b/c" and namespace "a/b" + name "c" are both reported; neither is cached as "a/b/c"', async () => {
    const slashInName = pod('b/c', '4', { namespace: 'a' });
    const slashInNamespace = pod('c', '5', { namespace: 'a/b' });
    const r = await run({ listed: [...listed, slashInName], watched: [slashInNamespace] });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual(listedKeys);
    expect(r.snapshot.get('a/b/c')).toBeUndefined();
    expect(r.reported.map((x) => (x.error as InvalidObjectError).object)).toEqual([
      slashInName,
      slashInNamespace,
    ]);
    for (const x of r.reported) expect(x.error).toBeInstanceOf(InvalidObjectError);
  });

  it('labels: null is cached as no labels; selector lists and a byLabel index go on working', async () => {
    const unlabelled = oddPod('unlabelled', '4', { labels: null });
    const stringly = oddPod('stringly', '5', { labels: 'app=web' });
    const web = pod('web', '6', { labels: { app: 'web' } });
    const r = await run({
      listed: [...listed, unlabelled],
      watched: [stringly, web],
      indexers: { app: byLabel('app') },
    });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual([
      ...listedKeys,
      'default/stringly',
      'default/unlabelled',
      'default/web',
    ]);
    expect(r.snapshot.list('app=web').map((p) => p.metadata?.name)).toEqual(['web']);
    expect(r.snapshot.list('!app')).toHaveLength(5);
    expect(r.snapshot.indexValues('app')).toEqual(['web']);
    expect(r.reported).toEqual([]);
  });

  it('ownerReferences that is {} or [null] is cached, left out of byOwner, and in every other index', async () => {
    const objectRefs = oddPod('object-refs', '4', { ownerReferences: {} });
    const nullRef = oddPod('null-ref', '5', { ownerReferences: [null] });
    const owned = pod('owned', '6', { ownerUid: 'rs-1', labels: { app: 'web' } });
    const r = await run({
      listed: [...listed, objectRefs],
      watched: [nullRef, owned],
      indexers: { owner: byOwner, app: byLabel('app') },
    });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual([
      ...listedKeys,
      'default/null-ref',
      'default/object-refs',
      'default/owned',
    ]);
    expect(r.snapshot.indexValues('owner')).toEqual(['rs-1']);
    expect(r.snapshot.indexKeys('namespace', 'default')).toHaveLength(6);
    expect(r.reported).toEqual([]);
  });

  it("byLabel('constructor') files only objects with a label called constructor, never Object.prototype's", async () => {
    const real = pod('real', '4', { labels: { constructor: 'yes' } });
    const r = await run({ listed: [...listed, real], indexers: { c: byLabel('constructor') } });
    expectRunning(r);
    expect(r.snapshot.indexValues('c')).toEqual(['yes']);
    expect(r.snapshot.indexKeys('c', 'yes')).toEqual(['default/real']);
    expect(r.reported).toEqual([]);
  });

  it('an index function that throws for one object is reported with index and key; the object stays cached and in every other index', async () => {
    const throwsForB: Indexers<V1Pod>[string] = (p) => {
      if (p.metadata?.name === 'b') throw new Error('cannot index b');
      return [p.metadata?.name ?? ''];
    };
    const r = await run({
      listed,
      watched: [pod('later', '11')],
      indexers: { name: throwsForB, app: byLabel('app') },
    });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual([...listedKeys, 'default/later']);
    expect(r.snapshot.indexValues('name').sort()).toEqual(['a', 'c', 'later']);
    expect(r.snapshot.indexKeys('namespace', 'default')).toContain('default/b');
    expect(r.reported).toHaveLength(1);
    const error = r.reported[0]?.error as IndexFunctionError;
    expect(error).toBeInstanceOf(IndexFunctionError);
    expect([error.index, error.key, error.resource]).toEqual(['name', 'default/b', 'pods.v1']);
    expect(r.reported[0]?.context.resource).toBe('pods.v1');
  });

  it('an index function returning a string instead of an array skips that object in that index only', async () => {
    const notAnArray = ((p: V1Pod) =>
      p.metadata?.name === 'b' ? 'b' : [p.metadata?.name ?? '']) as unknown as Indexers<V1Pod>[string];
    const r = await run({ listed, indexers: { name: notAnArray } });
    expectRunning(r);
    expect(keys(r.snapshot)).toEqual(listedKeys);
    expect(r.snapshot.indexValues('name').sort()).toEqual(['a', 'c']);
    expect(r.reported.map((x) => (x.error as IndexFunctionError).key)).toEqual(['default/b']);
  });

  it('a controller that owns its own resource keeps running on ownerReferences {} and [null]; valid owners still wake', async () => {
    const controlled = (name: string, rv: string, ownerName: string) =>
      oddPod(name, rv, {
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Pod', name: ownerName, uid: `uid-${ownerName}`, controller: true },
        ],
      });
    const r = await run({
      listed: [...listed, oddPod('object-refs', '4', { ownerReferences: {} })],
      watched: [
        oddPod('null-ref', '11', { ownerReferences: [null, 'x', { controller: true, kind: 'Pod' }] }),
        controlled('child', '12', 'a'),
        controlled('slashed', '13', 'x/y'),
      ],
      consumer: (pods, reconciled) =>
        controller({
          for: pods,
          owns: [pods],
          reconcile: (key) => {
            reconciled.push(key);
          },
        }),
    });
    expectRunning(r);
    expect(keys(r.snapshot)).toHaveLength(7);
    expect(r.reconciled).toContain('default/a');
    expect(r.reconciled).toContain('default/null-ref');
    expect(r.reconciled).not.toContain('default/x/y');
  });
});
