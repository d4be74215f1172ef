import type { V1Pod } from '@kubernetes/client-node';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  byField,
  type DeepReadonly,
  type InformerEvent,
  InformerNotRunningError,
  type InformerOptions,
  informer,
  type KubeClient,
  type RawWatchEvent,
  resources,
  type Snapshot,
  statusError,
  stripManagedFields,
} from '../src/index.js';
import {
  addEvent,
  added,
  bookmark,
  deleted,
  errorEvent,
  listOf,
  modified,
  pod,
  deleteEvent as remove,
  scriptedClient,
  updateEvent as update,
} from '../src/testing/index.js';
import { newScheduler } from './support.js';

type PodEvent = InformerEvent<V1Pod>;
const add = (object: V1Pod, isInInitialList = true): PodEvent => addEvent(object, isInInitialList);

const podInformer = (client: KubeClient, options: InformerOptions<V1Pod> = {}) =>
  informer<V1Pod>(client, resources.pods, { random: () => 0, ...options });

/** What a test usually wants to know about a snapshot. */
const summary = (snapshot: Snapshot<V1Pod>) => ({
  resourceVersion: snapshot.resourceVersion,
  synced: snapshot.synced,
  keys: snapshot.keys().sort(), // a snapshot's key order is unspecified
});

const names = (objects: readonly DeepReadonly<V1Pod>[]) => objects.map((o) => o.metadata?.name).sort();

describe('informer marbles', () => {
  it('emits add (in initial list) for the list, then update and delete from the watch', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '10');
      const b = pod('b', '10');
      const a2 = pod('a', '11');
      const b3 = pod('b', '12');
      const client = scriptedClient({
        lists: [listOf([a, b], '10')],
        watches: [cold('-----m--d', { m: modified(a2), d: deleted(b3) })],
      });
      expectObservable(podInformer(client).events$).toBe('(ab)-m--d', {
        a: add(a),
        b: add(b),
        m: update(a, a2),
        d: remove(b3),
      });
    });
  });

  it('a relist that lacks an object deletes it with finalStateUnknown; listed ones update', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '10');
      const b = pod('b', '10');
      const c = pod('c', '10');
      const a2 = pod('a', '20');
      const client = scriptedClient({
        lists: [listOf([a, b, c], '10'), listOf([a2, c], '20')],
        // a 410 with no events since the list: backoff 800 ms, then relist
        watches: [cold('-----x', { x: errorEvent(410) }), cold('-')],
      });
      const inf = podInformer(client);
      expectObservable(inf.events$).toBe('(abc) 800ms (ACB)', {
        a: add(a),
        b: add(b),
        c: add(c),
        A: update(a, a2),
        C: update(c, c, true),
        B: remove(b, true),
      });
      flush();
      expect(names(inf.snapshot().list())).toEqual(['a', 'c']);
      expect(inf.snapshot().resourceVersion).toBe('20');
      expect(client.calls.map((call) => call.verb)).toEqual(['list', 'watch', 'list', 'watch']);
    });
  });

  it('store$ emits one snapshot per batch, synced from the first list, with its resourceVersion', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '10');
      const b = pod('b', '10');
      const client = scriptedClient({
        lists: [cold('--(l|)', { l: listOf([a, b], '10') })],
        watches: [
          cold('---m-k-d', { m: modified(pod('a', '11')), k: bookmark('13'), d: deleted(pod('b', '14')) }),
        ],
      });
      const inf = podInformer(client);
      const store$ = inf.store$.pipe(map(summary));
      expectObservable(store$).toBe('--l--m-k-d', {
        l: { resourceVersion: '10', synced: true, keys: ['default/a', 'default/b'] },
        m: { resourceVersion: '11', synced: true, keys: ['default/a', 'default/b'] },
        k: { resourceVersion: '13', synced: true, keys: ['default/a', 'default/b'] },
        d: { resourceVersion: '14', synced: true, keys: ['default/a'] },
      });
      // a late subscriber gets the current snapshot at once, then the later ones
      expectObservable(store$, '------^').toBe('------mk-d', {
        m: { resourceVersion: '11', synced: true, keys: ['default/a', 'default/b'] },
        k: { resourceVersion: '13', synced: true, keys: ['default/a', 'default/b'] },
        d: { resourceVersion: '14', synced: true, keys: ['default/a'] },
      });
    });
  });

  it('synced resolves with the first synced snapshot; hasSynced turns true with it', async () => {
    const ts = newScheduler();
    const seen: boolean[] = [];
    const snapshots: Snapshot<V1Pod>[] = [];
    const { inf, subscription } = ts.run(({ cold }) => {
      const client = scriptedClient({
        lists: [cold('---(l|)', { l: listOf([pod('a', '10'), pod('b', '10')], '10') })],
        watches: [cold('--m', { m: modified(pod('a', '11')) })],
      });
      const inf = podInformer(client);
      ts.schedule(() => seen.push(inf.hasSynced()), 2);
      ts.schedule(() => seen.push(inf.hasSynced()), 4);
      return { inf, subscription: inf.store$.subscribe((snapshot) => snapshots.push(snapshot)) };
    });
    expect(seen).toEqual([false, true]);
    expect(snapshots).toHaveLength(2);
    const snapshot = await inf.synced;
    expect(snapshot).toBe(snapshots[0]);
    expect(summary(snapshot)).toEqual({
      resourceVersion: '10',
      synced: true,
      keys: ['default/a', 'default/b'],
    });
    expect(inf.snapshot()).toBe(snapshots[1]);
    subscription.unsubscribe();
  });

  it('starts nothing until a stream is subscribed; synced rejects until then and when the run stops unsynced', async () => {
    const ts = newScheduler();
    const client = scriptedClient(); // the list never answers
    const inf = podInformer(client);
    // Not running: synced rejects at once, says how to start the informer, and starts nothing.
    await expect(inf.synced).rejects.toThrow(InformerNotRunningError);
    await expect(inf.synced).rejects.toThrow('subscribe to its events$, store$ or deltas$ first');
    expect(client.calls).toEqual([]);
    expect(inf.hasSynced()).toBe(false);
    expect(inf.snapshot().size).toBe(0);
    let during: Promise<unknown> = Promise.resolve();
    ts.run(({ expectObservable }) => {
      expectObservable(inf.events$, '^ 100000ms !').toBe('');
      ts.schedule(() => {
        during = inf.synced;
      }, 50);
    });
    expect(client.calls.map((call) => call.verb)).toEqual(['list']);
    // Read while running, it waited for this run; the run ended unsynced, so it rejects.
    await expect(during).rejects.toThrow('informer for pods.v1 stopped before it synced');
    await expect(inf.synced).rejects.toThrow('is not running');
  });

  it('a late events$ subscriber gets add for every cached object, then only live events, on one list-watch', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '10');
      const b = pod('b', '10');
      const a2 = pod('a', '11');
      const c = pod('c', '12');
      const client = scriptedClient({
        lists: [listOf([a, b], '10')],
        watches: [cold('-----m---------n', { m: modified(a2), n: added(c) })],
      });
      const inf = podInformer(client);
      expectObservable(inf.events$).toBe('(ab)-m---------n', {
        a: add(a),
        b: add(b),
        m: update(a, a2),
        n: add(c, false),
      });
      // joins after the update: the replay holds a2, not a, and nothing before is repeated
      expectObservable(inf.events$, '-------^').toBe('-------(AB)----n', {
        A: add(a2),
        B: add(b),
        n: add(c, false),
      });
      // joins in the frame of the update, before it is applied: replay of a and b, then the live update
      expectObservable(inf.events$, '-----^').toBe('-----(abm)-----n', {
        a: add(a),
        b: add(b),
        m: update(a, a2),
        n: add(c, false),
      });
      flush();
      expect(client.calls.map((call) => call.verb)).toEqual(['list', 'watch']);
    });
  });

  it('a subscriber that joins before the first list completes gets the initial adds once', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '10');
      const client = scriptedClient({
        lists: [cold('---(l|)', { l: listOf([a], '10') })],
        watches: [cold('-')],
      });
      const inf = podInformer(client);
      expectObservable(inf.events$).toBe('---a', { a: add(a) });
      expectObservable(inf.events$, '-^').toBe('---a', { a: add(a) });
      flush();
      expect(client.calls.map((call) => call.verb)).toEqual(['list', 'watch']);
    });
  });

  it('refCount: the last subscriber leaving unsubscribes the watch; a new subscriber lists afresh', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const a = pod('a', '10');
      const a2 = pod('a', '20');
      const b = pod('b', '20');
      const firstWatch = cold('--m', { m: modified(pod('a', '11')) });
      const secondWatch = cold<RawWatchEvent>('-');
      const client = scriptedClient({
        lists: [listOf([a], '10'), listOf([a2, b], '20')],
        watches: [firstWatch, secondWatch],
      });
      const inf = podInformer(client);
      expectObservable(inf.events$, '^---!').toBe('a-m', { a: add(a), m: update(a, pod('a', '11')) });
      expectObservable(inf.store$.pipe(map((s) => s.size)), '^-!').toBe('1', { 1: 1 });
      const during: unknown[] = [];
      ts.schedule(() => during.push(inf.snapshot().size, inf.hasSynced()), 2);
      ts.schedule(() => during.push(inf.snapshot().size, inf.hasSynced()), 4);
      expectSubscriptions(firstWatch.subscriptions).toBe('^---!');
      expectObservable(inf.events$, '------^').toBe('------(ab)', { a: add(a2), b: add(b) });
      expectSubscriptions(secondWatch.subscriptions).toBe('------^');
      flush();
      expect(during).toEqual([1, true, 0, false]);
      expect(client.calls.map((call) => `${call.verb}@${call.options.resourceVersion ?? ''}`)).toEqual([
        'list@',
        'watch@10',
        'list@',
        'watch@20',
      ]);
    });
  });

  it('resyncPeriodMs re-delivers every cached object as a resync update each period', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const a = pod('a', '10');
      const b = pod('b', '10');
      const a2 = pod('a', '11');
      const client = scriptedClient({
        lists: [listOf([a, b], '10')],
        watches: [cold('100000ms m', { m: modified(a2) })],
      });
      const inf = podInformer(client, { resyncPeriodMs: 10 * 60_000, scheduler: ts });
      expectObservable(inf.events$, '^ 1300000ms !').toBe('(ab) 99996ms m 499999ms (AB) 599996ms (AB)', {
        a: add(a),
        b: add(b),
        m: update(a, a2),
        A: update(a2, a2, true),
        B: update(b, b, true),
      });
    });
  });

  it('knownObjects: an object known before start and absent from the first list is deleted after sync', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const known = pod('k', '5');
      const a = pod('a', '10');
      const b = pod('b', '11');
      const client = scriptedClient({ lists: [listOf([a, b], '12')], watches: [cold('-')] });
      const inf = podInformer(client, { knownObjects: [known, a] });
      expectObservable(inf.events$).toBe('(abk)', {
        a: update(a, a, true),
        b: add(b),
        k: remove(known, true),
      });
      flush();
      expect(inf.snapshot().keys().sort()).toEqual(['default/a', 'default/b']);
      expect(inf.snapshot().synced).toBe(true);
    });
  });

  it('knownObjects are readable from snapshot() before the first list, without being announced', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const known = pod('k', '5');
      const a = pod('a', '10');
      const client = scriptedClient({
        lists: [cold('---(l|)', { l: listOf([a], '12') })],
        watches: [cold('-')],
      });
      const inf = podInformer(client, { knownObjects: [known] });
      expect(inf.snapshot().get('default/k')).toEqual(known);
      expect(inf.hasSynced()).toBe(false);
      expectObservable(inf.events$).toBe('---(ak)', { a: add(a), k: remove(known, true) });
      flush();
      expect(inf.snapshot().get('default/k')).toBeUndefined();
    });
  });

  it('a fatal error (403 three times) errors events$ and store$ and rejects synced', async () => {
    const ts = newScheduler();
    const denied = [1, 2, 3].map((n) => statusError(403, `pods is forbidden (${n})`));
    const client = scriptedClient({ lists: [...denied] });
    const inf = podInformer(client);
    ts.run(({ expectObservable }) => {
      expectObservable(inf.events$).toBe('2400ms #', undefined, denied[2]);
      expectObservable(inf.store$).toBe('2400ms #', undefined, denied[2]);
    });
    await expect(inf.synced).rejects.toBe(denied[2]);
    expect(inf.hasSynced()).toBe(false);
    expect(client.calls.map((call) => call.verb)).toEqual(['list', 'list', 'list']);
  });

  it('applies transform before caching: events and snapshots hold the transformed objects', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const withManagedFields = (p: V1Pod): V1Pod => ({
        ...p,
        metadata: { ...p.metadata, managedFields: [{ manager: 'kubectl', operation: 'Apply' }] },
      });
      const a = pod('a', '10');
      const a2 = pod('a', '11');
      const client = scriptedClient({
        lists: [listOf([withManagedFields(a)], '10')],
        watches: [cold('-m', { m: modified(withManagedFields(a2)) })],
      });
      const inf = podInformer(client, { transform: stripManagedFields() });
      expectObservable(inf.events$).toBe('am', { a: add(a), m: update(a, a2) });
      flush();
      const cached = inf.snapshot().get('default/a');
      expect(cached).toEqual(a2);
      expect(cached?.metadata).not.toHaveProperty('managedFields');
      expect(Object.isFrozen(cached)).toBe(true);
    });
  });

  it('indexers are maintained on every snapshot (byIndex)', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '10', { nodeName: 'n1' });
      const b = pod('b', '10', { nodeName: 'n2', namespace: 'kube-system' });
      const c = pod('c', '10', { nodeName: 'n1' });
      const client = scriptedClient({
        lists: [listOf([a, b, c], '10')],
        watches: [
          cold('-m-d', { m: modified(pod('a', '11', { nodeName: 'n2' })), d: deleted(pod('c', '12')) }),
        ],
      });
      const inf = podInformer(client, { indexers: { node: byField('spec.nodeName') } });
      const byNode$ = inf.store$.pipe(
        map((s) => ({
          n1: names(s.byIndex('node', 'n1')),
          n2: names(s.byIndex('node', 'n2')),
          nodes: s.indexValues('node').sort(),
          kubeSystem: names(s.namespace('kube-system').list()),
        })),
      );
      expectObservable(byNode$).toBe('lm-d', {
        l: { n1: ['a', 'c'], n2: ['b'], nodes: ['n1', 'n2'], kubeSystem: ['b'] },
        m: { n1: ['c'], n2: ['a', 'b'], nodes: ['n1', 'n2'], kubeSystem: ['b'] },
        d: { n1: [], n2: ['a', 'b'], nodes: ['n2'], kubeSystem: ['b'] },
      });
    });
  });
});
