/**
 * The object an apply produces: `mergeApplied` lays the applied configuration over the live
 * object (maps and structs field by field, associative lists and sets item by item on their
 * keys, live items in their order and new ones before the next configured live item or last,
 * everything else replaced), and
 * `removeFields` drops the fields a manager stopped applying that nobody else owns, with the maps
 * and lists that this leaves empty (the API server omits empty maps and lists).
 */

import { jsonClone } from '../jsonClone.js';
import { itemElement, itemsByElement } from './listItems.js';
import { isAtomicStruct, listStrategy, type SchemaContext } from './listStrategies.js';
import { namesOf } from './objectFields.js';
import { type FieldPath, fieldElement, fieldName } from './pathElements.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return value === undefined ? value : jsonClone(value);
}

/** A record built with own properties only (the keys are checked for prototype names upstream). */
function withField(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * `config` merged onto `live`.
 *
 * @example
 * ```ts
 * mergeApplied(ctx, { data: { a: '1' } }, { data: { b: '2' } }); // { data: { a: '1', b: '2' } }
 * ```
 */
export function mergeApplied(ctx: SchemaContext, live: unknown, config: unknown): unknown {
  const merge = (path: FieldPath, l: unknown, c: unknown): unknown => {
    const names = namesOf(path);
    if (isRecord(c) && isRecord(l) && !isAtomicStruct(ctx, names)) {
      const out: Record<string, unknown> = clone(l);
      for (const [key, value] of Object.entries(c))
        withField(out, key, merge([...path, fieldElement(key)], out[key], value));
      return out;
    }
    if (Array.isArray(c) && Array.isArray(l)) {
      const strategy = listStrategy(ctx, names);
      if (strategy.type === 'atomic') return clone(c);
      // Live items keep their order; a new item goes before the next configured item that is
      // live (kube-apiserver puts a container applied first before the live one), else last.
      const applied = itemsByElement(strategy, c);
      const liveItems = itemsByElement(strategy, l);
      const before = new Map<string, unknown[]>();
      const tail: unknown[] = [];
      let nextLive: string | undefined;
      for (const [element, item] of [...applied].reverse()) {
        if (liveItems.has(element)) nextLive = element;
        else if (nextLive === undefined) tail.unshift(clone(item));
        else before.set(nextLive, [clone(item), ...(before.get(nextLive) ?? [])]);
      }
      const out: unknown[] = [];
      for (const [element, item] of liveItems) {
        out.push(...(before.get(element) ?? []));
        out.push(applied.has(element) ? merge([...path, element], item, applied.get(element)) : clone(item));
      }
      return [...out, ...tail];
    }
    return clone(c);
  };
  return merge([], live, config);
}

/** The container `path`'s last element lives in, and how to delete it there. */
function locate(
  ctx: SchemaContext,
  root: unknown,
  path: FieldPath,
): { container: unknown; remove: () => void } | undefined {
  let container: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    container = childAt(ctx, container, path.slice(0, i + 1));
    if (container === undefined) return undefined;
  }
  const last = path[path.length - 1] as string;
  const name = fieldName(last);
  if (name !== undefined && isRecord(container) && Object.hasOwn(container, name))
    return { container, remove: () => delete (container as Record<string, unknown>)[name] };
  if (Array.isArray(container)) {
    const strategy = listStrategy(ctx, namesOf(path));
    const index = container.findIndex((item) => itemElement(strategy, item) === last);
    if (index >= 0) return { container, remove: () => (container as unknown[]).splice(index, 1) };
  }
  return undefined;
}

/** The value at `path` (its last element read in its parent), or undefined. */
function childAt(ctx: SchemaContext, parent: unknown, path: FieldPath): unknown {
  const last = path[path.length - 1] as string;
  const name = fieldName(last);
  if (name !== undefined) return isRecord(parent) && Object.hasOwn(parent, name) ? parent[name] : undefined;
  if (!Array.isArray(parent)) return undefined;
  const strategy = listStrategy(ctx, namesOf(path));
  return parent.find((item) => itemElement(strategy, item) === last);
}

/** Top-level structs the API server always has, even empty. */
const KEPT_TOP_LEVEL = new Set(['f:metadata', 'f:spec', 'f:status']);

function isEmpty(value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : isRecord(value) && Object.keys(value).length === 0;
}

/**
 * `object` without `paths` (a copy), and without the maps and lists their removal left empty,
 * up to (not including) `metadata`, `spec` and `status`.
 */
export function removeFields(ctx: SchemaContext, object: unknown, paths: readonly FieldPath[]): unknown {
  const out = clone(object);
  // Only the topmost paths: removing an item takes its fields (and its keys) with it.
  const below = (p: FieldPath, q: FieldPath) => q.length < p.length && q.every((e, i) => p[i] === e);
  const topmost = paths.filter((p) => !paths.some((q) => below(p, q)));
  for (const path of topmost.sort((a, b) => b.length - a.length)) {
    const found = locate(ctx, out, path);
    if (!found) continue;
    found.remove();
    for (let depth = path.length - 1; depth >= 1; depth--) {
      const parent = path.slice(0, depth);
      if (depth === 1 && KEPT_TOP_LEVEL.has(parent[0] as string)) break;
      const value = locate(ctx, out, parent);
      if (!value || !isEmpty(childAt(ctx, value.container, parent))) break;
      value.remove();
    }
  }
  return out;
}
