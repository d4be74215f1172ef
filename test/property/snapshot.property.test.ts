/**
 * Property 2: the Indexer's snapshot agrees with brute force. For random objects and random
 * delta batches, applied with `Snapshot.apply` and through the `indexer` operator, every index
 * (`byIndex`, `indexKeys`, `indexValues`), every namespace lister and `list(selector)` answer
 * exactly what filtering all objects with the index function or selector answers. Old snapshots
 * keep answering for their own state after later batches (persistence).
 */
import { fc } from '@fast-check/vitest';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  byField,
  byLabel,
  byNamespace,
  byOwner,
  type Delta,
  type DeltaBatch,
  type DeltaType,
  type IndexFunc,
  indexer,
  type KubeObject,
  labelSelectorFromObject,
  objectKey,
  parseLabelSelector,
  type SelectorInput,
  Snapshot,
} from '../../src/index.js';
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
});
