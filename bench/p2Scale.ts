/**
 * P2 scale: the cost of one MODIFIED event as the store grows (1k, 10k, 100k pods).
 *
 * Each store size runs in its own process (its heap is the heap of a cache that size), rounds
 * alternate the sizes, and each process times several passes of fresh MODIFIED events for random
 * keys through listWatch -> deltaFifo -> indexer (namespace + node indexes) after a warm-up. The
 * events are decoded outside the clock, in chunks of 100 just before they are applied (P1 measures
 * decoding), the way an informer's transport decodes them by default (`deferDecoding`): each
 * event's line goes through the transport's `decodeWatchLine`, so its object arrives as an
 * `EncodedObject` cell (text kept, decoded on first read); the initial store is a list decoded
 * by the transport's `deferredList`, in pages of 500, after the indexes were made (as an
 * informer's are), so it holds cells that carry the node name too. Inside the clock is what could
 * grow with the store: persistent-map updates, index maintenance (the node index reads the
 * `spec.nodeName` value the scan captured), cache misses, GC of a larger heap. The same events as plain parsed
 * objects into a mutable Map cache (the structure of client-node's ListWatch) show how much of the
 * growth the machine alone causes.
 *
 * Target: per-event cost at 100k <= 2.0x the cost at 1k.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { RawWatchEvent } from '../src/core/client.js';
import { makePod } from './fixtures/pods.js';
import { emitResult, runChild } from './lib/child.js';
import { gc, median, SHORT, scale } from './lib/harness.js';
import {
  decodeLine,
  kubeRxStore,
  listedCellsWithNode,
  modifiedEvents,
  modifiedLines,
  type Store,
} from './lib/p2Store.js';
import { type Frame, profile } from './lib/profile.js';

export interface P2Point {
  readonly size: number;
  /** Median per-event cost over the rounds (µs). */
  readonly usPerEvent: number;
  readonly samples: readonly number[];
}

export interface P2Result {
  readonly events: number;
  readonly points: readonly P2Point[];
  /** Per-event cost at the largest size / at the smallest. */
  readonly ratio: number;
  /** The same for a plain mutable Map cache (client-node's), as a reference. */
  readonly reference: readonly P2Point[];
  readonly referenceRatio: number;
  /** Profiles of kube-rx's timed passes at the smallest and the largest size. */
  readonly profiles?: { readonly small?: Frame[]; readonly large?: Frame[] };
}

const SIZES = SHORT ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const EVENTS = scale(20_000, 10_000);
const PASSES = 3;
/** Events decoded, then timed, at a time (~160 KB of objects: they stay in the CPU cache). */
const CHUNK = 100;
/**
 * Seven rounds in the full run: one run's rounds have read from 1.4x to 2.7x on this shared host, so
 * a median of three moved with a single round (the sixteenth round of issue 17 in
 * docs/benchmarks.md).
 */
const ROUNDS = scale(7, 3);

interface WorkerResult {
  readonly size: number;
  readonly usPerEvent: number;
  readonly profile?: Frame[];
}

/**
 * The reference: client-node's ListWatch cache (a mutable Map of namespace -> Map of name ->
 * object, replaced in place; no freezing, no indexes, no snapshots). It shows how much of the
 * growth comes from the machine (cache misses, GC of a larger heap) rather than from kube-rx.
 */
function mapStore(pods: V1Pod[]): Store {
  const objects = new Map<string, Map<string, V1Pod>>();
  let last: string | undefined;
  const apply = (pod: V1Pod) => {
    const namespace = pod.metadata?.namespace ?? '';
    let names = objects.get(namespace);
    if (!names) {
      names = new Map();
      objects.set(namespace, names);
    }
    const name = pod.metadata?.name ?? '';
    const found = names.get(name);
    if (found?.metadata?.resourceVersion !== pod.metadata?.resourceVersion) names.set(name, pod);
    last = pod.metadata?.resourceVersion;
  };
  for (const pod of pods) apply(pod);
  return { apply: (event) => apply(event.object as V1Pod), resourceVersion: () => last, close: () => {} };
}

/** One store size in this process: build it, then time passes of MODIFIED events. */
async function worker(size: number, kind: string): Promise<WorkerResult> {
  const json = Array.from({ length: size }, (_, i) => JSON.stringify(makePod(i)));
  const deferred = kind !== 'map';
  // kube-rx's list as the transport decodes it (cells); the Map's as client-node's (parsed).
  const items = deferred ? listedCellsWithNode(json) : json.map((line) => JSON.parse(line) as V1Pod);
  const store = deferred ? kubeRxStore(items) : mapStore(items);
  items.length = 0;

  /**
   * Fresh events, made outside the timing: for kube-rx, cells as the transport decodes them; for
   * the Map, parsed pods. With `--with-decoding` (measured only, not part of the report's P2),
   * the watch lines are made outside the timing and decoded inside it: what a watch pays per
   * event from the line on.
   */
  const withDecoding = process.argv.includes('--with-decoding');
  const modified = withDecoding ? modifiedLines(json) : modifiedEvents(json, deferred);
  const pass = (events: readonly (RawWatchEvent | string)[]) => {
    if (withDecoding) for (const line of events) store.apply(decodeLine(line as string, deferred));
    else for (const event of events) store.apply(event as RawWatchEvent);
  };

  /**
   * Times `count` events in chunks of {@link CHUNK}, each decoded just before it is timed: a watch
   * decodes an event right before the pipeline sees it, so the object is still in the CPU cache.
   * (Parsing all events up front made freezing them 2x slower, from cache misses alone.)
   */
  const timedPass = (count: number): number => {
    let ms = 0;
    for (let done = 0; done < count; done += CHUNK) {
      const events = modified.make(Math.min(CHUNK, count - done));
      const start = performance.now();
      pass(events);
      ms += performance.now() - start;
    }
    return (ms * 1000) / count;
  };

  timedPass(Math.min(EVENTS, 5_000)); // warm-up: JIT and the young generation
  const costs: number[] = [];
  for (let i = 0; i < PASSES; i++) {
    gc();
    costs.push(timedPass(EVENTS));
  }
  const frames = process.argv.includes('--profile')
    ? await profile(`p2-scale-${kind}-${size}`, () => timedPass(EVENTS), {
        // Decoding the next chunk of events happens outside the clock: leave it out here too,
        // with the scan it calls.
        exclude: (frame) => frame.includes('(bench/'),
        excludeCalls: (frame) => frame.includes('(src/transport/watchStream.ts'),
      })
    : undefined;
  if (store.resourceVersion() !== modified.last()) throw new Error('events were not applied');
  store.close();
  return { size, usPerEvent: median(costs), ...(frames ? { profile: frames } : {}) };
}

const STORES = ['kube-rx', 'map'] as const;

async function main(): Promise<void> {
  const sizeArg = process.argv.find((a) => a.startsWith('--size='));
  if (sizeArg) {
    const kind = process.argv.find((a) => a.startsWith('--store='))?.slice('--store='.length) ?? 'kube-rx';
    emitResult(await worker(Number(sizeArg.slice('--size='.length)), kind));
    return;
  }
  const runs = new Map<string, WorkerResult[]>();
  for (let round = 0; round < ROUNDS; round++) {
    // Every other round measures the sizes largest first, so a host that slows down (or speeds up)
    // over a run does not always favour the same size.
    for (const size of round % 2 === 0 ? SIZES : [...SIZES].reverse()) {
      for (const store of STORES) {
        const args = [`--size=${size}`, `--store=${store}`, ...(SHORT ? ['--short'] : [])];
        const result = await runChild<WorkerResult>('bench/p2Scale.ts', args);
        runs.set(`${store}/${size}`, [...(runs.get(`${store}/${size}`) ?? []), result]);
      }
    }
  }
  const points = (store: string) =>
    SIZES.map((size): P2Point => {
      const list = runs.get(`${store}/${size}`) ?? [];
      return {
        size,
        usPerEvent: median(list.map((r) => r.usPerEvent)),
        samples: list.map((r) => r.usPerEvent),
      };
    });
  const ratio = (list: P2Point[]) =>
    (list[list.length - 1] as P2Point).usPerEvent / (list[0] as P2Point).usPerEvent;
  const kubeRx = points('kube-rx');
  const map = points('map');
  let profiles: P2Result['profiles'];
  if (process.argv.includes('--profile')) {
    const run = (size: number) =>
      runChild<WorkerResult>('bench/p2Scale.ts', [`--size=${size}`, '--store=kube-rx', '--profile']);
    profiles = {
      small: (await run(SIZES[0] as number)).profile,
      large: (await run(SIZES.at(-1) as number)).profile,
    };
  }
  emitResult({
    events: EVENTS,
    points: kubeRx,
    ratio: ratio(kubeRx),
    reference: map,
    referenceRatio: ratio(map),
    ...(profiles ? { profiles } : {}),
  } satisfies P2Result);
}

await main();
