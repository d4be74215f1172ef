/**
 * P6 snapshot retention: keep 100 snapshots (one every `updates / 100` events) while single-pod
 * MODIFIED events update a store, and measure the heap they retain beyond the latest snapshot.
 *
 * Snapshots are persistent maps that share structure, so 100 of them should cost what changed
 * between them (the replaced pod versions they still reference, plus a few map nodes per change),
 * not 100 copies of the store. Two checks, each store size in its own process:
 * - the retained heap hardly depends on the store size: the same updates on a store 10x smaller
 *   retain about as much (O(changes)); were it O(n x snapshots), it would be 10x less;
 * - it is far below 100 full copies of the store's maps (a `Map` of the objects plus `Map`/`Set`
 *   indexes, objects shared), which is what copying snapshots would cost.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { Subject } from 'rxjs';
import type { RawWatchEvent } from '../src/core/client.js';
import {
  byField,
  byNamespace,
  type DeepReadonly,
  deltaFifo,
  indexer,
  listWatch,
  resources,
  type Snapshot,
} from '../src/index.js';
import { listOf, scriptedClient } from '../src/testing/index.js';
import { seededRandom } from '../src/testing/random.js';
import { makePod } from './fixtures/pods.js';
import { emitResult, runChild } from './lib/child.js';
import { fmt, heapUsed, SHORT, scale } from './lib/harness.js';

export interface P6Point {
  readonly size: number;
  readonly updates: number;
  readonly snapshots: number;
  /** Heap the retained snapshots hold beyond the latest one (bytes). */
  readonly retainedBytes: number;
  /** Replaced pod versions only the retained snapshots still reference, and their heap. */
  readonly oldVersions: number;
  readonly oldVersionBytes: number;
  /** The rest: the snapshots' own map and index nodes, in all and per update. */
  readonly structureBytes: number;
  readonly structureBytesPerUpdate: number;
  /** Heap of one full copy of the store's maps (objects shared) and of a pod. */
  readonly fullCopyBytes: number;
  readonly podBytes: number;
}

export interface P6Result {
  readonly points: readonly P6Point[];
  /** Retained heap at the larger store / at the 10x smaller one (O(changes): ~1; O(n): 10). */
  readonly sizeRatio: number;
  /** Snapshot structure / the heap of `snapshots` full copies of the maps, at the larger store. */
  readonly copyRatio: number;
}

const SIZE = scale(100_000, 10_000);
const UPDATES = scale(100_000, 10_000);
const SNAPSHOTS = 100;

/**
 * What the worker holds between heap readings. Only helper functions read these fields and the
 * worker clears them, so no slot in the worker's frame keeps a dropped array alive: unoptimised
 * code (the interpreter keeps dead registers) and optimised code measure the same heap. Holding
 * the snapshots in a plain local made the retained heap read near zero whenever the worker ran
 * unoptimised, as a loaded CI machine once did (its O(changes) ratio read 131x).
 */
interface Held {
  snapshots: Snapshot<V1Pod>[];
  oldPods: DeepReadonly<V1Pod>[];
}

/** Heap of one parsed fixture pod, for the decomposition. */
function podHeap(): number {
  const lines = Array.from({ length: 2_000 }, (_, i) => JSON.stringify(makePod(i)));
  const before = heapUsed();
  const parsed = lines.map((line) => JSON.parse(line) as V1Pod);
  // `parsed` is read after the heap reading, so it is alive during it.
  return (heapUsed() - before) / parsed.length;
}

/** Lists `size` pods, applies the updates and keeps every `updates / 100`th snapshot in `held`. */
function fill(size: number, held: Held): Snapshot<V1Pod> {
  const json = Array.from({ length: size }, (_, i) => JSON.stringify(makePod(i)));
  const watch = new Subject<RawWatchEvent>();
  const client = scriptedClient({
    lists: [
      listOf(
        json.map((line) => JSON.parse(line) as V1Pod),
        '200000',
      ),
    ],
    watches: [watch],
  });
  const every = UPDATES / SNAPSHOTS;
  let latest: Snapshot<V1Pod> | undefined;
  let seen = 0;
  const subscription = listWatch(client, resources.pods)
    .pipe(deltaFifo(), indexer<V1Pod>({ namespace: byNamespace, node: byField('spec.nodeName') }))
    .subscribe((snapshot) => {
      latest = snapshot;
      if (seen > 0 && seen % every === 0) held.snapshots.push(snapshot);
      seen++;
    });
  if (latest?.size !== size) throw new Error(`store has ${latest?.size} objects`);

  const random = seededRandom(size);
  let resourceVersion = 200_000;
  for (let done = 0; done < UPDATES; done += 1_000) {
    const events = Array.from({ length: 1_000 }, (_, step): RawWatchEvent => {
      const pod = JSON.parse(json[Math.floor(random() * size)] as string) as V1Pod;
      (pod.metadata as { resourceVersion: string }).resourceVersion = String(++resourceVersion);
      const status = pod.status?.containerStatuses?.[0] as { restartCount: number } | undefined;
      if (status) status.restartCount = done + step + 1;
      return { type: 'MODIFIED', object: pod };
    });
    for (const event of events) watch.next(event);
  }
  subscription.unsubscribe();
  if (held.snapshots.length !== SNAPSHOTS) throw new Error(`retained ${held.snapshots.length} snapshots`);
  return latest as Snapshot<V1Pod>;
}

/**
 * Puts the pod versions that only the retained snapshots still reference into `held.oldPods`.
 * Holding them on their own while the snapshots are dropped splits the retained heap into those
 * versions and the snapshots' own structure (map and index nodes), both measured, not estimated.
 */
function holdOldVersions(held: Held, final: Snapshot<V1Pod>): number {
  const current = new Set(final.list());
  const old = new Set<DeepReadonly<V1Pod>>();
  for (const snapshot of held.snapshots)
    for (const pod of snapshot.list()) if (!current.has(pod)) old.add(pod);
  held.oldPods = [...old];
  return held.oldPods.length;
}

/** Heap of one full copy of the store's maps (objects shared), as a copy-on-snapshot cache makes. */
function fullCopyHeap(final: Snapshot<V1Pod>): number {
  const before = heapUsed();
  const copy = {
    items: new Map(final.keys().map((key) => [key, final.get(key)])),
    indexes: Object.fromEntries(
      final
        .indexNames()
        .map((name) => [
          name,
          new Map(final.indexValues(name).map((value) => [value, new Set(final.indexKeys(name, value))])),
        ]),
    ),
  };
  const bytes = heapUsed() - before;
  if (copy.items.size !== final.size) throw new Error('copy is incomplete');
  return bytes;
}

async function worker(size: number): Promise<P6Point> {
  const podBytes = podHeap();
  const held: Held = { snapshots: [], oldPods: [] };
  const final = fill(size, held);
  const oldVersions = holdOldVersions(held, final);

  const withSnapshots = heapUsed();
  held.snapshots = [];
  const withOldPods = heapUsed();
  held.oldPods = [];
  const latestOnly = heapUsed();
  const retainedBytes = withSnapshots - latestOnly;
  const structureBytes = withSnapshots - withOldPods;
  const oldVersionBytes = withOldPods - latestOnly - 8 * oldVersions; // minus the array itself

  return {
    size,
    updates: UPDATES,
    snapshots: SNAPSHOTS,
    retainedBytes,
    oldVersions,
    oldVersionBytes,
    structureBytes,
    structureBytesPerUpdate: structureBytes / UPDATES,
    fullCopyBytes: fullCopyHeap(final),
    podBytes,
  };
}

async function main(): Promise<void> {
  const sizeArg = process.argv.find((a) => a.startsWith('--size='));
  if (sizeArg) {
    emitResult(await worker(Number(sizeArg.slice('--size='.length))));
    return;
  }
  const flags = SHORT ? ['--short'] : [];
  const large = await runChild<P6Point>('bench/p6Snapshots.ts', [`--size=${SIZE}`, ...flags]);
  const small = await runChild<P6Point>('bench/p6Snapshots.ts', [`--size=${SIZE / 10}`, ...flags]);
  for (const p of [small, large])
    console.error(
      `P6 ${fmt(p.size)} pods: retained ${fmt(p.retainedBytes)} B (${fmt(p.oldVersions)} old versions ${fmt(p.oldVersionBytes)} B, structure ${fmt(p.structureBytes)} B), full copy ${fmt(p.fullCopyBytes)} B`,
    );
  emitResult({
    points: [small, large],
    sizeRatio: large.retainedBytes / small.retainedBytes,
    copyRatio: large.structureBytes / (SNAPSHOTS * large.fullCopyBytes),
  } satisfies P6Result);
}

await main();
