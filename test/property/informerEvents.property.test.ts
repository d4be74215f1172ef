/**
 * Property 3: the informer's event stream is a consistent changelog. Over the random server
 * scenarios of `serverModel.ts` (with resync ticks, and with a `knownObjects` warm-up):
 * - an `add` is for a key the consumer does not hold; an `update` or `delete` is for a key it
 *   holds, and `update.oldObject` (and a tombstone's last known state) is exactly what it holds;
 * - replaying the events (add/update -> set, delete -> remove) yields exactly the final
 *   snapshot, which is the server's state;
 * - the same holds for a late subscriber (replayed `add`s for the cache, then live events).
 */

import { isDeepStrictEqual } from 'node:util';
import { fc } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { defer, map, merge, type Observable, Subject, switchMap, take, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  byLabel,
  type DeepReadonly,
  type InformerEvent,
  informer,
  resources,
  resourceVersionOf,
  type Snapshot,
} from '../../src/index.js';
import { pod } from '../../src/testing/index.js';
import {
  expectScriptServed,
  expectSnapshotEqualsServer,
  keyOf,
  NAMES,
  NAMESPACES,
  playScenario,
  podSpecArb,
  type Scenario,
  type Script,
  scenarioArb,
} from './serverModel.js';

/** How the informer's cache is warmed up before its first list. */
interface WarmUp {
  /** Exact copies of pods the first list returns (picked modulo their count). */
  readonly copies: readonly number[];
  /** Stale versions of pods the first list returns. */
  readonly stale: readonly { pick: number; labels: Record<string, string> }[];
  /** Pods the server does not have (or, if it does, stale versions of them). */
  readonly ghosts: readonly { namespace: string; name: string; labels: Record<string, string> }[];
}

const warmUpArb: fc.Arbitrary<WarmUp> = fc.record({
  copies: fc.array(fc.nat(20), { maxLength: 4 }),
  stale: fc.array(fc.record({ pick: fc.nat(20), labels: podSpecArb.map((s) => s.labels) }), { maxLength: 3 }),
  ghosts: fc.array(
    fc.record({
      namespace: fc.constantFrom(...NAMESPACES),
      name: fc.constantFrom(...NAMES),
      labels: podSpecArb.map((s) => s.labels),
    }),
    { maxLength: 4 },
  ),
});

function knownObjectsOf(warmUp: WarmUp, script: Script): V1Pod[] {
  const listed = script.initialObjects;
  const known = new Map<string, V1Pod>();
  for (const ghost of warmUp.ghosts) {
    const object = pod(ghost.name, '0', { namespace: ghost.namespace, labels: ghost.labels });
    known.set(keyOf(object), object);
  }
  if (listed.length > 0) {
    for (const { pick, labels } of warmUp.stale) {
      const current = listed[pick % listed.length] as V1Pod;
      const object = pod(current.metadata?.name as string, '0', {
        namespace: current.metadata?.namespace,
        labels,
      });
      known.set(keyOf(object), object);
    }
    for (const pick of warmUp.copies) {
      const object = listed[pick % listed.length] as V1Pod;
      known.set(keyOf(object), object);
    }
  }
  return [...known.values()];
}

/** A consumer of `events$`: applies events to its own map and records protocol violations. */
class Consumer {
  readonly view: Map<string, DeepReadonly<V1Pod>>;
  readonly violations: string[] = [];
  constructor(seed: Iterable<DeepReadonly<V1Pod>> = []) {
    this.view = new Map([...seed].map((object) => [keyOf(object), object]));
  }

  apply(event: InformerEvent<V1Pod>): void {
    const key = keyOf(event.object);
    const held = this.view.get(key);
    switch (event.type) {
      case 'add':
        if (held !== undefined) this.violations.push(`add of live key ${key}`);
        this.view.set(key, event.object);
        break;
      case 'update':
        if (held === undefined) this.violations.push(`update of unknown key ${key}`);
        else if (!isDeepStrictEqual(held, event.oldObject))
          this.violations.push(`update of ${key}: oldObject is not the object delivered before`);
        if (keyOf(event.oldObject) !== key)
          this.violations.push(`update of ${key}: oldObject has another key`);
        if (event.resync && resourceVersionOf(event.oldObject) !== resourceVersionOf(event.object))
          this.violations.push(`resync update of ${key} changes the resourceVersion`);
        this.view.set(key, event.object);
        break;
      case 'delete':
        if (held === undefined) this.violations.push(`delete of unknown key ${key}`);
        else if (event.finalStateUnknown && !isDeepStrictEqual(held, event.object))
          this.violations.push(`tombstone of ${key} is not the last known state`);
        this.view.delete(key);
        break;
    }
  }
}

type Output =
  | { readonly kind: 'event'; readonly consumer: Consumer; readonly event: InformerEvent<V1Pod> }
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot<V1Pod> };

/** When the late subscriber joins: at a virtual time, or from inside the first subscriber's n-th event. */
type Late = { readonly atMs: number } | { readonly onEvent: number };
const lateArb: fc.Arbitrary<Late> = fc.oneof(
  fc.record({ atMs: fc.integer({ min: 0, max: 120_000 }) }),
  fc.record({ onEvent: fc.nat(30) }),
);

function check(scenario: Scenario, resyncPeriodMs: number, warmUp: WarmUp | undefined, late: Late): void {
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ flush }) => {
    const consumers: Consumer[] = [];
    let known: V1Pod[] = [];
    const run = playScenario(scenario, flush, (script): Observable<Output> => {
      known = warmUp ? knownObjectsOf(warmUp, script) : [];
      const inf = informer<V1Pod>(script.client, resources.pods, {
        random: () => 0,
        pageSize: scenario.pageSize,
        listMode: scenario.listMode,
        resyncPeriodMs,
        knownObjects: known,
        indexers: { app: byLabel('app') },
        onError: () => undefined,
      });
      const subscribe = (seed: readonly V1Pod[]) => {
        const consumer = new Consumer(seed);
        consumers.push(consumer);
        return inf.events$.pipe(map((event): Output => ({ kind: 'event', consumer, event })));
      };
      const join$ = new Subject<void>();
      let seen = 0;
      const trigger$: Observable<unknown> = 'atMs' in late ? timer(late.atMs) : join$;
      return merge(
        // First, so that a join from inside the first subscriber's synchronous events is heard.
        // Before the first batch the informer replays nothing (warm-up objects are not announced,
        // as client-go handlers are not told about objects added before Run), yet they are the
        // informer's: the late subscriber holds them like the first one.
        trigger$.pipe(
          take(1),
          switchMap(() => defer(() => subscribe(inf.hasSynced() ? [] : known))),
        ),
        subscribe(known).pipe(
          tap(() => {
            if ('onEvent' in late && seen++ === late.onEvent) join$.next();
          }),
        ),
        inf.store$.pipe(map((snapshot): Output => ({ kind: 'snapshot', snapshot }))),
      );
    });
    for (const output of run.values) if (output.kind === 'event') output.consumer.apply(output.event);

    expectScriptServed(run);
    const snapshots = run.values.flatMap((o) => (o.kind === 'snapshot' ? [o.snapshot] : []));
    const last = snapshots.at(-1);
    expectSnapshotEqualsServer(last, run.script);
    const expected = Object.fromEntries([...run.script.final.objects].sort(([a], [b]) => a.localeCompare(b)));
    for (const consumer of consumers) {
      expect(consumer.violations).toEqual([]);
      expect(Object.fromEntries([...consumer.view].sort(([a], [b]) => a.localeCompare(b)))).toEqual(expected);
    }
  });
}

const resyncArb = fc.oneof(fc.constant(0), fc.integer({ min: 5_000, max: 120_000 }));

describe('informer events property: a consistent changelog of the cache', () => {
  it('events only touch live keys and replay to the final snapshot', () => {
    fc.assert(
      fc.property(scenarioArb, resyncArb, lateArb, (scenario, resyncPeriodMs, late) =>
        check(scenario, resyncPeriodMs, undefined, late),
      ),
      { numRuns: 150 },
    );
  });

  it('with a knownObjects warm-up, updates and deletes of known objects are consistent too', () => {
    fc.assert(
      fc.property(scenarioArb, resyncArb, warmUpArb, lateArb, (scenario, resyncPeriodMs, warmUp, late) =>
        check(scenario, resyncPeriodMs, warmUp, late),
      ),
      { numRuns: 150 },
    );
  });
});
