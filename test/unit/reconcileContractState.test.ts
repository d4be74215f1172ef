/**
 * The reconcile contract's transitions in the work queue's state (src/workqueue/queueState.ts):
 * timeouts, terminal errors, the error policy, reconcile metrics hooks, and the drain with a
 * deadline (`stop`, `stopped`, `expire`, `close` while stopping). Driven directly, without RxJS.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorPolicy } from '../../src/workqueue/errorPolicy.js';
import {
  add,
  close,
  done,
  drain,
  drained,
  expire,
  fired,
  type QueueState,
  type ReconcileReport,
  stop,
  stopped,
  type Ticket,
  take,
  timedOut,
} from '../../src/workqueue/queueState.js';
import {
  ReconcileTimeoutError,
  TerminalError,
  WorkQueueShutdownError,
} from '../../src/workqueue/reconcileErrors.js';
import { boom, failed, ok, queue, takeOne } from '../support/queueStateFixtures.js';

describe('queueState: per-reconcile timeout', () => {
  it('a ticket carries the timeout; timedOut aborts the signal and fails the attempt, which is retried', () => {
    const state = queue({ timeoutMs: 50 });
    add(state, 'a', 0);
    const ticket = takeOne(state, 0);
    expect(ticket.timeoutMs).toBe(50);
    const effects = timedOut(state, ticket, 50);
    const error = new ReconcileTimeoutError('a', 50);
    expect(effects).toEqual([
      { type: 'abort', key: 'a', reason: error },
      { type: 'schedule', key: 'a', delayMs: 10 },
      {
        type: 'emit',
        result: { key: 'a', outcome: 'retry', attempt: 1, error, delayMs: 10, durationMs: 50 },
      },
    ]);
    // the same error object is the abort reason and the result's error
    expect(effects[0]?.type === 'abort' && effects[0].reason).toBeInstanceOf(ReconcileTimeoutError);
    expect(state.processing.size).toBe(0);
  });

  it("the reconcile's own ending after its timeout changes nothing, even once the key runs again", () => {
    const state = queue({ timeoutMs: 50 });
    add(state, 'a', 0);
    const first = takeOne(state, 0);
    timedOut(state, first, 50);
    fired(state, 'a', 60);
    const second = takeOne(state, 60);
    expect(done(state, first, ok, 70)).toEqual([]);
    expect(timedOut(state, first, 70)).toEqual([]);
    expect(state.processing.get('a')).toBe(60);
    expect(done(state, second, ok, 80).map((e) => e.type)).toEqual(['emit']);
  });

  it('no timeout configured (or not a positive number): tickets carry none', () => {
    for (const timeoutMs of [undefined, 0, -5, Number.NaN]) {
      const state = queue(timeoutMs === undefined ? {} : { timeoutMs });
      add(state, 'a', 0);
      expect(takeOne(state).timeoutMs).toBeUndefined();
    }
  });
});

describe('queueState: terminal errors and the error policy', () => {
  it('a TerminalError is dropped at once, forgotten, never scheduled, whatever maxRetries says', () => {
    const state = queue();
    add(state, 'a', 0);
    done(state, takeOne(state), failed, 0);
    fired(state, 'a', 10);
    const terminal = new TerminalError('invalid spec');
    expect(done(state, takeOne(state, 10), { ok: false, error: terminal }, 10)).toEqual([
      { type: 'drop', key: 'a', attempts: 2, error: terminal, reason: 'terminal' },
      { type: 'emit', result: { key: 'a', outcome: 'dropped', attempt: 2, error: terminal, durationMs: 0 } },
    ]);
    expect(state.limiter.numRequeues('a')).toBe(0);
    expect(state.waiting.size).toBe(0);
  });

  it('an error caused by a TerminalError is terminal; the error policy is not asked', () => {
    const asked: string[] = [];
    const state = queue({
      errorPolicy: (_e, key) => {
        asked.push(key);
        return 'retry';
      },
    });
    add(state, 'a', 0);
    const wrapped = new Error('outer', { cause: new TerminalError('inner') });
    const [drop] = done(state, takeOne(state), { ok: false, error: wrapped }, 0);
    expect(drop).toMatchObject({ type: 'drop', reason: 'terminal' });
    expect(asked).toEqual([]);
  });

  it('the policy gets the error, the key and the attempt; drop forgets and reports', () => {
    const calls: unknown[] = [];
    const state = queue({
      errorPolicy: (error, key, attempt) => {
        calls.push([error, key, attempt]);
        return attempt < 2 ? 'retry' : 'drop';
      },
    });
    add(state, 'a', 0);
    done(state, takeOne(state), failed, 0);
    fired(state, 'a', 10);
    const effects = done(state, takeOne(state, 10), failed, 10);
    expect(calls).toEqual([
      [boom, 'a', 1],
      [boom, 'a', 2],
    ]);
    expect(effects[0]).toEqual({ type: 'drop', key: 'a', attempts: 2, error: boom, reason: 'errorPolicy' });
    expect(state.limiter.numRequeues('a')).toBe(0);
  });

  it('{ requeueAfter } from the policy waits that long as a retry (kept by a drain), and attempts keep growing', () => {
    const state = queue({ errorPolicy: () => ({ requeueAfter: 300 }) });
    add(state, 'a', 0);
    const effects = done(state, takeOne(state), failed, 0);
    expect(effects).toEqual([
      { type: 'schedule', key: 'a', delayMs: 300 },
      {
        type: 'emit',
        result: { key: 'a', outcome: 'retry', attempt: 1, error: boom, delayMs: 300, durationMs: 0 },
      },
    ]);
    expect(state.waiting.get('a')).toEqual({ due: 300, retry: true });
    expect(drain(state)).toEqual([]);
    fired(state, 'a', 300);
    expect(takeOne(state, 300).attempt).toBe(2);
  });

  it("'retry' from the policy is still bounded by maxRetries", () => {
    const state = queue({ maxRetries: 0, errorPolicy: () => 'retry' });
    add(state, 'a', 0);
    expect(done(state, takeOne(state), failed, 0)[0]).toMatchObject({ type: 'drop', reason: 'maxRetries' });
  });

  it('a policy that throws or answers nonsense counts as retry', () => {
    const answers: unknown[] = [
      () => {
        throw new Error('policy bug');
      },
      () => 'later',
      () => ({ requeueAfter: -1 }),
      () => ({ requeueAfter: Number.POSITIVE_INFINITY }),
      () => null,
    ];
    for (const policy of answers) {
      const state = queue({ errorPolicy: policy as ErrorPolicy });
      add(state, 'a', 0);
      expect(done(state, takeOne(state), failed, 0)[0]).toEqual({ type: 'schedule', key: 'a', delayMs: 10 });
    }
  });
});

describe('queueState: reconcile metrics hooks', () => {
  it('reports the workers, the active workers and each attempt with its controller-runtime result', () => {
    const log: string[] = [];
    const reports: ReconcileReport[] = [];
    const state = queue({
      concurrency: 3,
      timeoutMs: 40,
      reconcileMetrics: {
        workers: (n) => log.push(`workers ${n}`),
        activeWorkers: (n) => log.push(`active ${n}`),
        reconciled: (r) => reports.push(r),
      },
    });
    for (const key of ['s', 'e', 'r']) add(state, key, 0);
    const s = takeOne(state);
    const e = takeOne(state);
    const r = takeOne(state);
    done(state, s, ok, 5);
    done(state, e, { ok: false, error: new TerminalError('no') }, 6);
    done(state, r, { ok: true, value: { requeueAfter: 9 } }, 7);
    for (const key of ['q', 't']) add(state, key, 7);
    done(state, takeOne(state, 7), { ok: true, value: { requeue: true } }, 8);
    timedOut(state, takeOne(state, 8), 48);
    expect(log).toEqual([
      'workers 3',
      'active 0',
      'active 1',
      'active 2',
      'active 3',
      'active 2',
      'active 1',
      'active 0',
      'active 1',
      'active 0',
      'active 1',
      'active 0',
    ]);
    expect(reports).toEqual([
      { key: 's', result: 'success', terminal: false, timedOut: false, durationMs: 5 },
      { key: 'e', result: 'error', terminal: true, timedOut: false, durationMs: 6 },
      { key: 'r', result: 'requeue_after', terminal: false, timedOut: false, durationMs: 7 },
      { key: 'q', result: 'requeue', terminal: false, timedOut: false, durationMs: 1 },
      { key: 't', result: 'error', terminal: false, timedOut: true, durationMs: 40 },
    ]);
  });

  it('still counts attempts that end after close, when no result is emitted', () => {
    const reports: ReconcileReport[] = [];
    const state = queue({
      reconcileMetrics: { workers: () => {}, activeWorkers: () => {}, reconciled: (r) => reports.push(r) },
    });
    add(state, 'a', 0);
    const a = takeOne(state);
    close(state);
    expect(done(state, a, failed, 3)).toEqual([]);
    expect(reports).toEqual([{ key: 'a', result: 'error', terminal: false, timedOut: false, durationMs: 3 }]);
  });
});

describe('queueState: stop (drain with a deadline)', () => {
  /** a and b in flight, c queued, d waiting for a retry, a re-added while it runs. */
  function busy(): { state: QueueState; a: Ticket; b: Ticket } {
    const state = queue({ concurrency: 2 });
    add(state, 'd', 0);
    done(state, takeOne(state), failed, 0); // d retries at 10
    for (const key of ['a', 'b', 'c']) add(state, key, 1);
    const a = takeOne(state, 1);
    const b = takeOne(state, 1);
    add(state, 'a', 2);
    return { state, a, b };
  }

  it('gives up queued, re-added and waiting keys, cancels their timers, aborts the reconciles in flight', () => {
    const { state } = busy();
    const effects = stop(state);
    expect(effects).toEqual([
      { type: 'cancel', key: 'd' },
      { type: 'abort', key: 'a', reason: expect.any(WorkQueueShutdownError) },
      { type: 'abort', key: 'b', reason: expect.any(WorkQueueShutdownError) },
    ]);
    expect(state.shutdown?.pending).toEqual(['c', 'a', 'd']);
    expect([state.dirty.size, state.queue.length, state.queuedAt.size, state.waiting.size]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(add(state, 'e', 3)).toBe(false);
    expect(take(state, 3)).toBeUndefined();
    expect(stop(state)).toEqual([]); // once
  });

  it('results of the reconciles in flight are still emitted, their retries not scheduled; settled when none is left', () => {
    const { state, a, b } = busy();
    stop(state);
    expect(stopped(state)).toBeUndefined();
    expect(done(state, a, failed, 5)).toEqual([
      {
        type: 'emit',
        result: { key: 'a', outcome: 'retry', attempt: 1, error: boom, delayMs: 10, durationMs: 4 },
      },
    ]);
    expect(take(state, 5)).toBeUndefined(); // a was re-added while it ran: given up, not queued
    expect(stopped(state)).toBeUndefined();
    expect(done(state, b, { ok: true, value: { requeueAfter: 5 } }, 6).map((e) => e.type)).toEqual(['emit']);
    expect(drained(state)).toBeUndefined(); // the stop completes the queue, not the drain
    expect(stopped(state)).toEqual([
      { type: 'stopped', report: { ended: 'settled', abandoned: [], pending: ['c', 'a', 'd'] } },
      { type: 'complete' },
    ]);
    expect(state.closed).toBe(true);
    expect(stopped(state)).toBeUndefined();
    expect(expire(state)).toEqual([]);
  });

  it('the deadline abandons the reconciles still in flight and completes', () => {
    const { state, a } = busy();
    stop(state);
    done(state, a, ok, 5);
    expect(expire(state)).toEqual([
      { type: 'stopped', report: { ended: 'deadline', abandoned: ['b'], pending: ['c', 'a', 'd'] } },
      { type: 'complete' },
    ]);
    expect(close(state)).toEqual([]); // the teardown after completion reports nothing more
  });

  it('unsubscribing while stopping ends the stop as unsubscribed', () => {
    const { state } = busy();
    stop(state);
    expect(close(state)).toEqual([
      { type: 'stopped', report: { ended: 'unsubscribed', abandoned: ['a', 'b'], pending: ['c', 'a', 'd'] } },
    ]);
    expect(expire(state)).toEqual([]);
  });

  it('an idle queue settles at once; a stop after close or completion does nothing', () => {
    const idle = queue();
    expect(stop(idle)).toEqual([]);
    expect(stopped(idle)).toEqual([
      { type: 'stopped', report: { ended: 'settled', abandoned: [], pending: [] } },
      { type: 'complete' },
    ]);
    const closed = queue();
    close(closed);
    expect(stop(closed)).toEqual([]);
    expect(closed.shutdown).toBeUndefined();
  });
});
