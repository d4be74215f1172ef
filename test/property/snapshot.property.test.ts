/**
 * Property 2: the Indexer's snapshot agrees with brute force. For random objects and random
 * delta batches, applied with `Snapshot.apply` and through the `indexer` operator, every index
 * (`byIndex`, `indexKeys`, `indexValues`), every namespace lister and `list(selector)` answer
 * exactly what filtering all objects with the index function or selector answers. Old snapshots
 * keep answering for their own state after later batches (persistence). Batches that come
 * straight from `deltaFifo` (whose map of objects the snapshot adopts) agree just the same.
 */
import { fc } from '@fast-check/vitest';
import { from, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  byField,
  byLabel,
  byNamespace,
  byOwner,
  type Delta,
  type DeltaBatch,
  type DeltaType,
  deltaFifo,
  type IndexFunc,
  indexer,
  type KubeObject,
  labelSelectorFromObject,
  objectKey,
  parseLabelSelector,
  type SelectorInput,
  Snapshot,
  type WatchEvent,
} from '../../src/index.js';
import { FifoBatch } from '../../src/store/fifoBatch.js';
import {
  LABEL_KEYS,
  LABEL_VALUES,
  matchesRequirements,
  NAMES,
  NODES,
  OWNER_UIDS,
  type Requirement,
  selectorObjectArb,
  spelledSelectorArb,
} from './serverModel.js';

interface TestObject extends KubeObject {
  spec?: { nodeName?: unknown };
}

const INDEXERS: Record<string, IndexFunc<TestObject>> = {
  ns: byNamespace,
  app: byLabel('app'),
  node: byField('spec.nodeName'),
  owner: byOwner,
};
/** The indexes every snapshot has: the built-in namespace index plus ours. */
const ALL_INDEXES: Record<string, IndexFunc<TestObject>> = { namespace: byNamespace, ...INDEXERS };
const NAMESPACES = ['default', 'kube-system', ''] as const;

const objectArb: fc.Arbitrary<TestObject> = fc
  .record({
    namespace: fc.constantFrom(...NAMESPACES),
    name: fc.constantFrom(...NAMES),
    rv: fc.nat(50),
    labels: fc.option(fc.dictionary(fc.constantFrom(...LABEL_KEYS), fc.constantFrom(...LABEL_VALUES)), {
      nil: undefined,
    }),
    // byField stringifies numbers and booleans and skips objects.
    nodeName: fc.option(
      fc.oneof(fc.constantFrom(...NODES), fc.constant(7), fc.constant(true), fc.constant({})),
      {
        nil: undefined,
      },
    ),
    // Duplicate owners (same uid twice) are legal input for an index function.
    owners: fc.array(fc.constantFrom(...OWNER_UIDS), { maxLength: 3 }),
  })
  .map(({ namespace, name, rv, labels, nodeName, owners }) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      resourceVersion: String(rv),
      ...(labels ? { labels } : {}),
      ...(owners.length
        ? {
            ownerReferences: owners.map((uid) => ({
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: uid,
              uid,
            })),
          }
        : {}),
    },
    ...(nodeName === undefined ? {} : { spec: { nodeName } }),
  }));

const deltaArb: fc.Arbitrary<Delta<TestObject>> = fc
  .tuple(fc.constantFrom<DeltaType>('Added', 'Updated', 'Replaced', 'Sync', 'Deleted', 'Deleted'), objectArb)
  .map(([type, object]) => ({ type, key: objectKey(object) as string, object }));

const batchArb: fc.Arbitrary<DeltaBatch<TestObject>> = fc.record({
  deltas: fc.array(deltaArb, { maxLength: 8 }),
  resourceVersion: fc.nat(100).map(String),
  synced: fc.boolean(),
  initialList: fc.boolean(),
});

const eventArb: fc.Arbitrary<WatchEvent<TestObject>> = fc
  .oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constantFrom('ADDED', 'MODIFIED', 'DELETED' as const), objectArb) },
    { weight: 1, arbitrary: fc.array(objectArb, { maxLength: 10 }) },
    { weight: 1, arbitrary: fc.constantFrom('RESYNC', 'BOOKMARK' as const) },
  )
  .map((e): WatchEvent<TestObject> => {
    if (Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')
      return { type: e[0], object: e[1] } as WatchEvent<TestObject>;
    if (Array.isArray(e)) return { type: 'REPLACE', objects: e as TestObject[], resourceVersion: '7' };
    return e === 'RESYNC' ? { type: 'RESYNC' } : { type: 'BOOKMARK', resourceVersion: '9' };
  });

/** Selectors in every input form, with their meaning. */
const selectorInputArb: fc.Arbitrary<{ input: SelectorInput; requirements: readonly Requirement[] }> =
  fc.oneof(
    spelledSelectorArb.map(({ text, requirements }) => ({ input: text, requirements })),
    spelledSelectorArb.map(({ text, requirements }) => ({ input: parseLabelSelector(text), requirements })),
    selectorObjectArb.map(({ object, requirements }) => ({ input: object, requirements })),
  );

/** The model: what the snapshot must hold after the batches so far. */
function fold(
  state: ReadonlyMap<string, TestObject>,
  batch: DeltaBatch<TestObject>,
): Map<string, TestObject> {
  const next = new Map(state);
  for (const delta of batch.deltas) {
    if (delta.type === 'Deleted') next.delete(delta.key);
    else next.set(delta.key, delta.object);
  }
  return next;
}

const sorted = (values: Iterable<string>) => [...values].sort();
const keysOf = (objects: readonly TestObject[]) => sorted(objects.map((o) => objectKey(o) as string));
const namespaceOf = (object: TestObject) => object.metadata?.namespace ?? '';

function expectAgrees(
  snapshot: Snapshot<TestObject>,
  state: ReadonlyMap<string, TestObject>,
  batch: DeltaBatch<TestObject> | undefined,
  selectors: readonly { input: SelectorInput; requirements: readonly Requirement[] }[],
): void {
  const all = [...state.entries()];
  expect(snapshot.size).toBe(state.size);
  expect(sorted(snapshot.keys())).toEqual(sorted(state.keys()));
  for (const [key, object] of all) {
    expect(snapshot.has(key)).toBe(true);
    expect(snapshot.get(key)).toEqual(object);
  }
  if (batch) {
    expect(snapshot.resourceVersion).toBe(batch.resourceVersion);
    expect(snapshot.synced).toBe(batch.synced);
  }
  expect(sorted(snapshot.indexNames())).toEqual(sorted(Object.keys(ALL_INDEXES)));

  for (const [name, fn] of Object.entries(ALL_INDEXES)) {
    const values = new Set(all.flatMap(([, object]) => fn(object)));
    const listed = snapshot.indexValues(name);
    expect(listed.length).toBe(new Set(listed).size);
    expect(sorted(listed)).toEqual(sorted(values));
    for (const value of [...values, 'absent', '']) {
      const expected = sorted(all.filter(([, object]) => fn(object).includes(value)).map(([key]) => key));
      const keys = snapshot.indexKeys(name, value);
      expect(keys.length).toBe(new Set(keys).size);
      expect({ name, value, keys: sorted(keys) }).toEqual({ name, value, keys: expected });
      expect({ name, value, keys: keysOf(snapshot.byIndex(name, value)) }).toEqual({
        name,
        value,
        keys: expected,
      });
    }
  }

  for (const namespace of [...NAMESPACES, 'absent']) {
    const lister = snapshot.namespace(namespace);
    const inNamespace = all.filter(([, object]) => namespaceOf(object) === namespace);
    expect(keysOf(lister.list())).toEqual(sorted(inNamespace.map(([key]) => key)));
    for (const name of NAMES) {
      const key = namespace ? `${namespace}/${name}` : name;
      expect(lister.get(name)).toBe(snapshot.get(key));
    }
    for (const { input, requirements } of selectors) {
      const expected = inNamespace
        .filter(([, object]) => matchesRequirements(requirements, object.metadata?.labels))
        .map(([key]) => key);
      expect(keysOf(lister.list(input))).toEqual(sorted(expected));
    }
  }

  expect(keysOf(snapshot.list())).toEqual(sorted(state.keys()));
  for (const { input, requirements } of selectors) {
    const expected = all
      .filter(([, object]) => matchesRequirements(requirements, object.metadata?.labels))
      .map(([key]) => key);
    expect(keysOf(snapshot.list(input))).toEqual(sorted(expected));
    if (typeof input === 'string') {
      const parsed = parseLabelSelector(input);
      const byParse = all.filter(([, object]) => parsed.matches(object.metadata?.labels)).map(([key]) => key);
      expect(keysOf(snapshot.list(input))).toEqual(sorted(byParse));
    } else if (!('requirements' in input)) {
      const sel = labelSelectorFromObject(input);
      const byObject = all.filter(([, object]) => sel.matches(object.metadata?.labels)).map(([key]) => key);
      expect(keysOf(snapshot.list(input))).toEqual(sorted(byObject));
    }
  }
}

describe('snapshot property: indexes agree with brute force', () => {
  it('Snapshot.apply keeps every index, lister and selector exact, and old snapshots unchanged', () => {
    fc.assert(
      fc.property(
        fc.array(batchArb, { maxLength: 8, size: 'medium' }),
        fc.array(selectorInputArb, { maxLength: 4 }),
        (batches, selectors) => {
          let snapshot = Snapshot.empty<TestObject>(INDEXERS);
          let state = new Map<string, TestObject>();
          const history: { snapshot: Snapshot<TestObject>; state: Map<string, TestObject> }[] = [
            { snapshot, state },
          ];
          expectAgrees(snapshot, state, undefined, selectors);
          for (const batch of batches) {
            snapshot = snapshot.apply(batch);
            state = fold(state, batch);
            expectAgrees(snapshot, state, batch, selectors);
            history.push({ snapshot, state });
          }
          // Persistence: every earlier snapshot still answers for its own state.
          for (const old of history) expectAgrees(old.snapshot, old.state, undefined, selectors);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the indexer operator emits one snapshot per batch, each agreeing with brute force', () => {
    fc.assert(
      fc.property(fc.array(batchArb, { maxLength: 8, size: 'medium' }), (batches) => {
        const snapshots: Snapshot<TestObject>[] = [];
        from(batches)
          .pipe(indexer(INDEXERS))
          .subscribe((snapshot) => snapshots.push(snapshot));
        expect(snapshots).toHaveLength(batches.length);
        let state = new Map<string, TestObject>();
        batches.forEach((batch, i) => {
          state = fold(state, batch);
          expectAgrees(snapshots[i] as Snapshot<TestObject>, state, batch, []);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('snapshots fed by deltaFifo (sharing its map) agree with brute force and with the ordinary path', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 25 }), (events) => {
        const batches: DeltaBatch<TestObject>[] = [];
        const shared: Snapshot<TestObject>[] = [];
        from(events)
          .pipe(
            deltaFifo<TestObject>(),
            tap((batch) => batches.push(batch)),
            indexer(INDEXERS),
          )
          .subscribe((snapshot) => shared.push(snapshot));
        expect(shared).toHaveLength(batches.length);
        let state = new Map<string, TestObject>();
        let ordinary = Snapshot.empty<TestObject>(INDEXERS);
        batches.forEach((batch, i) => {
          state = fold(state, batch);
          // A copied batch is no longer the fifo's: it takes the ordinary path.
          ordinary = ordinary.apply({ ...batch });
          const snapshot = shared[i] as Snapshot<TestObject>;
          const before =
            i === 0 ? Snapshot.empty<TestObject>(INDEXERS) : (shared[i - 1] as Snapshot<TestObject>);
          // The snapshot adopted the fifo's map rather than building its own.
          expect(FifoBatch.itemsAfter(batch, before.objectMap)).toBe(snapshot.objectMap);
          expectAgrees(snapshot, state, batch, []);
          expectAgrees(ordinary, state, batch, []);
        });
      }),
      { numRuns: 150 },
    );
  });
});
