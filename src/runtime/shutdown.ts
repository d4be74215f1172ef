/**
 * How a manager is told to stop, and how it says it stopped. Two triggers besides a fatal error:
 * SIGTERM/SIGINT (what a kubelet sends at the start of the termination grace period, and Ctrl-C),
 * listened to with `once` and only when asked, because a library must not take over a process's
 * signals; and an `AbortSignal`, for tests and for programs that own their signals. The first
 * trigger wins and removes the others' listeners, so a second SIGTERM or Ctrl-C during the drain
 * gets Node's default (the process dies), as controller-runtime exits on a second signal.
 */

/** The signals a manager stops on. */
export type StopSignal = 'SIGTERM' | 'SIGINT';

/** Why a manager stopped. */
export type StopCause =
  | { readonly reason: 'signal'; readonly signal: StopSignal }
  | { readonly reason: 'abort' }
  | { readonly reason: 'error'; readonly error: unknown };

/** How a manager stopped: what `start()` resolves with. */
export interface StopResult {
  /** `signal` (SIGTERM/SIGINT), `abort` (the `signal` option) or `error` (a fatal failure). */
  readonly reason: StopCause['reason'];
  /** The signal, when `reason` is `signal`. */
  readonly signal?: StopSignal;
  /** The error, when `reason` is `error`. */
  readonly error?: unknown;
  /** Every running reconcile ended before the drain deadline (true when none was running). */
  readonly drained: boolean;
  /** Keys whose reconciles still ran at the deadline (their signals were aborted). */
  readonly abandoned: readonly string[];
  /** Keys that were queued or waiting for a retry, and did not run. */
  readonly pending: readonly string[];
  /** It held the Lease when it stopped (always false without leader election). */
  readonly heldLease: boolean;
  /** It held the Lease and handed it back, so a successor takes over at its next attempt. */
  readonly leaseReleased: boolean;
}

/** Where signals come from: `process`, or any emitter in tests. */
export interface SignalSource {
  /** Calls `listener` on the next `signal` only. */
  once(signal: StopSignal, listener: () => void): unknown;
  /** Removes a listener. */
  off(signal: StopSignal, listener: () => void): unknown;
}

/** When a manager stops besides a fatal error: signals, an AbortSignal. */
export interface StopTriggerOptions {
  /** Listen for SIGTERM and SIGINT. */
  readonly handleSignals?: boolean;
  /** Where they come from. Default `process`. */
  readonly signalSource?: SignalSource;
  /** Stop when it aborts (at once if it already has). */
  readonly signal?: AbortSignal;
}

const SIGNALS: readonly StopSignal[] = ['SIGTERM', 'SIGINT'];

/**
 * Calls `stop` once, on the first trigger; returns the function that removes every listener (call
 * it when stopping for another reason).
 */
export function stopTriggers(options: StopTriggerOptions, stop: (cause: StopCause) => void): () => void {
  const source = options.signalSource ?? process;
  const listeners = new Map<StopSignal, () => void>();
  let fired = false;
  const dispose = () => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
    listeners.clear();
    options.signal?.removeEventListener('abort', onAbort);
  };
  const fire = (cause: StopCause) => {
    if (fired) return;
    fired = true;
    dispose();
    stop(cause);
  };
  const onAbort = () => fire({ reason: 'abort' });
  if (options.handleSignals)
    for (const signal of SIGNALS) {
      const listener = () => fire({ reason: 'signal', signal });
      listeners.set(signal, listener);
      source.once(signal, listener);
    }
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return dispose;
}

/**
 * The process exit code for a stop: 0 when it was asked to stop and every reconcile ended in
 * time, 1 after a fatal error or a drain cut short by its deadline (as controller-runtime's
 * manager returns an error when its runnables outlive the graceful shutdown timeout).
 */
export function exitCodeOf(result: StopResult): number {
  return result.reason !== 'error' && result.drained ? 0 : 1;
}

/** One line that says how a manager stopped, e.g. `stopped on SIGTERM: drained, Lease released`. */
export function describeStop(result: StopResult): string {
  const why =
    result.reason === 'signal'
      ? `on ${result.signal}`
      : result.reason === 'abort'
        ? 'on abort'
        : `after an error: ${result.error instanceof Error ? result.error.message : String(result.error)}`;
  const drain = result.drained
    ? 'drained'
    : `drain deadline passed with ${result.abandoned.length} reconcile(s) running (${result.abandoned.join(', ')})`;
  const pending = result.pending.length > 0 ? `, ${result.pending.length} key(s) left queued` : '';
  const lease = result.leaseReleased
    ? ', Lease released'
    : result.heldLease
      ? ', Lease NOT released (a successor waits for it to expire)'
      : '';
  return `stopped ${why}: ${drain}${pending}${lease}`;
}
