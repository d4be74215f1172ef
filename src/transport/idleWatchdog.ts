/**
 * A resettable inactivity timer for real I/O. Half-open TCP connections deliver nothing and
 * report nothing, so the only way to notice them is to expect bytes within a deadline. This runs
 * on Node's `setTimeout` (not an RxJS scheduler): it guards a socket, which exists only in real
 * time, and `Timeout.refresh()` makes the per-chunk reset cheap.
 */

/** A running watchdog: `kick` on activity, `stop` when the request is over. */
export interface IdleWatchdog {
  kick(): void;
  stop(): void;
}

/** setTimeout overflows above 2^31-1 ms (and then fires after 1 ms); longer means "never". */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Calls `onIdle` once if `kick` is not called for `idleMs`. `idleMs` of 0, a negative number,
 * NaN or more than ~24.8 days disables it.
 *
 * @example
 * ```ts
 * const dog = idleWatchdog(30_000, () => request.destroy());
 * response.on('data', () => dog.kick());
 * response.on('close', () => dog.stop());
 * ```
 */
export function idleWatchdog(idleMs: number, onIdle: () => void): IdleWatchdog {
  if (!(idleMs > 0 && idleMs <= MAX_TIMEOUT_MS)) return { kick() {}, stop() {} };
  let active = true;
  const timer = setTimeout(() => {
    active = false;
    onIdle();
  }, idleMs);
  // The guarded socket keeps the process alive while it is open; the timer alone must not.
  timer.unref();
  return {
    kick() {
      // refresh() would re-arm a timer that has already fired.
      if (active) timer.refresh();
    },
    stop() {
      active = false;
      clearTimeout(timer);
    },
  };
}
