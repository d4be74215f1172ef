/**
 * `workQueue`: client-go's rate-limited work queue as an operator from keys to results.
 *
 * The queue is a state machine over three sets, exactly as client-go's `workqueue.Type`:
 * - `dirty`: keys that need processing; adding a dirty key again is a no-op (dedupe);
 * - `queue`: dirty keys not being processed, in FIFO order;
 * - `processing`: keys a worker holds. A key is never handed to two workers: re-added while
 *   processing, it only becomes dirty and is queued again when its worker finishes.
 * Failures are retried after the rate limiter's delay (`AddRateLimited`) until `maxRetries`, then
 * dropped and reported; a `TerminalError` is dropped at once, and an `errorPolicy` may decide
 * otherwise (kube-rs's `error_policy`). `{ requeueAfter }` schedules the key again (`AddAfter`),
 * `{ requeue: true }` after the rate limiter's delay. All delays run on the injected scheduler.
 *
 * The reconcile contract follows controller-runtime and kube-rs: `reconcile(key, { signal,
 * attempt })`, where `signal` aborts when the per-reconcile `timeoutMs` passes (the attempt then
 * fails and is retried) or when the queue shuts down. When the keys complete, the queue drains
 * like `ShutDownWithDrain`: queued keys, in-flight reconciles and pending retries finish (so
 * `of('a').pipe(workQueue(f))` completes only once `a` succeeded or was dropped), while
 * `requeueAfter` re-checks are dropped; then it completes. On unsubscribe nothing new starts and
 * in-flight reconciles get their signals aborted and run on unobserved. A `handle`
 * (`workQueueHandle()`) offers the graceful stop in between: abort, wait up to a deadline,
 * complete, report.
 *
 * The state, its invariants, the key lifecycle and every decision live in `queueState.ts`; this
 * operator only interprets it: it feeds keys, timers and reconcile outcomes to the transitions
 * and performs the effects they return (start a reconcile, set or cancel a timer on the
 * scheduler, abort a signal, emit, report, complete).
 *
 * Layer `workqueue`: the work queue operator, its state, rate limiters and metrics; it knows keys,
 * not objects. May import: `core`.
 */
import {
  asyncScheduler,
  from,
  isObservable,
  Observable,
  type ObservableInput,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { KubeRxError } from '../core/errors.js';
import type { ErrorPolicy } from './errorPolicy.js';
import {
  add,
  close,
  createQueueState,
  type DrainReport,
  type DropReason,
  done,
  drain,
  drained,
  expire,
  fired,
  type Outcome,
  type QueueEffect,
  type ReconcileMetrics,
  type ReconcileResult,
  stop,
  stopped,
  type Ticket,
  take,
  timedOut,
  type WorkQueueMetrics,
  type WorkResult,
} from './queueState.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rateLimiters.js';
import { ReconcileAbort, type ReconcileContext } from './reconcileContext.js';
import { attachRun, type WorkQueueHandle } from './workQueueHandle.js';

export type {
  DrainReport,
  DropReason,
  ReconcileMetrics,
  ReconcileReport,
  ReconcileResult,
  WorkQueueMetrics,
  WorkResult,
} from './queueState.js';

/**
 * A reconcile function: sync, a Promise or an Observable (its last value counts). A one-argument
 * function is a `Reconcile` too; the context brings the `signal` to honour.
 */
export type Reconcile = (
  key: string,
  context: ReconcileContext,
) => ReconcileResult | ObservableInput<ReconcileResult>;

/** Reported when a key is given up after a failure: past `maxRetries`, terminal, or by the error policy. */
export class WorkDroppedError extends KubeRxError {
  override readonly name: string = 'WorkDroppedError';
  constructor(
    readonly key: string,
    readonly attempts: number,
    cause: unknown,
    /** Why: `maxRetries` exhausted, a `TerminalError`, or the `errorPolicy` said `drop`. */
    readonly reason: DropReason = 'maxRetries',
  ) {
    const why =
      reason === 'terminal'
        ? 'after a terminal error'
        : reason === 'errorPolicy'
          ? `as the error policy asked, after ${attempts} attempts`
          : `after ${attempts} attempts`;
    super(
      `dropping ${JSON.stringify(key)} ${why}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** Options of {@link workQueue}: client-go's queue settings plus the reconcile contract's. */
export interface WorkQueueOptions {
  /** Workers reconciling different keys at once. Default 1. */
  concurrency?: number;
  /** Default `defaultControllerRateLimiter()`. */
  rateLimiter?: RateLimiter;
  /** Failed attempts after which a key is dropped (and reported). Default: retry forever. */
  maxRetries?: number;
  /**
   * Per-reconcile time limit in ms (controller-runtime's `ReconciliationTimeout`): when it passes,
   * the signal aborts with a `ReconcileTimeoutError` and the attempt fails with it (retried, and
   * counted as a timeout). An Observable reconcile is unsubscribed; a Promise is no longer
   * awaited, so it should honour its signal. Default: none.
   */
  timeoutMs?: number;
  /** Decides what a failure leads to (kube-rs's `error_policy`). Default: always `retry`. */
  errorPolicy?: ErrorPolicy;
  /** Scheduler for delays, timeouts, deadlines and durations. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Receives a {@link WorkDroppedError} for each dropped key. */
  onError?: (error: WorkDroppedError) => void;
  /** Queue metrics (client-go's `workqueue_*`), e.g. `prometheusWorkQueueMetrics`. */
  metrics?: WorkQueueMetrics;
  /** Reconcile metrics (controller-runtime's), e.g. `prometheusControllerMetrics`. */
  reconcileMetrics?: ReconcileMetrics;
  /** Registers each subscription with this handle, so `handle.drain()` can stop it gracefully. */
  handle?: WorkQueueHandle;
}

/**
 * What a reconcile returned, unless it is a plain result: an Observable, or a Promise as one. A
 * plain (synchronous) result settles at once, without an Observable per key.
 */
function asynchronous(
  value: ReconcileResult | ObservableInput<ReconcileResult>,
): Observable<ReconcileResult> | undefined {
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  if (isObservable(value) || typeof (value as PromiseLike<unknown>).then === 'function')
    return from(value as ObservableInput<ReconcileResult>);
  return undefined;
}

/** A reconcile the interpreter started: its signal, subscription and timeout timer. */
interface InFlight {
  readonly ticket: Ticket;
  /** Its context, which aborts its signal. */
  readonly abort: ReconcileAbort;
  work: Subscription | undefined;
  timeout: Subscription | undefined;
  /** Its attempt ended (settled or timed out): anything it does later is ignored. */
  ended: boolean;
}

/**
 * Reconciles keys with client-go work queue semantics.
 *
 * @example
 * ```ts
 * keys$.pipe(
 *   workQueue(async (key, { signal }) => { await sync(key, signal); }, { concurrency: 4, timeoutMs: 30_000 }),
 * ).subscribe((r) => r.outcome === 'dropped' && console.warn(r.key, r.error));
 * ```
 */
export function workQueue(
  reconcile: Reconcile,
  options: WorkQueueOptions = {},
): OperatorFunction<string, WorkResult> {
  const scheduler = options.scheduler ?? asyncScheduler;

  return (keys) =>
    new Observable<WorkResult>((subscriber) => {
      const state = createQueueState({
        concurrency: options.concurrency,
        maxRetries: options.maxRetries,
        timeoutMs: options.timeoutMs,
        errorPolicy: options.errorPolicy,
        limiter: options.rateLimiter ?? defaultControllerRateLimiter(),
        metrics: options.metrics,
        reconcileMetrics: options.reconcileMetrics,
      });
      /** The scheduler's timer for each key in `state.waiting`. */
      const timers = new Map<string, Subscription>();
      /** The reconcile running for each key in `state.processing` (and those left running after close). */
      const running = new Map<string, InFlight>();
      let pumping = false;
      let input: Subscription | undefined;
      let draining: { promise: Promise<DrainReport>; resolve: (report: DrainReport) => void } | undefined;
      let deadline: Subscription | undefined;

      /** Performs effects in order; a throwing `onError` does not stop the rest, it is rethrown after. */
      const perform = (effects: readonly QueueEffect[]): void => {
        let failure: { error: unknown } | undefined;
        for (const effect of effects) {
          try {
            performOne(effect);
          } catch (error) {
            failure ??= { error };
          }
        }
        if (failure) throw failure.error;
      };

      const performOne = (effect: QueueEffect): void => {
        switch (effect.type) {
          case 'reconcile':
            start(effect);
            break;
          case 'schedule':
            timers.set(
              effect.key,
              scheduler.schedule(() => {
                timers.delete(effect.key);
                if (fired(state, effect.key, scheduler.now())) pump();
              }, effect.delayMs),
            );
            break;
          case 'cancel':
            timers.get(effect.key)?.unsubscribe();
            timers.delete(effect.key);
            break;
          case 'abort':
            running.get(effect.key)?.abort.abort(effect.reason);
            break;
          case 'emit':
            subscriber.next(effect.result);
            break;
          case 'drop':
            options.onError?.(new WorkDroppedError(effect.key, effect.attempts, effect.error, effect.reason));
            break;
          case 'stopped':
            draining?.resolve(effect.report);
            break;
          case 'complete':
            subscriber.complete();
            break;
        }
      };

      /** Ends an attempt once with its outcome: frees the worker and refills the workers. */
      const settle = (entry: InFlight, outcome: Outcome): void => {
        if (entry.ended) return;
        entry.ended = true;
        entry.timeout?.unsubscribe();
        const { key } = entry.ticket;
        try {
          perform(done(state, entry.ticket, outcome, scheduler.now()));
        } finally {
          if (running.get(key) === entry) running.delete(key);
          // Even if the user's onError throws, the freed worker takes the next key.
          pump();
        }
      };

      /** The timeout ended the attempt first: abort, fail it, cut an Observable reconcile. */
      const timeOut = (entry: InFlight): void => {
        if (entry.ended) return;
        entry.ended = true;
        const { key } = entry.ticket;
        try {
          perform(timedOut(state, entry.ticket, scheduler.now()));
        } finally {
          entry.work?.unsubscribe();
          if (running.get(key) === entry) running.delete(key);
          pump();
        }
      };

      /** Runs one reconcile; unsubscribe aborts its signal but does not cut it (it runs on unobserved). */
      const start = (ticket: Ticket): void => {
        const entry: InFlight = {
          ticket,
          abort: new ReconcileAbort(ticket.attempt),
          work: undefined,
          timeout: undefined,
          ended: false,
        };
        running.set(ticket.key, entry);
        let returned: ReconcileResult | ObservableInput<ReconcileResult>;
        try {
          returned = reconcile(ticket.key, entry.abort);
        } catch (error) {
          settle(entry, { ok: false, error });
          return;
        }
        const work = asynchronous(returned);
        if (!work) {
          settle(entry, { ok: true, value: returned as ReconcileResult });
          return;
        }
        let last: ReconcileResult;
        entry.work = work.subscribe({
          next: (value) => {
            last = value;
          },
          error: (error: unknown) => settle(entry, { ok: false, error }),
          complete: () => settle(entry, { ok: true, value: last }),
        });
        if (entry.ended) entry.work.unsubscribe();
        else if (ticket.timeoutMs !== undefined)
          entry.timeout = scheduler.schedule(() => timeOut(entry), ticket.timeoutMs);
      };

      /** Fills free workers; a loop, not recursion, so sync reconciles cannot overflow the stack. */
      function pump(): void {
        if (pumping) return;
        pumping = true;
        try {
          for (let next = take(state, scheduler.now()); next; next = take(state, scheduler.now()))
            start(next);
        } finally {
          pumping = false;
        }
        const complete = drained(state);
        if (complete) performOne(complete);
        const stopEffects = stopped(state);
        if (stopEffects) perform(stopEffects);
      }

      /** The handle's graceful stop: no new keys, signals aborted, complete when settled or at the deadline. */
      const stopRun = (deadlineMs: number): Promise<DrainReport> => {
        if (draining) return draining.promise;
        if (state.closed) return Promise.resolve({ ended: 'settled', abandoned: [], pending: [] });
        let resolve!: (report: DrainReport) => void;
        const promise = new Promise<DrainReport>((r) => {
          resolve = r;
        });
        draining = { promise, resolve };
        input?.unsubscribe();
        try {
          perform(stop(state));
        } finally {
          // A reconcile that ended at once on its abort may have completed the queue already.
          if (!state.closed)
            deadline = scheduler.schedule(() => perform(expire(state)), Math.max(0, deadlineMs));
          pump();
        }
        return promise;
      };
      const detach = options.handle ? attachRun(options.handle, { stop: stopRun }) : undefined;

      input = keys.subscribe({
        next: (key) => {
          if (add(state, key, scheduler.now())) pump();
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          perform(drain(state));
          pump();
        },
      });
      if (state.shutdown || state.closed) input.unsubscribe();

      return () => {
        detach?.();
        deadline?.unsubscribe();
        const effects = close(state);
        input?.unsubscribe();
        try {
          perform(effects);
        } finally {
          // Nobody observes the reconciles left running: their timeouts would only keep timers alive.
          for (const entry of running.values()) entry.timeout?.unsubscribe();
        }
      };
    });
}
