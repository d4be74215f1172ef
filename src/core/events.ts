/**
 * The values that flow through an informer pipeline, stage by stage:
 * `listWatch` emits {@link WatchEvent}s, `deltaFifo` turns them into {@link DeltaBatch}es and
 * `toEvents` into {@link InformerEvent}s (client-go's ResourceEventHandler calls).
 *
 * From `deltaFifo` on, objects are cached ones: deep-frozen and typed {@link DeepReadonly}.
 * Watch events come before the cache and keep the plain `T`: the HTTP transport decodes a fresh
 * object per event that nothing else holds, and sources (listWatch, test clients, marble helpers)
 * build them from plain `T`s. `deltaFifo` freezes those objects in place as they enter the cache,
 * so a consumer that edits one does it before that point, or better returns a copy (a transform).
 */
import type { DeepReadonly, KubeObject } from './objects.js';

/** An object change as the watch reported it. */
export interface ObjectWatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: T;
}

/** The server's progress marker: nothing changed up to `resourceVersion`. */
export interface BookmarkEvent {
  readonly type: 'BOOKMARK';
  readonly resourceVersion: string;
}

/** The complete state at `resourceVersion`, one per (re)list. */
export interface ReplaceEvent<T> {
  readonly type: 'REPLACE';
  readonly objects: readonly T[];
  readonly resourceVersion: string;
}

/** Injected by `resync`: re-deliver every cached object. */
export interface ResyncEvent {
  readonly type: 'RESYNC';
}

/** What a list-watch source emits. */
export type WatchEvent<T> = ObjectWatchEvent<T> | BookmarkEvent | ReplaceEvent<T> | ResyncEvent;

/**
 * client-go's `DeletedFinalStateUnknown`: an object that vanished from a relist, so its delete
 * was never observed. `object` is the last state the cache knew.
 */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly object: DeepReadonly<T>,
  ) {
    Object.freeze(this);
  }
}

/** A `deltaFifo` delta type, as in client-go's DeltaFIFO. */
export type DeltaType = 'Added' | 'Updated' | 'Deleted' | 'Replaced' | 'Sync';

/**
 * One change to one key. `oldObject` is the previous cached state (absent for `Added`).
 * A `Deleted` delta found by a relist rather than a watch event carries a `tombstone`.
 * Both objects are cached ones (frozen), hence {@link DeepReadonly}.
 */
export interface Delta<T> {
  readonly type: DeltaType;
  readonly key: string;
  readonly object: DeepReadonly<T>;
  readonly oldObject?: DeepReadonly<T>;
  readonly tombstone?: DeletedFinalStateUnknown<T>;
}

/** The deltas of one input event, applied together: one batch, one snapshot. */
export interface DeltaBatch<T> {
  readonly deltas: readonly Delta<T>[];
  readonly resourceVersion: string;
  /** True once the first list has been applied (client-go's `HasSynced`). */
  readonly synced: boolean;
  /** True for the batch that applied the first list. */
  readonly initialList: boolean;
}

/** client-go's ResourceEventHandler calls as values; the objects are the cache's, read-only. */
export type InformerEvent<T> =
  | { readonly type: 'add'; readonly object: DeepReadonly<T>; readonly isInInitialList: boolean }
  | {
      readonly type: 'update';
      readonly oldObject: DeepReadonly<T>;
      readonly object: DeepReadonly<T>;
      readonly resync: boolean;
    }
  | { readonly type: 'delete'; readonly object: DeepReadonly<T>; readonly finalStateUnknown: boolean };

/** Narrowing helper for object events. */
export function isObjectEvent<T extends KubeObject>(event: WatchEvent<T>): event is ObjectWatchEvent<T> {
  return event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED';
}
