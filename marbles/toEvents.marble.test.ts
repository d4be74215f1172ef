import type { V1Pod } from '@kubernetes/client-node';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  batchToEvents,
  type DeepReadonly,
  DeletedFinalStateUnknown,
  type DeltaBatch,
  deltaFifo,
  type InformerEvent,
  listWatch,
  resources,
  toEvents,
  type WatchEvent,
} from '../src/index.js';
import {
  addEvent as add,
  added,
  bookmark,
  deleteEvent as del,
  deleted,
  errorEvent,
  objectEvent as ev,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
  updateEvent as update,
} from '../src/testing/index.js';
import { newScheduler } from './support.js';

type Event = WatchEvent<V1Pod>;
type IEvent = InformerEvent<V1Pod>;

describe('toEvents marbles: per-delta rules', () => {
  it('add: isInInitialList only for the initial list batch', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '1');
      const b = pod('b', '2');
      const c = pod('c', '3');
      const source = cold<Event>('r-a-s', {
        r: replace([a], '1'),
        a: ev('ADDED', b),
        s: replace([a, b, c], '3'),
      });
      expectObservable(source.pipe(deltaFifo(), toEvents())).toBe('r-a-(stu)', {
        r: add(a, true),
        a: add(b, false),
        s: update(a, a, true),
        t: update(b, b, true),
        // c is new in a relist, which is not the initial list
        u: add(c, false),
      });
    });
  });

  it('flattens a batch into events in delta order, in the same frame', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '1');
      const b = pod('b', '1');
      const b2 = pod('b', '2');
      const c = pod('c', '2');
      const source = cold<Event>('r 9ms s', { r: replace([a, b], '1'), s: replace([b2, c], '2') });
      expectObservable(source.pipe(deltaFifo(), toEvents())).toBe('(ab) 6ms (xyz)', {
        a: add(a, true),
        b: add(b, true),
        x: update(b, b2, false),
        y: add(c, false),
        z: del(a, true),
      });
    });
  });

  it('update: resync false for watch updates, true for Sync, and for Replaced only when the resourceVersion is unchanged', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const a2 = pod('a', '2');
      const b1 = pod('b', '1');
      const a3 = pod('a', '3');
      const source = cold<Event>('r 9ms m 9ms t 9ms s', {
        r: replace([a1, b1], '1'),
        m: ev('MODIFIED', a2),
        t: { type: 'RESYNC' },
        s: replace([a3, pod('b', '1')], '3'),
      });
      expectObservable(source.pipe(deltaFifo(), toEvents())).toBe('(rq) 6ms m 9ms (tu) 6ms (sv)', {
        r: add(a1, true),
        q: add(b1, true),
        m: update(a1, a2, false),
        t: update(a2, a2, true),
        u: update(b1, b1, true),
        s: update(a2, a3, false),
        v: update(b1, pod('b', '1'), true),
      });
    });
  });

  it('delete: finalStateUnknown only for a tombstone, with the last known state', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1', { labels: { v: 'listed' } });
      const b1 = pod('b', '1', { labels: { v: 'listed' } });
      const aGone = pod('a', '5');
      const source = cold<Event>('r 9ms d 9ms s', {
        r: replace([a1, b1], '1'),
        d: ev('DELETED', aGone),
        s: replace([], '6'),
      });
      expectObservable(source.pipe(deltaFifo(), toEvents())).toBe('(ab) 6ms d 9ms s', {
        a: add(a1, true),
        b: add(b1, true),
        d: del(aGone, false),
        s: del(b1, true),
      });
    });
  });

  it('empty batches (bookmarks, RESYNC before sync) produce no events', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '1');
      const source = cold<Event>('t-b-r-k|', {
        t: { type: 'RESYNC' },
        b: { type: 'BOOKMARK', resourceVersion: '1' },
        r: replace([a], '2'),
        k: { type: 'BOOKMARK', resourceVersion: '3' },
      });
      expectObservable(source.pipe(deltaFifo(), toEvents())).toBe('----r--|', { r: add(a, true) });
    });
  });

  it('batchToEvents maps a hand-built batch, including a Replaced without oldObject', () => {
    const a1 = pod('a', '1');
    const a2 = pod('a', '2');
    const gone = pod('gone', '1');
    const batch: DeltaBatch<V1Pod> = {
      deltas: [
        { type: 'Added', key: 'default/a', object: a1 },
        { type: 'Updated', key: 'default/a', object: a2, oldObject: a1 },
        { type: 'Replaced', key: 'default/a', object: a2 },
        { type: 'Sync', key: 'default/a', object: a2, oldObject: a2 },
        {
          type: 'Deleted',
          key: 'default/gone',
          object: gone,
          tombstone: new DeletedFinalStateUnknown('default/gone', gone),
        },
        { type: 'Deleted', key: 'default/a', object: a2, oldObject: a2 },
      ],
      resourceVersion: '2',
      synced: true,
      initialList: false,
    };
    expect(batchToEvents(batch)).toEqual([
      add(a1, false),
      update(a1, a2, false),
      update(a2, a2, true),
      update(a2, a2, true),
      del(gone, true),
      del(a2, false),
    ]);
    expect(batchToEvents({ ...batch, deltas: batch.deltas.slice(0, 1), initialList: true })).toEqual([
      add(a1, true),
    ]);
  });
});

describe('toEvents marbles: driven by listWatch scenarios', () => {
  const lw = (client: ReturnType<typeof scriptedClient>) =>
    listWatch<V1Pod>(client, resources.pods, { random: () => 0 });
  /** One informer event per line, to compare long scenarios at a glance. */
  const line = (e: IEvent) => {
    const id = (p: DeepReadonly<V1Pod>) => `${p.metadata?.name}@${p.metadata?.resourceVersion}`;
    switch (e.type) {
      case 'add':
        return `add ${id(e.object)} initial=${e.isInInitialList}`;
      case 'update':
        return `update ${id(e.oldObject)}->${id(e.object)} resync=${e.resync}`;
      case 'delete':
        return `delete ${id(e.object)} unknown=${e.finalStateUnknown}`;
    }
  };

  it('normal flow: the initial list as initial adds, then watch events', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10'), pod('b', '10')], '10')],
        watches: [
          cold('10ms a 9ms m 9ms d', {
            a: added(pod('c', '11')),
            m: modified(pod('a', '12')),
            d: deleted(pod('b', '13')),
          }),
        ],
      });
      expectObservable(lw(client).pipe(deltaFifo(), toEvents(), map(line)), '^ 40ms !').toBe(
        '(xy) 6ms a 9ms m 9ms d',
        {
          x: 'add a@10 initial=true',
          y: 'add b@10 initial=true',
          a: 'add c@11 initial=false',
          m: 'update a@10->a@12 resync=false',
          d: 'delete b@13 unknown=false',
        },
      );
    });
  });

  it('410 and a relist: unchanged objects are resyncs, vanished ones deletes with unknown final state', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [
          listOf([pod('a', '10'), pod('b', '10'), pod('c', '10')], '10'),
          listOf([pod('a', '10'), pod('c', '18'), pod('d', '19')], '20'),
        ],
        watches: [cold('10ms m 9ms e', { m: modified(pod('c', '11')), e: errorEvent(410) }), cold('-')],
      });
      expectObservable(lw(client).pipe(deltaFifo(), toEvents(), map(line)), '^ 40ms !').toBe(
        '(xyz) 5ms m 9ms (ABCD)',
        {
          x: 'add a@10 initial=true',
          y: 'add b@10 initial=true',
          z: 'add c@10 initial=true',
          m: 'update c@10->c@11 resync=false',
          A: 'update a@10->a@10 resync=true',
          B: 'update c@11->c@18 resync=false',
          C: 'add d@19 initial=false',
          D: 'delete b@10 unknown=true',
        },
      );
    });
  });

  it('bookmark: no event', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10')], '10')],
        watches: [cold('-b-m', { b: bookmark('11'), m: modified(pod('a', '12')) })],
      });
      expectObservable(lw(client).pipe(deltaFifo(), toEvents(), map(line)), '^ 10ms !').toBe('x--m', {
        x: 'add a@10 initial=true',
        m: 'update a@10->a@12 resync=false',
      });
    });
  });

  it('watch timeout: events continue after the re-watch without a relist burst', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10')], '10')],
        watches: [
          cold('-m 5m |', { m: modified(pod('a', '11')) }),
          cold('-d', { d: deleted(pod('a', '12')) }),
        ],
      });
      expectObservable(lw(client).pipe(deltaFifo(), toEvents(), map(line)), '^ 6m !').toBe('xm 300001ms d', {
        x: 'add a@10 initial=true',
        m: 'update a@10->a@11 resync=false',
        d: 'delete a@12 unknown=false',
      });
    });
  });

  it('backoff: after a failed watch, events resume 800 ms later at the right frame', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10')], '10')],
        watches: [new Error('connection reset'), cold('-a', { a: added(pod('b', '11')) })],
      });
      expectObservable(lw(client).pipe(deltaFifo(), toEvents(), map(line)), '^ 1s !').toBe('x 800ms a', {
        x: 'add a@10 initial=true',
        a: 'add b@11 initial=false',
      });
    });
  });
});
