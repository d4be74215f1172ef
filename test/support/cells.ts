import { EncodedObject } from '../../src/core/encodedObject.js';
import type { KubeObject } from '../../src/core/objects.js';

/** True when `value` and every object and array under it is frozen. */
export function deeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(deeplyFrozen);
}

/**
 * A cell over `text`, with a metadata view from its parse (any metadata, even one the cache
 * would turn away: for tests of decoding, not of admission).
 */
export function cellOf(text: string): EncodedObject {
  return new EncodedObject(text, (JSON.parse(text) as KubeObject).metadata ?? {}, 'key');
}
