/**
 * The Reflector's failure rules as one decision: given a failed phase, what it leads to (retry
 * after backoff, relist, fall back to paginated lists, or error the stream), reported through
 * `onError`. The rules themselves are written in the header of `listWatch.ts`; this is their code.
 */
import { type Observable, of, throwError } from 'rxjs';
import {
  isPersistentFailure,
  isResourceExpired,
  isStatusError,
  isUnrecoverable,
  isUnsupported,
} from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import type { ListWatchErrorContext } from './listWatchOptions.js';
import { relistDelay, retryDelay } from './pacing.js';
import { type ReflectorContext, type ReflectorState, report, type Step } from './reflectorContext.js';
import type { RelistReason } from './reflectorEvents.js';

/** The state a relist starts in: a paginated or a streaming list; `reason` unless it is the first. */
export function relistState<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  reason?: RelistReason,
): ReflectorState {
  const phase = ctx.listMode === 'paginated' ? 'list' : 'streamingList';
  return reason === undefined ? { phase } : { phase, reason };
}

/**
 * `resume` after `delayMs`, because of `error`. Always through a timer, even for 0: a client that
 * fails synchronously then cannot turn the retry loop into a synchronous one.
 */
function after(delayMs: number, resume: ReflectorState, error: unknown): Step<never> {
  return { next: { phase: 'backoff', delayMs, resume }, error };
}

/** Reports `error` and relists after `delayMs`, for `reason`. */
function relistAfter<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  error: unknown,
  delayMs: number,
  reason: RelistReason,
) {
  report(ctx, error, { phase: 'watch', relist: true, ...(delayMs > 0 ? { retryInMs: delayMs } : {}) });
  return of(after(delayMs, relistState(ctx, reason), error));
}

/** A list to try again after it failed: a relist for `listFailed` unless it has a reason already. */
function retried(state: ReflectorState): ReflectorState {
  if ((state.phase === 'list' || state.phase === 'streamingList') && state.reason === undefined)
    return { ...state, reason: 'listFailed' };
  return state;
}

/** Watch failures that count towards `watchFailuresBeforeRelist` (the others have their own rule). */
function countsAsStuck(error: unknown): boolean {
  return !(isStatusError(error) && error.code === 429) && !isPersistentFailure(error);
}

/** Decides what a failed phase leads to, and reports it. Errors the stream for fatal errors. */
export function afterFailure<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  error: unknown,
  phase: ListWatchErrorContext['phase'],
  retry: ReflectorState,
): Observable<Step<T>> {
  if (isUnrecoverable(error)) return throwError(() => error);
  if (phase === 'streamingList' && isUnsupported(error)) {
    if (ctx.listMode === 'streaming') report(ctx, error, { phase, relist: true });
    ctx.listMode = 'paginated';
    return of({ next: { phase: 'list', reason: 'fallback' }, error });
  }
  if (phase === 'watch' && isStatusError(error) && error.code === 400) {
    // The resourceVersion is rejected: relist. Rejected again from a fresh list: a bad request.
    const fresh = !ctx.progressSinceList;
    if (fresh && ctx.watchRejectedAfterList) return throwError(() => error);
    ctx.watchRejectedAfterList = fresh;
    return relistAfter(ctx, error, relistDelay(ctx, error, false), 'rejected');
  }
  if (isPersistentFailure(error)) {
    ctx.persistentFailures++;
    if (ctx.persistentFailures >= ctx.limits.maxPersistentFailures) return throwError(() => error);
  }
  if (phase === 'watch' && isResourceExpired(error))
    return relistAfter(ctx, error, relistDelay(ctx, error, ctx.progressSinceList), 'expired');
  if (phase === 'watch' && countsAsStuck(error)) {
    ctx.watchFailuresWithoutProgress++;
    if (ctx.watchFailuresWithoutProgress >= ctx.limits.watchFailuresBeforeRelist)
      return relistAfter(ctx, error, relistDelay(ctx, error, false), 'stuck');
  }
  const delayMs = retryDelay(ctx, error);
  report(ctx, error, { phase, relist: retry.phase !== 'watch', retryInMs: delayMs });
  return of(after(delayMs, retried(retry), error));
}
