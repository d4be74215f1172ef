/**
 * `resync`: client-go's periodic resync as a `merge` with a timer.
 *
 * After the first `REPLACE` (the cache is synced) a `RESYNC` event is injected every `periodMs`,
 * so `deltaFifo` re-delivers every cached object as a `Sync` delta and controllers get a chance to
 * correct drift. The timer runs on the given scheduler, so a 10-minute resync takes no time
 * under `TestScheduler`. A period of 0 (or less) disables it.
 */
import {
  asyncScheduler,
  connect,
  endWith,
  filter,
  ignoreElements,
  interval,
  type MonoTypeOperatorFunction,
  map,
  merge,
  type SchedulerLike,
  switchMap,
  take,
  takeUntil,
} from 'rxjs';
import type { ResyncEvent, WatchEvent } from '../core/events.js';

const RESYNC: ResyncEvent = Object.freeze({ type: 'RESYNC' });

/**
 * Injects `RESYNC` ticks every `periodMs` once the first list arrived.
 *
 * @example
 * ```ts
 * listWatch(client, resources.pods).pipe(resync(10 * 60_000), deltaFifo());
 * ```
 */
export function resync<T>(
  periodMs: number,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<WatchEvent<T>> {
  if (!(periodMs > 0)) return (source) => source;
  return connect((events) =>
    merge(
      events,
      events.pipe(
        filter((event) => event.type === 'REPLACE'),
        take(1),
        switchMap(() => interval(periodMs, scheduler)),
        map((): WatchEvent<T> => RESYNC),
        takeUntil(events.pipe(ignoreElements(), endWith(null))),
      ),
    ),
  );
}
