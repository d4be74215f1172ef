/**
 * P1 ingest: a watch stream of realistic pods (~1.5 KB of JSON each) from raw bytes into an
 * indexed cache, against `JSON.parse` of the same lines.
 *
 * Subject: what an informer runs by default (`deferDecoding`, see src/core/encodedObject.ts): the
 * bytes of a chunked watch response -> the transport's LineSplitter + `decodeWatchLine` (each
 * object's text parsed once to check it and read its key, then kept as an `EncodedObject` cell) ->
 * listWatch (the Reflector) -> deltaFifo (stores the cells as they are: nothing is frozen there
 * until an object is read) -> indexer (namespace + node indexes), one snapshot per event. The
 * namespace index reads a cell's namespace without decoding it; the node index reads
 * `spec.nodeName` from the parse the cell keeps until the snapshot has filed it (no second
 * parse, no freeze). The stages in between are measured too, all deferred, to show where the time
 * goes; 'bytes: split + parse' parses each object's text (and keeps the text).
 *
 * References in the same rounds: the same pipeline with `deferDecoding: false` (each line parsed
 * whole, deltaFifo deep-freezes every object: the previous subject), and the subject followed by
 * reading every object of its last snapshot once (what a consumer that reads everything pays on
 * top: a second parse and a freeze per object). Baseline: `JSON.parse` of
 * each line, keeping the objects (as any cache must; a variant that drops them is reported for
 * reference). Everything is synchronous (`from`-style Observables), so no timer or socket is
 * measured.
 *
 * Target: subject throughput >= 0.6x the baseline's.
 */
import type { V1Pod } from '@kubernetes/client-node';
import {
  byField,
  byNamespace,
  deltaFifo,
  indexer,
  listWatch,
  resources,
  type Snapshot,
} from '../src/index.js';
import { listOf, scriptedClient } from '../src/testing/index.js';
import { watchLines } from './fixtures/pods.js';
import { emitResult } from './lib/child.js';
import { interleave, SHORT, scale, type Timing } from './lib/harness.js';
import { type Frame, profile } from './lib/profile.js';
import { chunked, watchFromChunks } from './lib/watchBytes.js';

export interface P1Result {
  readonly n: number;
  readonly lineBytes: number;
  readonly timings: Record<string, Timing>;
  /** Events per second of each task. */
  readonly rates: Record<string, number>;
  /** Subject throughput / baseline throughput. */
  readonly ratio: number;
  readonly profile?: Frame[];
}

const N = scale(100_000, 10_000);
const ROUNDS = scale(5, 5);

const lines = watchLines(N);
const bytes = Buffer.from(`${lines.join('\n')}\n`);
const chunks = chunked(bytes);

/** A client whose watch decodes `chunks` deferred (the informer's default) or eagerly. */
const client = (deferDecoding = true) =>
  scriptedClient({ lists: [listOf([], '1')], watches: [watchFromChunks(chunks, { deferDecoding })] });
const indexers = { namespace: byNamespace, node: byField('spec.nodeName') };

function expectSize(size: number): void {
  if (size !== N) throw new Error(`expected ${N} objects, got ${size}`);
}

/**
 * bytes -> split + decode -> listWatch -> deltaFifo -> indexer; deferred (the subject, as an
 * informer decodes by default) unless `deferDecoding` is false.
 */
function informerPipeline(deferDecoding = true): Snapshot<V1Pod> {
  let last: Snapshot<V1Pod> | undefined;
  listWatch(client(deferDecoding), resources.pods, { deferDecoding })
    .pipe(deltaFifo(), indexer<V1Pod>(indexers))
    .subscribe((snapshot) => {
      last = snapshot;
    })
    .unsubscribe();
  expectSize(last?.size ?? 0);
  return last as Snapshot<V1Pod>;
}

const tasks = {
  'JSON.parse, objects kept (baseline)': {
    run: () => {
      const out: unknown[] = new Array(lines.length);
      for (let i = 0; i < lines.length; i++) out[i] = JSON.parse(lines[i] as string);
      return out;
    },
  },
  'JSON.parse, objects dropped': {
    run: () => {
      let last: unknown;
      for (let i = 0; i < lines.length; i++) last = JSON.parse(lines[i] as string);
      return last;
    },
  },
  'bytes: split + parse': {
    run: () => {
      const out: unknown[] = [];
      watchFromChunks(chunks).subscribe((event) => out.push(event));
      expectSize(out.length);
      return out;
    },
  },
  '+ listWatch': {
    run: () => {
      const out: unknown[] = [];
      listWatch(client(), resources.pods, { deferDecoding: true })
        .subscribe((event) => out.push(event))
        .unsubscribe();
      expectSize(out.length - 1); // + the REPLACE of the (empty) list
      return out;
    },
  },
  '+ deltaFifo': {
    run: () => {
      let batches = 0;
      listWatch(client(), resources.pods, { deferDecoding: true })
        .pipe(deltaFifo())
        .subscribe(() => batches++)
        .unsubscribe();
      expectSize(batches - 1);
      return batches;
    },
  },
  '+ indexer (namespace, node): kube-rx': { run: () => informerPipeline() },
  '+ read every object once (reference)': {
    run: () => {
      const snapshot = informerPipeline();
      let read = 0;
      for (const pod of snapshot) if (pod.metadata !== undefined) read++;
      expectSize(read);
      return snapshot;
    },
  },
  'eager decoding, deferDecoding: false (reference)': { run: () => informerPipeline(false) },
};

export const BASELINE = 'JSON.parse, objects kept (baseline)';
export const SUBJECT = '+ indexer (namespace, node): kube-rx';

async function main(): Promise<void> {
  const timings = await interleave(tasks, ROUNDS);
  const rates: Record<string, number> = {};
  for (const [name, timing] of Object.entries(timings)) rates[name] = (N * 1000) / timing.ms;
  const ratio = (timings[BASELINE].ms as number) / timings[SUBJECT].ms;
  const result: P1Result = {
    n: N,
    lineBytes: Math.round(bytes.length / N),
    timings,
    rates,
    ratio,
    ...(process.argv.includes('--profile') && !SHORT
      ? { profile: await profile('p1-ingest', () => informerPipeline()) }
      : {}),
  };
  emitResult(result);
}

await main();
