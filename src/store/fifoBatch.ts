/**
 * The handshake that lets `indexer` reuse `deltaFifo`'s map of known objects.
 *
 * Both keep the same thing, every current object by key, and at 100k objects a second copy
 * costs an update per event and an entry per object. A batch made by `deltaFifo` carries the
 * fifo's map before and after it (in private fields, so the batch still compares and prints as
 * plain data). When a snapshot's objects are exactly the `before` map, applying the batch yields
 * exactly the `after` map, so the snapshot adopts it instead of rebuilding it. Any batch made
 * elsewhere, or a snapshot that went its own way, takes the ordinary path.
 */

import type { Stored } from '../core/encodedObject.js';
import type { Delta, DeltaBatch } from '../core/events.js';
import type { PersistentMap } from './persistentMap.js';

/** What one key held before and after a change (undefined: absent). */
export type StoredChange<T> = readonly [Stored<T> | undefined, Stored<T> | undefined];

/** A {@link DeltaBatch} made by `deltaFifo`, with the fifo's known objects around it. */
export class FifoBatch<T> implements DeltaBatch<T> {
  readonly #before: PersistentMap<Stored<T>>;
  readonly #after: PersistentMap<Stored<T>>;
  readonly #change: StoredChange<T> | undefined;

  constructor(
    readonly deltas: readonly Delta<T>[],
    readonly resourceVersion: string,
    readonly synced: boolean,
    readonly initialList: boolean,
    before: PersistentMap<Stored<T>>,
    after: PersistentMap<Stored<T>>,
    change?: StoredChange<T>,
  ) {
    this.#before = before;
    this.#after = after;
    this.#change = change;
  }

  /**
   * For a batch of one delta (a watch event), what its key held before and after it, as the fifo
   * stored them: the snapshot files the change without looking the key up in either map.
   */
  static changeOf<T>(batch: DeltaBatch<T>): StoredChange<T> | undefined {
    return batch instanceof FifoBatch ? (batch.#change as StoredChange<T> | undefined) : undefined;
  }

  /** The fifo's objects after this batch, when `items` are its objects before it. */
  static itemsAfter<T>(
    batch: DeltaBatch<T>,
    items: PersistentMap<Stored<T>>,
  ): PersistentMap<Stored<T>> | undefined {
    return batch instanceof FifoBatch && batch.#before === items
      ? (batch.#after as PersistentMap<Stored<T>>)
      : undefined;
  }
}
