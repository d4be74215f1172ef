/**
 * One string for each of the few values that many cached objects repeat: namespaces, and the
 * values of `byField` paths the JSON scan captures (node names, phases). The scan cuts each value
 * out of its object's text as a new string, so without this a cache of 100k pods in 20 namespaces
 * holds 100k namespace strings.
 *
 * Why it matters beyond memory: when an object changes, the cache compares the index values of its
 * old and new copies. Two equal strings that are different objects compare character by character,
 * which reads the old copy's string from memory the CPU has not touched for a while (a cache miss
 * per value at 100k objects). The same string object compares by reference.
 *
 * The table is bounded: when it holds {@link SHARED_STRINGS_LIMIT} strings it starts over, so a
 * field with a value per object (a high-cardinality index) costs a lookup per value and no
 * unbounded memory. A value is always returned equal to the one given, shared or not.
 *
 * Layer `core`. May import: nothing.
 */

/** How many distinct strings the table keeps before it starts over. */
export const SHARED_STRINGS_LIMIT = 4096;

const table = new Map<string, string>();

/**
 * `value`, or an equal string handed out before (the same object). Not a cache of anything that
 * could go stale: equal strings are interchangeable.
 *
 * @example
 * ```ts
 * sharedString(text.slice(start, end)); // the namespace string every pod of the namespace shares
 * ```
 */
export function sharedString(value: string): string {
  const known = table.get(value);
  if (known !== undefined) return known;
  if (table.size >= SHARED_STRINGS_LIMIT) table.clear();
  table.set(value, value);
  return value;
}

/** How many strings the table holds now, for tests of its bound. @internal */
export function sharedStringCount(): number {
  return table.size;
}
