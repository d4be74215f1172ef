/**
 * Path elements of server-side apply's field paths, as structured-merge-diff spells them in
 * `managedFields` (FieldsV1): `f:<name>` a struct or map field, `k:{"name":"web"}` an item of an
 * associative list by its merge keys (keys sorted, compact JSON), `v:<json>` an item of a set,
 * `i:<n>` an item by index. A path is an array of such strings; `pathText` renders it the way the
 * API server names a field in a conflict (`.spec.containers[name="web"].image`).
 */

/** One element of a field path, in its FieldsV1 spelling (`f:replicas`, `k:{"name":"web"}`). */
export type PathElement = string;

/** A field path from the object's root. */
export type FieldPath = readonly PathElement[];

/** The element of a struct or map field. */
export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** The element of an associative-list item with these merge-key values (sorted by key name). */
export function keyElement(keys: Readonly<Record<string, unknown>>): PathElement {
  const sorted = Object.keys(keys)
    .sort()
    .map((k) => [k, keys[k]]);
  return `k:${JSON.stringify(Object.fromEntries(sorted))}`;
}

/** The element of a set item (a list of scalars such as `metadata.finalizers`). */
export function valueElement(value: unknown): PathElement {
  return `v:${JSON.stringify(value)}`;
}

/** The field name of an `f:` element, else undefined. */
export function fieldName(element: PathElement): string | undefined {
  return element.startsWith('f:') ? element.slice(2) : undefined;
}

/** The merge-key values of a `k:` element, else undefined. */
export function keyValues(element: PathElement): Record<string, unknown> | undefined {
  return element.startsWith('k:') ? (JSON.parse(element.slice(2)) as Record<string, unknown>) : undefined;
}

/** One element as the API server prints it in a conflict: `.name`, `[name="web"]`, `[="x"]`, `[0]`. */
function elementText(element: PathElement): string {
  const body = element.slice(2);
  switch (element.slice(0, 2)) {
    case 'f:':
      return `.${body}`;
    case 'k:': {
      const keys = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(keys)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    }
    case 'v:':
      return `[=${body}]`;
    default:
      return `[${body}]`;
  }
}

/**
 * A path as the API server prints it in conflicts and messages.
 *
 * @example
 * ```ts
 * pathText(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']); // '.spec.containers[name="web"].image'
 * ```
 */
export function pathText(path: FieldPath): string {
  return path.map(elementText).join('');
}
