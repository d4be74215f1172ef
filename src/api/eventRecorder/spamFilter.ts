/**
 * client-go's `EventSourceObjectSpamFilter`: one token bucket per event source and regarding
 * object, so one object in a hot loop cannot flood the API server with Events. Defaults are
 * client-go's: a burst of 25 and one token back every 5 minutes.
 */

/** Token bucket settings of the spam filter. */
export interface SpamFilterOptions {
  /** Events an object may get at once. Default 25. */
  readonly burst?: number;
  /** Milliseconds per token refilled. Default 300 000 (1 per 5 minutes). */
  readonly refillEveryMs?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Per-key token buckets on a clock; `allow(key, now)` takes a token or says no. */
export class SpamFilter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly refillEveryMs: number;

  constructor(options: SpamFilterOptions = {}) {
    this.burst = options.burst ?? 25;
    this.refillEveryMs = options.refillEveryMs ?? 300_000;
  }

  allow(key: string, now: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / this.refillEveryMs);
    bucket.at = now;
    // A full bucket is the default state: forget it, so the map holds only objects that spoke lately.
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    if (bucket.tokens >= this.burst) this.buckets.delete(key);
    else this.buckets.set(key, bucket);
    return allowed;
  }
}
