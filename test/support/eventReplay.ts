/**
 * A consumer of `informer.events$` that keeps its own copy of the cache, the way a client-go
 * ResourceEventHandler user does, and writes down every event that could not have come from a
 * consistent changelog: an `add` of a key it holds, an `update` or `delete` of a key it does not,
 * an `update` whose `oldObject` is not what it was given before, a tombstone that is not the last
 * known state. Replayed to the end, its copy must equal the informer's final snapshot.
 */
import { isDeepStrictEqual } from 'node:util';
import type { InformerEvent } from '../../src/core/events.js';
import { type DeepReadonly, type KubeObject, objectKey } from '../../src/core/objects.js';

export class EventReplay<T extends KubeObject> {
  /** The consumer's copy, by `namespace/name`. */
  readonly view = new Map<string, DeepReadonly<T>>();
  /** One line per inconsistent event, in order. */
  readonly violations: string[] = [];
  /** Events applied so far. */
  count = 0;

  apply(event: InformerEvent<T>): void {
    this.count++;
    const key = objectKey(event.object as KubeObject) ?? '<no key>';
    const held = this.view.get(key);
    if (event.type === 'add') {
      if (held !== undefined) this.violations.push(`add of ${key}, which is already held`);
      this.view.set(key, event.object);
    } else if (event.type === 'update') {
      if (held === undefined) this.violations.push(`update of unknown key ${key}`);
      else if (!isDeepStrictEqual(held, event.oldObject))
        this.violations.push(`update of ${key}: oldObject is not the object delivered before`);
      this.view.set(key, event.object);
    } else {
      if (held === undefined) this.violations.push(`delete of unknown key ${key}`);
      else if (event.finalStateUnknown && !isDeepStrictEqual(held, event.object))
        this.violations.push(`tombstone of ${key} is not the last known state`);
      this.view.delete(key);
    }
  }
}
