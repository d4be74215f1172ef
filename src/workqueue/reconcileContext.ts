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

/** The abort side of one reconcile's context, held by the work queue. */
export class ReconcileAbort {
  private controller: AbortController | undefined;
  private aborted: { readonly reason: unknown } | undefined;

  /** The context handed to the reconcile; `signal` is made on first read. */
  context(attempt: number): ReconcileContext {
    const self = this;
    return {
      attempt,
      get signal(): AbortSignal {
        return self.signal();
      },
    };
  }

  /** Aborts the signal with `reason`, now or (if it was never read) when it is first read. Once only. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = { reason };
    this.controller?.abort(reason);
  }

  private signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.aborted.reason);
    }
    return this.controller.signal;
  }
}
