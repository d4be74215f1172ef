/**
 * What a reconcile receives besides its key: an `AbortSignal` the work queue aborts when the
 * reconcile should stop (controller-runtime's `ctx`, kube-rs's cancelled future), and which
 * attempt this is.
 *
 * The `AbortController` behind the signal is created only when the reconcile reads `signal`: most
 * reconciles of a large queue never do, and an `AbortController` per reconcile would be most of
 * the queue's cost per key.
 */

/** The second argument of a work queue's reconcile (the third of a controller's). */
export interface ReconcileContext {
  /**
   * Aborted when the reconcile's `timeoutMs` passes (reason: a `ReconcileTimeoutError`) or when its
   * queue shuts down, by unsubscribe or drain (reason: a `WorkQueueShutdownError`). Pass it on to
   * requests (`fetch(url, { signal })`) so they stop with the queue.
   */
  readonly signal: AbortSignal;
  /** 1 for the first attempt since the key was last forgotten by the rate limiter. */
  readonly attempt: number;
}

/**
 * One reconcile's context as the work queue holds it: the {@link ReconcileContext} handed to the
 * reconcile, plus the abort side. One object per reconcile, its signal made on first read.
 */
export class ReconcileAbort implements ReconcileContext {
  private controller: AbortController | undefined;
  private aborted: { readonly reason: unknown } | undefined;

  constructor(readonly attempt: number) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.aborted.reason);
    }
    return this.controller.signal;
  }

  /** Aborts the signal with `reason`, now or (if it was never read) when it is first read. Once only. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = { reason };
    this.controller?.abort(reason);
  }
}
