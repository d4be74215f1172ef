/**
 * Redaction after decoding. Redacting a raw body is not enough: JSON decoding turns `\u0026` back
 * into `&` (and a hostile server may escape any character), so a secret that no form in the raw
 * text matched appears whole in the decoded Status. These helpers redact decoded values: every
 * string (and key) of a JSON value, and the message, stack and string fields of an error kept as a
 * `cause`.
 */
import type { Redactor } from './redact.js';

type Container = Record<string, unknown> | unknown[];

function emptyLike(value: object): Container {
  return Array.isArray(value) ? [] : {};
}

/**
 * A deep copy of a decoded JSON value with every string and object key redacted. Iterative, so a
 * deeply nested body cannot overflow the stack; keys are defined, not assigned, so a `__proto__`
 * key stays a plain property.
 *
 * @example
 * ```ts
 * redactJson(JSON.parse('{"message":"token a\\u0026b"}'), redactor(['a&b'])); // { message: 'token [redacted]' }
 * ```
 */
export function redactJson(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  const root = emptyLike(value);
  const pending: [object, Container][] = [[value, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    for (const [key, item] of Object.entries(source)) {
      let copy: unknown = item;
      if (typeof item === 'string') copy = redact(item);
      else if (item !== null && typeof item === 'object') {
        copy = emptyLike(item);
        pending.push([item, copy as Container]);
      }
      Object.defineProperty(target, Array.isArray(target) ? key : redact(key), {
        value: copy,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return root;
}

/** Fields of Node's system errors worth keeping on a cause (strings are redacted). */
const ERROR_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'hostname', 'host'] as const;

/** How many `cause`s deep a redacted copy goes. */
const MAX_CAUSE_DEPTH = 5;

/**
 * A copy of an error that is safe to keep as a `cause`: same name, redacted message and stack,
 * Node's code/errno/syscall/address/port, and a redacted copy of its own cause. A value that is
 * not an Error becomes an Error with its redacted text.
 *
 * @example
 * ```ts
 * new TransportError(message, { cause: redactedError(nodeError, redact) });
 * ```
 */
export function redactedError(error: unknown, redact: Redactor, depth = 0): Error {
  if (!(error instanceof Error)) return new Error(redact(String(error)));
  const inner = (error as { cause?: unknown }).cause;
  const copy =
    inner === undefined || depth >= MAX_CAUSE_DEPTH
      ? new Error(redact(error.message))
      : new Error(redact(error.message), { cause: redactedError(inner, redact, depth + 1) });
  Object.defineProperty(copy, 'name', { value: error.name, writable: true, configurable: true });
  copy.stack = redact(String(error.stack ?? ''));
  const fields = error as unknown as Record<string, unknown>;
  for (const field of ERROR_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string') Object.assign(copy, { [field]: redact(value) });
    else if (typeof value === 'number') Object.assign(copy, { [field]: value });
  }
  return copy;
}
