/**
 * Predicates: operators that drop `update` events a controller does not care about, like
 * controller-runtime's `GenerationChangedPredicate` & co. `add` and `delete` always pass.
 * Resyncs (same object twice) are dropped by all of them, since nothing changed.
 */
import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { InformerEvent } from '../core/events.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';
import { annotationsOf, labelsOf } from '../store/metadataFields.js';

/** Same own keys with the same values (maps as `labelsOf` reads them: `null` is empty). */
function sameMap(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function updatesWhere<T extends KubeObject>(
  changed: (oldObject: DeepReadonly<T>, object: DeepReadonly<T>) => boolean,
): MonoTypeOperatorFunction<InformerEvent<T>> {
  return filter((event) => event.type !== 'update' || changed(event.oldObject, event.object));
}

/**
 * Passes updates whose `metadata.generation` changed: spec changes, not status or metadata.
 *
 * @example
 * ```ts
 * deployments.events$.pipe(generationChanged()).subscribe(enqueue);
 * ```
 */
export function generationChanged<T extends KubeObject>(): MonoTypeOperatorFunction<InformerEvent<T>> {
  return updatesWhere((a, b) => a.metadata?.generation !== b.metadata?.generation);
}

/**
 * Passes updates whose labels changed (`labels: null` or labels that are not a map count as none).
 *
 * @example
 * ```ts
 * pods.events$.pipe(labelsChanged()).subscribe((e) => console.log(e.type, e.object.metadata?.labels));
 * ```
 */
export function labelsChanged<T extends KubeObject>(): MonoTypeOperatorFunction<InformerEvent<T>> {
  return updatesWhere((a, b) => !sameMap(labelsOf(a), labelsOf(b)));
}

/**
 * Passes updates whose annotations changed.
 *
 * @example
 * ```ts
 * services.events$.pipe(annotationsChanged()).subscribe(reconfigureLoadBalancer);
 * ```
 */
export function annotationsChanged<T extends KubeObject>(): MonoTypeOperatorFunction<InformerEvent<T>> {
  return updatesWhere((a, b) => !sameMap(annotationsOf(a), annotationsOf(b)));
}

/**
 * Passes updates whose resourceVersion changed: drops resyncs and relist repeats only.
 *
 * @example
 * ```ts
 * deployments.events$.pipe(resourceVersionChanged()); // every real change, no resyncs
 * ```
 */
export function resourceVersionChanged<T extends KubeObject>(): MonoTypeOperatorFunction<InformerEvent<T>> {
  return updatesWhere((a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion);
}
