/**
 * A snapshot's indexes as plain data: every index's values and the keys filed under each, sorted.
 * It reads keys only, so it decodes nothing: what `byIndex` would answer, comparable across an
 * informer that keeps objects encoded and one that decodes them.
 */
import type { Snapshot } from '../../src/store/snapshot.js';

export function indexState<T>(snapshot: Snapshot<T>): Record<string, Record<string, string[]>> {
  return Object.fromEntries(
    snapshot.indexNames().map((name) => [
      name,
      Object.fromEntries(
        snapshot
          .indexValues(name)
          .sort()
          .map((value) => [value, snapshot.indexKeys(name, value).sort()]),
      ),
    ]),
  );
}
