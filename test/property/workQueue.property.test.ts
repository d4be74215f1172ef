/**
 * Property: `workQueue` keeps client-go's work queue guarantees under any interleaving. Random
 * keys are added at random virtual times; every reconcile call takes a random virtual duration
 * (0: synchronous) and succeeds, fails (throws or errors) or asks for `requeueAfter`; the queue
 * runs with a random `concurrency` 1..4, an `exponentialFailure` limiter and an optional
 * `maxRetries`. Reconcile starts and ends are instrumented with virtual timestamps, and:
 * 1. a key is never processed by two workers at once;
 * 2. every key starts a reconcile at or after its last add (a drop never loses a later add: a key
 *    re-added while it runs is dirty and runs again), and drops happen exactly when a failed
 *    attempt exceeds `maxRetries`, each reported once to `onError`;
 * 3. no more than `concurrency` reconciles run at once;
 * 4. there is one result per reconcile call, in call order per key, with the outcome, attempt,
 *    delay and virtual duration the call implies; the queue completes after the source, once the
 *    last reconcile has ended, and never leaves a key waiting for a retry.
 */
import { fc } from '@fast-check/vitest';
import { map, merge, type Observable, tap, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  exponentialFailure,
  type ReconcileResult,
  type WorkDroppedError,
  type WorkResult,
  workQueue,
} from '../../src/index.js';

const KEYS = ['a', 'b', 'c', 'd', 'e'] as const;

/** What one reconcile call does. Calls past the end of the script succeed after 1 ms. */
interface Step {
  readonly ms: number;
  readonly outcome: 'ok' | 'fail' | 'requeueAfter';
  readonly requeueAfter: number;
}

interface Scenario {
  readonly concurrency: number;
  readonly maxRetries: number | undefined;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly adds: readonly { readonly key: string; readonly at: number }[];
  readonly steps: readonly Step[];
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 })),
  outcome: fc.constantFrom('ok', 'fail', 'fail', 'requeueAfter'),
  requeueAfter: fc.integer({ min: 1, max: 30 }),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    concurrency: fc.integer({ min: 1, max: 4 }),
    maxRetries: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    baseMs: fc.integer({ min: 1, max: 5 }),
    capFactor: fc.integer({ min: 1, max: 8 }),
    adds: fc.array(fc.record({ key: fc.constantFrom(...KEYS), at: fc.oneof(fc.nat(12), fc.nat(60)) }), {
      minLength: 1,
      maxLength: 25,
    }),
    steps: fc.array(stepArb, { maxLength: 40 }),
  })
  .map(({ capFactor, ...s }) => ({ ...s, maxMs: s.baseMs * capFactor }));

interface Call {
  readonly key: string;
  readonly step: Step;
  readonly start: number;
  end?: number;
}

function runScenario(scenario: Scenario) {
  const ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const calls: Call[] = [];
  const lastAdd = new Map<string, number>();
  const running = new Set<string>();
  const violations: string[] = [];
  const results: { at: number; result: WorkResult }[] = [];
  const dropped: WorkDroppedError[] = [];
  let maxRunning = 0;
  let completedAt: number | undefined;

  ts.run(() => {
    const reconcile = (key: string): ReconcileResult | Observable<ReconcileResult> => {
      const step = scenario.steps[calls.length] ?? { ms: 1, outcome: 'ok', requeueAfter: 0 };
      const call: Call = { key, step, start: ts.now() };
      if (running.has(key)) violations.push(`${key} started at ${call.start} while running`);
      running.add(key);
      maxRunning = Math.max(maxRunning, running.size);
      calls.push(call);
      const settle = (): ReconcileResult => {
        call.end = ts.now();
        running.delete(key);
        if (step.outcome === 'fail') throw new Error(`${key} failed`);
        return step.outcome === 'requeueAfter' ? { requeueAfter: step.requeueAfter } : undefined;
      };
      return step.ms === 0 ? settle() : timer(step.ms).pipe(map(settle));
    };
    const keys$ = merge(...scenario.adds.map(({ key, at }) => timer(at).pipe(map(() => key)))).pipe(
      tap((key) => lastAdd.set(key, ts.now())),
    );
    keys$
      .pipe(
        workQueue(reconcile, {
          concurrency: scenario.concurrency,
          rateLimiter: exponentialFailure(scenario.baseMs, scenario.maxMs),
          ...(scenario.maxRetries !== undefined ? { maxRetries: scenario.maxRetries } : {}),
          onError: (e) => dropped.push(e),
        }),
      )
      .subscribe({
        next: (result) => results.push({ at: ts.now(), result }),
        complete: () => (completedAt = ts.now()),
      });
  });
  return { calls, lastAdd, violations, results, dropped, maxRunning, completedAt };
}

function checkScenario(scenario: Scenario): void {
  const { calls, lastAdd, violations, results, dropped, maxRunning, completedAt } = runScenario(scenario);

  // (1) one worker per key, (3) at most `concurrency` at once
  expect(violations).toEqual([]);
  expect(maxRunning).toBeLessThanOrEqual(scenario.concurrency);

  // (2) every key starts a reconcile at or after its last add
  for (const [key, addedAt] of lastAdd) {
    expect({ key, addedAt, startedAfter: calls.some((c) => c.key === key && c.start >= addedAt) }).toEqual({
      key,
      addedAt,
      startedAfter: true,
    });
  }

  // (4) one result per call, matching it, in call order per key
  expect(results).toHaveLength(calls.length);
  const callsByKey = new Map<string, Call[]>();
  for (const call of calls) callsByKey.set(call.key, [...(callsByKey.get(call.key) ?? []), call]);
  const failuresInARow = new Map<string, number>();
  const expectedDrops: { key: string; attempts: number }[] = [];
  for (const { at, result } of results) {
    const call = callsByKey.get(result.key)?.shift();
    if (!call) throw new Error(`result without a call: ${JSON.stringify(result)}`);
    expect(call.end).toBe(at);
    expect(result.durationMs).toBe(call.step.ms);
    const attempt = (failuresInARow.get(result.key) ?? 0) + 1;
    expect(result.attempt).toBe(attempt);
    if (call.step.outcome === 'fail') {
      const drop = scenario.maxRetries !== undefined && attempt > scenario.maxRetries;
      if (drop) {
        expect(result).toMatchObject({ outcome: 'dropped' });
        expect(result.delayMs).toBeUndefined();
        expectedDrops.push({ key: result.key, attempts: attempt });
        failuresInARow.set(result.key, 0);
      } else {
        const delayMs = Math.min(scenario.baseMs * 2 ** (attempt - 1), scenario.maxMs);
        expect(result).toMatchObject({ outcome: 'retry', delayMs });
        failuresInARow.set(result.key, attempt);
      }
      expect((result.error as Error).message).toBe(`${result.key} failed`);
    } else {
      expect(result).toMatchObject(
        call.step.outcome === 'ok'
          ? { outcome: 'success' }
          : { outcome: 'requeued', delayMs: call.step.requeueAfter },
      );
      expect(result.error).toBeUndefined();
      failuresInARow.set(result.key, 0);
    }
  }
  expect(dropped.map((e) => ({ key: e.key, attempts: e.attempts }))).toEqual(expectedDrops);

  // the drain: completion after the last add and the last reconcile; no key is left mid-retry
  expect(completedAt).toBeDefined();
  expect(completedAt).toBeGreaterThanOrEqual(Math.max(...lastAdd.values()));
  expect(calls.every((c) => c.end !== undefined && c.end <= (completedAt as number))).toBe(true);
  const lastOutcome = new Map(results.map(({ result }) => [result.key, result.outcome]));
  expect([...lastOutcome.values()].filter((o) => o === 'retry')).toEqual([]);
}

describe('workQueue property', () => {
  it('never runs a key twice at once, reconciles every add, respects concurrency, one result per call', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => checkScenario(scenario)),
      { numRuns: 200 },
    );
  });

  it('holds for a retry folded into a pending requeueAfter when the source completes (a past bug)', () => {
    // a asks for a re-check at 3, is re-added at 3, fails and asks for a retry at 4: the earlier
    // pending add stands in for the retry and the drain at 3 must not drop it
    checkScenario({
      concurrency: 2,
      maxRetries: undefined,
      baseMs: 1,
      maxMs: 1,
      adds: [
        { key: 'a', at: 0 },
        { key: 'a', at: 3 },
        { key: 'a', at: 0 },
        { key: 'd', at: 2 },
      ],
      steps: [
        { ms: 1, outcome: 'ok', requeueAfter: 1 },
        { ms: 1, outcome: 'requeueAfter', requeueAfter: 1 },
        { ms: 1, outcome: 'ok', requeueAfter: 1 },
        { ms: 0, outcome: 'fail', requeueAfter: 1 },
      ],
    });
  });

  it('holds for a hand-picked storm: one key re-added while it fails, four workers', () => {
    const fail = (ms: number): Step => ({ ms, outcome: 'fail', requeueAfter: 1 });
    checkScenario({
      concurrency: 4,
      maxRetries: 1,
      baseMs: 2,
      maxMs: 8,
      adds: [0, 1, 2, 3, 5, 8, 13].map((at) => ({ key: 'a', at })),
      steps: [fail(3), fail(0), fail(4), { ms: 2, outcome: 'requeueAfter', requeueAfter: 5 }, fail(1)],
    });
  });
});
