/**
 * Pacing: how long the Reflector waits before its next request, so that no server behaviour can
 * make it loop (issue 14's relist and watch storms) and a server that asks for a pause gets it.
 *
 * client-go's reflector waits for its backoff manager (800 ms doubling to 30 s, jittered, reset
 * after 2 min) before every relist, backs off after a failed watch request, and restarts a watch
 * that delivered anything (a bookmark included) at once; `minWatchTimeout` (5 min) only sets the
 * server-side timeout. kube-rx keeps the same backoff and adds three floors:
 * - relists: a 410 after a watch that made progress relists at once (a compaction after a healthy
 *   watch costs no wait), but only once in a row sooner than `minRelistIntervalMs` (the backoff's
 *   first delay, 800 ms) after the list it replaces; after that, and for every other relist, the
 *   backoff, and at least that interval after the previous list;
 * - watch restarts: a watch that closed cleanly within `minWatchDurationMs` (1 s) after progress is
 *   followed at once only once in a row; after that, the next starts that long after the previous
 *   one (a watch without progress in that time is a `ShortWatchError`: backoff);
 * - any retry waits at least the server's `Retry-After`, up to `maxRetryAfterMs`.
 * A quick relist or restart is allowed again once a list or a watch has lived out its interval.
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
 * The delay before a relist caused by `error`. `afterProgress`: a watch made progress since the
 * list, so the relist may come at once (see the header); otherwise the backoff applies.
 */
export function relistDelay<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  error: unknown,
  afterProgress: boolean,
): number {
  const sinceList =
    ctx.listedAt === undefined ? Number.POSITIVE_INFINITY : ctx.scheduler.now() - ctx.listedAt;
  const floor = Math.max(0, ctx.limits.minRelistIntervalMs - sinceList);
  if (floor === 0) ctx.quickRelistAllowed = true;
  if (afterProgress && (floor === 0 || ctx.quickRelistAllowed)) {
    if (floor > 0) ctx.quickRelistAllowed = false;
    return retryAfterMs(error, ctx.limits.maxRetryAfterMs);
  }
  return Math.max(retryDelay(ctx, error), floor);
}

/** How long to wait before restarting a watch that started at `startedAt`, made progress and closed cleanly. */
export function watchRestartDelay<T extends KubeObject>(ctx: ReflectorContext<T>, startedAt: number): number {
  const floor = Math.max(0, ctx.limits.minWatchDurationMs - (ctx.scheduler.now() - startedAt));
  if (floor === 0) {
    ctx.quickRewatchAllowed = true;
    return 0;
  }
  if (ctx.quickRewatchAllowed) {
    ctx.quickRewatchAllowed = false;
    return 0;
  }
  return floor;
}
