/**
 * `jsonClone`: the copy `JSON.parse(JSON.stringify(value))` makes, without the text in between.
 * The fake cluster copies every body it is handed (a caller in the same process keeps its object),
 * and the round trip through text was a sixth of a status write.
 *
 * Plain objects, arrays, strings, finite numbers, booleans and null are copied directly; a key
 * whose value JSON leaves out (undefined, a function, a symbol) is left out. Anything else (a
 * `Date` or any other class instance, a `toJSON`, a hole or undefined in an array, a non-finite
 * number, a bigint, nesting deeper than {@link MAX_DEPTH}, so also a cycle) makes the whole value
 * take the round trip: the result, or the error, is then the round trip's own.
 */

/** Deeper than this, the round trip decides (a cycle gets its TypeError there). */
const MAX_DEPTH = 100;

/** Returned by {@link copied} for a value only the round trip copies faithfully. */
const ROUND_TRIP: unique symbol = Symbol('round trip');

function copied(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON writes -0 as 0.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : ROUND_TRIP;
    case 'object':
      break;
    default:
      return ROUND_TRIP;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) return ROUND_TRIP;
  const prototype = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (prototype !== Array.prototype || 'toJSON' in value) return ROUND_TRIP;
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = copied(value[i], depth + 1);
      if (item === ROUND_TRIP) return ROUND_TRIP;
      out[i] = item;
    }
    return out;
  }
  if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value) return ROUND_TRIP;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const field = record[key];
    if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
    const item = copied(field, depth + 1);
    if (item === ROUND_TRIP) return ROUND_TRIP;
    // `JSON.parse` makes `__proto__` an own property; assigning it would set the prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/**
 * `JSON.parse(JSON.stringify(value))`, faster for plain JSON data.
 *
 * @example
 * ```ts
 * jsonClone({ a: [1, { b: undefined }] }); // { a: [1, {}] }
 * ```
 */
export function jsonClone<T>(value: T): T {
  const copy = copied(value, 0);
  return (copy === ROUND_TRIP ? JSON.parse(JSON.stringify(value) as string) : copy) as T;
}
