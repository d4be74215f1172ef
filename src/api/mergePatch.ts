/**
 * `mergePatchOf`: the RFC 7386 JSON merge patch that turns one object into another, as
 * controller-runtime's `client.MergeFrom` computes it: changed and added fields are set, removed
 * fields become `null`, and arrays are replaced whole. A merge patch cannot set a field to `null`
 * (that is its removal), so a `null` in `after` removes the field.
 */

type Json = unknown;

function isRecord(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]))
    );
  }
  return false;
}

/**
 * The merge patch from `before` to `after`, or `undefined` when they are equal.
 *
 * @example
 * ```ts
 * mergePatchOf({ data: { a: '1', b: '2' } }, { data: { a: '1', c: '3' } }); // { data: { b: null, c: '3' } }
 * ```
 */
export function mergePatchOf(before: Json, after: Json): Json {
  if (sameJson(before, after)) return undefined;
  if (!isRecord(before) || !isRecord(after)) return after;
  const patch: Record<string, Json> = {};
  // Own keys only: a field named like an Object.prototype member (`valueOf`, `constructor`) is data.
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) patch[key] = null;
  for (const [key, value] of Object.entries(after)) {
    if (!Object.hasOwn(before, key)) patch[key] = value;
    else {
      const inner = mergePatchOf(before[key], value);
      if (inner !== undefined) patch[key] = inner;
    }
  }
  return patch;
}
