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
import { defaultControllerRateLimiter, type RateLimiter } from './rateLimiters.js';

/** What a reconcile may return: nothing (done), or a request to run again later. */
export type ReconcileResult =
  // biome-ignore lint/suspicious/noConfusingVoidType: `void` lets plain `async (key) => { ... }` reconciles type-check.
  void | undefined | { readonly requeueAfter?: number; readonly requeue?: boolean };

/** A reconcile function: sync, a Promise or an Observable (its last value counts). */
export type Reconcile = (key: string) => ReconcileResult | ObservableInput<ReconcileResult>;

/** The outcome of one reconcile attempt. */
export interface WorkResult {
  /** The reconciled key (`namespace/name`). */
  readonly key: string;
  /** `success`; `requeued` (asked to run again); `retry` (failed, will retry); `dropped` (failed, gave up). */
  readonly outcome: 'success' | 'requeued' | 'retry' | 'dropped';
  /** 1 for the first attempt since the key was last forgotten. */
  readonly attempt: number;
  /** What the reconcile threw or errored with, for `retry` and `dropped`. */
  readonly error?: unknown;
  /** Delay before the next attempt, for `requeued` and `retry`. */
  readonly delayMs?: number;
  /** Virtual (scheduler) time the reconcile took. */
  readonly durationMs: number;
}

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

/** Hooks for queue metrics (see `prometheusWorkQueueMetrics`). */
export interface WorkQueueMetrics {
  /** A key was added (client-go `adds_total`). */
  added(key: string): void;
  /** Queue length after a change (client-go `depth`). */
  depth(depth: number): void;
  /** Seconds a key waited in the queue before a worker took it. */
  queueLatency(seconds: number): void;
  /** Seconds a reconcile took. */
  workDuration(seconds: number): void;
  /** A failed key was scheduled for a retry (client-go `retries_total`). */
  retried(key: string): void;
  /** Keys being processed and since when (scheduler ms), for unfinished-work gauges. */
  processing(startTimes: ReadonlyMap<string, number>): void;
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

/**
 * The FIFO `queue` of keys. `Array#shift` copies the rest of a large array, which made a long queue
 * quadratic (200k queued keys took seconds); this one advances a head index and compacts rarely.
 */
class KeyQueue {
  private items: string[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(key: string): void {
    this.items.push(key);
  }

  shift(): string | undefined {
    const key = this.items[this.head];
    if (key === undefined) return undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }
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
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const scheduler = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics;

  return (keys) =>
    new Observable<WorkResult>((subscriber) => {
      const limiter = options.rateLimiter ?? defaultControllerRateLimiter();
      const dirty = new Set<string>();
      const queue = new KeyQueue();
      const queuedAt = new Map<string, number>();
      const processing = new Map<string, number>();
      const waiting = new Map<string, { due: number; timer: Subscription; retry: boolean }>();
      let draining = false;
      let closed = false;
      let pumping = false;

      const add = (key: string) => {
        if (closed || dirty.has(key)) return;
        metrics?.added(key);
        dirty.add(key);
        if (processing.has(key)) return;
        queue.push(key);
        queuedAt.set(key, scheduler.now());
        metrics?.depth(queue.length);
        pump();
      };

      /** client-go's AddAfter: keeps the earliest pending time per key. */
      const addAfter = (key: string, delayMs: number, retry: boolean) => {
        if (closed || (draining && !retry)) return;
        if (delayMs <= 0) return add(key);
        const due = scheduler.now() + delayMs;
        const pending = waiting.get(key);
        if (pending && pending.due <= due) {
          // The earlier pending add stands in for this one: if this one is a retry, so is it now
          // (a drain drops re-checks, not retries).
          if (retry) pending.retry = true;
          return;
        }
        pending?.timer.unsubscribe();
        const timer = scheduler.schedule(() => {
          waiting.delete(key);
          add(key);
        }, delayMs);
        waiting.set(key, { due, timer, retry: retry || pending?.retry === true });
      };

      const finish = (key: string, result: Omit<WorkResult, 'key' | 'durationMs'>, startedAt: number) => {
        const durationMs = scheduler.now() - startedAt;
        metrics?.workDuration(durationMs / 1000);
        processing.delete(key);
        metrics?.processing(processing);
        if (dirty.has(key)) {
          queue.push(key);
          queuedAt.set(key, scheduler.now());
          metrics?.depth(queue.length);
        }
        if (!closed) subscriber.next({ key, durationMs, ...result });
        pump();
      };

      const start = (key: string) => {
        dirty.delete(key);
        const startedAt = scheduler.now();
        metrics?.queueLatency((startedAt - (queuedAt.get(key) ?? startedAt)) / 1000);
        queuedAt.delete(key);
        processing.set(key, startedAt);
        metrics?.processing(processing);
        const attempt = limiter.numRequeues(key) + 1;
        let last: ReconcileResult;
        const onSuccess = () => {
          const result = last && typeof last === 'object' ? last : undefined;
          if (result?.requeueAfter !== undefined && result.requeueAfter > 0) {
            limiter.forget(key);
            addAfter(key, result.requeueAfter, false);
            finish(key, { outcome: 'requeued', attempt, delayMs: result.requeueAfter }, startedAt);
          } else if (result?.requeue) {
            // controller-runtime's `Requeue: true` is AddRateLimited without Forget: repeated
            // requeues back off like failures do.
            const delayMs = limiter.when(key, scheduler.now());
            addAfter(key, delayMs, false);
            finish(key, { outcome: 'requeued', attempt, delayMs }, startedAt);
          } else {
            limiter.forget(key);
            finish(key, { outcome: 'success', attempt }, startedAt);
          }
        };
        const onFailure = (error: unknown) => {
          if (options.maxRetries !== undefined && attempt > options.maxRetries) {
            limiter.forget(key);
            try {
              options.onError?.(new WorkDroppedError(key, attempt, error));
            } finally {
              // Even if the user's callback throws, the key must be freed or it stays wedged.
              finish(key, { outcome: 'dropped', attempt, error }, startedAt);
            }
            return;
          }
          const delayMs = limiter.when(key, scheduler.now());
          metrics?.retried(key);
          addAfter(key, delayMs, true);
          finish(key, { outcome: 'retry', attempt, error, delayMs }, startedAt);
        };
        let work: Observable<ReconcileResult>;
        try {
          work = toObservable(reconcile(key));
        } catch (error) {
          onFailure(error);
          return;
        }
        // Not tied to the subscriber: on unsubscribe, in-flight work drains instead of being cut.
        work.subscribe({
          next: (value) => {
            last = value;
          },
          error: onFailure,
          complete: onSuccess,
        });
      };

      /** Starts work while workers are free; a loop, not recursion, so sync reconciles cannot overflow the stack. */
      function pump(): void {
        if (pumping) return;
        pumping = true;
        try {
          while (!closed && processing.size < concurrency && queue.length > 0) {
            start(queue.shift() as string);
            metrics?.depth(queue.length);
          }
        } finally {
          pumping = false;
        }
        if (draining && !closed && queue.length === 0 && processing.size === 0 && waiting.size === 0) {
          closed = true;
          subscriber.complete();
        }
      }

      const input = keys.subscribe({
        next: add,
        error: (error) => subscriber.error(error),
        complete: () => {
          draining = true;
          for (const [key, pending] of waiting) {
            if (pending.retry) continue;
            pending.timer.unsubscribe();
            waiting.delete(key);
          }
          pump();
        },
      });

      return () => {
        closed = true;
        input.unsubscribe();
        for (const pending of waiting.values()) pending.timer.unsubscribe();
        waiting.clear();
      };
    });
}
