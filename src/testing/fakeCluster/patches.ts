/**
 * Patch application for the fake cluster: JSON Patch (RFC 6902, with `test`) and JSON Merge
 * Patch (RFC 7386). Strategic-merge and server-side apply are approximated by merge patch: lists
 * are replaced rather than merged by key, which is enough for tests of controllers that patch
 * maps and scalars; use a real API server (the e2e suite) for list-merge semantics.
 * A path, key or value naming `__proto__`, `constructor` or `prototype` is a 422 Invalid, and
 * members are read and written as own properties only (see `prototypeKeys.ts`).
 */
import { statusError } from '../../core/errors.js';
import { jsonClone } from './jsonClone.js';
import {
  type FieldSegments,
  findPrototypeKey,
  isPrototypeKey,
  ownValue,
  prototypeKeyError,
  rejectPrototypeKeys,
  setOwn,
} from './prototypeKeys.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function clone<T>(value: T): T {
  return value === undefined ? value : jsonClone(value);
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A parsed JSON pointer, with its text for messages. */
interface Pointer {
  readonly text: string;
  readonly tokens: readonly string[];
}

/** The field a pointer's first `count` tokens address, digits read as array indexes. */
function segmentsOf(tokens: readonly string[], count = tokens.length): FieldSegments {
  return tokens.slice(0, count).map((token) => (/^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : token));
}

/** Parses the pointer at `where` (`patch[0].path`); a prototype key in it is a 422 Invalid. */
function parsePointer(pointer: unknown, where: string): Pointer {
  if (typeof pointer !== 'string') throw statusError(422, `${where} must be a JSON pointer string`);
  if (pointer === '') return { text: pointer, tokens: [] };
  if (!pointer.startsWith('/')) throw statusError(422, `invalid JSON pointer ${JSON.stringify(pointer)}`);
  const tokens = pointer.slice(1).split('/').map(unescapeToken);
  const bad = tokens.findIndex(isPrototypeKey);
  if (bad >= 0) throw prototypeKeyError(segmentsOf(tokens, bad + 1), `${where} ${JSON.stringify(pointer)}`);
  return { text: pointer, tokens };
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

/** The member `token` of a container: an array element or an own property, never an inherited one. */
function child(container: Json | undefined, token: string): Json | undefined {
  if (Array.isArray(container)) return container[Number(token)];
  return isObject(container) ? ownValue(container, token) : undefined;
}

/** The container and final token a pointer addresses. */
function locate(doc: Json, pointer: Pointer): { parent: Json; key: string } {
  let parent: Json = doc;
  for (const token of pointer.tokens.slice(0, -1)) {
    const next = child(parent, token);
    if (next === undefined) throw statusError(422, `path ${pointer.text} does not exist`);
    parent = next;
  }
  return { parent, key: pointer.tokens[pointer.tokens.length - 1] as string };
}

function get(doc: Json, pointer: Pointer): Json {
  let value: Json | undefined = doc;
  for (const token of pointer.tokens) {
    value = child(value, token);
    if (value === undefined) throw statusError(422, `path ${pointer.text} does not exist`);
  }
  return value;
}

function remove(doc: Json, pointer: Pointer): Json {
  if (pointer.tokens.length === 0) throw statusError(422, 'cannot remove the whole document');
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw statusError(422, `path ${pointer.text} does not exist`);
    return parent.splice(index, 1)[0] as Json;
  }
  if (!isObject(parent) || !Object.hasOwn(parent, key))
    throw statusError(422, `path ${pointer.text} does not exist`);
  const old = parent[key] as Json;
  delete parent[key];
  return old;
}

function add(doc: Json, pointer: Pointer, value: Json, replace: boolean): Json {
  if (pointer.tokens.length === 0) return value;
  const { parent, key } = locate(doc, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!(index >= 0 && index <= parent.length) || (replace && index === parent.length)) {
      throw statusError(422, `path ${pointer.text} is out of bounds`);
    }
    parent.splice(index, replace ? 1 : 0, value);
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, key)) throw statusError(422, `path ${pointer.text} does not exist`);
    setOwn(parent, key, value);
  } else {
    throw statusError(422, `path ${pointer.text} does not exist`);
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

/** The operation's value, copied; a prototype key in it is a 422 naming the field it would create. */
function operationValue(operation: Record<string, unknown>, path: Pointer, where: string): Json {
  const found = findPrototypeKey(operation.value);
  if (found) throw prototypeKeyError([...segmentsOf(path.tokens), ...found], `${where}.value`);
  return clone(operation.value) as Json;
}

/**
 * Applies an RFC 6902 patch to a copy of `target`. A failed `test` is a 422 like the API server's.
 * A path or `from` through `__proto__`, `constructor` or `prototype`, or a value holding such a
 * key, is a 422 Invalid naming the field; members are read and written as own properties only.
 *
 * @example
 * ```ts
 * applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 2 }]);
 * ```
 */
export function applyJsonPatch<T>(target: T, patch: unknown): T {
  if (!Array.isArray(patch)) throw statusError(400, 'a JSON patch must be an array of operations');
  let doc = clone(target) as unknown as Json;
  patch.forEach((raw: unknown, index) => {
    const where = `patch[${index}]`;
    if (!isObject(raw)) throw statusError(422, `${where} must be an operation object`);
    const operation = raw as Record<string, unknown>;
    const path = parsePointer(operation.path, `${where}.path`);
    const from = () => parsePointer(operation.from, `${where}.from`);
    switch (operation.op) {
      case 'add':
        doc = add(doc, path, operationValue(operation, path, where), false);
        break;
      case 'replace':
        doc = add(doc, path, operationValue(operation, path, where), true);
        break;
      case 'remove':
        remove(doc, path);
        break;
      case 'move':
        doc = add(doc, path, remove(doc, from()), false);
        break;
      case 'copy':
        doc = add(doc, path, clone(get(doc, from())), false);
        break;
      case 'test':
        if (!deepEqual(get(doc, path), operationValue(operation, path, where)))
          throw statusError(422, `Testing value ${path.text} failed`);
        break;
      default:
        throw statusError(400, `unknown JSON patch operation ${JSON.stringify(operation.op)}`);
    }
  });
  return doc as unknown as T;
}

function merge(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, Json> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, merge(ownValue(result, key), value));
  }
  return result;
}

/**
 * Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes, anything else replaces.
 * A `__proto__`, `constructor` or `prototype` key anywhere in the patch is a 422 Invalid naming
 * the field; the result is built with own properties only.
 *
 * @example
 * ```ts
 * applyMergePatch({ metadata: { labels: { a: '1' } } }, { metadata: { labels: { a: null, b: '2' } } });
 * // { metadata: { labels: { b: '2' } } }
 * ```
 */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  rejectPrototypeKeys(patch, 'a merge patch');
  return merge(target as unknown as Json, patch as Json) as unknown as T;
}
