/**
 * A read applied as one batch is the same as its events applied one by one. Over random watch
 * histories (adds, updates that move a pod between nodes and labels, deletes of known and unknown
 * keys, duplicates, objects the cache turns away; plain objects or deferred cells) cut into
 * random reads, `deltaFifo` -> `indexer` with `READ` events gives:
 * - the same deltas, in the same order (types, keys, objects, old objects);
 * - the same final snapshot: objects, every index, resourceVersion;
 * - the same errors reported;
 * - one batch per read that changed something, never more.
 */
import { fc } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { encodedObject } from '../../src/core/encodedObject.js';
import {
  byField,
  byLabel,
  type DeltaBatch,
  deltaFifo,
  indexer,
  type KubeRxError,
  type ObjectWatchEvent,
  readObject,
  type Snapshot,
  type WatchEvent,
  type WatchInput,
} from '../../src/index.js';
import { pod } from '../../src/testing/index.js';

interface Step {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly name: string;
  readonly namespace: string;
  readonly node: string;
  readonly app: string;
  /** Reuse the key's last resourceVersion (a duplicate event). */
  readonly repeat: boolean;
  /** An object without a name: reported, skipped. */
  readonly nameless: boolean;
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  type: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED'),
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  namespace: fc.constantFrom('x', 'y'),
  node: fc.constantFrom('n1', 'n2'),
  app: fc.constantFrom('web', 'db'),
  repeat: fc.boolean(),
  nameless: fc.nat(9).map((n) => n === 0),
});

interface History {
  readonly listed: Step[];
  readonly steps: Step[];
  readonly cuts: boolean[];
  readonly cells: boolean;
}

const historyArb: fc.Arbitrary<History> = fc.record({
  listed: fc.array(stepArb, { maxLength: 5 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 40 }),
  /** Where reads end: a cut after step i when cuts[i] is true. */
  cuts: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  cells: fc.boolean(),
});

/** The watch events of a history, made fresh for each run (cells are not shared between runs). */
function eventsOf(history: History) {
  let rv = 1;
  const last = new Map<string, string>();
  const objectOf = (step: Step): V1Pod => {
    const key = `${step.namespace}/${step.name}`;
    const version = step.repeat && last.has(key) ? (last.get(key) as string) : String(++rv);
    last.set(key, version);
    const object = pod(step.name, version, {
      namespace: step.namespace,
      nodeName: step.node,
      labels: { app: step.app },
    });
    if (step.nameless) delete (object.metadata as { name?: string }).name;
    if (!history.cells || step.nameless) return object;
    const text = JSON.stringify(object);
    return (encodedObject(text, JSON.parse(text), true) ?? object) as unknown as V1Pod;
  };
  const listed = history.listed.filter((s) => !s.nameless).map(objectOf);
  const events = history.steps.map(
    (step): ObjectWatchEvent<V1Pod> => ({ type: step.type, object: objectOf(step) }),
  );
  return {
    replace: { type: 'REPLACE', objects: listed, resourceVersion: String(rv) } as WatchEvent<V1Pod>,
    events,
  };
}

/** `events` cut into reads: several events as one READ, a lone one as itself. */
function readsOf(events: ObjectWatchEvent<V1Pod>[], cuts: readonly boolean[]): WatchInput<V1Pod>[] {
  const out: WatchInput<V1Pod>[] = [];
  let run: ObjectWatchEvent<V1Pod>[] = [];
  events.forEach((event, i) => {
    run.push(event);
    if (cuts[i] || i === events.length - 1) {
      out.push(run.length === 1 ? (run[0] as ObjectWatchEvent<V1Pod>) : { type: 'READ', events: run });
      run = [];
    }
  });
  return out;
}

const indexers = { node: byField('spec.nodeName'), app: byLabel('app') };

function run(inputs: WatchInput<V1Pod>[]) {
  const errors: string[] = [];
  const batches: DeltaBatch<V1Pod>[] = [];
  let last: Snapshot<V1Pod> | undefined;
  const onError = (error: KubeRxError) => errors.push(error.message);
  from(inputs)
    .pipe(deltaFifo<V1Pod>({ onError }))
    .subscribe((batch) => batches.push(batch));
  from(batches)
    .pipe(indexer<V1Pod>(indexers))
    .subscribe((snapshot) => {
      last = snapshot;
    });
  const deltas = batches.flatMap((batch) =>
    batch.deltas.map((d) => ({
      type: d.type,
      key: d.key,
      object: readObject(d.object),
      oldObject: d.oldObject === undefined ? undefined : readObject(d.oldObject),
    })),
  );
  return { errors, batches, deltas, snapshot: last as Snapshot<V1Pod> };
}

function contents(snapshot: Snapshot<V1Pod>) {
  const indexesOf = (name: string) =>
    Object.fromEntries(
      snapshot
        .indexValues(name)
        .sort()
        .map((value) => [value, snapshot.indexKeys(name, value).sort()]),
    );
  return {
    objects: Object.fromEntries(
      snapshot
        .keys()
        .sort()
        .map((key) => [key, snapshot.get(key)]),
    ),
    namespace: indexesOf('namespace'),
    node: indexesOf('node'),
    app: indexesOf('app'),
    resourceVersion: snapshot.resourceVersion,
    synced: snapshot.synced,
  };
}

describe('property: a read applied as one batch equals its events one by one', () => {
  it('same deltas, same snapshot, same errors, one batch per read', () => {
    fc.assert(
      fc.property(historyArb, (history) => {
        const single = eventsOf(history);
        const batched = eventsOf(history);
        const reads = readsOf(batched.events, history.cuts);
        const one = run([single.replace, ...single.events]);
        const many = run([batched.replace, ...reads]);
        expect(many.deltas).toEqual(one.deltas);
        expect(contents(many.snapshot)).toEqual(contents(one.snapshot));
        expect(many.errors).toEqual(one.errors);
        expect(many.batches.length).toBeLessThanOrEqual(reads.length + 1);
      }),
      { numRuns: process.env.CI ? 500 : 200 },
    );
  });
});
