/**
 * `transformObjects`: client-go's `TransformFunc`, applied to objects before they are cached, so
 * memory is only spent on what the program reads. `stripManagedFields` is the common one.
 */
import { type MonoTypeOperatorFunction, map } from 'rxjs';
import type { WatchEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';

/**
 * Maps every object of list and watch events through `fn`.
 *
 * @example
 * ```ts
 * listWatch(client, resources.pods).pipe(transformObjects((p) => ({ ...p, status: undefined })));
 * ```
 */
export function transformObjects<T extends KubeObject>(
  fn: (object: T) => T,
): MonoTypeOperatorFunction<WatchEvent<T>> {
  return map((event) => {
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        return { type: event.type, object: fn(event.object) };
      case 'REPLACE':
        return { ...event, objects: event.objects.map(fn) };
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
export function stripManagedFields<T extends KubeObject>(): (object: T) => T {
  return (object) => {
    const meta = object.metadata as (KubeObject['metadata'] & { managedFields?: unknown }) | undefined;
    if (meta?.managedFields === undefined) return object;
    const { managedFields: _dropped, ...rest } = meta;
    return { ...object, metadata: rest };
  };
}
