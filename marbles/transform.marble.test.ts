import type { V1Pod } from '@kubernetes/client-node';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type DeepReadonly,
  type DeltaBatch,
  deltaFifo,
  type KubeObject,
  listWatch,
  resources,
  stripManagedFields,
  transformObjects,
  type WatchEvent,
} from '../src/index.js';
import {
  added,
  bookmark,
  deleted,
  errorEvent,
  listOf,
  modified,
  pod,
  scriptedClient,
} from '../src/testing/index.js';
import { newScheduler } from './support.js';

type Event = WatchEvent<V1Pod>;

const MANAGED = [
  { manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
];

/** A pod as the API server sends it: with managedFields. */
function managed(name: string, resourceVersion: string): V1Pod {
  const p = pod(name, resourceVersion, { labels: { app: name } });
  return { ...p, metadata: { ...p.metadata, managedFields: MANAGED } } as V1Pod;
}

const hasManagedFields = (o: KubeObject) => o.metadata !== undefined && 'managedFields' in o.metadata;

/** Marks an object as seen by a transform, keeping everything else (a copy: the input is read-only). */
const tag = (p: DeepReadonly<V1Pod>): DeepReadonly<V1Pod> => ({
  ...p,
  metadata: { ...p.metadata, annotations: { seen: 'yes' } },
});
/** The expected output of `tag`, written out. */
const tagged = (p: V1Pod): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: p.metadata?.name,
    namespace: 'default',
    resourceVersion: p.metadata?.resourceVersion,
    uid: `uid-default-${p.metadata?.name}`,
    annotations: { seen: 'yes' },
  },
  spec: { containers: [{ name: 'main', image: 'nginx' }] },
});

describe('transform marbles: operator rules', () => {
  it('maps the objects of ADDED / MODIFIED / DELETED / REPLACE and passes BOOKMARK / RESYNC through', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '1');
      const b = pod('b', '2');
      const bookmarkEvent: Event = { type: 'BOOKMARK', resourceVersion: '7' };
      const resyncEvent: Event = { type: 'RESYNC' };
      const values: Record<string, Event> = {
        r: { type: 'REPLACE', objects: [a, b], resourceVersion: '2' },
        a: { type: 'ADDED', object: a },
        m: { type: 'MODIFIED', object: b },
        d: { type: 'DELETED', object: a },
        k: bookmarkEvent,
        s: resyncEvent,
      };
      const source = cold<Event>('r-a-m-d-k-s|', values);
      const out$ = source.pipe(transformObjects(tag));
      expectObservable(out$).toBe('r-a-m-d-k-s|', {
        r: { type: 'REPLACE', objects: [tagged(a), tagged(b)], resourceVersion: '2' },
        a: { type: 'ADDED', object: tagged(a) },
        m: { type: 'MODIFIED', object: tagged(b) },
        d: { type: 'DELETED', object: tagged(a) },
        k: bookmarkEvent,
        s: resyncEvent,
      });
      // pass-through events are the very same values; inputs are not mutated
      const seen: Event[] = [];
      out$.subscribe((e) => seen.push(e));
      flush();
      expect(seen[4]).toBe(bookmarkEvent);
      expect(seen[5]).toBe(resyncEvent);
      expect(a.metadata?.annotations).toBeUndefined();
    });
  });

  it('calls the function once per object', () => {
    newScheduler().run(({ cold, flush }) => {
      const names: string[] = [];
      const spy = (p: DeepReadonly<V1Pod>) => {
        names.push(p.metadata?.name ?? '?');
        return p;
      };
      cold<Event>('r-a-b', {
        r: { type: 'REPLACE', objects: [pod('x', '1'), pod('y', '1')], resourceVersion: '1' },
        a: { type: 'MODIFIED', object: pod('x', '2') },
        b: { type: 'BOOKMARK', resourceVersion: '3' },
      })
        .pipe(transformObjects(spy))
        .subscribe();
      flush();
      expect(names).toEqual(['x', 'y', 'x']);
    });
  });

  it('stripManagedFields removes metadata.managedFields and nothing else', () => {
    const strip = stripManagedFields<V1Pod>();
    const input = managed('a', '5');
    const before = structuredClone(input);
    const out = strip(input);
    expect(hasManagedFields(out)).toBe(false);
    const { managedFields: _gone, ...metaWithout } = before.metadata as NonNullable<V1Pod['metadata']>;
    expect(out).toEqual({ ...before, metadata: metaWithout });
    expect(Object.keys(out.metadata ?? {}).sort()).toEqual([
      'labels',
      'name',
      'namespace',
      'resourceVersion',
      'uid',
    ]);
    expect(out.spec).toBe(input.spec);
    // the input is left as it was
    expect(input).toEqual(before);
    // an object without managedFields comes back as is
    const plain = pod('b', '1');
    expect(strip(plain)).toBe(plain);
    const noMeta: V1Pod = { kind: 'Pod' };
    expect(strip(noMeta)).toBe(noMeta);
  });

  it('stripped objects reach deltaFifo, which caches them frozen', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold<Event>('r-m', {
        r: { type: 'REPLACE', objects: [managed('a', '1')], resourceVersion: '1' },
        m: { type: 'MODIFIED', object: managed('a', '2') },
      });
      const out$ = source.pipe(
        transformObjects(stripManagedFields()),
        deltaFifo(),
        map((batch: DeltaBatch<V1Pod>) =>
          batch.deltas.map((d) => ({
            type: d.type,
            stripped:
              !hasManagedFields(d.object) && (d.oldObject === undefined || !hasManagedFields(d.oldObject)),
            frozen: Object.isFrozen(d.object.metadata),
          })),
        ),
      );
      expectObservable(out$).toBe('r-m', {
        r: [{ type: 'Added', stripped: true, frozen: true }],
        m: [{ type: 'Updated', stripped: true, frozen: true }],
      });
    });
  });
});

describe('transform marbles: driven by listWatch scenarios', () => {
  const lw = (client: ReturnType<typeof scriptedClient>) =>
    listWatch<V1Pod>(client, resources.pods, { random: () => 0 }).pipe(
      transformObjects(stripManagedFields()),
    );
  /** Every object of an event, reduced to name@rv, with a flag saying whether managedFields survived. */
  const brief = (e: Event) => {
    const id = (p: V1Pod) =>
      `${p.metadata?.name}@${p.metadata?.resourceVersion}${hasManagedFields(p) ? '+mf' : ''}`;
    switch (e.type) {
      case 'REPLACE':
        return `REPLACE ${e.objects.map(id).join(',')}`;
      case 'BOOKMARK':
        return `BOOKMARK ${e.resourceVersion}`;
      case 'RESYNC':
        return 'RESYNC';
      default:
        return `${e.type} ${id(e.object)}`;
    }
  };

  it('normal flow: list and watch objects are stripped', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([managed('a', '10'), managed('b', '10')], '10')],
        watches: [
          cold('-a-m-d', {
            a: added(managed('c', '11')),
            m: modified(managed('a', '12')),
            d: deleted(managed('b', '13')),
          }),
        ],
      });
      expectObservable(lw(client).pipe(map(brief)), '^ 10ms !').toBe('ra-m-d', {
        r: 'REPLACE a@10,b@10',
        a: 'ADDED c@11',
        m: 'MODIFIED a@12',
        d: 'DELETED b@13',
      });
    });
  });

  it('410 and a relist with deletions: the relist is stripped too, and deltaFifo tombstones the vanished object', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([managed('a', '10'), managed('b', '10')], '10'), listOf([managed('a', '20')], '20')],
        watches: [cold('-m-e', { m: modified(managed('a', '11')), e: errorEvent(410) }), cold('-')],
      });
      const out$ = lw(client).pipe(
        deltaFifo(),
        map((batch) =>
          batch.deltas.map(
            (d) =>
              `${d.type} ${d.key}${hasManagedFields(d.object) ? '+mf' : ''}${d.tombstone === undefined ? '' : ' tombstone'}`,
          ),
        ),
      );
      expectObservable(out$, '^ 10ms !').toBe('rm-s', {
        r: ['Added default/a', 'Added default/b'],
        m: ['Updated default/a'],
        s: ['Replaced default/a', 'Deleted default/b tombstone'],
      });
    });
  });

  it('bookmark passes through', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([managed('a', '10')], '10')],
        watches: [cold('--b', { b: bookmark('15') })],
      });
      expectObservable(lw(client).pipe(map(brief)), '^ 10ms !').toBe('r-b', {
        r: 'REPLACE a@10',
        b: 'BOOKMARK 15',
      });
    });
  });

  it('watch timeout: the re-watch goes on stripping, without a REPLACE', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([managed('a', '10')], '10')],
        watches: [
          cold('-m 5m |', { m: modified(managed('a', '11')) }),
          cold('-n', { n: modified(managed('a', '12')) }),
        ],
      });
      expectObservable(lw(client).pipe(map(brief)), '^ 6m !').toBe('rm 300001ms n', {
        r: 'REPLACE a@10',
        m: 'MODIFIED a@11',
        n: 'MODIFIED a@12',
      });
    });
  });

  it('backoff: a failed watch retries after 800 ms; timing is unchanged by the transform', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([managed('a', '10')], '10')],
        watches: [new Error('connection reset'), cold('-a', { a: added(managed('b', '11')) })],
      });
      expectObservable(lw(client).pipe(map(brief)), '^ 1s !').toBe('r 800ms a', {
        r: 'REPLACE a@10',
        a: 'ADDED b@11',
      });
    });
  });
});
