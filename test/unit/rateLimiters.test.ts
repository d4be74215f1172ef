import { describe, expect, it } from 'vitest';
import {
  defaultControllerRateLimiter,
  exponentialFailure,
  maxOf,
  type RateLimiter,
  tokenBucket,
} from '../../src/index.js';

/** `count` calls of `when(key, now)`. */
const whens = (limiter: RateLimiter, count: number, key = 'k', now = 0) =>
  Array.from({ length: count }, () => limiter.when(key, now));

describe('exponentialFailure', () => {
  it('doubles from the base per failure and caps at the max', () => {
    expect(whens(exponentialFailure(10, 50), 6)).toEqual([10, 20, 40, 50, 50, 50]);
  });

  it('defaults to client-go: 5 ms doubling up to 1000 s', () => {
    const delays = whens(exponentialFailure(), 21);
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    // 5 * 2^17 = 655 360 ms is the last uncapped delay
    expect(delays.slice(16)).toEqual([327_680, 655_360, 1_000_000, 1_000_000, 1_000_000]);
  });

  it('stays at the cap after thousands of failures (2^n overflows to Infinity, never NaN)', () => {
    const limiter = exponentialFailure(5, 60_000);
    const delays = whens(limiter, 2_000);
    expect(delays.at(-1)).toBe(60_000);
    expect(delays.every((d) => Number.isFinite(d) && d <= 60_000)).toBe(true);
    expect(limiter.numRequeues('k')).toBe(2_000);
  });

  it('counts requeues per key, and forget resets only that key', () => {
    const limiter = exponentialFailure(1, 1_000);
    expect(limiter.numRequeues('a')).toBe(0);
    expect(whens(limiter, 3, 'a')).toEqual([1, 2, 4]);
    expect(whens(limiter, 1, 'b')).toEqual([1]);
    expect([limiter.numRequeues('a'), limiter.numRequeues('b')]).toEqual([3, 1]);
    limiter.forget('a');
    expect([limiter.numRequeues('a'), limiter.numRequeues('b')]).toEqual([0, 1]);
    expect(limiter.when('a', 0)).toBe(1);
    expect(limiter.when('b', 0)).toBe(2);
    // forgetting an unknown key is harmless
    limiter.forget('zzz');
    expect(limiter.numRequeues('zzz')).toBe(0);
  });

  it('ignores the time: the delay depends only on the failure count', () => {
    const limiter = exponentialFailure(3, 100);
    expect([limiter.when('k', 0), limiter.when('k', 1e9), limiter.when('k', 5)]).toEqual([3, 6, 12]);
  });
});

describe('tokenBucket', () => {
  it('lets a burst through at once, then spaces requeues 1000/qps ms apart', () => {
    const limiter = tokenBucket(10, 3);
    expect(whens(limiter, 6, 'k', 0)).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('is one bucket for all keys and counts no per-key requeues', () => {
    const limiter = tokenBucket(10, 2);
    expect([limiter.when('a', 0), limiter.when('b', 0), limiter.when('c', 0)]).toEqual([0, 0, 100]);
    expect(limiter.numRequeues('a')).toBe(0);
    limiter.forget('c');
    expect(limiter.when('c', 0)).toBe(200);
  });

  it('refills qps tokens per second of the given `now`', () => {
    const limiter = tokenBucket(10, 1);
    expect(limiter.when('k', 0)).toBe(0); // 1 -> 0 tokens
    expect(limiter.when('k', 50)).toBe(50); // +0.5 -> -0.5: half a token away
    expect(limiter.when('k', 50)).toBe(150); // -1.5
    expect(limiter.when('k', 300)).toBe(0); // +2.5 -> 1 -> 0
  });

  it('caps the refill at the burst, however long it was idle', () => {
    const limiter = tokenBucket(10, 2);
    expect(whens(limiter, 3, 'k', 0)).toEqual([0, 0, 100]);
    // an hour later the bucket holds 2 tokens, not 36 000
    expect(whens(limiter, 3, 'k', 3_600_000)).toEqual([0, 0, 100]);
  });

  it('starts full whatever the first `now` is', () => {
    expect(whens(tokenBucket(1, 2), 3, 'k', 1e12)).toEqual([0, 0, 1000]);
  });

  it('rounds a fractional wait up to a whole ms', () => {
    // 3 qps: a token every 333.3 ms
    expect(whens(tokenBucket(3, 1), 3)).toEqual([0, 334, 667]);
  });

  it('defaults to client-go: 10 qps, burst 100', () => {
    const delays = whens(tokenBucket(), 102);
    expect(delays.slice(0, 100).every((d) => d === 0)).toBe(true);
    expect(delays.slice(100)).toEqual([100, 200]);
  });
});

describe('maxOf', () => {
  it('returns the largest delay, and every limiter counts the requeue', () => {
    const exp = exponentialFailure(5, 1_000);
    const bucket = tokenBucket(1, 2);
    const limiter = maxOf(exp, bucket);
    expect(whens(limiter, 3, 'k', 0)).toEqual([5, 10, 1_000]);
    expect(exp.numRequeues('k')).toBe(3);
    // the bucket was drained by the same three calls: it now owes 1 token
    expect(bucket.when('other', 0)).toBe(2_000);
  });

  it('reports the largest numRequeues and forgets in every limiter', () => {
    const a = exponentialFailure(1, 100);
    const b = exponentialFailure(1, 100);
    whens(a, 2, 'k');
    const limiter = maxOf(b, a);
    expect(limiter.numRequeues('k')).toBe(2);
    expect(limiter.when('k', 0)).toBe(4); // b: 1, a: 4
    expect([a.numRequeues('k'), b.numRequeues('k')]).toEqual([3, 1]);
    limiter.forget('k');
    expect([a.numRequeues('k'), b.numRequeues('k'), limiter.numRequeues('k')]).toEqual([0, 0, 0]);
  });

  it('of no limiters never waits', () => {
    const limiter = maxOf();
    expect(whens(limiter, 3)).toEqual([0, 0, 0]);
    expect(limiter.numRequeues('k')).toBe(0);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('backs a key off 5 ms doubling to 1000 s, and forget starts it over', () => {
    const limiter = defaultControllerRateLimiter();
    // spread over time so the bucket never runs dry
    const delays = Array.from({ length: 21 }, (_, i) => limiter.when('k', i * 1_000_000));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(delays.slice(17)).toEqual([655_360, 1_000_000, 1_000_000, 1_000_000]);
    expect(limiter.numRequeues('k')).toBe(21);
    limiter.forget('k');
    expect(limiter.numRequeues('k')).toBe(0);
    expect(limiter.when('k', 30_000_000)).toBe(5);
  });

  it('limits all keys together to 10 qps after a burst of 100', () => {
    const limiter = defaultControllerRateLimiter();
    const delays = Array.from({ length: 102 }, (_, i) => limiter.when(`k${i}`, 0));
    expect(delays.slice(0, 100).every((d) => d === 5)).toBe(true);
    expect(delays.slice(100)).toEqual([100, 200]);
  });

  it('returns independent limiters', () => {
    const one = defaultControllerRateLimiter();
    const two = defaultControllerRateLimiter();
    whens(one, 3);
    expect(two.numRequeues('k')).toBe(0);
    expect(two.when('k', 0)).toBe(5);
  });
});
