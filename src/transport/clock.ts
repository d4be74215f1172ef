/**
 * The transport's clock: the time used to read an HTTP-date `Retry-After`, and the waits of the
 * client-side rate limit and of retries. Injected (`KubeClientOptions.clock`) so tests can check
 * what the transport waits for without waiting. The idle watchdog does not use it: it guards a
 * real socket, which only exists in real time.
 */

/** Wall-clock time and abortable sleeps. */
export interface TransportClock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /**
   * Resolves after `ms`; rejects with `signal.reason` as soon as `signal` aborts (at once if it
   * already has).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `Date.now()` and `setTimeout`.
 *
 * @example
 * ```ts
 * await realClock.sleep(1000, AbortSignal.timeout(5000));
 * ```
 */
export const realClock: TransportClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
