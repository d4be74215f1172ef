/**
 * The work queue's transitions (src/workqueue/queueState.ts), driven directly: no RxJS, no
 * scheduler; time is a number passed in, timers are the `schedule`/`cancel` effects.
 */
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  add,
  close,
  done,
  drain,
  drained,
  expire,
  fired,
  type QueueEffect,
  type QueueState,
  stop,
  stopped,
  type Ticket,
  take,
  timedOut,
  type WorkQueueMetrics,
} from '../../src/workqueue/queueState.js';
import { WorkQueueShutdownError } from '../../src/workqueue/reconcileErrors.js';
import { boom, failed, ok, queue, takeOne } from '../support/queueStateFixtures.js';

/** Every key a worker may take now, in order. */
function takeAll(state: QueueState, now = 0): string[] {
  const keys: string[] = [];
  for (let t = take(state, now); t; t = take(state, now)) keys.push(t.key);
  return keys;
}

describe('queueState: add and take', () => {
  it('dedupes a pending key: added twice, it is taken once', () => {
    const state = queue({ concurrency: 3 });
    expect(add(state, 'a', 0)).toBe(true);
    expect(add(state, 'a', 0)).toBe(false);
    expect(add(state, 'b', 0)).toBe(true);
    expect(takeAll(state)).toEqual(['a', 'b']);
  });

  it('takes keys in FIFO order, at most `concurrency` at once; a freed worker takes the next', () => {
    const state = queue({ concurrency: 2 });
    for (const key of ['a', 'b', 'c']) add(state, key, 0);
    const a = takeOne(state);
    expect(takeOne(state).key).toBe('b');
    expect(take(state, 0)).toBeUndefined();
    done(state, a, ok, 1);
    expect(takeAll(state)).toEqual(['c']);
  });

  it('treats a concurrency below 1 as 1', () => {
    const state = queue({ concurrency: 0 });
    add(state, 'a', 0);
    add(state, 'b', 0);
    expect(takeAll(state)).toEqual(['a']);
  });

  it('never hands a key to a second worker: re-added while processing, it is queued when done', () => {
    const state = queue({ concurrency: 4 });
    add(state, 'a', 0);
    const first = takeOne(state);
    expect(add(state, 'a', 1)).toBe(false);
    expect(state.dirty.has('a')).toBe(true);
    expect(take(state, 1)).toBeUndefined();
    expect(add(state, 'a', 2)).toBe(false); // still one pending run, not two
    done(state, first, ok, 5);
    expect(takeAll(state, 5)).toEqual(['a']);
    expect(take(state, 5)).toBeUndefined();
  });

  it('a ticket carries the attempt number (1 + failures) and the time it was taken', () => {
    const state = queue();
    add(state, 'a', 0);
    const ticket = takeOne(state, 3);
    expect(ticket).toEqual({ type: 'reconcile', key: 'a', attempt: 1, startedAt: 3 });
    done(state, ticket, failed, 4);
    fired(state, 'a', 14);
    expect(takeOne(state, 14).attempt).toBe(2);
  });
});

describe('queueState: done', () => {
  it('a success forgets the failures and emits the result with its duration', () => {
    const state = queue();
    add(state, 'a', 0);
    const effects = done(state, takeOne(state, 2), ok, 7);
    expect(effects).toEqual([
      { type: 'emit', result: { key: 'a', outcome: 'success', attempt: 1, durationMs: 5 } },
    ]);
    expect(state.processing.size).toBe(0);
    expect(state.limiter.numRequeues('a')).toBe(0);
  });

  it("a failure schedules a retry after the rate limiter's delay, which grows per failure", () => {
    const state = queue();
    add(state, 'a', 0);
    expect(done(state, takeOne(state), failed, 0)).toEqual([
      { type: 'schedule', key: 'a', delayMs: 10 },
      {
        type: 'emit',
        result: { key: 'a', outcome: 'retry', attempt: 1, error: boom, delayMs: 10, durationMs: 0 },
      },
    ]);
    expect(state.waiting.get('a')).toEqual({ due: 10, retry: true });
    expect(fired(state, 'a', 10)).toBe(true);
    expect(state.waiting.size).toBe(0);
    const effects = done(state, takeOne(state, 10), failed, 10);
    expect(effects[0]).toEqual({ type: 'schedule', key: 'a', delayMs: 20 });
  });

  it('past maxRetries, a failure is dropped: reported before its result, failures forgotten', () => {
    const state = queue({ maxRetries: 1 });
    add(state, 'a', 0);
    done(state, takeOne(state), failed, 0);
    fired(state, 'a', 10);
    expect(done(state, takeOne(state, 10), failed, 10)).toEqual([
      { type: 'drop', key: 'a', attempts: 2, error: boom, reason: 'maxRetries' },
      { type: 'emit', result: { key: 'a', outcome: 'dropped', attempt: 2, error: boom, durationMs: 0 } },
    ]);
    expect(state.waiting.size).toBe(0);
    expect(state.limiter.numRequeues('a')).toBe(0);
  });

  it('{ requeueAfter } forgets the failures and waits that long', () => {
    const state = queue();
    add(state, 'a', 0);
    done(state, takeOne(state), failed, 0);
    fired(state, 'a', 10);
    expect(done(state, takeOne(state, 10), { ok: true, value: { requeueAfter: 100 } }, 10)).toEqual([
      { type: 'schedule', key: 'a', delayMs: 100 },
      { type: 'emit', result: { key: 'a', outcome: 'requeued', attempt: 2, delayMs: 100, durationMs: 0 } },
    ]);
    expect(state.limiter.numRequeues('a')).toBe(0);
    expect(state.waiting.get('a')).toEqual({ due: 110, retry: false });
  });

  it("{ requeue: true } waits the rate limiter's delay and keeps counting (no Forget)", () => {
    const state = queue();
    add(state, 'a', 0);
    const effects = done(state, takeOne(state), { ok: true, value: { requeue: true } }, 0);
    expect(effects[0]).toEqual({ type: 'schedule', key: 'a', delayMs: 10 });
    expect(state.limiter.numRequeues('a')).toBe(1);
  });

  it('requeueAfter wins over requeue; requeueAfter 0 is a plain success', () => {
    const state = queue();
    add(state, 'a', 0);
    const both = done(state, takeOne(state), { ok: true, value: { requeueAfter: 5, requeue: true } }, 0);
    expect(both[0]).toEqual({ type: 'schedule', key: 'a', delayMs: 5 });
    add(state, 'b', 0);
    const zero = done(state, takeOne(state), { ok: true, value: { requeueAfter: 0 } }, 0);
    expect(zero).toEqual([
      { type: 'emit', result: { key: 'b', outcome: 'success', attempt: 1, durationMs: 0 } },
    ]);
  });

  it('a zero delay re-adds at once: the key is queued again as its worker finishes, no timer', () => {
    const state = queue({ limiter: { when: () => 0, forget: () => undefined, numRequeues: () => 0 } });
    add(state, 'a', 0);
    const effects = done(state, takeOne(state), failed, 0);
    expect(effects.map((e) => e.type)).toEqual(['emit']);
    expect(takeAll(state)).toEqual(['a']);
  });
});

describe('queueState: delayed adds (AddAfter)', () => {
  /** A queue where `a` waits for a requeueAfter of `first` ms set at time 0, and runs again. */
  function waitingFor(first: number): QueueState {
    const state = queue({ concurrency: 1 });
    add(state, 'a', 0);
    done(state, takeOne(state), { ok: true, value: { requeueAfter: first } }, 0);
    add(state, 'a', 0); // a direct add runs it now, while the delayed add still waits
    return state;
  }

  it('a later due time is absorbed by the pending one', () => {
    const state = waitingFor(100);
    const effects = done(state, takeOne(state), { ok: true, value: { requeueAfter: 500 } }, 0);
    expect(effects.map((e) => e.type)).toEqual(['emit']);
    expect(state.waiting.get('a')?.due).toBe(100);
  });

  it('an earlier due time replaces the pending one: cancel, then schedule', () => {
    const state = waitingFor(100);
    const effects = done(state, takeOne(state), { ok: true, value: { requeueAfter: 30 } }, 0);
    expect(effects.slice(0, 2)).toEqual([
      { type: 'cancel', key: 'a' },
      { type: 'schedule', key: 'a', delayMs: 30 },
    ]);
    expect(state.waiting.get('a')).toEqual({ due: 30, retry: false });
  });

  it('a retry absorbed by a pending re-check turns it into a retry, which a drain keeps', () => {
    const state = waitingFor(5);
    done(state, takeOne(state), failed, 0); // retry due at 10, absorbed by the re-check due at 5
    expect(state.waiting.get('a')).toEqual({ due: 5, retry: true });
    expect(drain(state)).toEqual([]);
  });
});

describe('queueState: drain, completion and close', () => {
  it('a drain cancels re-checks, keeps retries, and schedules no new re-check', () => {
    const state = queue({ concurrency: 3 });
    for (const key of ['check', 'retry', 'late']) add(state, key, 0);
    done(state, takeOne(state), { ok: true, value: { requeueAfter: 50 } }, 0);
    done(state, takeOne(state), failed, 0);
    const late = takeOne(state);
    expect(drain(state)).toEqual([{ type: 'cancel', key: 'check' }]);
    expect([...state.waiting.keys()]).toEqual(['retry']);
    const effects = done(state, late, { ok: true, value: { requeueAfter: 50 } }, 1);
    expect(effects.map((e) => e.type)).toEqual(['emit']);
  });

  it('completes once nothing is queued, processing or waiting, and then is closed', () => {
    const state = queue();
    add(state, 'a', 0);
    const a = takeOne(state);
    drain(state);
    expect(drained(state)).toBeUndefined(); // a is processing
    done(state, a, failed, 0);
    expect(drained(state)).toBeUndefined(); // its retry waits
    fired(state, 'a', 10);
    expect(drained(state)).toBeUndefined(); // queued
    done(state, takeOne(state, 10), ok, 10);
    expect(drained(state)).toEqual({ type: 'complete' });
    expect(state.closed).toBe(true);
    expect(drained(state)).toBeUndefined(); // completes once
  });

  it('does not complete before the keys completed', () => {
    const state = queue();
    expect(drained(state)).toBeUndefined();
    drain(state);
    expect(drained(state)).toEqual({ type: 'complete' });
  });

  it('close cancels every timer and aborts the reconciles in flight; afterwards nothing is added, taken, scheduled or emitted', () => {
    const state = queue({ concurrency: 2 });
    for (const key of ['a', 'b', 'c']) add(state, key, 0);
    done(state, takeOne(state), failed, 0);
    done(state, takeOne(state), { ok: true, value: { requeueAfter: 9 } }, 0);
    const c = takeOne(state);
    expect(close(state)).toEqual([
      { type: 'cancel', key: 'a' },
      { type: 'cancel', key: 'b' },
      { type: 'abort', key: 'c', reason: expect.any(WorkQueueShutdownError) },
    ]);
    expect(add(state, 'd', 1)).toBe(false);
    expect(take(state, 1)).toBeUndefined();
    // In-flight work still frees its worker, but its result and retry go nowhere.
    expect(done(state, c, failed, 2)).toEqual([]);
    expect(state.processing.size).toBe(0);
  });
});

describe('queueState: metrics hooks', () => {
  it('reports adds, depth, queue latency, processing, work duration and retries as the state changes', () => {
    const calls: string[] = [];
    const metrics: WorkQueueMetrics = {
      added: (key) => calls.push(`added ${key}`),
      depth: (depth) => calls.push(`depth ${depth}`),
      queueLatency: (s) => calls.push(`latency ${s}`),
      workDuration: (s) => calls.push(`work ${s}`),
      retried: (key) => calls.push(`retried ${key}`),
      processing: (m) => calls.push(`processing ${[...m].map(([k, t]) => `${k}@${t}`).join(',')}`),
    };
    const state = queue({ metrics });
    add(state, 'a', 0);
    add(state, 'a', 0);
    const ticket = takeOne(state, 1000);
    add(state, 'a', 1500);
    done(state, ticket, failed, 3000);
    expect(calls).toEqual([
      'added a',
      'depth 1',
      'latency 1',
      'processing a@1000',
      'depth 0',
      'added a',
      'retried a',
      'work 2',
      'processing ',
      'depth 1',
    ]);
  });
});

/** Checks every invariant written on QueueState's fields; returns the broken ones. */
function brokenInvariants(state: QueueState): string[] {
  const broken: string[] = [];
  const queued = [...state.queuedAt.keys()];
  if (queued.length !== state.queue.length) broken.push('queuedAt and queue differ in size');
  if (state.processing.size > state.concurrency) broken.push('more keys processing than workers');
  for (const key of queued) {
    if (!state.dirty.has(key)) broken.push(`${key} queued but not dirty`);
    if (state.processing.has(key)) broken.push(`${key} queued and processing`);
  }
  for (const key of state.dirty)
    if (!state.queuedAt.has(key) && !state.processing.has(key)) broken.push(`${key} dirty but nowhere`);
  if (state.closed && state.waiting.size > 0) broken.push('closed with timers');
  if (state.shutdown && state.dirty.size + state.queue.length + state.waiting.size > 0)
    broken.push('stopping with keys to run');
  return broken;
}

describe('queueState: invariants', () => {
  type Step =
    | { readonly op: 'add'; readonly key: string }
    | { readonly op: 'take' }
    | { readonly op: 'done'; readonly pick: number; readonly outcome: 0 | 1 | 2 | 3 }
    | { readonly op: 'fire'; readonly pick: number }
    | { readonly op: 'timeout'; readonly pick: number }
    | { readonly op: 'drain' }
    | { readonly op: 'stop' }
    | { readonly op: 'expire' }
    | { readonly op: 'close' };

  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: key.map((k) => ({ op: 'add', key: k }) as const) },
    { weight: 4, arbitrary: fc.constant({ op: 'take' } as const) },
    {
      weight: 4,
      arbitrary: fc.record({
        op: fc.constant('done' as const),
        pick: fc.nat(),
        outcome: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('fire' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('timeout' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant({ op: 'drain' } as const) },
    { weight: 1, arbitrary: fc.constant({ op: 'stop' } as const) },
    { weight: 1, arbitrary: fc.constant({ op: 'expire' } as const) },
    { weight: 1, arbitrary: fc.constant({ op: 'close' } as const) },
  );

  it('hold after every transition, and the timers follow `waiting` exactly', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.integer({ min: 1, max: 3 }), (steps, concurrency) => {
        const state = queue({ concurrency, maxRetries: 2, timeoutMs: 5 });
        const inFlight: Ticket[] = [];
        const timers = new Set<string>();
        const apply = (effects: readonly QueueEffect[]) => {
          for (const effect of effects) {
            if (effect.type === 'schedule') {
              expect(timers.has(effect.key)).toBe(false); // one timer per key
              timers.add(effect.key);
            } else if (effect.type === 'cancel') {
              expect(timers.delete(effect.key)).toBe(true);
            }
          }
        };
        let now = 0;
        for (const s of steps) {
          now += 1;
          switch (s.op) {
            case 'add':
              add(state, s.key, now);
              break;
            case 'take': {
              const ticket = take(state, now);
              if (ticket) {
                expect(inFlight.some((t) => t.key === ticket.key)).toBe(false); // never two workers
                inFlight.push(ticket);
              }
              break;
            }
            case 'done': {
              const [ticket] = inFlight.splice(s.pick % Math.max(1, inFlight.length), 1);
              if (!ticket) break;
              const outcomes = [
                ok,
                failed,
                { ok: true, value: { requeueAfter: 3 } },
                { ok: true, value: { requeue: true } },
              ] as const;
              apply(done(state, ticket, outcomes[s.outcome], now));
              break;
            }
            case 'fire': {
              const waiting = [...timers];
              const fire = waiting[s.pick % Math.max(1, waiting.length)];
              if (fire === undefined) break;
              timers.delete(fire);
              fired(state, fire, now);
              break;
            }
            case 'timeout': {
              const [ticket] = inFlight.splice(s.pick % Math.max(1, inFlight.length), 1);
              if (ticket) apply(timedOut(state, ticket, now));
              break;
            }
            case 'drain':
              apply(drain(state));
              break;
            case 'stop':
              apply(stop(state));
              break;
            case 'expire':
              apply(expire(state));
              break;
            case 'close':
              apply(close(state));
              break;
          }
          drained(state);
          stopped(state);
          expect(brokenInvariants(state)).toEqual([]);
          expect([...timers].sort()).toEqual([...state.waiting.keys()].sort());
        }
      }),
      { numRuns: 300 },
    );
  });
});
