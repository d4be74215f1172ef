import type { V1Pod } from '@kubernetes/client-node';
import { catchError, map, of, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  byField,
  byLabel,
  byNamespace,
  byOwner,
  type DeepReadonly,
  type DeltaBatch,
  deltaFifo,
  type Indexers,
  IndexFunctionError,
  IndexNotFoundError,
  indexer,
  listWatch,
  parseLabelSelector,
  resources,
  type Snapshot,
  type WatchEvent,
} from '../src/index.js';
import {
  added,
  bookmark,
  deleted,
  errorEvent,
  objectEvent as ev,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
} from '../src/testing/index.js';
import { newScheduler } from './support.js';

type Event = WatchEvent<V1Pod>;
type Snap = Snapshot<V1Pod>;

const indexers: Indexers<V1Pod> = {
  app: byLabel('app'),
  owner: byOwner,
  node: byField('spec.nodeName'),
  ns: byNamespace,
};

/** What a snapshot holds, as plain data: keys with resourceVersions, indexes, version and sync flag. */
const view = (s: Snap) => ({
  items: s
    .list()
    .map((p) => `${p.metadata?.namespace}/${p.metadata?.name}@${p.metadata?.resourceVersion}`)
    .sort(),
  node: Object.fromEntries(
    s
      .indexValues('node')
      .sort()
      .map((v) => [v, s.indexKeys('node', v).sort()]),
  ),
  rv: s.resourceVersion,
  synced: s.synced,
});
type View = ReturnType<typeof view>;

/** What `fn` throws (undefined when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('indexer marbles: operator rules', () => {
  it('emits exactly one snapshot per batch, empty batches included', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold<Event>('b-r-a-s-k-d', {
        b: { type: 'BOOKMARK', resourceVersion: '1' },
        r: replace([pod('a', '2', { nodeName: 'n1' }), pod('b', '2', { nodeName: 'n1' })], '2'),
        a: ev('ADDED', pod('c', '3', { nodeName: 'n2' })),
        s: { type: 'RESYNC' },
        k: { type: 'BOOKMARK', resourceVersion: '9' },
        d: ev('DELETED', pod('a', '10')),
      });
      expectObservable(source.pipe(deltaFifo(), indexer(indexers), map(view))).toBe('b-r-a-s-k-d', {
        b: { items: [], node: {}, rv: '1', synced: false },
        r: {
          items: ['default/a@2', 'default/b@2'],
          node: { n1: ['default/a', 'default/b'] },
          rv: '2',
          synced: true,
        },
        a: {
          items: ['default/a@2', 'default/b@2', 'default/c@3'],
          node: { n1: ['default/a', 'default/b'], n2: ['default/c'] },
          rv: '3',
          synced: true,
        },
        s: {
          items: ['default/a@2', 'default/b@2', 'default/c@3'],
          node: { n1: ['default/a', 'default/b'], n2: ['default/c'] },
          rv: '3',
          synced: true,
        },
        k: {
          items: ['default/a@2', 'default/b@2', 'default/c@3'],
          node: { n1: ['default/a', 'default/b'], n2: ['default/c'] },
          rv: '9',
          synced: true,
        },
        d: {
          items: ['default/b@2', 'default/c@3'],
          node: { n1: ['default/b'], n2: ['default/c'] },
          rv: '10',
          synced: true,
        },
      } satisfies Record<string, View>);
    });
  });

  it('answers get / list(selector) / namespace / byIndex / indexKeys / indexValues / size', () => {
    newScheduler().run(({ cold, flush }) => {
      const web1 = pod('web-1', '1', {
        labels: { app: 'web', tier: 'fe' },
        nodeName: 'n1',
        ownerUid: 'rs-web',
      });
      const web2 = pod('web-2', '2', {
        namespace: 'prod',
        labels: { app: 'web', tier: 'edge' },
        nodeName: 'n2',
        ownerUid: 'rs-web',
      });
      const db = pod('db-0', '3', { namespace: 'prod', labels: { app: 'db' }, nodeName: 'n1' });
      const bare = pod('bare', '4');
      const snaps: Snap[] = [];
      cold<Event>('r', { r: replace([web1, web2, db, bare], '4') })
        .pipe(deltaFifo(), indexer(indexers))
        .subscribe((s) => snaps.push(s));
      flush();
      expect(snaps).toHaveLength(1);
      const s = snaps[0] as Snap;
      expect(s.size).toBe(4);
      expect(s.resourceVersion).toBe('4');
      expect(s.synced).toBe(true);
      expect(s.get('prod/web-2')).toBe(web2);
      expect(s.get('web-2')).toBeUndefined();
      expect(s.get('default/nope')).toBeUndefined();
      const names = (ps: readonly DeepReadonly<V1Pod>[]) => ps.map((p) => p.metadata?.name).sort();
      expect(names(s.list())).toEqual(['bare', 'db-0', 'web-1', 'web-2']);
      expect(names(s.list('app=web'))).toEqual(['web-1', 'web-2']);
      expect(names(s.list('app=web,tier notin (edge)'))).toEqual(['web-1']);
      expect(names(s.list('app!=web'))).toEqual(['bare', 'db-0']);
      expect(names(s.list({ matchLabels: { app: 'db' } }))).toEqual(['db-0']);
      expect(names(s.list(parseLabelSelector('!app')))).toEqual(['bare']);
      expect(names(s.list(''))).toEqual(['bare', 'db-0', 'web-1', 'web-2']);
      expect(s.namespace('prod').get('db-0')).toBe(db);
      expect(s.namespace('prod').get('web-1')).toBeUndefined();
      expect(s.namespace('default').get('web-1')).toBe(web1);
      expect(names(s.namespace('prod').list())).toEqual(['db-0', 'web-2']);
      expect(names(s.namespace('prod').list('app=web'))).toEqual(['web-2']);
      expect(s.namespace('empty').list()).toEqual([]);
      expect(names(s.byIndex('app', 'web'))).toEqual(['web-1', 'web-2']);
      expect(s.byIndex('app', 'nope')).toEqual([]);
      expect(s.indexKeys('owner', 'rs-web').sort()).toEqual(['default/web-1', 'prod/web-2']);
      expect(s.indexKeys('node', 'n1').sort()).toEqual(['default/web-1', 'prod/db-0']);
      expect(s.indexKeys('ns', 'prod').sort()).toEqual(['prod/db-0', 'prod/web-2']);
      expect(s.indexValues('app').sort()).toEqual(['db', 'web']);
      expect(s.indexValues('owner')).toEqual(['rs-web']);
      expect(s.indexValues('node').sort()).toEqual(['n1', 'n2']);
      // the always-present namespace index
      expect(s.indexValues('namespace').sort()).toEqual(['default', 'prod']);
      expect(s.indexNames().sort()).toEqual(['app', 'namespace', 'node', 'ns', 'owner']);
    });
  });

  it('throws IndexNotFoundError for an index it was not given', () => {
    newScheduler().run(({ cold, flush }) => {
      const snaps: Snap[] = [];
      cold<Event>('r', { r: replace([pod('a', '1')], '1') })
        .pipe(deltaFifo(), indexer<V1Pod>({ app: byLabel('app') }))
        .subscribe((s) => snaps.push(s));
      flush();
      const s = snaps[0] as Snap;
      for (const query of [
        () => s.byIndex('node', 'n1'),
        () => s.indexKeys('node', 'n1'),
        () => s.indexValues('node'),
      ]) {
        const error = thrown(query);
        expect(error).toBeInstanceOf(IndexNotFoundError);
        expect((error as IndexNotFoundError).index).toBe('node');
      }
      expect(s.indexValues('app')).toEqual([]);
    });
  });

  it('moves keys between index values on update and drops values left empty', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold<Event>('r-m-d', {
        r: replace([pod('a', '1', { nodeName: 'n1' }), pod('b', '1', { nodeName: 'n1' })], '1'),
        m: ev('MODIFIED', pod('a', '2', { nodeName: 'n2' })),
        d: ev('DELETED', pod('b', '3', { nodeName: 'n1' })),
      });
      expectObservable(source.pipe(deltaFifo(), indexer(indexers), map(view))).toBe('r-m-d', {
        r: {
          items: ['default/a@1', 'default/b@1'],
          node: { n1: ['default/a', 'default/b'] },
          rv: '1',
          synced: true,
        },
        m: {
          items: ['default/a@2', 'default/b@1'],
          node: { n1: ['default/b'], n2: ['default/a'] },
          rv: '2',
          synced: true,
        },
        d: { items: ['default/a@2'], node: { n2: ['default/a'] }, rv: '3', synced: true },
      });
    });
  });

  it('keeps old snapshots unchanged after later batches (persistence)', () => {
    newScheduler().run(({ cold, flush }) => {
      const a1 = pod('a', '1', { labels: { app: 'web' }, nodeName: 'n1' });
      const snaps: Snap[] = [];
      cold<Event>('r-m-d-s', {
        r: replace([a1, pod('b', '1', { nodeName: 'n1' })], '1'),
        m: ev('MODIFIED', pod('a', '2', { labels: { app: 'db' }, nodeName: 'n2' })),
        d: ev('DELETED', pod('b', '3')),
        s: replace([pod('z', '9')], '9'),
      })
        .pipe(deltaFifo(), indexer(indexers))
        .subscribe((s) => snaps.push(s));
      flush();
      expect(snaps.map(view)).toEqual([
        {
          items: ['default/a@1', 'default/b@1'],
          node: { n1: ['default/a', 'default/b'] },
          rv: '1',
          synced: true,
        },
        {
          items: ['default/a@2', 'default/b@1'],
          node: { n1: ['default/b'], n2: ['default/a'] },
          rv: '2',
          synced: true,
        },
        { items: ['default/a@2'], node: { n2: ['default/a'] }, rv: '3', synced: true },
        { items: ['default/z@9'], node: {}, rv: '9', synced: true },
      ]);
      const first = snaps[0] as Snap;
      expect(first.get('default/a')).toBe(a1);
      expect(first.byIndex('app', 'web')).toEqual([a1]);
      expect(first.byIndex('app', 'db')).toEqual([]);
      expect(first.size).toBe(2);
      expect(new Set(snaps).size).toBe(4);
    });
  });

  it('an index function that throws errors the stream with IndexFunctionError; the last snapshot stays intact', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const good = pod('good', '1', { nodeName: 'n1' });
      const cause = new Error('cannot index this one');
      const failing: Indexers<V1Pod> = {
        node: byField('spec.nodeName'),
        picky: (p) => {
          if (p.metadata?.name === 'bad') throw cause;
          return [p.metadata?.name ?? ''];
        },
      };
      const source = cold<Event>('r-x-m', {
        r: replace([good], '1'),
        x: ev('ADDED', pod('bad', '2', { nodeName: 'n1' })),
        m: ev('MODIFIED', pod('good', '3')),
      });
      const snaps: Snap[] = [];
      const out$ = source.pipe(
        deltaFifo(),
        indexer(failing),
        tap((s) => snaps.push(s)),
        map((s) => s.keys()),
        catchError((e: unknown) =>
          of(
            e instanceof IndexFunctionError
              ? `${e.name} index=${e.index} key=${e.key} cause=${(e.cause as Error).message}`
              : `unexpected ${String(e)}`,
          ),
        ),
      );
      expectObservable(out$).toBe('r-(x|)', {
        r: ['default/good'],
        x: 'IndexFunctionError index=picky key=default/bad cause=cannot index this one',
      });
      flush();
      expect(snaps).toHaveLength(1);
      const last = snaps[0] as Snap;
      expect(last.keys()).toEqual(['default/good']);
      expect(last.indexKeys('node', 'n1')).toEqual(['default/good']);
      expect(last.indexValues('picky')).toEqual(['good']);
      expect(last.get('default/bad')).toBeUndefined();
    });
  });

  it('an index function returning something other than string[] is an IndexFunctionError', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const bad = {
        weird: ((p: V1Pod) => (p.metadata?.name === 'b' ? 'b' : [])) as unknown as Indexers<V1Pod>[string],
      };
      const source = cold<Event>('r', { r: replace([pod('a', '1'), pod('b', '1')], '1') });
      expectObservable(source.pipe(deltaFifo(), indexer(bad))).toBe(
        '#',
        undefined,
        expect.any(IndexFunctionError),
      );
    });
  });

  it('applies a batch straight from deltaFifo-shaped values (Deleted of an unknown key is a no-op)', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '1');
      const b = pod('b', '2');
      const batches: Record<string, DeltaBatch<V1Pod>> = {
        x: {
          deltas: [{ type: 'Added', key: 'default/a', object: a }],
          resourceVersion: '1',
          synced: true,
          initialList: true,
        },
        y: {
          deltas: [
            { type: 'Deleted', key: 'default/ghost', object: pod('ghost', '2') },
            { type: 'Added', key: 'default/b', object: b },
          ],
          resourceVersion: '2',
          synced: true,
          initialList: false,
        },
      };
      expectObservable(cold('x-y', batches).pipe(indexer(indexers), map(view))).toBe('x-y', {
        x: { items: ['default/a@1'], node: {}, rv: '1', synced: true },
        y: { items: ['default/a@1', 'default/b@2'], node: {}, rv: '2', synced: true },
      });
    });
  });
});

describe('indexer marbles: driven by listWatch scenarios', () => {
  const lw = (client: ReturnType<typeof scriptedClient>) =>
    listWatch<V1Pod>(client, resources.pods, { random: () => 0 });

  it('normal flow: list then watch, one snapshot per event', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10', { nodeName: 'n1' })], '10')],
        watches: [
          cold('-a-m-d', {
            a: added(pod('b', '11', { nodeName: 'n2' })),
            m: modified(pod('a', '12', { nodeName: 'n2' })),
            d: deleted(pod('b', '13', { nodeName: 'n2' })),
          }),
        ],
      });
      expectObservable(lw(client).pipe(deltaFifo(), indexer(indexers), map(view)), '^ 10ms !').toBe(
        'ra-m-d',
        {
          r: { items: ['default/a@10'], node: { n1: ['default/a'] }, rv: '10', synced: true },
          a: {
            items: ['default/a@10', 'default/b@11'],
            node: { n1: ['default/a'], n2: ['default/b'] },
            rv: '11',
            synced: true,
          },
          m: {
            items: ['default/a@12', 'default/b@11'],
            node: { n2: ['default/a', 'default/b'] },
            rv: '12',
            synced: true,
          },
          d: { items: ['default/a@12'], node: { n2: ['default/a'] }, rv: '13', synced: true },
        },
      );
    });
  });

  it('410 then a relist lacking an object: the object disappears in ONE snapshot, atomically', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const b10 = pod('b', '10', { nodeName: 'n1', labels: { app: 'web' } });
      const client = scriptedClient({
        lists: [
          listOf([pod('a', '10', { nodeName: 'n1' }), b10], '10'),
          listOf([pod('a', '20', { nodeName: 'n1' }), pod('c', '19', { nodeName: 'n3' })], '20'),
        ],
        watches: [
          cold('-m-e', { m: modified(pod('a', '11', { nodeName: 'n1' })), e: errorEvent(410) }),
          cold('-'),
        ],
      });
      const snaps: Snap[] = [];
      const out$ = lw(client).pipe(
        deltaFifo(),
        indexer(indexers),
        tap((s) => snaps.push(s)),
        map(view),
      );
      expectObservable(out$, '^ 10ms !').toBe('rm-s', {
        r: {
          items: ['default/a@10', 'default/b@10'],
          node: { n1: ['default/a', 'default/b'] },
          rv: '10',
          synced: true,
        },
        m: {
          items: ['default/a@11', 'default/b@10'],
          node: { n1: ['default/a', 'default/b'] },
          rv: '11',
          synced: true,
        },
        // b gone, a replaced and c added: a single snapshot, never a half-applied relist
        s: {
          items: ['default/a@20', 'default/c@19'],
          node: { n1: ['default/a'], n3: ['default/c'] },
          rv: '20',
          synced: true,
        },
      });
      flush();
      expect(snaps).toHaveLength(3);
      expect(snaps[1]?.byIndex('app', 'web')).toEqual([b10]);
      expect(snaps[2]?.byIndex('app', 'web')).toEqual([]);
      expect(snaps[2]?.indexValues('app')).toEqual([]);
    });
  });

  it('bookmark: a new snapshot with the bookmark resourceVersion and the same objects', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '10');
      const client = scriptedClient({
        lists: [listOf([a], '10')],
        watches: [cold('--b', { b: bookmark('15') })],
      });
      const snaps: Snap[] = [];
      expectObservable(
        lw(client).pipe(
          deltaFifo(),
          indexer(indexers),
          tap((s) => snaps.push(s)),
          map(view),
        ),
        '^ 10ms !',
      ).toBe('r-b', {
        r: { items: ['default/a@10'], node: {}, rv: '10', synced: true },
        b: { items: ['default/a@10'], node: {}, rv: '15', synced: true },
      });
      flush();
      expect(snaps[1]?.get('default/a')).toBe(a);
      expect(snaps[0]?.resourceVersion).toBe('10');
    });
  });

  it('watch timeout: re-watch keeps the cache, no relist snapshot', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10'), pod('b', '10')], '10')],
        watches: [cold('2m |'), cold('-m', { m: modified(pod('a', '11')) })],
      });
      expectObservable(lw(client).pipe(deltaFifo(), indexer(indexers), map(view)), '^ 3m !').toBe(
        'r 119999ms -m',
        {
          r: { items: ['default/a@10', 'default/b@10'], node: {}, rv: '10', synced: true },
          m: { items: ['default/a@11', 'default/b@10'], node: {}, rv: '11', synced: true },
        },
      );
      flush();
      expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
        'list@',
        'watch@10',
        'watch@10',
      ]);
    });
  });

  it('backoff: a failing watch retries after 800 ms and the next snapshot lands at frame 801', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10')], '10')],
        watches: [new Error('connection reset'), cold('-a', { a: added(pod('b', '11')) })],
      });
      expectObservable(lw(client).pipe(deltaFifo(), indexer(indexers), map(view)), '^ 1s !').toBe(
        'r 800ms a',
        {
          r: { items: ['default/a@10'], node: {}, rv: '10', synced: true },
          a: { items: ['default/a@10', 'default/b@11'], node: {}, rv: '11', synced: true },
        },
      );
    });
  });
});
