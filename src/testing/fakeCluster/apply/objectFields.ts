/**
 * Field sets of objects, on the built-in kinds' list strategies (`listStrategies.ts`):
 * - `appliedFields`: what an applied configuration sets, the set its manager owns after the apply
 *   (every leaf, every associative-list or set item, an atomic list or struct as one leaf; never a
 *   map or struct node by itself), as structured-merge-diff's `ToFieldSet`;
 * - `compareObjects`: what a write added, modified and removed, each node that appears or
 *   disappears included (an Update manager so owns a new `labels` map itself: `".": {}`).
 * Fields only the server sets (`apiVersion`, `kind`, `metadata.name`, `uid`, `resourceVersion`,
 * ...) are nobody's: they are left out, like the API server's `stripMeta`.
 */
import { FieldSet } from './fieldSet.js';
import { itemsByElement } from './listItems.js';
import { isAtomicStruct, listStrategy, type SchemaContext } from './listStrategies.js';
import { type FieldPath, fieldElement, fieldName } from './pathElements.js';

const SERVER_META = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'clusterName',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The object without the fields no manager owns. */
export function ownableFields(object: unknown): Record<string, unknown> {
  if (!isRecord(object)) return {};
  const { apiVersion: _a, kind: _k, ...rest } = object;
  if (isRecord(rest.metadata))
    rest.metadata = Object.fromEntries(Object.entries(rest.metadata).filter(([k]) => !SERVER_META.has(k)));
  return rest;
}

/** The field names of a path (list item elements left out), for schema lookups. */
export function namesOf(path: FieldPath): string[] {
  return path.map(fieldName).filter((n): n is string => n !== undefined);
}

type Shape = 'absent' | 'leaf' | 'struct' | 'list';

/** How a value at `path` is owned: a leaf (scalar, atomic list or struct), a struct/map, a list. */
function shapeOf(ctx: SchemaContext, path: FieldPath, value: unknown): Shape {
  if (value === undefined) return 'absent';
  const names = namesOf(path);
  if (isRecord(value)) return isAtomicStruct(ctx, names) ? 'leaf' : 'struct';
  if (Array.isArray(value)) return listStrategy(ctx, names).type === 'atomic' ? 'leaf' : 'list';
  return 'leaf';
}

/** Children of a struct or granular list: element -> value. */
function children(ctx: SchemaContext, path: FieldPath, value: unknown): Map<string, unknown> {
  if (Array.isArray(value)) return itemsByElement(listStrategy(ctx, namesOf(path)), value);
  return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [fieldElement(k), v]));
}

/**
 * The fields an applied configuration sets (structured-merge-diff's `ToFieldSet`).
 *
 * @example
 * ```ts
 * appliedFields(ctx, { data: { a: '1' } }).paths(); // [['f:data', 'f:a']]
 * ```
 */
export function appliedFields(ctx: SchemaContext, object: unknown): FieldSet {
  const paths: FieldPath[] = [];
  const walk = (path: FieldPath, value: unknown) => {
    const shape = shapeOf(ctx, path, value);
    if (shape === 'leaf') paths.push(path);
    if (shape !== 'struct' && shape !== 'list') return;
    for (const [element, child] of children(ctx, path, value)) {
      const childPath = [...path, element];
      walk(childPath, child);
      if (shape === 'list') paths.push(childPath);
    }
  };
  walk([], ownableFields(object));
  return new FieldSet(paths);
}

/** What changed between two versions of an object. */
export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** Deep equality of JSON values. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]))
  );
}

/**
 * What `after` added, modified and removed relative to `before`; a node that appears or
 * disappears is listed with everything below it (structured-merge-diff's `Compare`).
 */
export function compareObjects(ctx: SchemaContext, before: unknown, after: unknown): Comparison {
  const added: FieldPath[] = [];
  const modified: FieldPath[] = [];
  const removed: FieldPath[] = [];
  const all = (path: FieldPath, value: unknown, into: FieldPath[]) => {
    if (path.length > 0) into.push(path);
    const shape = shapeOf(ctx, path, value);
    if (shape === 'struct' || shape === 'list')
      for (const [element, child] of children(ctx, path, value)) all([...path, element], child, into);
  };
  const walk = (path: FieldPath, a: unknown, b: unknown) => {
    // A subtree both versions share (a status write keeps the stored spec) changed nothing.
    if (a === b) return;
    const sa = shapeOf(ctx, path, a);
    const sb = shapeOf(ctx, path, b);
    if (sa === 'absent' && sb === 'absent') return;
    if (sa === 'absent') return all(path, b, added);
    if (sb === 'absent') return all(path, a, removed);
    if (sa !== sb || sa === 'leaf') {
      if (!sameValue(a, b)) modified.push(path);
      return;
    }
    const left = children(ctx, path, a);
    const right = children(ctx, path, b);
    for (const element of new Set([...left.keys(), ...right.keys()]))
      walk([...path, element], left.get(element), right.get(element));
  };
  walk([], ownableFields(before), ownableFields(after));
  return { added: new FieldSet(added), modified: new FieldSet(modified), removed: new FieldSet(removed) };
}
