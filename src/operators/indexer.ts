/**
 * `indexer`: client-go's Indexer as a `scan` from delta batches to immutable snapshots.
 * One batch yields exactly one {@link Snapshot}, so a relist of 100k objects is one atomic swap
 * and a reader never sees a half-applied list. With `onError`, an index function that fails for
 * one object is reported and leaves that object out of that one index; without it, the failure
 * errors the stream.
 */
import { type OperatorFunction, scan } from 'rxjs';
import type { DeltaBatch } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import type { Indexers } from '../store/indexFuncs.js';
import { Snapshot, type SnapshotOptions } from '../store/snapshot.js';

/**
 * Folds delta batches into snapshots with the given secondary indexes; `options.onError` keeps
 * one object's index failure from stopping the stream.
 *
 * @example
 * ```ts
 * deltas$.pipe(indexer({ node: byField('spec.nodeName') })).subscribe((snap) => snap.byIndex('node', 'n1'));
 * ```
 */
export function indexer<T extends KubeObject>(
  indexers: Indexers<T> = {},
  options: SnapshotOptions = {},
): OperatorFunction<DeltaBatch<T>, Snapshot<T>> {
  return scan(
    (snapshot: Snapshot<T>, batch: DeltaBatch<T>) => snapshot.apply(batch),
    Snapshot.empty(indexers, options),
  );
}
