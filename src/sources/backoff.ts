/**
 * Jittered exponential backoff with a healthy-reset, as client-go's reflector uses
 * (`NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0)`): each failure doubles the base
 * delay up to the cap, the actual delay adds up to `jitter x base` at random, and a failure that
 * comes more than `resetAfterMs` after the previous one starts again from the initial delay.
 */

export interface BackoffOptions {
  /** First delay. Default 800 ms. */
  initialMs: number;
  /** Multiplier per consecutive failure. Default 2. */
  factor: number;
  /** Cap of the base delay. Default 30 s. */
  maxMs: number;
  /** Random extra as a fraction of the base: the delay is in [base, base x (1 + jitter)). Default 1. */
  jitter: number;
  /** A failure this long after the previous one counts as the first again. Default 2 min. */
  resetAfterMs: number;
}

/**
 * client-go's reflector backoff: 800 ms doubling to 30 s, up to +100 % jitter, reset after
 * 2 minutes without failures.
 */
export const defaultBackoff: BackoffOptions = Object.freeze({
  initialMs: 800,
  factor: 2,
  maxMs: 30_000,
  jitter: 1,
  resetAfterMs: 120_000,
});

/** Mutable backoff state for one list-watch subscription. */
export class Backoff {
  private attempt = 0;
  private lastFailureAt: number | undefined;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number,
  ) {}

  /** The delay before the next retry, counting this failure at time `now`. */
  next(now: number): number {
    if (this.lastFailureAt !== undefined && now - this.lastFailureAt >= this.options.resetAfterMs)
      this.attempt = 0;
    this.lastFailureAt = now;
    const { initialMs, factor, maxMs, jitter } = this.options;
    const base = Math.min(initialMs * factor ** this.attempt, maxMs);
    this.attempt++;
    return Math.floor(base * (1 + jitter * this.random()));
  }
}
