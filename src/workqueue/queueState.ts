/**
 * The work queue's state and its transitions: client-go's `workqueue.Type` with its delaying
 * (`AddAfter`) and rate-limiting (`AddRateLimited`) layers, as data plus functions that the
 * `workQueue` operator interprets. No RxJS here: a test drives the queue by calling them.
 *
 * A key's lifecycle:
 *
 * ```
 *         add                      take (a worker is free)                done: success, dropped
 * absent ──────> dirty, queued ──────────────────────────> processing ──────────────────────> absent
 *                  ^      ^                                 │      │
 *                  │      └──── done, if re-added meanwhile ┘      │ done: retry, requeue, requeueAfter
 *                  │            (re-added while processing:        │
 *                  │            dirty, not queued)                 v
 *                  └──────────── timer fired: add ───────────── waiting ──drain (re-checks), close──> absent
 *
 * processing ──timedOut──> done as a failure     queued, waiting ──stop──> absent (pending)
 * ```
 *
 * One rule per event; each transition changes the state in place and returns the effects the
 * interpreter performs, in order:
 * - `add`: a key that is not dirty becomes dirty and joins the back of the queue, unless a worker
 *   holds it (then it is queued when that worker is done). A dirty key: nothing (dedupe).
 * - `take`: while fewer than `concurrency` keys are processing, the oldest queued key moves to
 *   processing and stops being dirty. Effect: `reconcile` it.
 * - `done`: the key leaves processing (and is queued again if it became dirty meanwhile).
 *   Success forgets its failures; `{ requeueAfter }` forgets them and waits that long;
 *   `{ requeue: true }` waits the rate limiter's delay without forgetting. A failure: a
 *   `TerminalError` is forgotten and `drop`ped at once; otherwise the `errorPolicy` (default
 *   `retry`) decides: `retry` waits the rate limiter's delay or, past `maxRetries`, is forgotten
 *   and `drop`ped; `drop` drops; `{ requeueAfter }` counts the failure and waits that long.
 *   Effects: timers, `drop`, then `emit` the result (not after close).
 * - waiting (`AddAfter`): one timer per key, the earliest due time wins; a later request is
 *   absorbed by the pending one (which becomes a retry if the request was one). A delay <= 0 is
 *   a plain `add`. When the timer fires (`fired`), the key is added.
 * - `drain` (the keys completed, `ShutDownWithDrain`): `requeueAfter` re-checks are cancelled and
 *   no longer scheduled; queued keys, in-flight work and retries go on. `drained` then says
 *   `complete` once nothing is queued, processing or waiting.
 * - `timedOut` (a reconcile ran past `timeoutMs`): its signal is aborted and the attempt is `done`
 *   as a failure with a `ReconcileTimeoutError`; whatever the reconcile ends with later is ignored.
 * - `stop` (a drain with a deadline: the manager's graceful shutdown): nothing is added or taken any
 *   more; queued, re-added and waiting keys are given up (`pending`) and their timers cancelled;
 *   the signals of in-flight reconciles are aborted, and their results are still emitted (the
 *   retries they ask for are not scheduled). `stopped` completes once none is in flight; `expire`
 *   (the deadline passed) completes at once and names the keys still in flight (`abandoned`).
 * - `close` (unsubscribed, or completed): nothing is added, taken or emitted any more; every timer
 *   is cancelled. Reconciles in flight get their signals aborted and run on unobserved (the queue
 *   does not wait for them); a `stop` under way ends as `unsubscribed`.
 *
 * The state is mutable: it holds sets and maps sized by the number of keys, and copying them per
 * event would make every event O(n). These transitions are the only code that changes it.
 */
import { decideFailure, type ErrorPolicy } from './errorPolicy.js';
import { KeyQueue } from './keyQueue.js';
import type { RateLimiter } from './rateLimiters.js';
import { ReconcileTimeoutError, WorkQueueShutdownError } from './reconcileErrors.js';

/** What a reconcile may return: nothing (done), or a request to run again later. */
export type ReconcileResult =
  // biome-ignore lint/suspicious/noConfusingVoidType: `void` lets plain `async (key) => { ... }` reconciles type-check.
  void | undefined | { readonly requeueAfter?: number; readonly requeue?: boolean };

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

/** One ended reconcile attempt, as controller-runtime's reconcile metrics count it. */
export interface ReconcileReport {
  /** The reconciled key. */
  readonly key: string;
  /**
   * controller-runtime's `result` label: `success`, `error` (any failure: retried, dropped,
   * terminal or timed out), `requeue` (`{ requeue: true }`) or `requeue_after` (`{ requeueAfter }`).
   */
  readonly result: 'success' | 'error' | 'requeue' | 'requeue_after';
  /** The failure was a `TerminalError` (not retried). */
  readonly terminal: boolean;
  /** The attempt was ended by the queue's `timeoutMs`. */
  readonly timedOut: boolean;
  /** Virtual (scheduler) time the attempt took. */
  readonly durationMs: number;
}

/** Hooks for reconcile metrics (see `prometheusControllerMetrics`), alongside the queue's. */
export interface ReconcileMetrics {
  /** The queue started with this many workers (controller-runtime `max_concurrent_reconciles`). */
  workers(concurrency: number): void;
  /** Reconciles running now, after each change (controller-runtime `active_workers`). */
  activeWorkers(count: number): void;
  /** An attempt ended; also after unsubscribe, when its result is no longer emitted. */
  reconciled(report: ReconcileReport): void;
}

/**
 * How a drain (`stop`) ended, for the manager's shutdown report.
 */
export interface DrainReport {
  /**
   * `settled`: every in-flight reconcile ended; `deadline`: the deadline passed first;
   * `unsubscribed`: the subscriber left first.
   */
  readonly ended: 'settled' | 'deadline' | 'unsubscribed';
  /** Keys whose reconciles were still running at the end: their signals aborted, they run on unobserved. */
  readonly abandoned: readonly string[];
  /** Keys that were queued, re-added while running, or due for a retry or re-check, and will not run. */
  readonly pending: readonly string[];
}

/** A pending delayed add of one key. */
interface Waiting {
  /** Scheduler time at which the key is added. */
  readonly due: number;
  /** Set when a retry of a failure depends on it: a drain keeps it (it drops re-checks only). */
  retry: boolean;
}

/** The queue's state. Every invariant below holds between transitions. */
export interface QueueState {
  /**
   * Keys that need a reconcile (client-go `dirty`). Every dirty key is in `queue` or in
   * `processing`, never in both; adding a dirty key again changes nothing (dedupe).
   */
  readonly dirty: Set<string>;
  /**
   * Dirty keys no worker holds, oldest first, each at most once (client-go `queue`). A key in
   * `queue` is in `dirty` and never in `processing`.
   */
  readonly queue: KeyQueue;
  /** When each queued key joined `queue` (scheduler ms), for the queue-latency metric. */
  readonly queuedAt: Map<string, number>;
  /**
   * Keys a worker holds and when it took them (client-go `processing`). At most `concurrency`
   * keys; a key here is never taken again until its worker is `done`.
   */
  readonly processing: Map<string, number>;
  /** Delayed adds, at most one per key; each has exactly one timer in the interpreter. */
  readonly waiting: Map<string, Waiting>;
  /**
   * The keys completed: no `requeueAfter` re-check waits or is scheduled any more. Once `queue`,
   * `processing` and `waiting` are empty, the queue completes.
   */
  draining: boolean;
  /**
   * Set by `stop`, with the keys it gave up: nothing is added or taken, `queue`, `dirty` and
   * `waiting` stay empty; the queue completes once `processing` is empty or the deadline passed.
   */
  shutdown: { readonly pending: readonly string[] } | undefined;
  /** Completed or unsubscribed, for good: nothing is added, taken or emitted; `waiting` is empty. */
  closed: boolean;
  /** Workers: the most keys processing at once, at least 1. */
  readonly concurrency: number;
  /** Failed attempts after which a key is dropped; `undefined`: retry forever. */
  readonly maxRetries: number | undefined;
  /** Per-reconcile time limit in ms; `undefined`: none. */
  readonly timeoutMs: number | undefined;
  /** Decides what a failure leads to; `undefined`: retry (bounded by `maxRetries`). */
  readonly errorPolicy: ErrorPolicy | undefined;
  /** Per-key failure counts and delays (client-go's rate-limiting queue); forgotten on success, requeueAfter and drop. */
  readonly limiter: RateLimiter;
  readonly metrics: WorkQueueMetrics | undefined;
  readonly reconcileMetrics: ReconcileMetrics | undefined;
}

/** A worker's ticket: the key it reconciles, handed back to `done`. */
export interface Ticket {
  readonly type: 'reconcile';
  readonly key: string;
  /** 1 + the key's failures counted by the rate limiter when the worker took it. */
  readonly attempt: number;
  /** Scheduler time the worker took the key. */
  readonly startedAt: number;
  /** When set, the interpreter calls `timedOut` this many ms after `startedAt` unless the reconcile ended. */
  readonly timeoutMs?: number;
}

/** Start a timer that calls `fired(key)` after `delayMs`. */
export interface Schedule {
  readonly type: 'schedule';
  readonly key: string;
  readonly delayMs: number;
}

/** Cancel the timer of `key`. */
export interface Cancel {
  readonly type: 'cancel';
  readonly key: string;
}

/** Deliver a result downstream. */
export interface Emit {
  readonly type: 'emit';
  readonly result: WorkResult;
}

/** Why a key was dropped: past `maxRetries`, a `TerminalError`, or the error policy said `drop`. */
export type DropReason = 'maxRetries' | 'terminal' | 'errorPolicy';

/** Report a key given up after a failure (a `WorkDroppedError` for `onError`). */
export interface Drop {
  readonly type: 'drop';
  readonly key: string;
  readonly attempts: number;
  readonly error: unknown;
  readonly reason: DropReason;
}

/** Abort the signal of the reconcile running for `key`, with `reason`. */
export interface Abort {
  readonly type: 'abort';
  readonly key: string;
  readonly reason: unknown;
}

/** A `stop` ended: resolve the drain with this report. */
export interface Stopped {
  readonly type: 'stopped';
  readonly report: DrainReport;
}

/** Complete the output. */
export interface Complete {
  readonly type: 'complete';
}

/** Everything a transition may ask the interpreter to do. */
export type QueueEffect = Ticket | Schedule | Cancel | Emit | Drop | Abort | Stopped | Complete;

/**
 * What a reconcile ended with: its last value, or the error it threw or errored with (`timedOut`
 * when the queue's timeout ended it).
 */
export type Outcome =
  | { readonly ok: true; readonly value: ReconcileResult }
  | { readonly ok: false; readonly error: unknown; readonly timedOut?: boolean };

/** Settings of a queue. */
export interface QueueConfig {
  readonly concurrency?: number;
  readonly maxRetries?: number;
  readonly timeoutMs?: number;
  readonly errorPolicy?: ErrorPolicy;
  readonly limiter: RateLimiter;
  readonly metrics?: WorkQueueMetrics;
  readonly reconcileMetrics?: ReconcileMetrics;
}

/** An empty, open queue. */
export function createQueueState(config: QueueConfig): QueueState {
  const concurrency = Math.max(1, config.concurrency ?? 1);
  const timeoutMs = config.timeoutMs;
  config.reconcileMetrics?.workers(concurrency);
  config.reconcileMetrics?.activeWorkers(0);
  return {
    dirty: new Set(),
    queue: new KeyQueue(),
    queuedAt: new Map(),
    processing: new Map(),
    waiting: new Map(),
    draining: false,
    shutdown: undefined,
    closed: false,
    concurrency,
    maxRetries: config.maxRetries,
    timeoutMs: timeoutMs !== undefined && timeoutMs > 0 && Number.isFinite(timeoutMs) ? timeoutMs : undefined,
    errorPolicy: config.errorPolicy,
    limiter: config.limiter,
    metrics: config.metrics,
    reconcileMetrics: config.reconcileMetrics,
  };
}

/** Puts a dirty key no worker holds at the back of the queue. */
function enqueue(state: QueueState, key: string, now: number): void {
  state.queue.push(key);
  state.queuedAt.set(key, now);
  state.metrics?.depth(state.queue.length);
}

/**
 * client-go `Add`. Returns true when the key joined the queue, so a free worker may take it;
 * false when it was already dirty, is being processed (it is queued when its worker is done),
 * or the queue is stopping or closed.
 */
export function add(state: QueueState, key: string, now: number): boolean {
  if (state.closed || state.shutdown || state.dirty.has(key)) return false;
  state.metrics?.added(key);
  state.dirty.add(key);
  if (state.processing.has(key)) return false;
  enqueue(state, key, now);
  return true;
}

/** The timer of a delayed add fired: the key is added now (see {@link add} for the result). */
export function fired(state: QueueState, key: string, now: number): boolean {
  state.waiting.delete(key);
  return add(state, key, now);
}

/**
 * client-go `AddAfter`, keeping the earliest pending time per key. `retry` marks a failure's
 * retry, which a drain keeps; other delayed adds are re-checks, which a drain drops.
 */
function addAfter(
  state: QueueState,
  key: string,
  delayMs: number,
  retry: boolean,
  now: number,
  effects: QueueEffect[],
): void {
  if (state.closed || state.shutdown || (state.draining && !retry)) return;
  if (delayMs <= 0) {
    add(state, key, now);
    return;
  }
  const due = now + delayMs;
  const pending = state.waiting.get(key);
  if (pending && pending.due <= due) {
    // The earlier pending add stands in for this one: if this one is a retry, so is it now.
    if (retry) pending.retry = true;
    return;
  }
  if (pending) effects.push({ type: 'cancel', key });
  effects.push({ type: 'schedule', key, delayMs });
  state.waiting.set(key, { due, retry: retry || pending?.retry === true });
}

/**
 * client-go `Get` for a free worker: the oldest queued key, now processing, as the ticket to
 * reconcile it; `undefined` when every worker is busy, nothing is queued, or the queue is
 * stopping or closed.
 */
export function take(state: QueueState, now: number): Ticket | undefined {
  if (state.closed || state.shutdown || state.processing.size >= state.concurrency) return undefined;
  const key = state.queue.shift();
  if (key === undefined) return undefined;
  state.dirty.delete(key);
  state.metrics?.queueLatency((now - (state.queuedAt.get(key) ?? now)) / 1000);
  state.queuedAt.delete(key);
  state.processing.set(key, now);
  state.metrics?.processing(state.processing);
  state.reconcileMetrics?.activeWorkers(state.processing.size);
  const attempt = state.limiter.numRequeues(key) + 1;
  state.metrics?.depth(state.queue.length);
  const ticket: Ticket = { type: 'reconcile', key, attempt, startedAt: now };
  return state.timeoutMs === undefined ? ticket : { ...ticket, timeoutMs: state.timeoutMs };
}

/** A ticket's result without `key` and `durationMs`, plus its controller-runtime `result` label. */
interface Judgement {
  readonly result: Omit<WorkResult, 'key' | 'durationMs'>;
  readonly label: ReconcileReport['result'];
  readonly terminal?: boolean;
}

/** Decides what a ticket's outcome leads to; pushes the timers and reports it needs. */
function judge(
  state: QueueState,
  ticket: Ticket,
  outcome: Outcome,
  now: number,
  effects: QueueEffect[],
): Judgement {
  const { key, attempt } = ticket;
  const { limiter } = state;
  if (outcome.ok) {
    const value = outcome.value && typeof outcome.value === 'object' ? outcome.value : undefined;
    if (value?.requeueAfter !== undefined && value.requeueAfter > 0) {
      limiter.forget(key);
      addAfter(state, key, value.requeueAfter, false, now, effects);
      return {
        result: { outcome: 'requeued', attempt, delayMs: value.requeueAfter },
        label: 'requeue_after',
      };
    }
    if (value?.requeue) {
      // controller-runtime's `Requeue: true` is AddRateLimited without Forget: repeated requeues
      // back off like failures do.
      const delayMs = limiter.when(key, now);
      addAfter(state, key, delayMs, false, now, effects);
      return { result: { outcome: 'requeued', attempt, delayMs }, label: 'requeue' };
    }
    limiter.forget(key);
    return { result: { outcome: 'success', attempt }, label: 'success' };
  }
  const { error } = outcome;
  const drop = (reason: DropReason): Judgement => {
    limiter.forget(key);
    effects.push({ type: 'drop', key, attempts: attempt, error, reason });
    return {
      result: { outcome: 'dropped', attempt, error },
      label: 'error',
      terminal: reason === 'terminal',
    };
  };
  const decision = decideFailure(state.errorPolicy, error, key, attempt);
  switch (decision.type) {
    case 'terminal':
      return drop('terminal');
    case 'drop':
      return drop('errorPolicy');
    case 'requeueAfter': {
      // The policy sets the delay; the limiter still counts the failure, so `attempt` grows.
      limiter.when(key, now);
      state.metrics?.retried(key);
      addAfter(state, key, decision.delayMs, true, now, effects);
      return { result: { outcome: 'retry', attempt, error, delayMs: decision.delayMs }, label: 'error' };
    }
    case 'retry':
      break;
  }
  if (state.maxRetries !== undefined && attempt > state.maxRetries) return drop('maxRetries');
  const delayMs = limiter.when(key, now);
  state.metrics?.retried(key);
  addAfter(state, key, delayMs, true, now, effects);
  return { result: { outcome: 'retry', attempt, error, delayMs }, label: 'error' };
}

/**
 * client-go `Done` (with `Forget` / `AddRateLimited` / `AddAfter` as the outcome asks): frees the
 * ticket's worker and returns the timers to change, a `drop` report, and the result to `emit`.
 */
export function done(state: QueueState, ticket: Ticket, outcome: Outcome, now: number): QueueEffect[] {
  const { key } = ticket;
  // A ticket that is no longer the key's current one (a timeout ended its attempt) changes nothing.
  if (state.processing.get(key) !== ticket.startedAt) return [];
  const effects: QueueEffect[] = [];
  const { result, label, terminal = false } = judge(state, ticket, outcome, now, effects);
  const durationMs = now - ticket.startedAt;
  state.metrics?.workDuration(durationMs / 1000);
  const timedOut = !outcome.ok && outcome.timedOut === true;
  state.reconcileMetrics?.reconciled({ key, result: label, terminal, timedOut, durationMs });
  state.processing.delete(key);
  state.metrics?.processing(state.processing);
  state.reconcileMetrics?.activeWorkers(state.processing.size);
  if (state.dirty.has(key)) enqueue(state, key, now);
  if (!state.closed) effects.push({ type: 'emit', result: { key, durationMs, ...result } });
  return effects;
}

/**
 * The ticket's reconcile ran for `timeoutMs`: aborts its signal and ends the attempt as a failure
 * with a {@link ReconcileTimeoutError} (retried like any failure). The reconcile's own ending, if
 * it comes, is ignored: `done` with this ticket changes nothing.
 */
export function timedOut(state: QueueState, ticket: Ticket, now: number): QueueEffect[] {
  if (state.processing.get(ticket.key) !== ticket.startedAt) return [];
  const error = new ReconcileTimeoutError(ticket.key, ticket.timeoutMs ?? now - ticket.startedAt);
  return [
    { type: 'abort', key: ticket.key, reason: error },
    ...done(state, ticket, { ok: false, error, timedOut: true }, now),
  ];
}

/** The keys completed (`ShutDownWithDrain`): cancels the re-checks, keeps the retries. */
export function drain(state: QueueState): Cancel[] {
  state.draining = true;
  const effects: Cancel[] = [];
  for (const [key, pending] of state.waiting) {
    if (pending.retry) continue;
    state.waiting.delete(key);
    effects.push({ type: 'cancel', key });
  }
  return effects;
}

/** A draining queue with nothing queued, processing or waiting completes (and closes). */
export function drained(state: QueueState): Complete | undefined {
  if (!state.draining || state.shutdown || state.closed) return undefined;
  if (state.queue.length > 0 || state.processing.size > 0 || state.waiting.size > 0) return undefined;
  state.closed = true;
  return { type: 'complete' };
}

/**
 * A drain with a deadline (the manager's graceful shutdown): stops adding and taking keys, gives up
 * the queued, re-added and waiting ones (cancelling their timers) and aborts the signal of every
 * reconcile in flight. The queue then completes through {@link stopped} or {@link expire}.
 */
export function stop(state: QueueState): QueueEffect[] {
  if (state.closed || state.shutdown) return [];
  const pending = new Set(state.dirty);
  for (const key of state.waiting.keys()) pending.add(key);
  state.shutdown = { pending: [...pending] };
  const effects: QueueEffect[] = [];
  for (const key of state.waiting.keys()) effects.push({ type: 'cancel', key });
  state.waiting.clear();
  state.dirty.clear();
  state.queue.clear();
  state.queuedAt.clear();
  state.metrics?.depth(0);
  const reason = new WorkQueueShutdownError();
  for (const key of state.processing.keys()) effects.push({ type: 'abort', key, reason });
  return effects;
}

/** A stopping queue with no reconcile in flight completes (and closes): every key settled. */
export function stopped(state: QueueState): QueueEffect[] | undefined {
  if (!state.shutdown || state.closed || state.processing.size > 0) return undefined;
  state.closed = true;
  const report: DrainReport = { ended: 'settled', abandoned: [], pending: state.shutdown.pending };
  return [{ type: 'stopped', report }, { type: 'complete' }];
}

/** The drain's deadline passed: completes at once, abandoning the reconciles still in flight. */
export function expire(state: QueueState): QueueEffect[] {
  if (!state.shutdown || state.closed) return [];
  state.closed = true;
  const report: DrainReport = {
    ended: 'deadline',
    abandoned: [...state.processing.keys()],
    pending: state.shutdown.pending,
  };
  return [{ type: 'stopped', report }, { type: 'complete' }];
}

/**
 * Unsubscribed: closes the queue for good, cancels every timer and aborts the signals of the
 * reconciles in flight (which run on unobserved); a `stop` under way ends as `unsubscribed`.
 */
export function close(state: QueueState): QueueEffect[] {
  const effects: QueueEffect[] = [];
  for (const key of state.waiting.keys()) effects.push({ type: 'cancel', key });
  state.waiting.clear();
  if (state.closed) return effects;
  state.closed = true;
  const inFlight = [...state.processing.keys()];
  if (state.shutdown) {
    // `stop` already aborted them.
    const report: DrainReport = {
      ended: 'unsubscribed',
      abandoned: inFlight,
      pending: state.shutdown.pending,
    };
    effects.push({ type: 'stopped', report });
    return effects;
  }
  const reason = new WorkQueueShutdownError();
  for (const key of inFlight) effects.push({ type: 'abort', key, reason });
  return effects;
}
