/**
 * `indexer`: client-go's Indexer as a `scan` from delta batches to immutable snapshots.
 * One batch yields exactly one {@link Snapshot}, so a relist of 100k objects is one atomic swap
 * and a reader never sees a half-applied list.
 */
import { type OperatorFunction, scan } from 'rxjs';
import type { DeltaBatch } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import type { Indexers } from '../store/indexFuncs.js';
import { Snapshot } from '../store/snapshot.js';

/**
 * Folds delta batches into snapshots with the given secondary indexes.
 *
 * @example
 * ```ts
 * deltas$.pipe(indexer({ node: byField('spec.nodeName') })).subscribe((snap) => snap.byIndex('node', 'n1'));
 * ```
 */
export function indexer<T extends KubeObject>(
  indexers: Indexers<T> = {},
): OperatorFunction<DeltaBatch<T>, Snapshot<T>> {
  return scan(
    (snapshot: Snapshot<T>, batch: DeltaBatch<T>) => snapshot.apply(batch),
    Snapshot.empty(indexers),
  );
}
