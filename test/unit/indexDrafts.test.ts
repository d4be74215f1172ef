/**
 * Indexes over cells (issue 17): a watch cell keeps its parse (the draft) until the snapshot has
 * filed it, an index that reads more than metadata reads that draft (or a throwaway parse, never a
 * decode), the values it filed the cell under are kept on the cell for when it leaves, and the
 * built-in metadata indexes read the cell's metadata alone (core/encodedObject.ts `indexInput`,
 * `releaseDraft`, `indexedValues`, `recordIndexedValues`; store/snapshot.ts `indexValues`;
 * store/indexFuncs.ts `readsOnlyMetadata`). A fast-check property drives the same random watch
 * events, relists, resyncs and reads through `deltaFifo` and `indexer` once as cells and once as
 * plain objects: the indexes agree after every event, and no cell is decoded unless it was read.
 */
import { fc, test } from '@fast-check/vitest';
import { Subject, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EncodedObject, encodedObject } from '../../src/core/encodedObject.js';
import type { WatchEvent } from '../../src/core/events.js';
import type { KubeObject } from '../../src/core/objects.js';
import { deltaFifo } from '../../src/operators/deltaFifo.js';
import { indexer } from '../../src/operators/indexer.js';
import {
  byField,
  byLabel,
  byNamespace,
  byOwner,
  type Indexers,
  type IndexFunc,
  readsOnlyMetadata,
} from '../../src/store/indexFuncs.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import { indexState } from '../support/indexState.js';

describe('readsOnlyMetadata', () => {
  it('is true for the built-in indexes that read only what a cell keeps', () => {
    for (const fn of [
      byNamespace,
      byLabel('x'),
      byLabel('app.kubernetes.io/name'),
      byOwner,
      byField('metadata.name'),
      byField('metadata.namespace'),
      byField('metadata.uid'),
      byField('metadata.resourceVersion'),
    ])
      expect(readsOnlyMetadata(fn as IndexFunc<never>)).toBe(true);
  });

  it('is false for other fields, nested metadata paths and functions of the user', () => {
    const user: IndexFunc<KubeObject> = (object) => [String(object.metadata?.name)];
    const label = byLabel('app');
    const wrapped: IndexFunc<KubeObject> = (object) => label(object);
    for (const fn of [
      byField('spec.nodeName'),
      byField('metadata.labels'),
      byField('metadata.generation'),
      byField('metadata.name.first'),
      byField('name'),
      user,
      wrapped,
    ])
      expect(readsOnlyMetadata(fn as IndexFunc<never>)).toBe(false);
  });
});

/** A pod's text and its parse (the draft a watch cell keeps). */
function podText(name: string, nodeName: string, app: string, rv: number) {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', resourceVersion: String(rv), labels: { app } },
    spec: { nodeName },
  };
  return JSON.stringify(pod);
}

/** A cell that counts how often an index asks for its object. */
class CountingCell extends EncodedObject {
  inputs = 0;
  override indexInput(): unknown {
    this.inputs++;
    return super.indexInput();
  }
}

/** A watch cell (the draft kept) over `text`, counting its index inputs. */
function watchCell(text: string): { cell: CountingCell; draft: unknown } {
  const draft = JSON.parse(text);
  const made = encodedObject(text, draft, true) as EncodedObject;
  return { cell: new CountingCell(text, made.metadata, made.key, draft), draft };
}

describe('EncodedObject drafts', () => {
  it('gives its draft to an index until released, then a throwaway parse; stays encoded', () => {
    const text = podText('a', 'n1', 'web', 1);
    const { cell, draft } = watchCell(text);
    expect(cell.indexInput()).toBe(draft);
    expect(cell.indexInput()).toBe(draft);
    cell.releaseDraft();
    const first = cell.indexInput();
    expect(first).not.toBe(draft);
    expect(first).toEqual(JSON.parse(text));
    expect(cell.indexInput()).not.toBe(first);
    expect(cell.encoded).toBe(true);
    // Decoded after the release: a parse of its own text, frozen.
    const decoded = cell.decode();
    expect(decoded).not.toBe(draft);
    expect(decoded).toEqual(JSON.parse(text));
    expect(Object.isFrozen(decoded)).toBe(true);
    // Once decoded, an index reads the decoded object.
    expect(cell.indexInput()).toBe(decoded);
  });

  it('decodes to its draft when read before the cache filed it', () => {
    const { cell, draft } = watchCell(podText('a', 'n1', 'web', 1));
    expect(cell.decode()).toBe(draft);
    expect(Object.isFrozen(draft)).toBe(true);
  });

  it('a list cell has no draft; type meta it was given reaches the index input', () => {
    const text = '{"metadata":{"name":"a","namespace":"default"},"spec":{"nodeName":"n1"}}';
    const cell = (encodedObject(text, JSON.parse(text)) as EncodedObject).withTypeMeta('v1', 'Pod');
    expect(cell.indexInput()).toEqual({ ...JSON.parse(text), apiVersion: 'v1', kind: 'Pod' });
    expect(cell.encoded).toBe(true);
  });

  it('keeps index values per snapshot setup and index', () => {
    const { cell } = watchCell(podText('a', 'n1', 'web', 1));
    const setup = {};
    const other = {};
    expect(cell.indexedValues(setup, 0)).toBeUndefined();
    cell.recordIndexedValues(setup, 1, ['n1']);
    cell.recordIndexedValues(setup, 2, []);
    expect(cell.indexedValues(setup, 1)).toEqual(['n1']);
    expect(cell.indexedValues(setup, 2)).toEqual([]);
    expect(cell.indexedValues(setup, 0)).toBeUndefined();
    expect(cell.indexedValues(other, 1)).toBeUndefined();
    // Another setup's values replace the first's.
    cell.recordIndexedValues(other, 1, ['x']);
    expect(cell.indexedValues(other, 1)).toEqual(['x']);
    expect(cell.indexedValues(setup, 1)).toBeUndefined();
  });
});

/** `deltaFifo` then `indexer` fed by hand; `latest()` is the snapshot after the last event. */
function pipeline(indexers: Indexers<KubeObject>) {
  const events = new Subject<WatchEvent<KubeObject>>();
  let snapshot: Snapshot<KubeObject> | undefined;
  events.pipe(deltaFifo(), indexer(indexers)).subscribe((next) => {
    snapshot = next;
  });
  return {
    send: (event: WatchEvent<unknown>) => events.next(event as WatchEvent<KubeObject>),
    latest: () => snapshot as Snapshot<KubeObject>,
  };
}

describe('Snapshot over watch cells', () => {
  it("drops a cell whose resourceVersion is the cached cell's, and applies one with another", () => {
    const events = new Subject<WatchEvent<KubeObject>>();
    const snapshots: Snapshot<KubeObject>[] = [];
    events.pipe(deltaFifo(), indexer({})).subscribe((next) => snapshots.push(next));
    const send = (event: WatchEvent<unknown>) => events.next(event as WatchEvent<KubeObject>);
    send({ type: 'REPLACE', objects: [watchCell(podText('a', 'n1', 'web', 2)).cell], resourceVersion: '2' });
    send({ type: 'MODIFIED', object: watchCell(podText('a', 'n1', 'web', 2)).cell });
    expect(snapshots).toHaveLength(1);
    send({ type: 'MODIFIED', object: watchCell(podText('a', 'n1', 'web', 3)).cell });
    expect(snapshots.map((snapshot) => snapshot.resourceVersion)).toEqual(['2', '3']);
  });

  it('an update leaves byNamespace as the key says, and re-files any other index named namespace', () => {
    // The namespace index is skipped on an update (the key holds the namespace); one the user
    // put under that name with another function is not.
    const plain = pipeline({});
    const custom = pipeline({ namespace: byLabel('app') });
    for (const { send } of [plain, custom]) {
      send({ type: 'REPLACE', objects: [], resourceVersion: '1' });
      send({ type: 'ADDED', object: watchCell(podText('a', 'n1', 'web', 2)).cell });
      send({ type: 'MODIFIED', object: JSON.parse(podText('a', 'n1', 'db', 3)) });
      send({ type: 'MODIFIED', object: watchCell(podText('a', 'n2', 'api', 4)).cell });
    }
    expect(plain.latest().indexKeys('namespace', 'default')).toEqual(['default/a']);
    expect(custom.latest().indexValues('namespace')).toEqual(['api']);
    expect(custom.latest().indexKeys('namespace', 'api')).toEqual(['default/a']);
    for (const { send, latest } of [plain, custom]) {
      send({ type: 'DELETED', object: watchCell(podText('a', 'n2', 'api', 5)).cell });
      expect(latest().indexValues('namespace')).toEqual([]);
    }
  });

  it('a relist re-files the cells it moves, also when a reader decoded the deltas in between', () => {
    // The snapshot takes a relist's cells from its deferred deltas, or from the fifo's maps once
    // a reader has decoded them (freezing a delta does).
    const relist = (decodeBetween: boolean) => {
      const events = new Subject<WatchEvent<KubeObject>>();
      let snapshot: Snapshot<KubeObject> | undefined;
      events
        .pipe(
          deltaFifo(),
          tap((batch) => {
            if (decodeBetween) for (const delta of batch.deltas) Object.freeze(delta);
          }),
          indexer({ node: byField('spec.nodeName') }),
        )
        .subscribe((next) => {
          snapshot = next;
        });
      const list = (rv: number, pods: [string, string][]) =>
        events.next({
          type: 'REPLACE',
          objects: pods.map(([name, node]) => watchCell(podText(name, node, 'web', rv)).cell),
          resourceVersion: String(rv),
        } as WatchEvent<KubeObject>);
      list(1, [
        ['a', 'n1'],
        ['b', 'n1'],
        ['c', 'n2'],
      ]);
      list(2, [
        ['a', 'n2'],
        ['b', 'n1'],
        ['d', 'n3'],
      ]);
      const latest = snapshot as Snapshot<KubeObject>;
      return {
        n1: latest.indexKeys('node', 'n1'),
        n2: latest.indexKeys('node', 'n2'),
        n3: latest.indexKeys('node', 'n3'),
        a: (latest.get('default/a') as { spec: { nodeName: string } }).spec.nodeName,
      };
    };
    const expected = { n1: ['default/b'], n2: ['default/a'], n3: ['default/d'], a: 'n2' };
    expect(relist(false)).toEqual(expected);
    expect(relist(true)).toEqual(expected);
  });

  it('metadata indexes never ask a cell for its object', () => {
    const { send, latest } = pipeline({
      app: byLabel('app'),
      owner: byOwner,
      name: byField('metadata.name'),
    });
    send({ type: 'REPLACE', objects: [], resourceVersion: '1' });
    const { cell } = watchCell(podText('a', 'n1', 'web', 2));
    send({ type: 'ADDED', object: cell });
    const { cell: next } = watchCell(podText('a', 'n1', 'db', 3));
    send({ type: 'MODIFIED', object: next });
    send({ type: 'DELETED', object: watchCell(podText('a', 'n1', 'db', 4)).cell });
    expect([cell.inputs, next.inputs]).toEqual([0, 0]);
    expect([cell.encoded, next.encoded]).toEqual([true, true]);
    expect(latest().indexValues('app')).toEqual([]);
  });

  it('another index reads an arriving cell once and a leaving one never, and files it right', () => {
    let calls = 0;
    const node = byField('spec.nodeName');
    const counted: IndexFunc<KubeObject> = (object) => {
      calls++;
      return node(object);
    };
    const { send, latest } = pipeline({ node: counted, app: byLabel('app') });
    send({ type: 'REPLACE', objects: [], resourceVersion: '1' });
    const first = watchCell(podText('a', 'n1', 'web', 2));
    send({ type: 'ADDED', object: first.cell });
    expect([first.cell.inputs, calls]).toEqual([1, 1]);
    // Filed: the draft is let go, the cell is still encoded.
    expect(first.cell.indexInput()).not.toBe(first.draft);
    first.cell.inputs = 0;
    expect(first.cell.encoded).toBe(true);
    expect(latest().indexKeys('node', 'n1')).toEqual(['default/a']);

    const moved = watchCell(podText('a', 'n2', 'web', 3));
    send({ type: 'MODIFIED', object: moved.cell });
    // The values the first cell was filed under were kept: it is not parsed again on its way out.
    expect([first.cell.inputs, moved.cell.inputs, calls]).toEqual([0, 1, 2]);
    expect(latest().indexValues('node')).toEqual(['n2']);
    expect(latest().indexKeys('node', 'n2')).toEqual(['default/a']);

    send({ type: 'DELETED', object: watchCell(podText('a', 'n2', 'web', 4)).cell });
    expect([moved.cell.inputs, calls]).toEqual([1, 2]);
    expect(latest().indexValues('node')).toEqual([]);
    expect([first.cell.encoded, moved.cell.encoded]).toEqual([true, true]);
  });

  it('a cell read before it leaves is indexed by its decoded object', () => {
    const { send, latest } = pipeline({ node: byField('spec.nodeName') });
    send({ type: 'REPLACE', objects: [], resourceVersion: '1' });
    const first = watchCell(podText('a', 'n1', 'web', 2));
    send({ type: 'ADDED', object: first.cell });
    expect(latest().get('default/a')).toMatchObject({ spec: { nodeName: 'n1' } });
    expect(first.cell.encoded).toBe(false);
    first.cell.inputs = 0;
    send({ type: 'MODIFIED', object: watchCell(podText('a', 'n3', 'web', 3)).cell });
    expect(first.cell.inputs).toBe(0);
    expect(latest().indexValues('node')).toEqual(['n3']);
  });
});

// ---------------------------------------------------------------------------------------------
// The property: cells and plain objects give the same indexes

const NAMES = ['a', 'b', 'c', 'd'];

type Op =
  | {
      readonly op: 'put';
      readonly name: string;
      readonly node?: string;
      readonly app?: string;
      readonly owner?: string;
      readonly zone?: string;
    }
  | { readonly op: 'delete'; readonly name: string }
  | { readonly op: 'read'; readonly name: string }
  | { readonly op: 'relist' }
  | { readonly op: 'resync' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        op: fc.constant('put' as const),
        name: fc.constantFrom(...NAMES),
        node: fc.constantFrom('n1', 'n2', 'n3'),
        app: fc.constantFrom('web', 'db'),
        owner: fc.constantFrom('u1', 'u2'),
        zone: fc.constantFrom('z1', 'z2'),
      },
      { requiredKeys: ['op', 'name'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('delete' as const), name: fc.constantFrom(...NAMES) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), name: fc.constantFrom(...NAMES) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'relist' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'resync' as const }) },
);

describe('indexes over cells against indexes over plain objects', () => {
  test.prop([fc.array(opArb, { minLength: 1, maxLength: 30 })], { numRuns: 300 })(
    'agree after every event, and only the cells read are decoded',
    (ops) => {
      const indexers: Indexers<KubeObject> = {
        node: byField('spec.nodeName') as IndexFunc<KubeObject>,
        app: byLabel('app'),
        owner: byOwner,
        name: byField('metadata.name') as IndexFunc<KubeObject>,
        zone: (object) => {
          const zone = (object.metadata?.annotations as Record<string, string> | undefined)?.zone;
          return zone === undefined ? [] : [zone, `${zone}/${String(object.metadata?.name)}`];
        },
      };
      const lazy = pipeline(indexers);
      const eager = pipeline(indexers);
      /** The cluster: each name's current text. */
      const texts = new Map<string, string>();
      const read = new WeakSet<EncodedObject>();
      let rv = 1;
      const both = (
        cell: (text: string) => unknown,
        event: (object: unknown) => WatchEvent<unknown>,
        text: string,
      ) => {
        lazy.send(event(cell(text)));
        eager.send(event(JSON.parse(text)));
      };
      const relist = () => {
        const listed = [...texts.values()];
        const resourceVersion = String(rv);
        lazy.send({
          type: 'REPLACE',
          objects: listed.map((text) => encodedObject(text, JSON.parse(text)) as EncodedObject),
          resourceVersion,
        });
        eager.send({ type: 'REPLACE', objects: listed.map((text) => JSON.parse(text)), resourceVersion });
      };
      relist();
      for (const op of ops) {
        switch (op.op) {
          case 'put': {
            const object = {
              metadata: {
                name: op.name,
                namespace: 'default',
                resourceVersion: String(++rv),
                ...(op.app ? { labels: { app: op.app } } : {}),
                ...(op.zone ? { annotations: { zone: op.zone } } : {}),
                ...(op.owner
                  ? { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: op.owner }] }
                  : {}),
              },
              spec: op.node ? { nodeName: op.node } : {},
            };
            const type = texts.has(op.name) ? 'MODIFIED' : 'ADDED';
            const text = JSON.stringify(object);
            texts.set(op.name, text);
            both(
              (t) => encodedObject(t, JSON.parse(t), true),
              (o) => ({ type, object: o }) as WatchEvent<unknown>,
              text,
            );
            break;
          }
          case 'delete': {
            const last = texts.get(op.name);
            if (last === undefined) break;
            texts.delete(op.name);
            const gone = {
              ...JSON.parse(last),
              metadata: { ...JSON.parse(last).metadata, resourceVersion: String(++rv) },
            };
            both(
              (t) => encodedObject(t, JSON.parse(t), true),
              (o) => ({ type: 'DELETED', object: o }) as WatchEvent<unknown>,
              JSON.stringify(gone),
            );
            break;
          }
          case 'read': {
            const key = `default/${op.name}`;
            const stored = lazy.latest().objectMap.get(key);
            if (stored instanceof EncodedObject) read.add(stored);
            expect(lazy.latest().get(key)).toEqual(eager.latest().get(key));
            break;
          }
          case 'relist':
            relist();
            break;
          case 'resync':
            lazy.send({ type: 'RESYNC' });
            eager.send({ type: 'RESYNC' });
            break;
        }
        const snapshot = lazy.latest();
        expect(indexState(snapshot)).toEqual(indexState(eager.latest()));
        for (const key of snapshot.keys()) {
          const stored = snapshot.objectMap.get(key);
          expect(stored).toBeInstanceOf(EncodedObject);
          expect([key, (stored as EncodedObject).encoded]).toEqual([key, !read.has(stored as EncodedObject)]);
        }
      }
      // And the objects themselves, by every index value.
      const snapshot = lazy.latest();
      const other = eager.latest();
      for (const name of snapshot.indexNames())
        for (const value of snapshot.indexValues(name))
          expect(snapshot.byIndex(name, value)).toEqual(other.byIndex(name, value));
    },
  );
});
