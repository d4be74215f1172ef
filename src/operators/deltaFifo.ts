/**
 * `deltaFifo`: client-go's DeltaFIFO as a `scan` over watch events.
 *
 * It keeps the set of known objects (a persistent map, so a watch event costs O(log n)) and turns
 * each {@link WatchEvent} into one {@link DeltaBatch}:
 * - `ADDED`/`MODIFIED` become `Added` (unknown key) or `Updated` (known key); an event whose
 *   resourceVersion equals the known one is a duplicate and is dropped.
 * - `DELETED` of a known key becomes `Deleted`; of an unknown key it is dropped.
 * - `REPLACE` (a relist) yields `Replaced` for known keys, `Added` for new ones, and `Deleted`
 *   with a {@link DeletedFinalStateUnknown} tombstone for known keys missing from the list.
 * - `RESYNC` yields `Sync` for every known object once synced, in key order; `BOOKMARK` only advances the
 *   resourceVersion (an empty batch).
 * - An object the cache cannot hold (no name; a name or namespace that is not a string or contains
 *   `/`; a resourceVersion that is not a string; nesting deeper than 1000 levels) is reported to
 *   `onError` as an `UncacheableObjectError` and skipped: no delta, nothing else changes. In a
 *   `REPLACE` it is left out of the list, so a copy cached earlier is tombstoned like any object
 *   the list lacks.
 * - Each batch is handed on once and not kept: a watch that goes quiet after a list does not hold
 *   the list's deltas until its next event.
 * Decoded objects are deep-frozen as they enter, so every later stage shares them safely. An object whose
 * decoding the source deferred (an `EncodedObject` cell, see core/encodedObject.ts) is kept as the
 * cell: its key and resourceVersion are read from the cell, and its deltas decode it when read,
 * so nothing decodes it until someone reads it (and then it is frozen).
 *
 * Layer `operators`: one RxJS operator per file (deltaFifo, indexer, resync, toEvents, transform,
 * predicates) from watch events to batches, snapshots and informer events. May import: `core`, `store`.
 */
import { defer, filter, map, type OperatorFunction, scan } from 'rxjs';
import { deferredDelta } from '../core/deferredRecord.js';
import { EncodedObject, readObject, type Stored } from '../core/encodedObject.js';
import type { KubeRxError } from '../core/errors.js';
import { DeletedFinalStateUnknown, type Delta, type DeltaBatch, type WatchEvent } from '../core/events.js';
import { type DeepReadonly, type KubeObject, resourceVersionOf } from '../core/objects.js';
import { admissionKey, admittedObject, type UncacheableObjectError } from '../store/cacheAdmission.js';
import { FifoBatch, type StoredChange } from '../store/fifoBatch.js';
import { PersistentMap } from '../store/persistentMap.js';
import { Snapshot } from '../store/snapshot.js';

/** Options of {@link deltaFifo}. */
export interface DeltaFifoOptions<T> {
  /**
   * Objects the cache already holds before the first list (client-go's `indexer.Add` before
   * `Run`). An object missing from the first list then yields a tombstoned `Deleted`. Given
   * the {@link Snapshot} an `indexer` starts from, the two share one map of objects.
   */
  knownObjects?: Iterable<T | DeepReadonly<T>>;
  /**
   * Receives an {@link UncacheableObjectError} for each object that cannot be cached (see the
   * module comment); it is skipped and nothing else changes. Without it such an object errors
   * the stream.
   */
  onError?: (error: KubeRxError) => void;
  /** The resource the events are of (`pods.v1`, as `describeResource` names it), for the errors. */
  resource?: string;
}

interface FifoState<T> {
  /** The cached objects by key: frozen (typed read-only), or cells that decode to frozen objects. */
  readonly known: PersistentMap<Stored<T>>;
  readonly resourceVersion: string;
  readonly synced: boolean;
  /** The batch the last event produced, or null when it produced nothing to emit. */
  readonly out: DeltaBatch<T> | null;
}

/** The state after an event that produced a batch. */
function emitted<T>(
  before: PersistentMap<Stored<T>>,
  known: PersistentMap<Stored<T>>,
  deltas: Delta<T>[],
  resourceVersion: string,
  synced: boolean,
  initialList: boolean,
  change?: StoredChange<T>,
): FifoState<T> {
  const out = new FifoBatch(deltas, resourceVersion, synced, initialList, before, known, change);
  return { known, resourceVersion, synced, out };
}

/** The state after an event that produced nothing (the same object when nothing was pending). */
function skipped<T>(state: FifoState<T>): FifoState<T> {
  return state.out === null ? state : { ...state, out: null };
}

/**
 * The batch of `state`, handed on once: the state that `scan` keeps until the next event then
 * holds no batch. Otherwise a watch that goes quiet after a list would keep the list's batch (a
 * delta per object, and the map before it) alive until its next event. The reducer stays pure:
 * only this operator's own state object loses its `out`, after it was emitted.
 */
function handOn<T>(state: FifoState<T>): DeltaBatch<T> | null {
  const out = state.out;
  if (out !== null) (state as { out: DeltaBatch<T> | null }).out = null;
  return out;
}

/**
 * The map's keys in sorted order, so resyncs and tombstones come in an order that does not depend
 * on hashing (client-go's is random; a stable one makes tests and logs reproducible).
 */
function sortedKeys(known: PersistentMap<unknown>): string[] {
  const keys: string[] = [];
  known.forEach((_, key) => {
    keys.push(key);
  });
  return keys.sort();
}

function isDuplicate(known: Stored<unknown> | undefined, object: Stored<unknown>): boolean {
  const rv = resourceVersionOf(object as KubeObject);
  if (known === undefined || rv === '') return false;
  // A cached cell's own copy of its resourceVersion: one object read instead of two.
  return (
    (known instanceof EncodedObject
      ? (known.resourceVersion ?? '')
      : resourceVersionOf(known as KubeObject)) === rv
  );
}

/**
 * A delta of stored values: a plain one when both are decoded objects, else one that decodes its
 * cells when they are read ({@link deferredDelta}).
 */
function deltaOf<T>(
  type: 'Added' | 'Updated' | 'Deleted' | 'Replaced' | 'Sync',
  key: string,
  object: Stored<T>,
  oldObject: Stored<T> | undefined,
): Delta<T> {
  if (object instanceof EncodedObject || oldObject instanceof EncodedObject)
    return deferredDelta<Delta<T>>(type, key, object, oldObject);
  return oldObject === undefined
    ? { type, key, object: object as DeepReadonly<T> }
    : { type, key, object: object as DeepReadonly<T>, oldObject: oldObject as DeepReadonly<T> };
}

/**
 * `Added` or `Replaced` for each listed key, in list order (like client-go's Replace). A key
 * listed twice counts once, as its last copy; a list with each key once (the usual case) needs no
 * lookups for that, and a list into an empty cache none at all.
 */
function listedDeltas<T>(
  keys: readonly string[],
  objects: readonly Stored<T>[],
  listed: PersistentMap<Stored<T>>,
  known: PersistentMap<Stored<T>>,
): Delta<T>[] {
  const seen = listed.size === keys.length ? undefined : new Set<string>();
  const deltas: Delta<T>[] = [];
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const object = objects[i] as Stored<T>;
    if (seen !== undefined) {
      if (listed.get(key) !== object || seen.has(key)) continue;
      seen.add(key);
    }
    const old = known.size === 0 ? undefined : known.get(key);
    deltas.push(
      old === undefined ? deltaOf('Added', key, object, undefined) : deltaOf('Replaced', key, object, old),
    );
  }
  return deltas;
}

/** `raw` as the cache stores it: a cell as it is (the source checked it), else frozen (or undefined). */
function admitted<T>(
  raw: T | EncodedObject,
  key: string,
  report: (error: KubeRxError) => void,
  resource: string | undefined,
): Stored<T> | undefined {
  return raw instanceof EncodedObject ? raw : admittedObject<T>(raw, key, report, resource);
}

/**
 * Turns watch events into delta batches. See the module comment for the rules.
 *
 * @example
 * ```ts
 * listWatch(client, resources.pods).pipe(resync(60_000), deltaFifo(), indexer({ node: byField('spec.nodeName') }));
 * ```
 */
export function deltaFifo<T extends KubeObject>(
  options: DeltaFifoOptions<T> = {},
): OperatorFunction<WatchEvent<T>, DeltaBatch<T>> {
  const report =
    options.onError ??
    ((error: KubeRxError) => {
      throw error;
    });
  const { resource } = options;

  const step = (state: FifoState<T>, event: WatchEvent<T>): FifoState<T> => {
    // No closure or spread is made per event unless it is needed: this runs for every watch event.
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const key = admissionKey(event.object, report, resource);
        if (key === undefined) return skipped(state);
        const object = admitted<T>(event.object, key, report, resource);
        if (object === undefined) return skipped(state);
        // One walk finds the old value and copies the path; a duplicate (rare) drops the copy.
        const [known, old] = state.known.swap(key, object);
        if (isDuplicate(old, object)) return skipped(state);
        const delta =
          old === undefined ? deltaOf('Added', key, object, undefined) : deltaOf('Updated', key, object, old);
        return emitted(
          state.known,
          known,
          [delta],
          resourceVersionOf(object as KubeObject) || state.resourceVersion,
          state.synced,
          false,
          [old, object],
        );
      }
      case 'DELETED': {
        const key = admissionKey(event.object, report, resource);
        if (key === undefined) return skipped(state);
        const old = state.known.get(key);
        if (old === undefined) return skipped(state);
        const object = admitted<T>(event.object, key, report, resource);
        if (object === undefined) return skipped(state);
        return emitted(
          state.known,
          state.known.delete(key),
          [deltaOf('Deleted', key, object, old)],
          resourceVersionOf(object as KubeObject) || state.resourceVersion,
          state.synced,
          false,
          [old, undefined],
        );
      }
      case 'BOOKMARK':
        return emitted(state.known, state.known, [], event.resourceVersion, state.synced, false);
      case 'RESYNC': {
        if (!state.synced) return skipped(state);
        const deltas: Delta<T>[] = [];
        for (const key of sortedKeys(state.known)) {
          const object = state.known.get(key) as Stored<T>;
          deltas.push(deltaOf('Sync', key, object, object));
        }
        return emitted(state.known, state.known, deltas, state.resourceVersion, state.synced, false);
      }
      case 'REPLACE': {
        const keys: string[] = [];
        const objects: Stored<T>[] = [];
        const listed = PersistentMap.empty<Stored<T>>().withMutations((next) => {
          for (const raw of event.objects) {
            const key = admissionKey(raw, report, resource);
            const object = key === undefined ? undefined : admitted<T>(raw, key, report, resource);
            if (object === undefined) continue;
            next.set(key as string, object);
            keys.push(key as string);
            objects.push(object);
          }
        });
        const deltas = listedDeltas(keys, objects, listed, state.known);
        for (const key of sortedKeys(state.known)) {
          if (listed.has(key)) continue;
          const old = readObject<T>(state.known.get(key) as Stored<T>);
          const tombstone = new DeletedFinalStateUnknown<T>(key, old);
          deltas.push({ type: 'Deleted', key, object: old, oldObject: old, tombstone });
        }
        return emitted(state.known, listed, deltas, event.resourceVersion, true, !state.synced);
      }
    }
  };

  return (source) =>
    defer(() => {
      const warm = options.knownObjects;
      const seed: FifoState<T> = {
        known:
          warm instanceof Snapshot
            ? (warm as Snapshot<T>).objectMap
            : PersistentMap.empty<Stored<T>>().withMutations((m) => {
                for (const raw of warm ?? []) {
                  const key = admissionKey(raw, report, resource);
                  const object =
                    key === undefined ? undefined : admittedObject<T>(raw, key, report, resource);
                  if (object !== undefined) m.set(key as string, object);
                }
              }),
        resourceVersion: '',
        synced: false,
        out: null,
      };
      return source.pipe(
        scan(step, seed),
        map(handOn),
        filter((batch): batch is DeltaBatch<T> => batch !== null),
      );
    });
}
