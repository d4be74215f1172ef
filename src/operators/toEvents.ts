/**
 * `toEvents`: delta batches as client-go ResourceEventHandler calls (`OnAdd`, `OnUpdate`,
 * `OnDelete`). Following client-go's `processDeltas`, a `Replaced` delta whose resourceVersion did
 * not change is reported as a resync, and a tombstoned delete says its final state is unknown.
 */
import { mergeMap, type OperatorFunction } from 'rxjs';
import { deferredRecord, isDeferred, storedField } from '../core/deferredRecord.js';
import type { Delta, DeltaBatch, InformerEvent } from '../core/events.js';
import { type KubeObject, resourceVersionOf } from '../core/objects.js';

/**
 * The event of a deferred delta (its objects decode when read): a deferred record over the same
 * stored objects, so an event whose object nobody reads decodes nothing. A `Replaced` delta still
 * compares resourceVersions at once (a relist; it decodes both).
 */
function deferredEvent<T extends KubeObject>(delta: Delta<T>, batch: DeltaBatch<T>): InformerEvent<T> {
  const object = storedField<T>(delta, 'object');
  switch (delta.type) {
    case 'Added':
      return deferredRecord({ type: 'add', object, isInInitialList: batch.initialList });
    case 'Deleted':
      return deferredRecord({ type: 'delete', object, finalStateUnknown: delta.tombstone !== undefined });
    case 'Updated':
    case 'Sync':
      return deferredRecord({
        type: 'update',
        oldObject: storedField<T>(delta, 'oldObject') ?? object,
        object,
        resync: delta.type === 'Sync',
      });
    case 'Replaced':
      return plainEvent(delta, batch);
  }
}

function toEvent<T extends KubeObject>(delta: Delta<T>, batch: DeltaBatch<T>): InformerEvent<T> {
  return isDeferred(delta) ? deferredEvent(delta, batch) : plainEvent(delta, batch);
}

function plainEvent<T extends KubeObject>(delta: Delta<T>, batch: DeltaBatch<T>): InformerEvent<T> {
  switch (delta.type) {
    case 'Added':
      return { type: 'add', object: delta.object, isInInitialList: batch.initialList };
    case 'Deleted':
      return { type: 'delete', object: delta.object, finalStateUnknown: delta.tombstone !== undefined };
    case 'Updated':
    case 'Replaced':
    case 'Sync': {
      const oldObject = delta.oldObject ?? delta.object;
      const unchanged =
        delta.type === 'Replaced' && resourceVersionOf(oldObject) === resourceVersionOf(delta.object);
      return { type: 'update', oldObject, object: delta.object, resync: delta.type === 'Sync' || unchanged };
    }
  }
}

/**
 * The informer events of one batch, in delta order.
 *
 * @example
 * ```ts
 * informer.deltas$.pipe(mergeMap(batchToEvents)); // what toEvents() does
 * ```
 */
export function batchToEvents<T extends KubeObject>(batch: DeltaBatch<T>): InformerEvent<T>[] {
  return batch.deltas.map((delta) => toEvent(delta, batch));
}

/**
 * Flattens delta batches into informer events, in delta order.
 *
 * @example
 * ```ts
 * listWatch(client, resources.deployments).pipe(deltaFifo(), toEvents()).subscribe((e) => console.log(e.type));
 * ```
 */
export function toEvents<T extends KubeObject>(): OperatorFunction<DeltaBatch<T>, InformerEvent<T>> {
  return mergeMap(batchToEvents);
}
