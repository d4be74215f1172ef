/**
 * The client-side request rate limit: a token bucket per client, like client-go's
 * `flowcontrol.NewTokenBucketRateLimiter(QPS, Burst)` that every `rest.Config` gets (defaults
 * QPS 5, burst 10). Each request takes a token before it is sent: a list page, a write, each retry,
 * and a watch once when it starts (its stream then runs for minutes without counting). When the
 * bucket is empty the request waits for its turn, in order, so a loop that fails fast (a broken
 * server, a misconfigured backoff) cannot turn into a request storm against the API server.
 */
import type { TransportClock } from './clock.js';

/**
 * Client-side rate limit of one client (`KubeClientOptions.rateLimit`).
 *
 * @example
 * ```ts
 * kubeClient(kc, { rateLimit: { qps: 20, burst: 40 } }); // a busy controller
 * kubeClient(kc, { rateLimit: false });                  // no client-side limit
 * ```
 */
export interface RequestRateLimit {
  /** Sustained requests per second. Default 5 (client-go's `DefaultQPS`). */
  readonly qps?: number;
  /** Requests allowed at once after a quiet period. Default 10 (client-go's `DefaultBurst`). */
  readonly burst?: number;
}

/** Waits until a request may be sent; rejects with `signal.reason` when `signal` aborts. */
export type Throttle = (signal?: AbortSignal) => Promise<void>;

export const DEFAULT_QPS = 5;
export const DEFAULT_BURST = 10;

/** A throttle that never waits. */
export const unthrottled: Throttle = async () => {};

/**
 * A token bucket holding `burst` tokens, refilled at `qps` per second. A request takes a token
 * now if there is one; otherwise it reserves the next one and sleeps until it is due, so waiting
 * requests go in the order they came. An aborted wait gives its token back.
 *
 * @example
 * ```ts
 * const throttle = requestThrottle({ qps: 5, burst: 10 }, realClock);
 * await throttle(signal); // then send
 * ```
 */
export function requestThrottle(limit: RequestRateLimit, clock: TransportClock): Throttle {
  const qps = limit.qps ?? DEFAULT_QPS;
  const burst = Math.floor(limit.burst ?? DEFAULT_BURST);
  if (!(qps > 0)) throw new RangeError(`rateLimit.qps must be a positive number, not ${qps}`);
  if (!(burst >= 1)) throw new RangeError(`rateLimit.burst must be at least 1, not ${limit.burst}`);
  if (qps === Number.POSITIVE_INFINITY) return unthrottled;
  let tokens = burst;
  let last = clock.now();
  return async (signal) => {
    const now = clock.now();
    // A clock that steps back adds nothing; it never takes tokens away either.
    tokens = Math.min(burst, tokens + (Math.max(0, now - last) * qps) / 1000);
    last = now;
    tokens -= 1;
    if (tokens >= 0) return;
    try {
      await clock.sleep((-tokens * 1000) / qps, signal);
    } catch (error) {
      tokens += 1;
      throw error;
    }
  };
}
