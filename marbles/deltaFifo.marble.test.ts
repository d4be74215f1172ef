import type { V1Pod } from '@kubernetes/client-node';
import { catchError, map, of, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  DeletedFinalStateUnknown,
  type Delta,
  type DeltaBatch,
  deltaFifo,
  InvalidObjectError,
  type KubeRxError,
  listWatch,
  resources,
  UncacheableObjectError,
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

type Batch = DeltaBatch<V1Pod>;
type Event = WatchEvent<V1Pod>;

const batch = (
  deltas: Delta<V1Pod>[],
  resourceVersion: string,
  synced = true,
  initialList = false,
): Batch => ({
  deltas,
  resourceVersion,
  synced,
  initialList,
});

/** The tombstone of a Deleted delta found by a relist, as a plain value (class checked separately). */
const tombstoned = (key: string, last: V1Pod): Delta<V1Pod> => ({
  type: 'Deleted',
  key,
  object: last,
  oldObject: last,
  tombstone: new DeletedFinalStateUnknown(key, last),
});

/** `object` with `spec.nested` holding `{ a: { a: ... } }` `depth` levels deep, built without recursion. */
function nested(object: V1Pod, depth: number): V1Pod {
  let inner: Record<string, unknown> = {};
  for (let i = 0; i < depth; i++) inner = { a: inner };
  return { ...object, spec: { ...object.spec, nested: inner } as V1Pod['spec'] };
}

/** A pod without metadata.name: it cannot be keyed. */
const nameless = (): V1Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default' } });

describe('deltaFifo marbles: per-event rules', () => {
  it('normal flow: list, then add / update / delete with the watch resourceVersion', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const b2 = pod('b', '2');
      const a3 = pod('a', '3');
      const b4 = pod('b', '4');
      const source = cold<Event>('r-a-m-d|', {
        r: replace([a1], '1'),
        a: ev('ADDED', b2),
        m: ev('MODIFIED', a3),
        d: ev('DELETED', b4),
      });
      expectObservable(source.pipe(deltaFifo())).toBe('r-a-m-d|', {
        r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', true, true),
        a: batch([{ type: 'Added', key: 'default/b', object: b2 }], '2'),
        m: batch([{ type: 'Updated', key: 'default/a', object: a3, oldObject: a1 }], '3'),
        d: batch([{ type: 'Deleted', key: 'default/b', object: b4, oldObject: b2 }], '4'),
      } satisfies Record<string, Batch>);
    });
  });

  it('ADDED of a known key is an Updated with the old object', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const a2 = pod('a', '2', { labels: { v: '2' } });
      const source = cold<Event>('ra', { r: replace([a1], '1'), a: ev('ADDED', a2) });
      expectObservable(source.pipe(deltaFifo())).toBe('ra', {
        r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', true, true),
        a: batch([{ type: 'Updated', key: 'default/a', object: a2, oldObject: a1 }], '2'),
      });
    });
  });

  it('drops duplicates (same resourceVersion) and deletes of unknown keys', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const a2 = pod('a', '2');
      const source = cold<Event>('r-x-y-z-m', {
        r: replace([a1], '1'),
        x: ev('MODIFIED', pod('a', '1', { labels: { changed: 'but-same-rv' } })),
        y: ev('ADDED', pod('a', '1')),
        z: ev('DELETED', pod('ghost', '5')),
        m: ev('MODIFIED', a2),
      });
      expectObservable(source.pipe(deltaFifo())).toBe('r-------m', {
        r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', true, true),
        // the dropped events left the known state untouched: oldObject is still the listed a1
        m: batch([{ type: 'Updated', key: 'default/a', object: a2, oldObject: a1 }], '2'),
      });
    });
  });

  it('DELETED of a known key carries the event object and the known one as oldObject', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1', { labels: { app: 'web' } });
      const aGone = pod('a', '7');
      const source = cold<Event>('r-d-d-a', {
        r: replace([a1], '1'),
        d: ev('DELETED', aGone),
        a: ev('ADDED', pod('a', '8')),
      });
      expectObservable(source.pipe(deltaFifo())).toBe('r-d---a', {
        r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', true, true),
        d: batch([{ type: 'Deleted', key: 'default/a', object: aGone, oldObject: a1 }], '7'),
        // the second DELETED is of an unknown key now, and a later ADDED is a fresh Added
        a: batch([{ type: 'Added', key: 'default/a', object: pod('a', '8') }], '8'),
      });
    });
  });

  it('REPLACE yields Replaced for known keys, Added for new ones and tombstoned Deletes for missing ones', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a1 = pod('a', '1');
      const b1 = pod('b', '2');
      const a5 = pod('a', '5');
      const c5 = pod('c', '4');
      const source = cold<Event>('r-s', { r: replace([a1, b1], '2'), s: replace([a5, c5], '5') });
      const seen: Batch[] = [];
      const out$ = source.pipe(deltaFifo());
      out$.subscribe((b) => seen.push(b));
      expectObservable(out$).toBe('r-s', {
        r: batch(
          [
            { type: 'Added', key: 'default/a', object: a1 },
            { type: 'Added', key: 'default/b', object: b1 },
          ],
          '2',
          true,
          true,
        ),
        s: batch(
          [
            { type: 'Replaced', key: 'default/a', object: a5, oldObject: a1 },
            { type: 'Added', key: 'default/c', object: c5 },
            tombstoned('default/b', b1),
          ],
          '5',
          true,
          false,
        ),
      });
      flush();
      const tombstone = seen[1]?.deltas[2]?.tombstone;
      expect(tombstone).toBeInstanceOf(DeletedFinalStateUnknown);
      expect(tombstone?.key).toBe('default/b');
      expect(tombstone?.object).toBe(b1);
      expect(seen[1]?.deltas[2]?.object).toBe(b1);
      // a watch delete is not tombstoned
      expect(seen[1]?.deltas.filter((d) => d.tombstone !== undefined)).toHaveLength(1);
    });
  });

  it('BOOKMARK is an empty batch that only advances the resourceVersion', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const source = cold<Event>('b-r-b', {
        b: { type: 'BOOKMARK', resourceVersion: '9' },
        r: replace([a1], '3'),
      });
      expectObservable(source.pipe(deltaFifo())).toBe('x-r-y', {
        x: batch([], '9', false, false),
        r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '3', true, true),
        y: batch([], '9', true, false),
      });
    });
  });

  it('RESYNC before the first REPLACE is ignored; after it, every known object is a Sync', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const b2 = pod('b', '2');
      const b3 = pod('b', '3');
      const source = cold<Event>('s-r-m-s-b-s', {
        s: { type: 'RESYNC' },
        r: replace([a1, b2], '2'),
        m: ev('MODIFIED', b3),
        b: { type: 'BOOKMARK', resourceVersion: '10' },
      });
      expectObservable(source.pipe(deltaFifo())).toBe('--r-m-s-b-t', {
        r: batch(
          [
            { type: 'Added', key: 'default/a', object: a1 },
            { type: 'Added', key: 'default/b', object: b2 },
          ],
          '2',
          true,
          true,
        ),
        m: batch([{ type: 'Updated', key: 'default/b', object: b3, oldObject: b2 }], '3'),
        s: batch(
          [
            { type: 'Sync', key: 'default/a', object: a1, oldObject: a1 },
            { type: 'Sync', key: 'default/b', object: b3, oldObject: b3 },
          ],
          '3',
        ),
        b: batch([], '10'),
        t: batch(
          [
            { type: 'Sync', key: 'default/a', object: a1, oldObject: a1 },
            { type: 'Sync', key: 'default/b', object: b3, oldObject: b3 },
          ],
          '10',
        ),
      });
    });
  });

  it('RESYNC of an empty synced cache is an empty batch', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold<Event>('r-s', { r: replace([], '4'), s: { type: 'RESYNC' } });
      expectObservable(source.pipe(deltaFifo())).toBe('r-s', {
        r: batch([], '4', true, true),
        s: batch([], '4'),
      });
    });
  });

  it('is not synced until the first REPLACE; only that batch is the initial list', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const b2 = pod('b', '2');
      const source = cold<Event>('a-r-s', {
        a: ev('ADDED', a1),
        r: replace([a1, b2], '2'),
        s: replace([], '3'),
      });
      expectObservable(source.pipe(deltaFifo())).toBe('a-r-s', {
        a: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', false, false),
        r: batch(
          [
            // same object, same resourceVersion: a Replaced, not a duplicate drop (lists are never dropped)
            { type: 'Replaced', key: 'default/a', object: a1, oldObject: a1 },
            { type: 'Added', key: 'default/b', object: b2 },
          ],
          '2',
          true,
          true,
        ),
        s: batch([tombstoned('default/a', a1), tombstoned('default/b', b2)], '3', true, false),
      });
    });
  });

  it('knownObjects warm-up: a known object missing from the first list yields a tombstoned Deleted', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const stale = pod('stale', '1');
      const kept1 = pod('kept', '1');
      const kept2 = pod('kept', '2');
      const fresh = pod('fresh', '2');
      const source = cold<Event>('-r', { r: replace([kept2, fresh], '2') });
      const out$ = source.pipe(deltaFifo({ knownObjects: [stale, kept1] }));
      const seen: Batch[] = [];
      out$.subscribe((b) => seen.push(b));
      expectObservable(out$).toBe('-r', {
        r: batch(
          [
            { type: 'Replaced', key: 'default/kept', object: kept2, oldObject: kept1 },
            { type: 'Added', key: 'default/fresh', object: fresh },
            tombstoned('default/stale', stale),
          ],
          '2',
          true,
          true,
        ),
      });
      flush();
      expect(seen[0]?.deltas[2]?.tombstone).toBeInstanceOf(DeletedFinalStateUnknown);
      expect(Object.isFrozen(stale.metadata)).toBe(true);
    });
  });

  it('knownObjects: a known object updated by the watch before the list is an Updated, not synced', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const k1 = pod('k', '1');
      const k2 = pod('k', '2');
      const source = cold<Event>('m', { m: ev('MODIFIED', k2) });
      expectObservable(source.pipe(deltaFifo({ knownObjects: [k1] }))).toBe('m', {
        m: batch([{ type: 'Updated', key: 'default/k', object: k2, oldObject: k1 }], '2', false, false),
      });
    });
  });

  it('deep-freezes every object it lets in (list, watch and knownObjects)', () => {
    newScheduler().run(({ cold, flush }) => {
      const listed = pod('a', '1', { labels: { app: 'web' }, ownerUid: 'rs-1' });
      const watched = pod('b', '2', { labels: { app: 'db' }, nodeName: 'n1' });
      const known = pod('k', '0', { labels: { app: 'old' } });
      const source = cold<Event>('ra', { r: replace([listed], '1'), a: ev('ADDED', watched) });
      const seen: Batch[] = [];
      source.pipe(deltaFifo({ knownObjects: [known] })).subscribe((b) => seen.push(b));
      flush();
      const objects = seen.flatMap((b) => b.deltas.map((d) => d.object));
      expect(objects).toEqual([listed, known, watched]);
      for (const object of objects) {
        expect(Object.isFrozen(object)).toBe(true);
        expect(Object.isFrozen(object.metadata)).toBe(true);
        expect(Object.isFrozen(object.metadata?.labels)).toBe(true);
        expect(Object.isFrozen(object.spec)).toBe(true);
        expect(Object.isFrozen(object.spec?.containers)).toBe(true);
        expect(Object.isFrozen(object.spec?.containers[0])).toBe(true);
      }
      expect(Object.isFrozen(listed.metadata?.ownerReferences?.[0])).toBe(true);
      expect(() => {
        (watched.metadata as { labels: Record<string, string> }).labels.app = 'mutated';
      }).toThrow(TypeError);
    });
  });

  it('deep-freezes objects that arrive only shallowly frozen (e.g. from a transform)', () => {
    newScheduler().run(({ cold, flush }) => {
      const base = pod('a', '1', { labels: { app: 'web' } });
      const shallow = Object.freeze({ ...base, metadata: Object.freeze({ ...base.metadata }) }) as V1Pod;
      const seen: Batch[] = [];
      cold<Event>('r', { r: replace([shallow], '1') })
        .pipe(deltaFifo())
        .subscribe((b) => seen.push(b));
      flush();
      const object = seen[0]?.deltas[0]?.object;
      expect(object).toBe(shallow);
      expect(Object.isFrozen(object?.metadata?.labels)).toBe(true);
      expect(Object.isFrozen(object?.spec)).toBe(true);
      expect(Object.isFrozen(object?.spec?.containers[0])).toBe(true);
    });
  });

  it('with onError, an object without metadata.name is reported and skipped, state intact', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a1 = pod('a', '1');
      const a2 = pod('a', '2');
      const badInWatch = nameless();
      const badInList = nameless();
      const errors: KubeRxError[] = [];
      const source = cold<Event>('r-x-y-m', {
        r: replace([a1, badInList], '1'),
        x: ev('ADDED', badInWatch),
        y: ev('DELETED', nameless()),
        m: ev('MODIFIED', a2),
      });
      expectObservable(source.pipe(deltaFifo({ onError: (e) => errors.push(e) }))).toBe('r-----m', {
        r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', true, true),
        m: batch([{ type: 'Updated', key: 'default/a', object: a2, oldObject: a1 }], '2'),
      });
      flush();
      expect(errors).toHaveLength(3);
      for (const e of errors) expect(e).toBeInstanceOf(InvalidObjectError);
      expect((errors[0] as InvalidObjectError).object).toBe(badInList);
      expect((errors[1] as InvalidObjectError).object).toBe(badInWatch);
    });
  });

  it('without onError, an object without metadata.name errors the stream with InvalidObjectError', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '1');
      const bad = nameless();
      const source = cold<Event>('r-x-m', {
        r: replace([a1], '1'),
        x: ev('ADDED', bad),
        m: ev('MODIFIED', pod('a', '2')),
      });
      const out$ = source.pipe(deltaFifo());
      expectObservable(out$).toBe(
        'r-#',
        { r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', true, true) },
        expect.any(InvalidObjectError),
      );
      expectObservable(
        out$.pipe(
          map((b) => b.resourceVersion),
          catchError((e: unknown) => of(e instanceof InvalidObjectError && e.object === bad)),
        ),
      ).toBe('r-(x|)', { r: '1', x: true });
    });
  });

  it('without onError, an invalid knownObject errors on subscribe', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold<Event>('r', { r: replace([], '1') });
      expectObservable(source.pipe(deltaFifo({ knownObjects: [nameless()] }))).toBe(
        '#',
        undefined,
        expect.any(InvalidObjectError),
      );
    });
  });

  it('identity: namespace "a" + name "b/c" and namespace "a/b" + name "c" (both "a/b/c") are both reported and skipped', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const ok = pod('ok', '1', { namespace: 'a' });
      const slashInName = pod('b/c', '2', { namespace: 'a' });
      const slashInNamespace = pod('c', '3', { namespace: 'a/b' });
      const errors: KubeRxError[] = [];
      const source = cold<Event>('r-x', {
        r: replace([ok, slashInName], '2'),
        x: ev('ADDED', slashInNamespace),
      });
      const fifo = deltaFifo<V1Pod>({ onError: (e) => errors.push(e), resource: 'pods.v1' });
      expectObservable(source.pipe(fifo)).toBe('r', {
        r: batch([{ type: 'Added', key: 'a/ok', object: ok }], '2', true, true),
      });
      flush();
      expect(errors.map((e) => e.message)).toEqual([
        'pods.v1 "a"/"b/c": metadata.name contains "/"; skipped',
        'pods.v1 "a/b"/"c": metadata.namespace contains "/"; skipped',
      ]);
      for (const e of errors) {
        expect(e).toBeInstanceOf(UncacheableObjectError);
        expect(e).toBeInstanceOf(InvalidObjectError);
        expect((e as UncacheableObjectError).resource).toBe('pods.v1');
      }
      expect((errors[0] as UncacheableObjectError).object).toBe(slashInName);
      expect((errors[1] as UncacheableObjectError).object).toBe(slashInNamespace);
    });
  });

  it('a name or namespace that is not a non-empty string, or a resourceVersion that is not a string, is reported and skipped', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const withMeta = (metadata: Record<string, unknown>) =>
        ({ ...pod('x', '1'), metadata }) as unknown as V1Pod;
      const bad = [
        withMeta({ name: 'x', namespace: 5 }),
        withMeta({ name: 'x', namespace: { name: 'default' } }),
        withMeta({ name: 'x', namespace: ['default'] }),
        withMeta({ name: '', namespace: 'default' }),
        withMeta({ name: 7, namespace: 'default' }),
        withMeta({ name: 'x', namespace: 'default', resourceVersion: { v: 4 } }),
        { kind: 'Pod', metadata: null } as unknown as V1Pod,
        'not an object' as unknown as V1Pod,
      ];
      const good = pod('good', '9');
      const errors: UncacheableObjectError[] = [];
      const source = cold<Event>('r-(abcdefgh)-m', {
        r: replace([...bad, good], '9'),
        ...Object.fromEntries(bad.map((o, i) => ['abcdefgh'[i], ev('MODIFIED', o)])),
        m: ev('MODIFIED', pod('good', '10')),
      });
      const fifo = deltaFifo<V1Pod>({ onError: (e) => errors.push(e as UncacheableObjectError) });
      expectObservable(source.pipe(fifo)).toBe('r------------m', {
        r: batch([{ type: 'Added', key: 'default/good', object: good }], '9', true, true),
        m: batch(
          [{ type: 'Updated', key: 'default/good', object: pod('good', '10'), oldObject: good }],
          '10',
        ),
      });
      flush();
      const problems = [
        'metadata.namespace is a number, not a string',
        'metadata.namespace is an object, not a string',
        'metadata.namespace is an array, not a string',
        'metadata.name is an empty string, not a non-empty string',
        'metadata.name is a number, not a non-empty string',
        'metadata.resourceVersion is an object, not a string',
        'metadata is null, not an object',
        'the object is a string',
      ];
      expect(errors.map((e) => e.problem)).toEqual([...problems, ...problems]);
      for (const e of errors) expect(e).toBeInstanceOf(UncacheableObjectError);
    });
  });

  it('an object nested deeper than 1000 levels is reported with its key and skipped, in a watch and in a relist', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a1 = pod('a', '1');
      const deep1 = nested(pod('deep', '2'), 1500);
      const deep3 = nested(pod('deep', '3'), 10_000);
      const shallow4 = pod('deep', '4');
      const errors: KubeRxError[] = [];
      const source = cold<Event>('r-x-s-y-z', {
        r: replace([a1], '1'),
        x: ev('ADDED', deep1),
        s: ev('ADDED', shallow4),
        // the relist's copy of `deep` nests too deep: it is left out, so the cached one is tombstoned
        y: replace([a1, deep3], '5'),
        z: ev('MODIFIED', pod('a', '6')),
      });
      const fifo = deltaFifo<V1Pod>({ onError: (e) => errors.push(e), resource: 'pods.v1' });
      expectObservable(source.pipe(fifo)).toBe('r---s-y-z', {
        r: batch([{ type: 'Added', key: 'default/a', object: a1 }], '1', true, true),
        s: batch([{ type: 'Added', key: 'default/deep', object: shallow4 }], '4'),
        y: batch(
          [
            { type: 'Replaced', key: 'default/a', object: a1, oldObject: a1 },
            tombstoned('default/deep', shallow4),
          ],
          '5',
        ),
        z: batch([{ type: 'Updated', key: 'default/a', object: pod('a', '6'), oldObject: a1 }], '6'),
      });
      flush();
      expect(errors.map((e) => e.message)).toEqual([
        'pods.v1 default/deep: the object nests deeper than 1000 levels; skipped',
        'pods.v1 default/deep: the object nests deeper than 1000 levels; skipped',
      ]);
      expect(errors.map((e) => (e as UncacheableObjectError).key)).toEqual(['default/deep', 'default/deep']);
    });
  });

  it('is cold: each subscription starts from its own (seeded) state', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const k = pod('k', '1');
      const a1 = pod('a', '1');
      const a2 = pod('a', '2');
      const source = cold<Event>('r-m', { r: replace([a1], '1'), m: ev('MODIFIED', a2) });
      const out$ = source.pipe(deltaFifo({ knownObjects: [k] }));
      const expected = {
        r: batch(
          [{ type: 'Added', key: 'default/a', object: a1 }, tombstoned('default/k', k)],
          '1',
          true,
          true,
        ),
        m: batch([{ type: 'Updated', key: 'default/a', object: a2, oldObject: a1 }], '2'),
      };
      expectObservable(out$).toBe('r-m', expected);
      // a later subscriber sees the same initial list, not Replaced/duplicates from shared state
      expectObservable(out$, '----^').toBe('----r-m', expected);
    });
  });
});

describe('deltaFifo marbles: driven by listWatch scenarios', () => {
  const lw = (client: ReturnType<typeof scriptedClient>, onError?: (e: KubeRxError) => void) =>
    listWatch<V1Pod>(client, resources.pods, { random: () => 0, ...(onError ? { onError } : {}) });

  it('normal flow: list then watch events become batches at the same frames', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a10 = pod('a', '10');
      const b10 = pod('b', '9');
      const c11 = pod('c', '11');
      const a12 = pod('a', '12');
      const b13 = pod('b', '13');
      const client = scriptedClient({
        lists: [listOf([a10, b10], '10')],
        watches: [cold('-a-m-d', { a: added(c11), m: modified(a12), d: deleted(b13) })],
      });
      expectObservable(lw(client).pipe(deltaFifo()), '^ 10ms !').toBe('ra-m-d', {
        r: batch(
          [
            { type: 'Added', key: 'default/a', object: a10 },
            { type: 'Added', key: 'default/b', object: b10 },
          ],
          '10',
          true,
          true,
        ),
        a: batch([{ type: 'Added', key: 'default/c', object: c11 }], '11'),
        m: batch([{ type: 'Updated', key: 'default/a', object: a12, oldObject: a10 }], '12'),
        d: batch([{ type: 'Deleted', key: 'default/b', object: b13, oldObject: b10 }], '13'),
      });
    });
  });

  it('410 then a relist lacking an object: one batch with a tombstoned Deleted', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a10 = pod('a', '10');
      const b10 = pod('b', '10');
      const a11 = pod('a', '11');
      const a20 = pod('a', '20');
      const c15 = pod('c', '15');
      const d21 = pod('d', '21');
      const client = scriptedClient({
        lists: [listOf([a10, b10], '10'), listOf([a20, c15], '20')],
        watches: [cold('-m-e', { m: modified(a11), e: errorEvent(410) }), cold('-x', { x: added(d21) })],
      });
      const seen: Batch[] = [];
      const out$ = lw(client).pipe(
        deltaFifo(),
        tap((b) => seen.push(b)),
      );
      expectObservable(out$, '^ 10ms !').toBe('rm-sx', {
        r: batch(
          [
            { type: 'Added', key: 'default/a', object: a10 },
            { type: 'Added', key: 'default/b', object: b10 },
          ],
          '10',
          true,
          true,
        ),
        m: batch([{ type: 'Updated', key: 'default/a', object: a11, oldObject: a10 }], '11'),
        s: batch(
          [
            { type: 'Replaced', key: 'default/a', object: a20, oldObject: a11 },
            { type: 'Added', key: 'default/c', object: c15 },
            tombstoned('default/b', b10),
          ],
          '20',
          true,
          false,
        ),
        x: batch([{ type: 'Added', key: 'default/d', object: d21 }], '21'),
      });
      flush();
      const del = seen[2]?.deltas[2];
      expect(del?.tombstone).toBeInstanceOf(DeletedFinalStateUnknown);
      expect(del?.tombstone?.object).toBe(b10);
      expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
        'list@',
        'watch@10',
        'list@',
        'watch@20',
      ]);
    });
  });

  it('bookmark: an empty batch carrying the bookmark resourceVersion', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a10 = pod('a', '10');
      const client = scriptedClient({
        lists: [listOf([a10], '10')],
        watches: [cold('--b', { b: bookmark('15') })],
      });
      expectObservable(lw(client).pipe(deltaFifo()), '^ 10ms !').toBe('r-b', {
        r: batch([{ type: 'Added', key: 'default/a', object: a10 }], '10', true, true),
        b: batch([], '15'),
      });
    });
  });

  it('watch timeout: re-watch from the last resourceVersion, no REPLACE, events go on', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a10 = pod('a', '10');
      const a11 = pod('a', '11');
      const a12 = pod('a', '12');
      const client = scriptedClient({
        lists: [listOf([a10], '10')],
        // the server closes the watch after its 5-minute timeout
        watches: [cold('-m 5m |', { m: modified(a11) }), cold('--n', { n: modified(a12) })],
      });
      expectObservable(lw(client).pipe(deltaFifo()), '^ 6m !').toBe('rm 300002ms n', {
        r: batch([{ type: 'Added', key: 'default/a', object: a10 }], '10', true, true),
        m: batch([{ type: 'Updated', key: 'default/a', object: a11, oldObject: a10 }], '11'),
        n: batch([{ type: 'Updated', key: 'default/a', object: a12, oldObject: a11 }], '12'),
      });
      flush();
      expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
        'list@',
        'watch@10',
        'watch@11',
      ]);
    });
  });

  it('failing watches back off 800 ms then 1600 ms, events continue at the right frames', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a10 = pod('a', '10');
      const b11 = pod('b', '11');
      const b12 = pod('b', '12');
      const errors: string[] = [];
      const client = scriptedClient({
        lists: [listOf([a10], '10')],
        watches: [
          new Error('connection reset'),
          cold('-a-#', { a: added(b11) }, new Error('stream broke')),
          cold('-m', { m: modified(b12) }),
        ],
      });
      const out$ = lw(client, (e) => errors.push(e.message)).pipe(deltaFifo());
      // watch fails at 0 -> backoff 800 -> watch at 800 -> ADDED at 801 -> fails at 803
      // -> backoff 1600 -> watch at 2403 -> MODIFIED at 2404
      expectObservable(out$, '^ 3s !').toBe('r 800ms a 1602ms m', {
        r: batch([{ type: 'Added', key: 'default/a', object: a10 }], '10', true, true),
        a: batch([{ type: 'Added', key: 'default/b', object: b11 }], '11'),
        m: batch([{ type: 'Updated', key: 'default/b', object: b12, oldObject: b11 }], '12'),
      });
      flush();
      expect(errors).toEqual(['transport error: connection reset', 'transport error: stream broke']);
      expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
        'list@',
        'watch@10',
        'watch@10',
        'watch@11',
      ]);
    });
  });

  it('seed scenario: a pod known before start and absent from the first list is deleted after sync', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const gone = pod('gone', '3');
      const a10 = pod('a', '10');
      const client = scriptedClient({ lists: [listOf([a10], '10')], watches: [cold('-')] });
      const seen: Batch[] = [];
      const out$ = lw(client).pipe(
        deltaFifo({ knownObjects: [gone] }),
        tap((b) => seen.push(b)),
      );
      expectObservable(out$, '^ 5ms !').toBe('r', {
        r: batch(
          [{ type: 'Added', key: 'default/a', object: a10 }, tombstoned('default/gone', gone)],
          '10',
          true,
          true,
        ),
      });
      flush();
      expect(seen[0]?.deltas[1]?.tombstone).toBeInstanceOf(DeletedFinalStateUnknown);
    });
  });
});
