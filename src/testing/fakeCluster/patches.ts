/**
 * Patch application for the fake cluster: JSON Patch (RFC 6902, with `test`) and JSON Merge
 * Patch (RFC 7386). Strategic-merge and server-side apply are approximated by merge patch: lists
 * are replaced rather than merged by key, which is enough for tests of controllers that patch
 * maps and scalars; use a real API server (the e2e suite) for list-merge semantics.
 */
import { statusError } from '../../core/errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw statusError(422, `invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer.slice(1).split('/').map(unescapeToken);
}

function isObject(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  );
}

/** The container and final token a pointer addresses. */
function locate(doc: Json, tokens: string[], pointer: string): { parent: Json; key: string } {
  let parent: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(parent)
      ? parent[Number(token)]
      : isObject(parent)
        ? parent[token]
        : undefined;
    if (next === undefined) throw statusError(422, `path ${pointer} does not exist`);
    parent = next;
  }
  return { parent, key: tokens[tokens.length - 1] as string };
}

function get(doc: Json, pointer: string): Json {
  let value: Json | undefined = doc;
  for (const token of parsePointer(pointer)) {
    value = Array.isArray(value) ? value[Number(token)] : isObject(value) ? value[token] : undefined;
    if (value === undefined) throw statusError(422, `path ${pointer} does not exist`);
  }
  return value;
}

function remove(doc: Json, pointer: string): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw statusError(422, 'cannot remove the whole document');
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw statusError(422, `path ${pointer} does not exist`);
    return parent.splice(index, 1)[0] as Json;
  }
  if (!isObject(parent) || !(key in parent)) throw statusError(422, `path ${pointer} does not exist`);
  const old = parent[key] as Json;
  delete parent[key];
  return old;
}

function add(doc: Json, pointer: string, value: Json, replace: boolean): Json {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!(index >= 0 && index <= parent.length) || (replace && index === parent.length)) {
      throw statusError(422, `path ${pointer} is out of bounds`);
    }
    parent.splice(index, replace ? 1 : 0, value);
  } else if (isObject(parent)) {
    if (replace && !(key in parent)) throw statusError(422, `path ${pointer} does not exist`);
    parent[key] = value;
  } else {
    throw statusError(422, `path ${pointer} does not exist`);
  }
  return doc;
}

/** One RFC 6902 JSON Patch operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/**
 * Applies an RFC 6902 patch to a copy of `target`. A failed `test` is a 422 like the API server's.
 *
 * @example
 * ```ts
 * applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 2 }]);
 * ```
 */
export function applyJsonPatch<T>(target: T, patch: unknown): T {
  if (!Array.isArray(patch)) throw statusError(400, 'a JSON patch must be an array of operations');
  let doc = clone(target) as unknown as Json;
  for (const raw of patch as JsonPatchOperation[]) {
    const value = clone(raw.value) as Json;
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, value, false);
        break;
      case 'replace':
        doc = add(doc, raw.path, value, true);
        break;
      case 'remove':
        remove(doc, raw.path);
        break;
      case 'move':
        doc = add(doc, raw.path, remove(doc, raw.from ?? ''), false);
        break;
      case 'copy':
        doc = add(doc, raw.path, clone(get(doc, raw.from ?? '')), false);
        break;
      case 'test':
        if (!deepEqual(get(doc, raw.path), value)) throw statusError(422, `Testing value ${raw.path} failed`);
        break;
      default:
        throw statusError(400, `unknown JSON patch operation ${JSON.stringify((raw as { op: unknown }).op)}`);
    }
  }
  return doc as unknown as T;
}

/**
 * Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes, anything else replaces.
 *
 * @example
 * ```ts
 * applyMergePatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { a: null, b: '2' } } });
 * // { metadata: { labels: { b: '2' } } }
 * ```
 */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  if (!isObject(patch)) return clone(patch) as T;
  const result: Record<string, Json> = isObject(target) ? (clone(target) as Record<string, Json>) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value) as Json;
  }
  return result as unknown as T;
}
