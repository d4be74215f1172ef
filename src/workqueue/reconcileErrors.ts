/**
 * The errors of the reconcile contract: one a reconcile throws to say "do not retry"
 * (controller-runtime's `reconcile.TerminalError`), and the two reasons the work queue aborts a
 * reconcile's `signal` with (its per-reconcile timeout fired; the queue is shutting down).
 */
import { KubeRxError } from '../core/errors.js';

/**
 * Thrown (or rejected, or errored) by a reconcile that cannot succeed by retrying, such as an
 * invalid spec: the work queue reports it (a `dropped` result and a `WorkDroppedError` whose
 * `reason` is `terminal`), counts it, forgets the key's failures and does not retry. A later add
 * of the key (the object changed) reconciles it again, like controller-runtime's `TerminalError`.
 * An error whose `cause` chain holds a `TerminalError` is terminal too.
 *
 * @example
 * ```ts
 * if (!isValidSpec(object)) throw new TerminalError(`${key}: spec.size must be positive`);
 * ```
 */
export class TerminalError extends KubeRxError {
  override readonly name: string = 'TerminalError';
}

/** Whether `error` is a {@link TerminalError} or wraps one in its `cause` chain (Go's `errors.Is`). */
export function isTerminalError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof TerminalError) return true;
    seen.add(e);
  }
  return false;
}

/**
 * A reconcile ran longer than the queue's `timeoutMs`: its `signal` is aborted with this error and
 * the attempt fails with it (retried with the rate limiter, counted as a timeout), like
 * controller-runtime's `ReconciliationTimeout`.
 */
export class ReconcileTimeoutError extends KubeRxError {
  override readonly name: string = 'ReconcileTimeoutError';
  constructor(
    /** The key whose reconcile timed out. */
    readonly key: string,
    /** The timeout it exceeded, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`reconcile of ${JSON.stringify(key)} timed out after ${timeoutMs} ms`);
  }
}

/**
 * The reason a running reconcile's `signal` is aborted when its work queue shuts down: the
 * subscriber left, or a drain (`WorkQueueHandle.drain`) stopped the queue.
 */
export class WorkQueueShutdownError extends KubeRxError {
  override readonly name: string = 'WorkQueueShutdownError';
  constructor() {
    super('the work queue is shutting down');
  }
}
