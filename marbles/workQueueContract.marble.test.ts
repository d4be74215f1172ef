/**
 * The reconcile contract of `workQueue` in virtual time: the `signal` aborted on unsubscribe and on
 * the per-reconcile timeout, `TerminalError` (not retried), `{ requeue: true }` (rate-limited), the
 * error policy's outcomes, and the graceful drain through a `workQueueHandle` with its deadline.
 */
import { firstValueFrom, map, NEVER, Observable, type OperatorFunction, tap, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type DrainReport,
  exponentialFailure,
  type Reconcile,
  type ReconcileContext,
  ReconcileTimeoutError,
  TerminalError,
  WorkDroppedError,
  WorkQueueShutdownError,
  type WorkResult,
  workQueue,
  workQueueHandle,
} from '../src/index.js';
import { virtualClock } from '../src/testing/index.js';
import { newScheduler } from './support.js';

const boom = new Error('boom');

/** A reconcile result for the expectations below (fields as `workQueue` emits them). */
const result = (
  key: string,
  outcome: WorkResult['outcome'],
  attempt: number,
  durationMs: number,
  extra: Partial<WorkResult> = {},
): WorkResult => ({ key, outcome, attempt, durationMs, ...extra });

/** An Observable that completes after `ms`; logs its end, or when it is cut short. */
function work(ms: number, log: string[], label: string, now: () => number): Observable<undefined> {
  return new Observable<undefined>((subscriber) => {
    let ended = false;
    const t = timer(ms).subscribe(() => {
      ended = true;
      log.push(`${now()} end ${label}`);
      subscriber.complete();
    });
    return () => {
      if (!ended) log.push(`${now()} cut ${label}`);
      t.unsubscribe();
    };
  });
}

/** An Observable that runs `ms` and errors with the signal's reason as soon as it aborts. */
function abortable(ms: number, signal: AbortSignal): Observable<undefined> {
  return new Observable<undefined>((subscriber) => {
    const t = timer(ms).subscribe(() => subscriber.complete());
    const onAbort = () => subscriber.error(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    return () => {
      t.unsubscribe();
      signal.removeEventListener('abort', onAbort);
    };
  });
}

describe('workQueue contract: the signal', () => {
  it('unsubscribe aborts the signals of running reconciles, which run on unobserved; nothing new starts', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const log: string[] = [];
      const reconcile: Reconcile = (key, { signal }) => {
        log.push(`${ts.now()} start ${key}`);
        signal.addEventListener('abort', () =>
          log.push(`${ts.now()} abort ${key} ${(signal.reason as Error).name}`),
        );
        return timer(10).pipe(
          tap(() => log.push(`${ts.now()} end ${key} aborted=${signal.aborted}`)),
          map(() => undefined),
        );
      };
      // a and b run from 0 and 1; c waits for a worker; the subscriber leaves at 5
      const results$ = cold('abc').pipe(workQueue(reconcile, { concurrency: 2 }));
      expectObservable(results$, '^ 4ms !').toBe('');
      flush();
      expect(log).toEqual([
        '0 start a',
        '1 start b',
        '5 abort a WorkQueueShutdownError',
        '5 abort b WorkQueueShutdownError',
        '10 end a aborted=true',
        '11 end b aborted=true',
      ]);
    });
  });

  it('a reconcile that reads its signal only after the abort finds it aborted, with the reason', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const contexts: ReconcileContext[] = [];
      const reconcile: Reconcile = (_key, context) => {
        contexts.push(context); // the signal is not read yet
        return NEVER;
      };
      expectObservable(cold('a').pipe(workQueue(reconcile)), '^ 2ms !').toBe('');
      flush();
      const [context] = contexts;
      expect(context?.attempt).toBe(1);
      expect(context?.signal.aborted).toBe(true);
      expect(context?.signal.reason).toBeInstanceOf(WorkQueueShutdownError);
    });
  });

  it('the signal of a reconcile that ended in time is never aborted, later unsubscribe or not', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const signals: AbortSignal[] = [];
      const reconcile: Reconcile = (_key, { signal }) => {
        signals.push(signal);
        return timer(3).pipe(map(() => undefined));
      };
      expectObservable(cold('a').pipe(workQueue(reconcile, { timeoutMs: 5 })), '^ 9ms !').toBe('---a', {
        a: result('a', 'success', 1, 3),
      });
      flush();
      expect(signals.map((s) => s.aborted)).toEqual([false]);
    });
  });
});

describe('workQueue contract: timeoutMs', () => {
  it('aborts the signal at the timeout, cuts an Observable reconcile, and retries with the rate limiter', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const log: string[] = [];
      const reconcile: Reconcile = (key, { signal, attempt }) => {
        log.push(`${ts.now()} start ${key}#${attempt}`);
        signal.addEventListener('abort', () =>
          log.push(`${ts.now()} abort ${(signal.reason as Error).message}`),
        );
        return work(attempt === 1 ? 30 : 5, log, `${key}#${attempt}`, () => ts.now());
      };
      const results$ = cold('a|').pipe(
        workQueue(reconcile, { timeoutMs: 10, rateLimiter: exponentialFailure(4, 100) }),
      );
      // attempt 1 times out at 10 (retry at 14), attempt 2 runs 14..19; the drain then completes
      expectObservable(results$).toBe('10ms t 8ms (s|)', {
        t: result('a', 'retry', 1, 10, { error: new ReconcileTimeoutError('a', 10), delayMs: 4 }),
        s: result('a', 'success', 2, 5),
      });
      flush();
      expect(log).toEqual([
        '0 start a#1',
        '10 abort reconcile of "a" timed out after 10 ms',
        '10 cut a#1',
        '14 start a#2',
        '19 end a#2',
      ]);
    });
  });

  it('a timed-out Promise reconcile is no longer awaited: its late result is ignored, the key runs again', async () => {
    const clock = virtualClock();
    const { scheduler } = clock;
    const log: string[] = [];
    const reconcile = async (key: string, { attempt }: ReconcileContext) => {
      log.push(`${scheduler.now()} start ${key}#${attempt}`);
      await firstValueFrom(timer(attempt === 1 ? 50 : 2, scheduler)); // ignores its signal
      log.push(`${scheduler.now()} end ${key}#${attempt}`);
      return attempt === 1 ? { requeueAfter: 1 } : undefined;
    };
    const results: string[] = [];
    const timeouts: unknown[] = [];
    let completedAt = -1;
    const keys$ = timer(0, scheduler).pipe(map(() => 'a'));
    keys$
      .pipe(workQueue(reconcile, { scheduler, timeoutMs: 20, rateLimiter: exponentialFailure(5, 100) }))
      .subscribe({
        next: (r) => {
          results.push(`${scheduler.now()} ${r.outcome}#${r.attempt} ${r.durationMs}ms`);
          if (r.error) timeouts.push(r.error);
        },
        complete: () => (completedAt = scheduler.now()),
      });
    await clock.advanceBy(100);
    expect(log).toEqual(['0 start a#1', '25 start a#2', '27 end a#2', '50 end a#1']);
    expect(results).toEqual(['20 retry#1 20ms', '27 success#2 2ms']);
    expect(timeouts).toEqual([new ReconcileTimeoutError('a', 20)]);
    expect(completedAt).toBe(27);
  });
});

describe('workQueue contract: TerminalError', () => {
  it('is reported and dropped at once, never retried; the next add of the key starts over', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const calls: string[] = [];
      const reported: WorkDroppedError[] = [];
      const invalid = new TerminalError('spec.size must be positive');
      const reconcile: Reconcile = (key, { attempt }) => {
        calls.push(`${ts.now()} ${key}#${attempt}`);
        if (calls.length === 1) throw boom; // one ordinary failure first: attempt 2 is the terminal one
        if (calls.length === 2) throw invalid;
      };
      const results$ = cold('a 19ms a|').pipe(
        workQueue(reconcile, { rateLimiter: exponentialFailure(5, 100), onError: (e) => reported.push(e) }),
      );
      expectObservable(results$).toBe('r 4ms d 14ms s|', {
        r: result('a', 'retry', 1, 0, { error: boom, delayMs: 5 }),
        d: result('a', 'dropped', 2, 0, { error: invalid }),
        s: result('a', 'success', 1, 0),
      });
      flush();
      expect(calls).toEqual(['0 a#1', '5 a#2', '20 a#1']);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toBeInstanceOf(WorkDroppedError);
      expect(reported[0]).toMatchObject({ key: 'a', attempts: 2, reason: 'terminal', cause: invalid });
    });
  });
});

describe('workQueue contract: { requeue: true }', () => {
  it("re-adds after the rate limiter's growing delay (no Forget); a success then forgets", () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const calls: string[] = [];
      const reconcile: Reconcile = (key, { attempt }) => {
        calls.push(`${ts.now()} ${key}#${attempt}`);
        return timer(1).pipe(map(() => (calls.length < 3 ? { requeue: true } : undefined)));
      };
      const results$ = cold('a 40ms a').pipe(
        workQueue(reconcile, { rateLimiter: exponentialFailure(10, 100) }),
      );
      // 0..1 requeue (+10), 11..12 requeue (+20), 32..33 success; the add at 41 starts over at attempt 1
      expectObservable(results$, '^ 50ms !').toBe('-a 10ms b 20ms c 8ms d', {
        a: result('a', 'requeued', 1, 1, { delayMs: 10 }),
        b: result('a', 'requeued', 2, 1, { delayMs: 20 }),
        c: result('a', 'success', 3, 1),
        d: result('a', 'success', 1, 1),
      });
      flush();
      expect(calls).toEqual(['0 a#1', '11 a#2', '32 a#3', '41 a#1']);
    });
  });
});

describe('workQueue contract: errorPolicy', () => {
  it("'drop' drops and reports, { requeueAfter } waits that long, 'retry' backs off until maxRetries", () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const calls: string[] = [];
      const asked: string[] = [];
      const reported: WorkDroppedError[] = [];
      const reconcile: Reconcile = (key, { attempt }) => {
        calls.push(`${ts.now()} ${key}#${attempt}`);
        if (attempt <= 2) throw new Error(`${key} failed`);
      };
      const results$ = cold('(xyz)|').pipe(
        workQueue(reconcile, {
          concurrency: 3,
          maxRetries: 1,
          rateLimiter: exponentialFailure(10, 1000),
          onError: (e) => reported.push(e),
          errorPolicy: (error, key, attempt) => {
            asked.push(`${key}#${attempt} ${(error as Error).message}`);
            if (key === 'x') return 'drop';
            if (key === 'y') return { requeueAfter: 50 };
            return 'retry';
          },
        }),
      );
      const failure = (key: string) => new Error(`${key} failed`);
      // x: dropped at once. y: 0 -> 50 -> 100 -> success (attempts 1..3, the policy's delay each
      // time). z: retry at 10, then past maxRetries dropped.
      expectObservable(results$).toBe('(xyz) 5ms w 39ms u 49ms (v|)', {
        x: result('x', 'dropped', 1, 0, { error: failure('x') }),
        y: result('y', 'retry', 1, 0, { error: failure('y'), delayMs: 50 }),
        z: result('z', 'retry', 1, 0, { error: failure('z'), delayMs: 10 }),
        w: result('z', 'dropped', 2, 0, { error: failure('z') }),
        u: result('y', 'retry', 2, 0, { error: failure('y'), delayMs: 50 }),
        v: result('y', 'success', 3, 0),
      });
      flush();
      expect(calls).toEqual(['0 x#1', '0 y#1', '0 z#1', '10 z#2', '50 y#2', '100 y#3']);
      expect(asked).toEqual(['x#1 x failed', 'y#1 y failed', 'z#1 z failed', 'z#2 z failed', 'y#2 y failed']);
      expect(reported.map((e) => `${e.key} ${e.reason} ${e.attempts}`)).toEqual([
        'x errorPolicy 1',
        'z maxRetries 2',
      ]);
    });
  });
});

describe('workQueue contract: drain through a handle', () => {
  /** Runs `handle.drain` at virtual time `at`, recording when and with what it resolves. */
  function drainAt(
    handle: ReturnType<typeof workQueueHandle>,
    at: number,
    deadlineMs: number,
    now: () => number,
  ): { readonly report: () => DrainReport | undefined; readonly promise: () => Promise<DrainReport> } {
    let report: DrainReport | undefined;
    let promise: Promise<DrainReport> | undefined;
    timer(at).subscribe(() => {
      promise = handle.drain({ deadlineMs });
      promise.then((r) => {
        report = r;
      });
    });
    return {
      report: () => report,
      promise: () => {
        if (!promise) throw new Error(`drain did not start (now ${now()})`);
        return promise;
      },
    };
  }

  it('at the deadline, reports the reconciles still running as abandoned and completes; new keys are not taken', async () => {
    const ts = newScheduler();
    const handle = workQueueHandle();
    let drain: ReturnType<typeof drainAt> | undefined;
    const log: string[] = [];
    ts.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const reconcile: Reconcile = (key, { signal }) => {
        log.push(`${ts.now()} start ${key}`);
        signal.addEventListener('abort', () => log.push(`${ts.now()} abort ${key}`));
        // a ends at 5 on its own; b ignores its signal and would end at 100
        return work(key === 'a' ? 5 : 100, log, key, () => ts.now());
      };
      const keys = cold('a(bc) 5ms d|');
      const results$ = keys.pipe(workQueue(reconcile, { concurrency: 2, handle }));
      drain = drainAt(handle, 2, 20, () => ts.now());
      // the drain at 2 stops taking keys (c waits, d never comes); a's result is still emitted;
      // the deadline at 22 abandons b and completes
      expectObservable(results$).toBe('5ms a 16ms |', { a: result('a', 'success', 1, 5) });
      expectSubscriptions(keys.subscriptions).toBe('^-!');
      flush();
      expect(handle.running).toBe(0);
    });
    // b was abandoned, not cut: like after unsubscribe, it runs on unobserved
    expect(log).toEqual(['0 start a', '1 start b', '2 abort a', '2 abort b', '5 end a', '101 end b']);
    const report = await drain?.promise();
    expect(report).toEqual({ ended: 'deadline', abandoned: ['b'], pending: ['c'] });
  });

  it('settles as soon as every running reconcile ended on its aborted signal', async () => {
    const ts = newScheduler();
    const handle = workQueueHandle();
    let drain: ReturnType<typeof drainAt> | undefined;
    ts.run(({ cold, expectObservable, flush }) => {
      const reconcile: Reconcile = (_key, { signal }) => abortable(50, signal);
      const results$ = cold('ab').pipe(
        workQueue(reconcile, { handle, rateLimiter: exponentialFailure(5, 100) }),
      );
      drain = drainAt(handle, 3, 1000, () => ts.now());
      // a errors with the abort reason at 3: its result is emitted, its retry not scheduled
      expectObservable(results$).toBe('3ms (a|)', {
        a: result('a', 'retry', 1, 3, { error: new WorkQueueShutdownError(), delayMs: 5 }),
      });
      flush();
    });
    expect(await drain?.promise()).toEqual({ ended: 'settled', abandoned: [], pending: ['b'] });
  });

  it('unsubscribing during a drain resolves it as unsubscribed; an idle handle drains at once', async () => {
    const ts = newScheduler();
    const handle = workQueueHandle();
    expect(await handle.drain()).toEqual({ ended: 'settled', abandoned: [], pending: [] });
    let drain: ReturnType<typeof drainAt> | undefined;
    ts.run(({ cold, expectObservable, flush }) => {
      const results$ = cold('a').pipe(workQueue(() => NEVER, { handle }));
      drain = drainAt(handle, 1, 100, () => ts.now());
      expectObservable(results$, '^ 4ms !').toBe('');
      flush();
      expect(drain.report()).toBeUndefined(); // a promise resolves after the virtual frames
    });
    expect(await drain?.promise()).toEqual({ ended: 'unsubscribed', abandoned: ['a'], pending: [] });
  });

  it('one handle drains every queue subscribed with it and merges their reports', async () => {
    const ts = newScheduler();
    const handle = workQueueHandle();
    let drain: ReturnType<typeof drainAt> | undefined;
    ts.run(({ cold, expectObservable, flush }) => {
      const slow: OperatorFunction<string, WorkResult> = workQueue(() => NEVER, { handle });
      const quick: OperatorFunction<string, WorkResult> = workQueue(
        (_k, { signal }) => abortable(9, signal),
        {
          handle,
        },
      );
      const first$ = cold('p').pipe(slow);
      const second$ = cold('q').pipe(quick);
      drain = drainAt(handle, 2, 10, () => ts.now());
      expectObservable(first$).toBe('12ms |');
      expectObservable(second$).toBe('2ms (q|)', {
        q: result('q', 'retry', 1, 2, { error: new WorkQueueShutdownError(), delayMs: 5 }),
      });
      flush();
    });
    expect(await drain?.promise()).toEqual({ ended: 'deadline', abandoned: ['p'], pending: [] });
  });
});
