/**
 * Pacing: how long the Reflector waits before its next request, so that no server behaviour can
 * make it loop (issue 14's relist and watch storms) and a server that asks for a pause gets it.
 *
 * client-go's reflector waits for its backoff manager (800 ms doubling to 30 s, jittered, reset
 * after 2 min) before every relist, backs off after a failed watch request, and restarts a watch
 * that delivered anything (a bookmark included) at once; `minWatchTimeout` (5 min) only sets the
 * server-side timeout. kube-rx keeps the same backoff and adds three floors:
 * - a relist waits for the backoff, and at least `minRelistIntervalMs` after the previous list
 *   ended, unless it follows a 410 on a watch that made progress for that long (a compaction
 *   after a healthy watch relists at once);
 * - a watch restart after a clean close waits until `minWatchDurationMs` has passed since the
 *   watch started (a watch without progress in that time is a `ShortWatchError`: backoff);
 * - any retry waits at least the server's `Retry-After`, up to `maxRetryAfterMs`.
 */
import { isStatusError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import type { ReflectorContext } from './reflectorContext.js';

/** The pause a `StatusError`'s `Retry-After` asks for, capped at `maxMs`; 0 without one. */
export function retryAfterMs(error: unknown, maxMs: number): number {
  if (!isStatusError(error)) return 0;
  const seconds: unknown = error.retryAfterSeconds;
  if (typeof seconds !== 'number' || !(seconds > 0)) return 0;
  return Math.min(Math.ceil(seconds * 1000), maxMs);
}

/** The delay before retrying after `error`: the next backoff delay or the server's Retry-After. */
export function retryDelay<T extends KubeObject>(ctx: ReflectorContext<T>, error: unknown): number {
  const backoff = ctx.backoff.next(ctx.scheduler.now());
  return Math.max(backoff, retryAfterMs(error, ctx.limits.maxRetryAfterMs));
}

/**
 * The delay before a relist caused by `error`. `atOnce`: the watch made progress, so only the floor
 * (and Retry-After) apply; otherwise the backoff does too.
 */
export function relistDelay<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  error: unknown,
  atOnce: boolean,
): number {
  const sinceList =
    ctx.listedAt === undefined ? Number.POSITIVE_INFINITY : ctx.scheduler.now() - ctx.listedAt;
  const floor = Math.max(0, ctx.limits.minRelistIntervalMs - sinceList);
  if (atOnce && floor === 0) return retryAfterMs(error, ctx.limits.maxRetryAfterMs);
  return Math.max(retryDelay(ctx, error), floor);
}

/** How long to wait before restarting a watch that started at `startedAt` and closed cleanly. */
export function watchRestartDelay<T extends KubeObject>(ctx: ReflectorContext<T>, startedAt: number): number {
  return Math.max(0, ctx.limits.minWatchDurationMs - (ctx.scheduler.now() - startedAt));
}
