/**
 * Rate limiters for `workQueue`, with client-go's semantics (`util/workqueue`): a limiter says how
 * long a key waits before its next attempt (`when`), counts its failures (`numRequeues`) and
 * forgets it after a success (`forget`). Time comes from the caller (the queue's scheduler).
 */

export interface RateLimiter {
  /** Delay in ms before `key` may be retried; counts one more requeue. */
  when(key: string, now: number): number;
  /** Stops tracking `key` (after a success or a drop). */
  forget(key: string): void;
  /** How many times `key` has been requeued since it was last forgotten. */
  numRequeues(key: string): number;
}

/**
 * Per-key exponential backoff: `baseMs x 2^failures`, capped at `maxMs`
 * (client-go's `ItemExponentialFailureRateLimiter`, default 5 ms to 1000 s).
 *
 * @example
 * ```ts
 * workQueue(reconcile, { rateLimiter: exponentialFailure(100, 60_000) });
 * ```
 */
export function exponentialFailure(baseMs = 5, maxMs = 1_000_000): RateLimiter {
  const failures = new Map<string, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      return Math.min(baseMs * 2 ** n, maxMs);
    },
    forget: (key) => void failures.delete(key),
    numRequeues: (key) => failures.get(key) ?? 0,
  };
}

/**
 * An overall token bucket: `qps` tokens per second, at most `burst` saved up; every requeue takes
 * one, waiting for it when the bucket is empty (client-go's `BucketRateLimiter`, 10 qps burst 100).
 * It limits retry storms across all keys and does not count per-key failures.
 *
 * @example
 * ```ts
 * const limiter = tokenBucket(1, 2); // 1 retry per second overall, bursts of 2
 * [limiter.when('a', 0), limiter.when('b', 0), limiter.when('c', 0)]; // [0, 0, 1000]
 * ```
 */
export function tokenBucket(qps = 10, burst = 100): RateLimiter {
  let tokens = burst;
  let last: number | undefined;
  return {
    when(_key, now) {
      if (last !== undefined) tokens = Math.min(burst, tokens + ((now - last) * qps) / 1000);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / qps);
    },
    forget: () => undefined,
    numRequeues: () => 0,
  };
}

/**
 * The slowest of several limiters decides (client-go's `MaxOfRateLimiter`).
 *
 * @example
 * ```ts
 * workQueue(reconcile, { rateLimiter: maxOf(exponentialFailure(10, 60_000), tokenBucket(50, 300)) });
 * ```
 */
export function maxOf(...limiters: RateLimiter[]): RateLimiter {
  return {
    when: (key, now) => limiters.reduce((max, l) => Math.max(max, l.when(key, now)), 0),
    forget: (key) => {
      for (const l of limiters) l.forget(key);
    },
    numRequeues: (key) => limiters.reduce((max, l) => Math.max(max, l.numRequeues(key)), 0),
  };
}

/**
 * client-go's `DefaultControllerRateLimiter`: per-key 5 ms..1000 s backoff, overall 10 qps burst 100.
 *
 * @example
 * ```ts
 * workQueue(reconcile, { rateLimiter: defaultControllerRateLimiter(), maxRetries: 10 });
 * ```
 */
export function defaultControllerRateLimiter(): RateLimiter {
  return maxOf(exponentialFailure(5, 1_000_000), tokenBucket(10, 100));
}
