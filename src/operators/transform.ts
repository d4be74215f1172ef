/**
 * `transformObjects`: client-go's `TransformFunc`, applied to objects before they are cached, so
 * memory is only spent on what the program reads. `stripManagedFields` is the common one.
 *
 * Unlike client-go's, a transform gets the object read-only and returns a new one (or the same):
 * the object may already be frozen (the fake cluster's in-process client hands out the objects it
 * stores) or shared with another reader, and whatever it returns is frozen as it enters the cache.
 */
import { type MonoTypeOperatorFunction, map } from 'rxjs';
import { EncodedObject, readObject } from '../core/encodedObject.js';
import type { WatchEvent } from '../core/events.js';
import { asReadonly, type DeepReadonly, type KubeObject } from '../core/objects.js';

/**
 * Maps every object of list and watch events through `fn`, which must not mutate its argument.
 *
 * @example
 * ```ts
 * listWatch(client, resources.pods).pipe(transformObjects((p) => ({ ...p, status: undefined })));
 * ```
 */
export function transformObjects<T extends KubeObject>(
  fn: (object: DeepReadonly<NoInfer<T>>) => DeepReadonly<NoInfer<T>>,
): MonoTypeOperatorFunction<WatchEvent<T>> {
  // The result stays a WatchEvent<T>, typed mutable like every watch event (core/events.ts says
  // why); what reads it next is deltaFifo, which freezes it.
  // A cell (a source with deferDecoding) is decoded here: the transform reads the object.
  const apply = (object: T) =>
    fn(object instanceof EncodedObject ? readObject<T>(object) : asReadonly(object)) as T;
  return map((event) => {
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        return { type: event.type, object: apply(event.object) };
      case 'REPLACE':
        return { ...event, objects: event.objects.map(apply) };
      default:
        return event;
    }
  });
}

/**
 * Drops `metadata.managedFields` (often half of an object's size).
 *
 * @example
 * ```ts
 * informer(client, resources.pods, { transform: stripManagedFields() });
 * ```
 */
export function stripManagedFields<T extends KubeObject>(): (object: DeepReadonly<T>) => DeepReadonly<T> {
  return (object) => {
    const meta = object.metadata as (KubeObject['metadata'] & { managedFields?: unknown }) | undefined;
    if (meta?.managedFields === undefined) return object;
    const { managedFields: _dropped, ...rest } = meta;
    return { ...object, metadata: rest };
  };
}
