/**
 * Malformed objects never break the cache (issue 14). Watch events and relists mix valid objects
 * with ones a hostile or buggy server could send: names and namespaces that are not strings or
 * contain `/`, resourceVersions that are objects, labels that are `null`, a string or an array, owner
 * references that are `{}` or hold `null`, objects nested past the depth limit, and an index
 * function that throws for some objects. Through `deltaFifo` and `indexer` with `onError`:
 * nothing throws out of the pipeline, the cache holds exactly the valid objects (by a model
 * written here from the rules, not from the code), every index files exactly what an own-property
 * reading of each cached object gives, and every invalid object is reported.
 */
import { fc } from '@fast-check/vitest';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  byLabel,
  byOwner,
  deltaFifo,
  type IndexFunc,
  indexer,
  type KubeObject,
  type KubeRxError,
  Snapshot,
  UncacheableObjectError,
  type WatchEvent,
} from '../../src/index.js';

type Odd = KubeObject & { spec?: unknown };

/** `{ a: { a: ... } }` 1,200 levels deep, past the cache's limit of 1,000; shared by every deep object. */
const TOO_DEEP = (() => {
  let inner: Record<string, unknown> = {};
  for (let i = 0; i < 1200; i++) inner = { a: inner };
  return inner;
})();

const nameArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', 'c', 'd') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('', 'x/y', 5, null, undefined, { n: 'a' }) },
);
const namespaceArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>('default', 'kube-system', undefined) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('a/b', 5, {}, ['default'], null, '') },
);
const labelsArb = fc.constantFrom<() => unknown>(
  () => undefined,
  () => ({ app: 'web' }),
  () => ({ app: 'db', constructor: 'own' }),
  () => ({}),
  () => null,
  () => 'app=web',
  () => ['web'],
  () => ({ app: 5 }),
  () => JSON.parse('{"__proto__":"x","app":"web"}'),
);
const ownerRefsArb = fc.constantFrom<() => unknown>(
  () => undefined,
  () => ({}),
  () => [null],
  () => 'rs-1',
  () => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
  () => [{ uid: 'u2' }, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u3' }],
  () => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 7 }],
);

/** One object; its resourceVersion is filled in per event so that no two events share one. */
const objectArb = fc
  .record({
    name: nameArb,
    namespace: namespaceArb,
    labels: labelsArb,
    ownerReferences: ownerRefsArb,
    badVersion: fc.oneof(
      { weight: 12, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    deep: fc.oneof(
      { weight: 12, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
  })
  .map((o) => (resourceVersion: string): Odd => {
    const metadata: Record<string, unknown> = {
      name: o.name,
      resourceVersion: o.badVersion ? { v: 1 } : resourceVersion,
    };
    if (o.namespace !== undefined) metadata.namespace = o.namespace;
    const labels = o.labels();
    if (labels !== undefined) metadata.labels = labels;
    const ownerReferences = o.ownerReferences();
    if (ownerReferences !== undefined) metadata.ownerReferences = ownerReferences;
    return { kind: 'Pod', metadata, spec: o.deep ? { nested: TOO_DEEP } : { containers: [] } } as Odd;
  });

type Step =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: (rv: string) => Odd }
  | { type: 'REPLACE'; objects: ((rv: string) => Odd)[] };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ type: fc.constantFrom('ADDED' as const, 'MODIFIED' as const), object: objectArb }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('DELETED' as const), object: objectArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('REPLACE' as const),
      objects: fc.array(objectArb, { maxLength: 8 }),
    }),
  },
);

// The model: the rules of issue 14, written out independently of src/.

const isPlainMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const goodSegment = (v: unknown): v is string => typeof v === 'string' && v !== '' && !v.includes('/');

/** The cache key the rules give `object`, or undefined when it must be turned away. */
function modelKey(object: Odd): string | undefined {
  const meta = object.metadata as Record<string, unknown>;
  if (!goodSegment(meta.name)) return undefined;
  const rv = meta.resourceVersion;
  if (rv !== undefined && typeof rv !== 'string') return undefined;
  if ((object.spec as { nested?: unknown }).nested !== undefined) return undefined;
  const ns = meta.namespace;
  if (ns === undefined || ns === null || ns === '') return meta.name;
  return goodSegment(ns) ? `${ns}/${meta.name}` : undefined;
}

function ownLabel(object: KubeObject, key: string): string[] {
  const labels: unknown = object.metadata?.labels;
  if (!isPlainMap(labels) || !Object.hasOwn(labels, key)) return [];
  const value = labels[key];
  return typeof value === 'string' ? [value] : [];
}

function ownerUids(object: KubeObject): string[] {
  const refs: unknown = object.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return [];
  return refs
    .filter(
      (r): r is Record<string, string> =>
        isPlainMap(r) && ['apiVersion', 'kind', 'name', 'uid'].every((f) => typeof r[f] === 'string'),
    )
    .map((r) => r.uid as string);
}

/** Throws for objects named "c": stands for any index function with a bug. */
const picky: IndexFunc<Odd> = (object) => {
  if (object.metadata?.name === 'c') throw new Error('picky cannot index c');
  return [String(object.metadata?.name)];
};
const INDEXERS: Record<string, IndexFunc<Odd>> = {
  app: byLabel('app'),
  ctor: byLabel('constructor'),
  owner: byOwner,
  picky,
};
const EXPECTED_VALUES: Record<string, (o: Odd) => string[]> = {
  app: (o) => ownLabel(o, 'app'),
  ctor: (o) => ownLabel(o, 'constructor'),
  owner: ownerUids,
  picky: (o) => (o.metadata?.name === 'c' ? [] : [String(o.metadata?.name)]),
};

/** value -> sorted keys, for one index, read from the snapshot and computed from the model. */
function indexContent(snapshot: Snapshot<Odd>, name: string): Record<string, string[]> {
  return Object.fromEntries(snapshot.indexValues(name).map((v) => [v, snapshot.indexKeys(name, v).sort()]));
}
function expectedIndex(model: Map<string, Odd>, name: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const valuesOf = EXPECTED_VALUES[name] as (o: Odd) => string[];
  for (const [key, object] of model)
    for (const value of new Set(valuesOf(object))) {
      out[value] ??= [];
      out[value].push(key);
    }
  for (const keys of Object.values(out)) keys.sort();
  return out;
}

describe('malformed objects mixed into valid ones (issue 14)', () => {
  it('the cache equals the valid objects, each index files what its own-property reading gives, nothing throws', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
        let version = 0;
        const nextVersion = () => String(++version);
        const model = new Map<string, Odd>();
        const mustReport = new Set<Odd>();
        const events: WatchEvent<Odd>[] = [];
        for (const step of steps) {
          if (step.type === 'REPLACE') {
            const rv = nextVersion();
            const objects = step.objects.map((make) => make(nextVersion()));
            model.clear();
            for (const o of objects) {
              const key = modelKey(o);
              if (key === undefined) mustReport.add(o);
              else model.set(key, o);
            }
            events.push({ type: 'REPLACE', objects, resourceVersion: rv });
            continue;
          }
          const object = step.object(nextVersion());
          const key = modelKey(object);
          if (key === undefined) {
            // a delete of a key the cache does not know is dropped before the object is looked at
            if (step.type !== 'DELETED') mustReport.add(object);
          } else if (step.type === 'DELETED') model.delete(key);
          else model.set(key, object);
          events.push({ type: step.type, object });
        }

        const reported: KubeRxError[] = [];
        const onError = (e: KubeRxError) => reported.push(e);
        let last: Snapshot<Odd> | undefined;
        let failure: unknown;
        from(events)
          .pipe(
            deltaFifo<Odd>({ onError, resource: 'pods.v1' }),
            indexer(INDEXERS, { onError, resource: 'pods.v1' }),
          )
          .subscribe({
            next: (s) => {
              last = s;
            },
            error: (e) => {
              failure = e;
            },
          });

        expect(failure).toBeUndefined();
        // no batch at all when every event was turned away
        const snapshot = last ?? Snapshot.empty<Odd>(INDEXERS);
        expect(snapshot.keys().sort()).toEqual([...model.keys()].sort());
        for (const [key, object] of model) expect(snapshot.get(key)).toBe(object);
        for (const name of Object.keys(INDEXERS))
          expect(indexContent(snapshot, name)).toEqual(expectedIndex(model, name));
        const rejected = new Set(
          reported
            .filter((e) => e instanceof UncacheableObjectError)
            .map((e) => (e as UncacheableObjectError).object),
        );
        for (const object of mustReport) expect(rejected.has(object)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
