/**
 * What applying one P2 event allocates, counted rather than timed (issue 17, eighth round; the
 * table in docs/benchmarks.md, "Fewer bytes per event"). A store of `SIZE` fixture pods is built
 * by P2's own code (bench/lib/p2Store.ts: indexes first, the list decoded into cells), and fed
 * P2's events; they are decoded before anything is measured, so only the applying allocates in the
 * measured stretch.
 *
 * Run with a young generation large enough that no collection runs while the events are applied:
 *
 *   node --expose-gc --max-semi-space-size=256 --import tsx bench/instructions/p2Allocation.ts 100000
 *
 * It prints the heap's growth per event over `EVENTS` events (and fails if a collection ran in
 * between; the growth also holds code the JIT compiled meanwhile, so two runs can differ by a few
 * hundred bytes), then the allocations of a second stretch from V8's sampling heap profiler, in
 * bytes per event: their total, which repeats more closely, and the top sites.
 */
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { RawWatchEvent } from '../../src/core/client.js';
import { makePod } from '../fixtures/pods.js';
import { gc } from '../lib/harness.js';
import { kubeRxStore, listedCellsWithNode, modifiedEvents } from '../lib/p2Store.js';

const SIZE = Number(process.argv[2] ?? 100_000);
const EVENTS = 5_000;

const json = Array.from({ length: SIZE }, (_, i) => JSON.stringify(makePod(i)));
const store = kubeRxStore(listedCellsWithNode(json));
const modified = modifiedEvents(json, true);
const prepare = modified.make;
const apply = (events: readonly RawWatchEvent[]) => {
  for (const event of events) store.apply(event);
};

apply(prepare(EVENTS)); // warm-up: JIT
let collections = 0;
const observer = new PerformanceObserver((list) => {
  collections += list.getEntries().length;
});
observer.observe({ entryTypes: ['gc'] });
const events = prepare(EVENTS);
gc();
await new Promise((resolve) => setTimeout(resolve, 10));
const before = collections;
const heapBefore = getHeapStatistics().used_heap_size;
apply(events);
const grown = getHeapStatistics().used_heap_size - heapBefore;
await new Promise((resolve) => setTimeout(resolve, 10));
observer.disconnect();
if (collections !== before)
  throw new Error('a collection ran while the events were applied: raise --max-semi-space-size');
if (store.resourceVersion() !== modified.last()) throw new Error('the events were not applied');
console.log(`${SIZE} pods: ${Math.round(grown / EVENTS)} B allocated per event`);

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}
const session = new Session();
session.connect();
const sampled = prepare(EVENTS);
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 32,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
apply(sampled);
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
session.disconnect();
const bySite = new Map<string, number>();
const walk = (node: ProfileNode, caller: string): void => {
  const { functionName, url } = node.callFrame;
  const here = `${functionName || '(anonymous)'} (${url.split('/').slice(-2).join('/') || 'native'})`;
  // A native frame says little alone: name the JavaScript frame that called it.
  const site = url === '' ? `${here} <- ${caller}` : here;
  if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child, url === '' ? caller : here);
};
walk(profile.head, '(root)');
const sampledTotal = [...bySite.values()].reduce((sum, bytes) => sum + bytes, 0);
console.log(
  `${SIZE} pods: ${Math.round(sampledTotal / EVENTS)} B per event by the sampling profiler, by site:`,
);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${String(Math.round(bytes / EVENTS)).padStart(6)} B  ${site}`);
