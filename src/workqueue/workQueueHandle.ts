/**
 * A handle to stop running work queues gracefully, for a manager's shutdown (controller-runtime
 * stops its controllers by cancelling their context and waiting up to a graceful-shutdown
 * timeout). Pass the same handle as the `handle` option of `workQueue` or `controller`; `drain`
 * then stops every queue subscribed with it: no new key is taken, the signals of running
 * reconciles are aborted, and the promise resolves once they ended or the deadline passed, naming
 * the keys abandoned and the keys that never ran. Unsubscribing stays the hard stop: it does not
 * wait at all.
 */
import type { DrainReport } from './queueState.js';

/** Options of {@link WorkQueueHandle.drain}. */
export interface DrainOptions {
  /** How long to wait for running reconciles, on each queue's scheduler. Default 30 000 ms. */
  readonly deadlineMs?: number;
}

/** Stops the work queues subscribed with it; see {@link workQueueHandle}. */
export interface WorkQueueHandle {
  /**
   * Stops every queue subscribed with this handle and resolves when each one's running reconciles
   * ended or its deadline passed (each queue's output then completes). Resolves at once when no
   * queue runs; rejects only if an `onError` callback throws while the queues stop. Called again while queues are stopping, it waits for the same stops.
   */
  drain(options?: DrainOptions): Promise<DrainReport>;
  /** How many queues are subscribed with this handle now. */
  readonly running: number;
}

/** A subscribed work queue as its handle sees it. */
export interface DrainableRun {
  /** Stops the run; resolves with its report. */
  stop(deadlineMs: number): Promise<DrainReport>;
}

const DEFAULT_DEADLINE_MS = 30_000;

const runsOf = new WeakMap<WorkQueueHandle, Set<DrainableRun>>();

/** Combines the reports of several queues: the worst ending wins, keys are listed together. */
function merge(reports: readonly DrainReport[]): DrainReport {
  const rank = { settled: 0, unsubscribed: 1, deadline: 2 } as const;
  return {
    ended: reports.reduce<DrainReport['ended']>(
      (worst, r) => (rank[r.ended] > rank[worst] ? r.ended : worst),
      'settled',
    ),
    abandoned: reports.flatMap((r) => r.abandoned),
    pending: reports.flatMap((r) => r.pending),
  };
}

/**
 * A new handle, to pass as the `handle` option of one or more work queues or controllers.
 *
 * @example
 * ```ts
 * const queues = workQueueHandle();
 * const running = controller({ for: deployments, reconcile, handle: queues }).subscribe();
 * process.once('SIGTERM', async () => {
 *   const report = await queues.drain({ deadlineMs: 30_000 });
 *   if (report.abandoned.length > 0) console.warn('still running:', report.abandoned);
 *   running.unsubscribe();
 * });
 * ```
 */
export function workQueueHandle(): WorkQueueHandle {
  const runs = new Set<DrainableRun>();
  const handle: WorkQueueHandle = {
    async drain(options = {}) {
      const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
      return merge(await Promise.all([...runs].map((run) => run.stop(deadlineMs))));
    },
    get running() {
      return runs.size;
    },
  };
  runsOf.set(handle, runs);
  return handle;
}

/** Registers a subscribed queue with its handle; returns the function that removes it. */
export function attachRun(handle: WorkQueueHandle, run: DrainableRun): () => void {
  const runs = runsOf.get(handle);
  if (!runs) throw new TypeError('the handle option takes a handle made by workQueueHandle()');
  runs.add(run);
  return () => void runs.delete(run);
}
