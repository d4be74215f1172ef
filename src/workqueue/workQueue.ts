/**
 * `workQueue`: client-go's rate-limited work queue as an operator from keys to results.
 *
 * The queue is a state machine over three sets, exactly as client-go's `workqueue.Type`:
 * - `dirty`: keys that need processing; adding a dirty key again is a no-op (dedupe);
 * - `queue`: dirty keys not being processed, in FIFO order;
 * - `processing`: keys a worker holds. A key is never handed to two workers: re-added while
 *   processing, it only becomes dirty and is queued again when its worker finishes.
 * Failures are retried after the rate limiter's delay (`AddRateLimited`) until `maxRetries`, then
 * dropped and reported. `{ requeueAfter }` schedules the key again (`AddAfter`). All delays run
 * on the injected scheduler. When the keys complete, the queue drains like `ShutDownWithDrain`:
 * queued keys, in-flight reconciles and pending retries finish (so `of('a').pipe(workQueue(f))`
 * completes only once `a` succeeded or was dropped), while `requeueAfter` re-checks are dropped;
 * then it completes. On unsubscribe nothing new starts and in-flight reconciles run to completion
 * unobserved.
 *
 * The state, its invariants, the key lifecycle and every decision live in `queueState.ts`; this
 * operator only interprets it: it feeds keys, timers and reconcile outcomes to the transitions
 * and performs the effects they return (start a reconcile, set or cancel a timer on the
 * scheduler, emit, report, complete).
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
import {
  add,
  close,
  createQueueState,
  done,
  drain,
  drained,
  fired,
  type Outcome,
  type QueueEffect,
  type ReconcileResult,
  type Ticket,
  take,
  type WorkQueueMetrics,
  type WorkResult,
} from './queueState.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rateLimiters.js';

export type { ReconcileResult, WorkQueueMetrics, WorkResult } from './queueState.js';

/** A reconcile function: sync, a Promise or an Observable (its last value counts). */
export type Reconcile = (key: string) => ReconcileResult | ObservableInput<ReconcileResult>;

/** Reported when a key exhausted `maxRetries`. */
export class WorkDroppedError extends KubeRxError {
  override readonly name: string = 'WorkDroppedError';
  constructor(
    readonly key: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(
      `dropping ${JSON.stringify(key)} after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/** Options of {@link workQueue}: client-go's queue settings. */
export interface WorkQueueOptions {
  /** Workers reconciling different keys at once. Default 1. */
  concurrency?: number;
  /** Default `defaultControllerRateLimiter()`. */
  rateLimiter?: RateLimiter;
  /** Failed attempts after which a key is dropped (and reported). Default: retry forever. */
  maxRetries?: number;
  /** Scheduler for delays and durations. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Receives a {@link WorkDroppedError} for each dropped key. */
  onError?: (error: WorkDroppedError) => void;
  metrics?: WorkQueueMetrics;
}

function toObservable(
  value: ReconcileResult | ObservableInput<ReconcileResult>,
): Observable<ReconcileResult> {
  if (value === undefined || value === null) return from([undefined]);
  if (isObservable(value) || typeof (value as PromiseLike<unknown>).then === 'function')
    return from(value as ObservableInput<ReconcileResult>);
  return from([value as ReconcileResult]);
}

/**
 * Reconciles keys with client-go work queue semantics.
 *
 * @example
 * ```ts
 * keys$.pipe(
 *   workQueue(async (key) => { await sync(key); }, { concurrency: 4, maxRetries: 5 }),
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
        limiter: options.rateLimiter ?? defaultControllerRateLimiter(),
        metrics: options.metrics,
      });
      /** The scheduler's timer for each key in `state.waiting`. */
      const timers = new Map<string, Subscription>();
      let pumping = false;

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
          case 'emit':
            subscriber.next(effect.result);
            break;
          case 'drop':
            options.onError?.(new WorkDroppedError(effect.key, effect.attempts, effect.error));
            break;
          case 'complete':
            subscriber.complete();
            break;
        }
      };

      /** Runs one reconcile and hands its outcome back to the state; it is not cut on unsubscribe (drain). */
      const start = (ticket: Ticket): void => {
        const settle = (outcome: Outcome) => {
          try {
            perform(done(state, ticket, outcome, scheduler.now()));
          } finally {
            // Even if the user's onError throws, the freed worker takes the next key.
            pump();
          }
        };
        let work: Observable<ReconcileResult>;
        try {
          work = toObservable(reconcile(ticket.key));
        } catch (error) {
          settle({ ok: false, error });
          return;
        }
        let last: ReconcileResult;
        work.subscribe({
          next: (value) => {
            last = value;
          },
          error: (error: unknown) => settle({ ok: false, error }),
          complete: () => settle({ ok: true, value: last }),
        });
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
        const end = drained(state);
        if (end) performOne(end);
      }

      const input = keys.subscribe({
        next: (key) => {
          if (add(state, key, scheduler.now())) pump();
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          perform(drain(state));
          pump();
        },
      });

      return () => {
        const cancels = close(state);
        input.unsubscribe();
        perform(cancels);
      };
    });
}
