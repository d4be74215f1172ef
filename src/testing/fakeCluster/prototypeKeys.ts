/**
 * Field names that would reach a JavaScript prototype: `__proto__`, `constructor`, `prototype`.
 *
 * The fake cluster builds objects from request bodies and patches. `JSON.parse` makes
 * `"__proto__"` an ordinary own property, but an assignment `target[key] = value` with that key
 * calls `Object.prototype`'s setter, and a path walked through `constructor.prototype` lands on a
 * shared prototype: a JSON patch `add /__proto__/x` would then write into `Object.prototype` of
 * the whole test process. So the fake answers any body, patch key or patch path naming one of
 * these with the API server's 422 Invalid, and its patch code reads and writes own properties
 * only (`ownValue`, `setOwn`), so nothing reaches a prototype even if a check were missed.
 *
 * The real API server would store a label or field named `constructor`; the fake refuses it, a
 * deliberate difference (no Kubernetes type has such a field).
 */
import { StatusError } from '../../core/errors.js';

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True for a key that names a prototype. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/** A path into a JSON value: object keys and array indexes. */
export type FieldSegments = readonly (string | number)[];

/** The API server's spelling of a field path: `spec.containers[0].name`. */
export function fieldPath(segments: FieldSegments): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}

interface Visit {
  readonly value: unknown;
  readonly parent: Visit | undefined;
  readonly segment: string | number | undefined;
}

function pathTo(visit: Visit, last: string): (string | number)[] {
  const segments: (string | number)[] = [last];
  for (let at: Visit | undefined = visit; at?.segment !== undefined; at = at.parent)
    segments.unshift(at.segment);
  return segments;
}

/**
 * The path of a prototype key anywhere in `value`, or undefined. An explicit stack rather than
 * recursion: a hostile body can nest deeper than the call stack; paths are built only on a hit.
 */
export function findPrototypeKey(value: unknown): FieldSegments | undefined {
  const stack: Visit[] = [{ value, parent: undefined, segment: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const current = visit.value;
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--)
        stack.push({ value: current[i], parent: visit, segment: i });
      continue;
    }
    const keys = Object.keys(current);
    for (const key of keys) if (isPrototypeKey(key)) return pathTo(visit, key);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      stack.push({ value: (current as Record<string, unknown>)[key], parent: visit, segment: key });
    }
  }
  return undefined;
}

/** The object a 422 is about, as the API server names it: `ConfigMap "cfg" is invalid`. */
export interface InvalidSubject {
  readonly kind: string;
  readonly name?: string;
}

/**
 * The API server's 422 Invalid for a prototype key at `segments`, with a `FieldValueForbidden`
 * cause naming the field. `where` says which part of the request held it (a patch path, a body).
 */
export function prototypeKeyError(
  segments: FieldSegments,
  where: string,
  subject?: InvalidSubject,
): StatusError {
  const field = fieldPath(segments);
  const key = String(segments[segments.length - 1]);
  const detail = `Forbidden: ${JSON.stringify(key)} is not accepted as a field name: it names a JavaScript prototype (in ${where})`;
  const prefix = subject
    ? `${subject.kind}${subject.name ? ` ${JSON.stringify(subject.name)}` : ''} is invalid: `
    : '';
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    code: 422,
    reason: 'Invalid',
    message: `${prefix}${field}: ${detail}`,
    details: {
      ...(subject ? { kind: subject.kind, ...(subject.name ? { name: subject.name } : {}) } : {}),
      causes: [{ reason: 'FieldValueForbidden', message: detail, field }],
    },
  });
}

/** Throws {@link prototypeKeyError} when `value` holds a prototype key at any depth. */
export function rejectPrototypeKeys(value: unknown, where: string, subject?: InvalidSubject): void {
  const found = findPrototypeKey(value);
  if (found) throw prototypeKeyError(found, where, subject);
}

/** `record[key]` if it is the record's own property: never a value inherited from a prototype. */
export function ownValue<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets an own data property: unlike `record[key] = value`, never calls an inherited setter. */
export function setOwn<V>(record: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
