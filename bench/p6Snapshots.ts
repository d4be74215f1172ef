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
import { heapUsed, SHORT, scale } from './lib/harness.js';

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

async function worker(size: number): Promise<P6Point> {
  const json = Array.from({ length: size }, (_, i) => JSON.stringify(makePod(i)));

  // Heap of one parsed pod, for the decomposition.
  const before = heapUsed();
  const parsed = json.slice(0, 2_000).map((line) => JSON.parse(line) as V1Pod);
  const podBytes = (heapUsed() - before) / parsed.length;
  parsed.length = 0;

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
  let retained: Snapshot<V1Pod>[] = [];
  let seen = 0;
  const subscription = listWatch(client, resources.pods)
    .pipe(deltaFifo(), indexer<V1Pod>({ namespace: byNamespace, node: byField('spec.nodeName') }))
    .subscribe((snapshot) => {
      latest = snapshot;
      if (seen > 0 && seen % every === 0) retained.push(snapshot);
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
  const final = latest as Snapshot<V1Pod>;
  if (retained.length !== SNAPSHOTS) throw new Error(`retained ${retained.length} snapshots`);

  // Pod versions that only the retained snapshots still reference. Holding them in an array of
  // their own while the snapshots are dropped splits the retained heap into those versions and
  // the snapshots' own structure (map and index nodes), both measured, not estimated.
  const current = new Set(final.list());
  const oldSet = new Set<DeepReadonly<V1Pod>>();
  for (const snapshot of retained) for (const pod of snapshot.list()) if (!current.has(pod)) oldSet.add(pod);
  let oldPods = [...oldSet];
  const oldVersions = oldPods.length;
  oldSet.clear();
  current.clear();

  const withSnapshots = heapUsed();
  retained = [];
  const withOldPods = heapUsed();
  oldPods = [];
  const latestOnly = heapUsed();
  const retainedBytes = withSnapshots - latestOnly;
  const structureBytes = withSnapshots - withOldPods;
  const oldVersionBytes = withOldPods - latestOnly - 8 * oldVersions; // minus the array itself
  if (oldPods.length !== 0) throw new Error('unreachable');

  // One full copy of the store's maps (objects shared), as a copy-on-snapshot cache would make.
  const copyBefore = heapUsed();
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
  const fullCopyBytes = heapUsed() - copyBefore;
  if (copy.items.size !== size) throw new Error('copy is incomplete');

  return {
    size,
    updates: UPDATES,
    snapshots: SNAPSHOTS,
    retainedBytes,
    oldVersions,
    oldVersionBytes,
    structureBytes,
    structureBytesPerUpdate: structureBytes / UPDATES,
    fullCopyBytes,
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
  emitResult({
    points: [small, large],
    sizeRatio: large.retainedBytes / small.retainedBytes,
    copyRatio: large.structureBytes / (SNAPSHOTS * large.fullCopyBytes),
  } satisfies P6Result);
}

await main();
