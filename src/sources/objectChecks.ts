/**
 * What an object from a list or a watch must be before the Reflector passes it on: an object with
 * a name (the cache key needs one) and, when it has a resourceVersion, a non-empty string one. A
 * watch resumes from the last object's resourceVersion, so anything else (`{ v: 4 }`, `4`, `''`)
 * would reach the server as `[object Object]`, `4` or "from now on". Anything else is reported as
 * an `InvalidObjectError` naming the resource and the key, and skipped; the stream goes on.
 */
import { EncodedObject } from '../core/encodedObject.js';
import { InvalidObjectError } from '../core/errors.js';
import {
  cacheableResourceVersion,
  describeObject,
  type KubeObject,
  objectKey,
  objectKeyProblem,
} from '../core/objects.js';
import type { ListWatchErrorContext } from './listWatchOptions.js';
import { type ReflectorContext, report } from './reflectorContext.js';

/** `value` as a short readable text for an error message (never a whole object). */
export function shortDescription(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return typeof value === 'undefined' ? 'missing' : `a ${typeof value}`;
}

/** Why `value` cannot enter the cache, or undefined when it can. */
function problemOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return `the object is ${shortDescription(value)}`;
  const object = value as KubeObject;
  const keyProblem = objectKeyProblem(object);
  if (keyProblem !== undefined) return keyProblem;
  const rv: unknown = object.metadata?.resourceVersion;
  if (!cacheableResourceVersion(rv))
    return `metadata.resourceVersion is ${shortDescription(rv)}, not a non-empty string`;
  return undefined;
}

/** True when `value` can enter the cache; otherwise reports why (with its key) and returns false. */
export function validObject<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  value: unknown,
  phase: ListWatchErrorContext['phase'],
): value is T {
  // A cell was checked by these same rules when it was made (core/encodedObject.ts).
  if (value instanceof EncodedObject) return true;
  const problem = problemOf(value);
  if (problem === undefined) return true;
  const key = value !== null && typeof value === 'object' ? objectKey(value as KubeObject) : undefined;
  // An object without a usable key is still named as well as it can be (`"a"/"b/c"`).
  const where = `${ctx.resourceName} ${key ?? describeObject(value)}`;
  report(ctx, new InvalidObjectError(`${where}: ${problem}; skipped`, value), {
    phase,
    relist: false,
    ...(key === undefined ? {} : { key }),
  });
  return false;
}
