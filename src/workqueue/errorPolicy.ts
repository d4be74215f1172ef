/**
 * The error policy: what the work queue does with a failed reconcile, decided by the user, like
 * kube-rs's `error_policy(object, error, ctx) -> Action`. Without one, every failure is retried
 * after the rate limiter's delay until `maxRetries` (client-go's `AddRateLimited`).
 */
import { isTerminalError } from './reconcileErrors.js';

/**
 * What to do with a failed attempt: `retry` (after the rate limiter's delay, subject to
 * `maxRetries`), `drop` (forget the key until it is added again, reported), or wait a fixed
 * `requeueAfter` ms (the failure still counts towards the key's `attempt`).
 */
export type ErrorAction = 'retry' | 'drop' | { readonly requeueAfter: number };

/**
 * Decides the {@link ErrorAction} for a failed attempt (not for a `TerminalError`, which is never
 * retried). `attempt` is 1 for the first failure since the key was last forgotten. A policy that
 * throws or returns something else counts as `retry`.
 *
 * @example
 * ```ts
 * const errorPolicy: ErrorPolicy = (error, _key, attempt) =>
 *   isStatusError(error) && error.code === 404 ? 'drop' : attempt < 3 ? 'retry' : { requeueAfter: 60_000 };
 * ```
 */
export type ErrorPolicy = (error: unknown, key: string, attempt: number) => ErrorAction;

/** What the queue does with a failure: the policy's action, or `terminal` for a `TerminalError`. */
export type FailureDecision =
  | { readonly type: 'terminal' }
  | { readonly type: 'retry' }
  | { readonly type: 'drop' }
  | { readonly type: 'requeueAfter'; readonly delayMs: number };

/** Reads the policy's answer defensively: it is user code, run inside a queue transition. */
export function decideFailure(
  policy: ErrorPolicy | undefined,
  error: unknown,
  key: string,
  attempt: number,
): FailureDecision {
  if (isTerminalError(error)) return { type: 'terminal' };
  if (!policy) return { type: 'retry' };
  let action: unknown;
  try {
    action = policy(error, key, attempt);
  } catch {
    return { type: 'retry' };
  }
  if (action === 'drop') return { type: 'drop' };
  if (action && typeof action === 'object') {
    const delayMs = (action as { requeueAfter?: unknown }).requeueAfter;
    if (typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)
      return { type: 'requeueAfter', delayMs };
  }
  return { type: 'retry' };
}
