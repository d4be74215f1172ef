import { config, firstValueFrom, from, map, type Observable, of, range, Subject, tap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  defaultControllerRateLimiter,
  exponentialFailure,
  KubeRxError,
  maxOf,
  type Reconcile,
  type ReconcileResult,
  tokenBucket,
  WorkDroppedError,
  type WorkResult,
  workQueue,
} from '../src/index.js';
import { virtualClock } from '../src/testing/index.js';
import { newScheduler } from './support.js';

/** What one reconcile call does: run `ms` of virtual time (0: synchronously), then return or fail. */
type Step = readonly [ms: number, outcome?: ReconcileResult | Error];

/**
 * A reconcile that follows a per-key script (a key's n-th call does its n-th step; past the end,
 * it succeeds synchronously) and logs `"<virtual ms> <key>"` for every call it receives.
 */
function scripted(ts: { now(): number }, plan: Readonly<Record<string, readonly Step[]>> = {}) {
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const reconcile = (key: string): ReconcileResult | Observable<ReconcileResult> => {
    calls.push(`${ts.now()} ${key}`);
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    const [ms, outcome] = plan[key]?.[n] ?? [0];
    const settle = (): ReconcileResult => {
      if (outcome instanceof Error) throw outcome;
      return outcome;
    };
    return ms === 0 ? settle() : timer(ms).pipe(map(settle));
  };
  return { calls, reconcile };
}

/** Records each result with the virtual time it was emitted at, and the completion time. */
function collect(ts: { now(): number }, results$: Observable<WorkResult>) {
  const log: string[] = [];
  const results: WorkResult[] = [];
  const subscription = results$.subscribe({
    next: (r) => {
      results.push(r);
      log.push(
        `${ts.now()} ${r.key} ${r.outcome}#${r.attempt}${r.delayMs !== undefined ? ` +${r.delayMs}` : ''}`,
      );
    },
    error: (e) => log.push(`${ts.now()} error ${String(e)}`),
    complete: () => log.push(`${ts.now()} complete`),
  });
  return { log, results, subscription };
}

const boom = new Error('boom');

const success = (key: string, attempt = 1, durationMs = 0): WorkResult => ({
  key,
  outcome: 'success',
  attempt,
  durationMs,
});
const retry = (key: string, attempt: number, delayMs: number, durationMs = 0, error = boom): WorkResult => ({
  key,
  outcome: 'retry',
  attempt,
  error,
  delayMs,
  durationMs,
});
const requeued = (key: string, attempt: number, delayMs: number, durationMs = 0): WorkResult => ({
  key,
  outcome: 'requeued',
  attempt,
  delayMs,
  durationMs,
});

describe('workQueue marbles: queue semantics', () => {
  it('dedupes a key added several times while pending: it is reconciled once', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      // x holds the only worker for 10 ms while a is added three times
      const { calls, reconcile } = scripted(ts, { x: [[10]], a: [[10]] });
      const results$ = cold('xaaa|').pipe(workQueue(reconcile));
      expectObservable(results$).toBe('10ms x 9ms (a|)', {
        x: success('x', 1, 10),
        a: success('a', 1, 10),
      });
      flush();
      expect(calls).toEqual(['0 x', '10 a']);
    });
  });

  it('never hands a key to a second worker: re-added while running, it runs exactly once more after', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const { calls, reconcile } = scripted(ts, { a: [[5], [5]], b: [[3]] });
      let running = 0;
      let maxRunning = 0;
      const exclusive: Reconcile = (key) => {
        if (key !== 'a') return reconcile(key);
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        return (reconcile(key) as Observable<ReconcileResult>).pipe(tap({ complete: () => (running -= 1) }));
      };
      // four workers are free, yet the re-adds of a at 1 and 3 wait for the run that started at 0
      const results$ = cold('a-a-ab 15ms |').pipe(workQueue(exclusive, { concurrency: 4 }));
      expectObservable(results$).toBe('5ms a 2ms b 1ms a 10ms |', {
        a: success('a', 1, 5),
        b: success('b', 1, 3),
      });
      flush();
      expect(calls).toEqual(['0 a', '5 b', '5 a']);
      expect(maxRunning).toBe(1);
    });
  });

  it('runs different keys in parallel up to `concurrency`; the rest wait for a free worker, in FIFO order', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const { calls, reconcile } = scripted(ts, {
        a: [[10]],
        b: [[5]],
        c: [[10]],
        d: [[10]],
        e: [[1]],
      });
      const results$ = cold('(abcde|)').pipe(workQueue(reconcile, { concurrency: 2 }));
      // a,b start at 0; b ends at 5 -> c; a ends at 10 -> d; c ends at 15 -> e (ends 16); d ends at 20
      expectObservable(results$).toBe('5ms b 4ms a 4ms ce 3ms (d|)', {
        a: success('a', 1, 10),
        b: success('b', 1, 5),
        c: success('c', 1, 10),
        d: success('d', 1, 10),
        e: success('e', 1, 1),
      });
      flush();
      expect(calls).toEqual(['0 a', '0 b', '5 c', '10 d', '15 e']);
    });
  });

  it('treats a concurrency below 1 as 1', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { calls, reconcile } = scripted(ts, { a: [[4]], b: [[4]] });
      cold('(ab|)')
        .pipe(workQueue(reconcile, { concurrency: 0 }))
        .subscribe();
      flush();
      expect(calls).toEqual(['0 a', '4 b']);
    });
  });
});

describe('workQueue marbles: rate-limited retries', () => {
  it('retries failures after exponentialFailure(10, 50) delays: 10, 20, 40, 50, 50; a success forgets the count', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const fail: Step = [0, boom];
      const { calls, reconcile } = scripted(ts, { a: [fail, fail, fail, fail, fail, [0], fail, [0]] });
      const { log, results } = collect(
        ts,
        cold('a 199ms a 50ms |').pipe(workQueue(reconcile, { rateLimiter: exponentialFailure(10, 50) })),
      );
      flush();
      expect(calls).toEqual(['0 a', '10 a', '30 a', '70 a', '120 a', '170 a', '200 a', '210 a']);
      expect(log).toEqual([
        '0 a retry#1 +10',
        '10 a retry#2 +20',
        '30 a retry#3 +40',
        '70 a retry#4 +50',
        '120 a retry#5 +50',
        '170 a success#6',
        // forgotten after the success: the next failure starts from the base delay again
        '200 a retry#1 +10',
        '210 a success#2',
        '251 complete',
      ]);
      expect(results[0]).toEqual(retry('a', 1, 10));
    });
  });

  it('keeps failure counts per key', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const fail: Step = [0, boom];
      const { calls, reconcile } = scripted(ts, { a: [fail, fail, fail], b: [fail] });
      const { log } = collect(
        ts,
        cold('a 14ms b').pipe(workQueue(reconcile, { rateLimiter: exponentialFailure(10, 1000) })),
      );
      flush();
      expect(calls).toEqual(['0 a', '10 a', '15 b', '25 b', '30 a', '70 a']);
      expect(log).toEqual([
        '0 a retry#1 +10',
        '10 a retry#2 +20',
        '15 b retry#1 +10',
        '25 b success#2',
        '30 a retry#3 +40',
        '70 a success#4',
      ]);
    });
  });

  it('tokenBucket: free retries while the bucket holds tokens, then one per 1000/qps ms', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const once: readonly Step[] = [[0, boom]];
      const { calls, reconcile } = scripted(ts, { a: once, b: once, c: once, d: once });
      // 100 qps, burst 2: two tokens at 0, then a token every 10 ms
      const { log } = collect(
        ts,
        cold('(abcd)').pipe(workQueue(reconcile, { rateLimiter: tokenBucket(100, 2) })),
      );
      flush();
      expect(calls).toEqual(['0 a', '0 a', '0 b', '0 b', '0 c', '0 d', '10 c', '20 d']);
      // the bucket does not count per-key failures: every attempt is #1
      expect(log).toEqual([
        '0 a retry#1 +0',
        '0 a success#1',
        '0 b retry#1 +0',
        '0 b success#1',
        '0 c retry#1 +10',
        '0 d retry#1 +20',
        '10 c success#1',
        '20 d success#1',
      ]);
    });
  });

  it('maxOf: the slower of exponentialFailure and tokenBucket decides each delay', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const once: readonly Step[] = [[0, boom]];
      const { calls, reconcile } = scripted(ts, { a: once, b: once, c: once });
      // exponential gives 5 to each; the bucket (100 qps, burst 1) gives 0, 10, 20
      const { log } = collect(
        ts,
        cold('(abc)').pipe(
          workQueue(reconcile, { rateLimiter: maxOf(exponentialFailure(5, 1000), tokenBucket(100, 1)) }),
        ),
      );
      flush();
      expect(calls).toEqual(['0 a', '0 b', '0 c', '5 a', '10 b', '20 c']);
      expect(log).toEqual([
        '0 a retry#1 +5',
        '0 b retry#1 +10',
        '0 c retry#1 +20',
        '5 a success#2',
        '10 b success#2',
        '20 c success#2',
      ]);
    });
  });

  it('defaults to defaultControllerRateLimiter: 5 ms doubling per failure, capped at 1000 s', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const failures = 21;
      const { reconcile } = scripted(ts, { a: Array.from({ length: failures }, (): Step => [0, boom]) });
      const { results, log } = collect(ts, cold('a|').pipe(workQueue(reconcile)));
      flush();
      const delays = results.filter((r) => r.outcome === 'retry').map((r) => r.delayMs);
      expect(delays).toEqual([
        5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10_240, 20_480, 40_960, 81_920, 163_840, 327_680,
        655_360, 1_000_000, 1_000_000, 1_000_000,
      ]);
      expect(results.map((r) => r.attempt)).toEqual(Array.from({ length: failures + 1 }, (_, i) => i + 1));
      // 5 * (2^18 - 1) ms of doubling, then three capped waits
      expect(log.at(-1)).toBe(`${5 * (2 ** 18 - 1) + 3_000_000} complete`);
    });
  });

  it('defaultControllerRateLimiter: an overall 10 qps bucket with burst 100 slows a storm of failures', () => {
    const ts = newScheduler();
    ts.run(({ flush }) => {
      const keys = Array.from({ length: 103 }, (_, i) => `k${i}`);
      const { calls, reconcile } = scripted(
        ts,
        Object.fromEntries(keys.map((k) => [k, [[0, boom]] as Step[]])),
      );
      // all 103 keys fail once at frame 0
      const { results } = collect(
        ts,
        from(keys).pipe(workQueue(reconcile, { rateLimiter: defaultControllerRateLimiter() })),
      );
      flush();
      expect(calls.slice(103)).toEqual([
        ...keys.slice(0, 100).map((k) => `5 ${k}`),
        '100 k100',
        '200 k101',
        '300 k102',
      ]);
      const retries = results.filter((r) => r.outcome === 'retry').map((r) => r.delayMs);
      // 100 tokens: the per-key 5 ms decides; then the bucket: 100 ms per token
      expect(retries).toEqual([...Array.from({ length: 100 }, () => 5), 100, 200, 300]);
    });
  });

  it('the default limiter is created per subscription: failure counts do not leak between subscriptions', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const fail: Step = [0, boom];
      const { calls, reconcile } = scripted(ts, { a: [fail, fail] });
      const results$ = cold('a').pipe(workQueue(reconcile));
      // the first subscriber leaves while a's retry waits: its limiter still counts one failure
      const first = collect(ts, results$);
      ts.schedule(() => first.subscription.unsubscribe(), 2);
      flush();
      const second = collect(ts, results$);
      flush();
      expect(calls).toEqual(['0 a', '2 a', '7 a']);
      expect(first.log).toEqual(['0 a retry#1 +5']);
      expect(second.log).toEqual(['2 a retry#1 +5', '7 a success#2']);
    });
  });
});

describe('workQueue marbles: maxRetries', () => {
  it('drops a key after maxRetries failed retries and reports a WorkDroppedError; a re-add starts over', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const always = Array.from({ length: 6 }, (): Step => [2, boom]);
      const { calls, reconcile } = scripted(ts, { a: always });
      const dropped: WorkDroppedError[] = [];
      const { log, results } = collect(
        ts,
        cold('a 99ms a|').pipe(
          workQueue(reconcile, {
            rateLimiter: exponentialFailure(10, 1000),
            maxRetries: 2,
            onError: (e) => dropped.push(e),
          }),
        ),
      );
      flush();
      // each attempt takes 2 ms; attempts 1 and 2 are retried, attempt 3 (the 2nd retry) fails for good
      expect(calls).toEqual(['0 a', '12 a', '34 a', '100 a', '112 a', '134 a']);
      expect(log).toEqual([
        '2 a retry#1 +10',
        '14 a retry#2 +20',
        '36 a dropped#3',
        '102 a retry#1 +10',
        '114 a retry#2 +20',
        '136 a dropped#3',
        '136 complete',
      ]);
      expect(results[2]).toEqual({ key: 'a', outcome: 'dropped', attempt: 3, error: boom, durationMs: 2 });
      expect(dropped).toHaveLength(2);
      const [error] = dropped;
      expect(error).toBeInstanceOf(WorkDroppedError);
      expect(error).toBeInstanceOf(KubeRxError);
      expect(error?.name).toBe('WorkDroppedError');
      expect(error?.key).toBe('a');
      expect(error?.attempts).toBe(3);
      expect(error?.cause).toBe(boom);
      expect(error?.message).toBe('dropping "a" after 3 attempts: boom');
    });
  });

  it('maxRetries 0 drops on the first failure (a thrown non-Error is reported as is)', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const dropped: WorkDroppedError[] = [];
      let failures = 0;
      const { log, results } = collect(
        ts,
        cold('ab|').pipe(
          workQueue(
            (key) => {
              // fails once: a retry instead of the drop would succeed, and the log would show it
              if (key === 'a' && failures++ === 0) throw 'nope';
              return undefined;
            },
            { maxRetries: 0, onError: (e) => dropped.push(e) },
          ),
        ),
      );
      flush();
      expect(log).toEqual(['0 a dropped#1', '1 b success#1', '2 complete']);
      expect(results[0]).toEqual({ key: 'a', outcome: 'dropped', attempt: 1, error: 'nope', durationMs: 0 });
      expect(dropped.map((e) => [e.key, e.attempts, e.message])).toEqual([
        ['a', 1, 'dropping "a" after 1 attempts: nope'],
      ]);
    });
  });

  it('a dropped key without onError is still reported in the results', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      let failures = 0;
      const results$ = cold('a|').pipe(
        workQueue(
          () => {
            if (failures++ < 2) throw boom;
          },
          { maxRetries: 1, rateLimiter: exponentialFailure(3, 3) },
        ),
      );
      expectObservable(results$).toBe('a 2ms (b|)', {
        a: retry('a', 1, 3),
        b: { key: 'a', outcome: 'dropped', attempt: 2, error: boom, durationMs: 0 },
      });
    });
  });
});

describe('workQueue marbles: requeue', () => {
  it('{ requeueAfter: 100 } runs the key again 100 ms later and forgets its failures', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const { calls, reconcile } = scripted(ts, { a: [[0, boom], [3, { requeueAfter: 100 }], [2]] });
      const results$ = cold('a').pipe(workQueue(reconcile, { rateLimiter: exponentialFailure(10, 1000) }));
      expectObservable(results$, '^ 500ms !').toBe('a 12ms b 101ms c', {
        a: retry('a', 1, 10),
        b: requeued('a', 2, 100, 3),
        c: success('a', 1, 2),
      });
      flush();
      expect(calls).toEqual(['0 a', '10 a', '113 a']);
    });
  });

  it('{ requeue: true } waits for the rate limiter', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const { calls, reconcile } = scripted(ts, { a: [[0, { requeue: true }]] });
      const results$ = cold('a').pipe(workQueue(reconcile, { rateLimiter: exponentialFailure(7, 1000) }));
      expectObservable(results$, '^ 100ms !').toBe('a 6ms b', {
        a: requeued('a', 1, 7),
        b: success('a', 2),
      });
      flush();
      expect(calls).toEqual(['0 a', '7 a']);
    });
  });

  it('repeated { requeue: true } backs off like failures (AddRateLimited without Forget)', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { calls, reconcile } = scripted(ts, { a: [[0, { requeue: true }], [0, { requeue: true }], [0]] });
      const { log } = collect(
        ts,
        cold('a').pipe(workQueue(reconcile, { rateLimiter: exponentialFailure(7, 1000) })),
      );
      flush();
      expect(calls).toEqual(['0 a', '7 a', '21 a']);
      expect(log).toEqual(['0 a requeued#1 +7', '7 a requeued#2 +14', '21 a success#3']);
    });
  });

  it('an onError callback that throws does not wedge the dropped key', () => {
    const unhandled: unknown[] = [];
    const previous = config.onUnhandledError;
    config.onUnhandledError = (error) => unhandled.push(error);
    try {
      const ts = newScheduler();
      ts.run(({ cold, flush }) => {
        const { calls, reconcile } = scripted(ts, { a: [[0, new Error('nope')], [0]] });
        const { log } = collect(
          ts,
          cold('a 9ms a|').pipe(
            workQueue(reconcile, {
              maxRetries: 0,
              onError: () => {
                throw new Error('callback bug');
              },
            }),
          ),
        );
        flush();
        // The key was freed: the later add runs it again and the queue drains.
        expect(calls).toEqual(['0 a', '10 a']);
        expect(log).toEqual(['0 a dropped#1', '10 a success#1', '11 complete']);
      });
      expect(unhandled).toEqual([new Error('callback bug')]);
    } finally {
      config.onUnhandledError = previous;
    }
  });

  it('requeueAfter wins over requeue; requeueAfter 0 is a plain success', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const { calls, reconcile } = scripted(ts, {
        a: [[0, { requeueAfter: 30, requeue: true }]],
        b: [[0, { requeueAfter: 0 }]],
      });
      const results$ = cold('ab').pipe(workQueue(reconcile, { rateLimiter: exponentialFailure(7, 1000) }));
      expectObservable(results$, '^ 100ms !').toBe('ab 28ms c', {
        a: requeued('a', 1, 30),
        b: success('b'),
        c: success('a'),
      });
      flush();
      expect(calls).toEqual(['0 a', '1 b', '30 a']);
    });
  });

  it('a direct add while a delayed add waits runs the key now, and again when the delay ends', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { calls, reconcile } = scripted(ts, { a: [[0, { requeueAfter: 100 }]] });
      const { log } = collect(ts, cold('a 29ms a').pipe(workQueue(reconcile)));
      flush();
      expect(calls).toEqual(['0 a', '30 a', '100 a']);
      expect(log).toEqual(['0 a requeued#1 +100', '30 a success#1', '100 a success#1']);
    });
  });

  it('AddAfter keeps the earliest time: a later requeueAfter does not postpone a pending one', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { calls, reconcile } = scripted(ts, {
        a: [
          [0, { requeueAfter: 50 }],
          [0, { requeueAfter: 100 }],
        ],
      });
      cold('a 9ms a').pipe(workQueue(reconcile)).subscribe();
      flush();
      // due at 50 and at 110: only the earlier one runs
      expect(calls).toEqual(['0 a', '10 a', '50 a']);
    });
  });

  it('AddAfter keeps the earliest time: an earlier requeueAfter replaces a pending later one', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const { calls, reconcile } = scripted(ts, {
        a: [
          [0, { requeueAfter: 100 }],
          [0, { requeueAfter: 20 }],
        ],
      });
      cold('a 9ms a').pipe(workQueue(reconcile)).subscribe();
      flush();
      // due at 100 and at 30: the run at 30 replaces the one at 100
      expect(calls).toEqual(['0 a', '10 a', '30 a']);
    });
  });
});

describe('workQueue marbles: drain and unsubscribe', () => {
  it('on completion, queued keys, in-flight work and pending retries finish; requeueAfter re-checks are dropped', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const { calls, reconcile } = scripted(ts, {
        a: [[0, boom]],
        b: [[5]],
        c: [[0, { requeueAfter: 50 }]],
      });
      const results$ = cold('(abc|)').pipe(
        workQueue(reconcile, { rateLimiter: exponentialFailure(10, 1000) }),
      );
      // a fails at 0 (retry at 10); b runs 0..5; c runs at 5 and asks for 55, which is dropped
      expectObservable(results$).toBe('a 4ms (bc) 1ms (d|)', {
        a: retry('a', 1, 10),
        b: success('b', 1, 5),
        c: requeued('c', 1, 50),
        d: success('a', 2),
      });
      flush();
      expect(calls).toEqual(['0 a', '0 b', '5 c', '10 a']);
    });
  });

  it('on completion, a pending requeueAfter cancelled by the drain does not cancel a later retry of the key', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      // a asks to be re-checked at 10; re-added at 2, it fails at 3 and asks for a retry at 23, which
      // AddAfter folds into the earlier pending time (10). The source completes at 5: the drain drops
      // re-checks but not retries, so a runs at 10 and the queue completes after it.
      const { calls, reconcile } = scripted(ts, {
        a: [
          [0, { requeueAfter: 10 }],
          [1, boom],
        ],
      });
      const { log } = collect(
        ts,
        cold('a-a--|').pipe(workQueue(reconcile, { rateLimiter: exponentialFailure(20, 1000) })),
      );
      flush();
      expect(calls).toEqual(['0 a', '2 a', '10 a']);
      expect(log).toEqual(['0 a requeued#1 +10', '3 a retry#1 +20', '10 a success#2', '10 complete']);
    });
  });

  it('completes at once for an empty source, and errors with the source', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { reconcile } = scripted(ts, { a: [[5]] });
      expectObservable(cold('--|').pipe(workQueue(reconcile))).toBe('--|');
      expectObservable(cold('a-#', { a: 'a' }, boom).pipe(workQueue(reconcile))).toBe('--#', {}, boom);
    });
  });

  it('after unsubscribe nothing new starts, while in-flight Observable reconciles run to completion', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const effects: string[] = [];
      const { calls, reconcile } = scripted(ts, { a: [[10]], b: [[0, boom]], c: [[1]] });
      const effectful: Reconcile = (key) => {
        const work = reconcile(key);
        return key === 'a'
          ? (work as Observable<ReconcileResult>).pipe(tap({ complete: () => effects.push(`${ts.now()} a`) }))
          : work;
      };
      // b fails at 0 and would retry at 10; c waits for a worker; the subscriber leaves at 5
      const results$ = cold('bac').pipe(workQueue(effectful, { rateLimiter: exponentialFailure(10, 1000) }));
      expectObservable(results$, '^ 5ms !').toBe('r', { r: retry('b', 1, 10) });
      flush();
      expect(calls).toEqual(['0 b', '1 a']);
      expect(effects).toEqual(['11 a']);
    });
  });

  it('unsubscribing from inside a result stops the pump before the next queued key', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      // g holds the worker until 3; then a and b are pumped in one loop, and a's result unsubscribes
      const { calls, reconcile } = scripted(ts, { g: [[3]] });
      const seen: string[] = [];
      const sub = cold('(gab)')
        .pipe(workQueue(reconcile))
        .subscribe((r) => {
          seen.push(r.key);
          if (r.key === 'a') sub.unsubscribe();
        });
      flush();
      expect(calls).toEqual(['0 g', '3 a']);
      expect(seen).toEqual(['g', 'a']);
    });
  });
});

describe('workQueue marbles: reconcile forms and durations', () => {
  it('a sync return, a sync throw and an Observable (its last value counts), with virtual durations', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const reconcile: Reconcile = (key) => {
        switch (key) {
          case 's':
            return undefined;
          case 't':
            throw boom;
          case 'o':
            return cold('-x--(y|)', { x: { requeueAfter: 1 }, y: undefined });
          case 'r':
            return cold('-x--(y|)', { x: undefined, y: { requeueAfter: 20 } });
          default:
            return cold<ReconcileResult>('-------|');
        }
      };
      const results$ = cold('stoxr').pipe(
        workQueue(reconcile, { concurrency: 5, rateLimiter: exponentialFailure(100, 100) }),
      );
      // o: 2..6 (4 ms), x: 3..10 (7 ms, no value), r: 4..8 (4 ms, requeued: again 28..32, then 52)
      expectObservable(results$, '^ 50ms !').toBe('ab----o-r-x 21ms r', {
        a: success('s'),
        b: retry('t', 1, 100),
        o: success('o', 1, 4),
        r: requeued('r', 1, 20, 4),
        x: success('x', 1, 7),
      });
    });
  });

  it('awaits Promise reconciles; durationMs is virtual time on the injected scheduler', async () => {
    const clock = virtualClock();
    const { scheduler } = clock;
    const calls: string[] = [];
    const reconcile = async (key: string) => {
      calls.push(`${scheduler.now()} ${key}`);
      await firstValueFrom(timer(key === 'a' ? 30 : 5, scheduler));
      if (key === 'b' && calls.length === 2) throw boom;
      return key === 'c' ? { requeueAfter: 40 } : undefined;
    };
    const keys = new Subject<string>();
    const log: string[] = [];
    keys
      .pipe(workQueue(reconcile, { scheduler, concurrency: 2, rateLimiter: exponentialFailure(10, 1000) }))
      .subscribe((r) =>
        log.push(
          `${scheduler.now()} ${r.key} ${r.outcome}#${r.attempt} ${r.durationMs}ms ${r.delayMs ?? '-'}`,
        ),
      );
    keys.next('a');
    keys.next('b');
    keys.next('c');
    await clock.advanceBy(60);
    // b fails at 5 (retry at 15) and frees a worker for c; c asks to be re-checked at 50
    expect(calls).toEqual(['0 a', '0 b', '5 c', '15 b', '50 c']);
    expect(log).toEqual([
      '5 b retry#1 5ms 10',
      '10 c requeued#1 5ms 40',
      '20 b success#2 5ms -',
      '30 a success#1 30ms -',
      '55 c requeued#1 5ms 40',
    ]);
  });

  it('does not cancel an in-flight Promise reconcile on unsubscribe, and starts nothing after it', async () => {
    const clock = virtualClock();
    const { scheduler } = clock;
    const effects: string[] = [];
    const reconcile = async (key: string) => {
      effects.push(`start ${key}`);
      await firstValueFrom(timer(10, scheduler));
      effects.push(`done ${key}`);
    };
    const results: WorkResult[] = [];
    const sub = of('a', 'b')
      .pipe(workQueue(reconcile, { scheduler }))
      .subscribe((r) => results.push(r));
    await clock.advanceBy(5);
    sub.unsubscribe();
    await clock.advanceBy(100);
    expect(effects).toEqual(['start a', 'done a']);
    expect(results).toEqual([]);
  });

  it('passes a rejected Promise to the rate limiter like a thrown error', async () => {
    const clock = virtualClock();
    const { scheduler } = clock;
    let calls = 0;
    const results: WorkResult[] = [];
    let completedAt = -1;
    of('a')
      .pipe(
        workQueue(
          async () => {
            calls += 1;
            if (calls < 3) throw boom;
          },
          { scheduler, rateLimiter: exponentialFailure(4, 1000) },
        ),
      )
      .subscribe({ next: (r) => results.push(r), complete: () => (completedAt = scheduler.now()) });
    await clock.advanceBy(100);
    expect(results).toEqual([retry('a', 1, 4), retry('a', 2, 8), success('a', 3)]);
    expect(completedAt).toBe(12);
  });
});

describe('workQueue at scale', () => {
  it('reconciles 200k keys synchronously without overflowing the stack', () => {
    const n = 200_000;
    const seen = new Map<string, number>();
    let completed = false;
    let results = 0;
    range(0, n)
      .pipe(
        map(String),
        workQueue((key) => {
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }),
      )
      .subscribe({ next: () => (results += 1), complete: () => (completed = true) });
    expect(completed).toBe(true);
    expect(results).toBe(n);
    expect(seen.size).toBe(n);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });

  it('pumps 200k pending keys (each added twice) in one loop: once per key, in FIFO order', () => {
    const n = 200_000;
    const gate = new Subject<void>();
    const keys = new Subject<string>();
    const order: string[] = [];
    let completed = false;
    let results = 0;
    keys
      .pipe(
        workQueue((key) => {
          if (key === 'gate') return gate;
          order.push(key);
          return undefined;
        }),
      )
      .subscribe({ next: () => (results += 1), complete: () => (completed = true) });
    keys.next('gate');
    for (let pass = 0; pass < 2; pass++) for (let i = 0; i < n; i++) keys.next(String(i));
    keys.complete();
    expect(order).toEqual([]);
    // the gate's completion runs all 200k synchronous reconciles from one pump loop
    gate.complete();
    expect(completed).toBe(true);
    expect(results).toBe(n + 1);
    expect(order).toHaveLength(n);
    expect(order.every((key, i) => key === String(i))).toBe(true);
  }, 10_000);
});
