/**
 * Field selectors as the API server evaluates them: comma-separated `path=value`, `path==value`
 * or `path!=value` over dotted paths (`metadata.name`, `spec.nodeName`, `status.phase`).
 * Real servers allow only a few fields per kind; the fake accepts any path, which is a superset.
 */
import { statusError } from '../../core/errors.js';

interface FieldRequirement {
  readonly path: string[];
  readonly value: string;
  readonly negate: boolean;
}

export type FieldSelector = (object: unknown) => boolean;

function valueAt(object: unknown, path: string[]): string {
  let value: unknown = object;
  for (const part of path) {
    // Own properties only: `metadata.constructor` is no field, whatever Object.prototype holds.
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return '';
    value = (value as Record<string, unknown>)[part];
  }
  return value === undefined || value === null ? '' : String(value);
}

/** Parses a field selector; an unparseable one is a 400 like the API server's. */
export function parseFieldSelector(selector: string | undefined): FieldSelector {
  if (!selector || selector.trim() === '') return () => true;
  const requirements: FieldRequirement[] = selector.split(',').map((term) => {
    const match = /^\s*([A-Za-z0-9_.-]+)\s*(==|!=|=)\s*([^,]*?)\s*$/.exec(term);
    if (!match) throw statusError(400, `invalid field selector ${JSON.stringify(selector)}`);
    return { path: (match[1] as string).split('.'), negate: match[2] === '!=', value: match[3] as string };
  });
  return (object) => requirements.every((r) => (valueAt(object, r.path) === r.value) !== r.negate);
}
