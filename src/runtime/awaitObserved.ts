/**
 * `awaitObserved`: read-your-own-writes for a cache. A write returns the object the API server
 * stored; an informer learns of it only when the watch event arrives, a moment (or, with a slow
 * watch, much) later. Reading the cache in between shows the state before the write, and a
 * controller that acts on it repeats or undoes its own work (controller-runtime's open
 * "stale cache after update" issues). This waits until the cache holds the write's
 * resourceVersion, or something newer, for the key.
 *
 * "Newer" compares resourceVersions as integers when both are decimal strings (every etcd-backed
 * API server); otherwise only the exact version counts (see `resourceVersionAtLeast`): they are
 * documented as opaque.
 */
import {
  asyncScheduler,
  first,
  firstValueFrom,
  map,
  type Observable,
  type SchedulerLike,
  timeout,
} from 'rxjs';
import { resourceVersionAtLeast } from '../api/resourceVersion.js';
import { KubeRxError } from '../core/errors.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';

/** What {@link awaitObserved} reads: an informer's snapshots (any `Informer` is one). */
export interface ObservableCache<T extends KubeObject = KubeObject> {
  readonly store$: Observable<{
    /** The resourceVersion of the last list, event or bookmark the cache applied. */
    readonly resourceVersion: string;
    /** The cached object of `key`. */
    get(key: string): DeepReadonly<T> | undefined;
  }>;
}

/** Options of {@link awaitObserved}. */
export interface AwaitObservedOptions {
  /** Give up after this long (on the scheduler). Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Scheduler of the timeout. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** The cache did not reach the resourceVersion in time: its watch is slow, stuck or restarting. */
export class ObservationTimeoutError extends KubeRxError {
  override readonly name = 'ObservationTimeoutError';
  constructor(
    readonly key: string,
    readonly resourceVersion: string,
    readonly timeoutMs: number,
  ) {
    super(`the cache did not observe ${key} at resourceVersion ${resourceVersion} within ${timeoutMs} ms`);
  }
}

/**
 * Whether a snapshot reflects a write of `key` at `resourceVersion`: the cached object is at
 * least that version, or the whole cache has moved past it (then the object was deleted, or
 * changed again, after the write: the cache is not older than the write either way).
 */
export function hasObserved(
  snapshot: { readonly resourceVersion: string; get(key: string): KubeObject | undefined },
  key: string,
  resourceVersion: string,
): boolean {
  return (
    resourceVersionAtLeast(snapshot.get(key)?.metadata?.resourceVersion, resourceVersion) ||
    resourceVersionAtLeast(snapshot.resourceVersion, resourceVersion)
  );
}

/**
 * Resolves with the cached object (undefined if it was deleted since) once the informer's cache
 * reflects `resourceVersion` for `key`; rejects with {@link ObservationTimeoutError} after
 * `timeoutMs`. Subscribes the informer's store while it waits (starting it if it was not running).
 *
 * @example
 * ```ts
 * const written = await patchWith(client, resources.configMaps, cm, (d) => { d.data = { a: '1' }; });
 * await awaitObserved(configMaps, 'default/cfg', resourceVersionOf(written));
 * configMaps.snapshot().get('default/cfg'); // has data.a === '1', or something newer
 * ```
 */
export function awaitObserved<T extends KubeObject>(
  informer: ObservableCache<T>,
  key: string,
  resourceVersion: string,
  options: AwaitObservedOptions = {},
): Promise<DeepReadonly<T> | undefined> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return firstValueFrom<DeepReadonly<T> | undefined>(
    informer.store$.pipe(
      first((snapshot) => hasObserved(snapshot, key, resourceVersion)),
      map((snapshot): DeepReadonly<T> | undefined => snapshot.get(key)),
      timeout<DeepReadonly<T> | undefined, never>({
        first: timeoutMs,
        scheduler: options.scheduler ?? asyncScheduler,
        with: () => {
          throw new ObservationTimeoutError(key, resourceVersion, timeoutMs);
        },
      }),
    ),
  );
}
