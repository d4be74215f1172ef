/**
 * `finalizer`: kube-rs's `kube::runtime::finalizer`, on top of {@link ensureFinalizer} and
 * {@link removeFinalizer}. A reconcile that owns external state hands the object to it with two
 * functions: `apply` runs while the object lives, with the finalizer guaranteed to be on it first
 * (so a deletion can never skip the cleanup); `cleanup` runs once the object is being deleted and,
 * when it succeeds, the finalizer is removed and the deletion completes. A failing `cleanup` keeps
 * the finalizer: the next reconcile tries again. `cleanup` must be idempotent; it may run more
 * than once (a crash between it and the removal).
 */
import type { KubeClient } from '../core/client.js';
import { KubeRxError } from '../core/errors.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import { ensureFinalizer, isBeingDeleted, removeFinalizer } from './finalizers.js';

/** What the object needs now. */
export interface FinalizerHandlers<T, R> {
  /** The object lives and carries the finalizer: reconcile it. */
  readonly apply: (object: DeepReadonly<T>) => R | Promise<R>;
  /** The object is being deleted and still carries the finalizer: release what it owns. */
  readonly cleanup: (object: DeepReadonly<T>) => R | Promise<R>;
}

/** Which step of {@link finalizer} failed; `cause` is the original error (a `TerminalError` stays one). */
export class FinalizerError extends KubeRxError {
  override readonly name = 'FinalizerError';
  constructor(
    readonly phase: 'addFinalizer' | 'apply' | 'cleanup' | 'removeFinalizer',
    readonly finalizerName: string,
    cause: unknown,
  ) {
    super(
      `finalizer ${finalizerName}: ${phase} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

async function step<R>(phase: FinalizerError['phase'], name: string, run: () => R | Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (error) {
    throw new FinalizerError(phase, name, error);
  }
}

/**
 * Runs `apply` or `cleanup` for `object` with finalizer `name` managed around them. Resolves with
 * their result, or `undefined` when the object is being deleted and the finalizer is gone already
 * (nothing of ours left to clean up).
 *
 * @example
 * ```ts
 * reconcile: async (key, snapshot) => {
 *   const website = snapshot.get(key);
 *   if (!website) return;
 *   return finalizer(client, websites, 'web.kube-rx.example/cleanup', website, {
 *     apply: async (w) => { await publish(w); },
 *     cleanup: async (w) => { await unpublish(w); },
 *   });
 * }
 * ```
 */
export async function finalizer<T extends KubeObject, R>(
  client: KubeClient,
  resource: ResourceType<T>,
  name: string,
  object: T | DeepReadonly<T>,
  handlers: FinalizerHandlers<T, R>,
): Promise<R | undefined> {
  const present = object.metadata?.finalizers?.includes(name) ?? false;
  if (isBeingDeleted(object as KubeObject)) {
    if (!present) return undefined;
    const result = await step('cleanup', name, () => handlers.cleanup(object as DeepReadonly<T>));
    await step('removeFinalizer', name, () => removeFinalizer(client, resource, object, name));
    return result;
  }
  // The finalizer goes on before anything external exists, so no deletion can miss the cleanup.
  const current = present
    ? (object as DeepReadonly<T>)
    : await step('addFinalizer', name, () => ensureFinalizer(client, resource, object, name));
  return step('apply', name, () => handlers.apply(current));
}
