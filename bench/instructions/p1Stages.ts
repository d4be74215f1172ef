/**
 * P1's pipeline stage by stage, for counting instructions (bench/instructions/count.sh) rather
 * than timing: on a shared VM wall-clock A/B runs of the same code moved by 20%, while
 * instruction counts under valgrind, with V8's garbage collector on the main thread at fixed
 * points (`--single-threaded --predictable-gc-schedule`), agree within about 2%.
 *
 * `STAGE` picks what runs over `N` fixture pods, `ROUNDS` times (the counter subtracts one round
 * from three, so start-up and the fixture cancel out):
 * - `parse`: `JSON.parse` of each watch line, objects dropped; `parseKept`: kept (P1's baseline);
 * - `decode`: the bytes split and decoded into cells by the transport's code, dropped;
 * - `listWatch`: + the Reflector;
 * - `map`: + the cells kept in a mutable `Map` by key (the draft each cell carries released);
 * - `fifo`: `deltaFifo` instead of the `Map` (drafts released as the snapshot would);
 * - `informer`: `deltaFifo` + `indexer` (the namespace index; `NODE_INDEX=1` adds P1's node index).
 * Differences of a few percent between two versions of the same stage are not a finding: moving
 * where the collector runs moves the count by that much (docs/benchmarks.md).
 */
import type { V1Pod } from '@kubernetes/client-node';
import {
  byField,
  byNamespace,
  deltaFifo,
  EncodedObject,
  type Indexers,
  indexer,
  listWatch,
  resources,
} from '../../src/index.js';
import { FifoBatch } from '../../src/store/fifoBatch.js';
import { listOf, scriptedClient } from '../../src/testing/index.js';
import { watchLines } from '../fixtures/pods.js';
import { chunked, watchFromChunks } from '../lib/watchBytes.js';

const N = Number(process.env.N ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const STAGE = process.env.STAGE ?? 'informer';
const indexers: Indexers<V1Pod> =
  process.env.NODE_INDEX === '1' ? { namespace: byNamespace, node: byField('spec.nodeName') } : {};

const lines = watchLines(N);
const chunks = chunked(Buffer.from(`${lines.join('\n')}\n`));
/** What the snapshot does once it has filed a cell: drop the parse the cell kept for indexing. */
const release = (stored: unknown) => {
  if (stored instanceof EncodedObject) stored.releaseDraft();
};

/** One pass; returns the number of events it saw and what it kept (so that stays reachable to the end). */
function pass(): [number, unknown] {
  let n = 0;
  if (STAGE === 'parse' || STAGE === 'parseKept') {
    const kept: unknown[] = [];
    let last: unknown;
    for (const line of lines) {
      last = JSON.parse(line);
      if (STAGE === 'parseKept') kept.push(last);
    }
    return [lines.length, STAGE === 'parseKept' ? kept : last];
  }
  if (STAGE === 'decode') {
    watchFromChunks(chunks).subscribe(() => {
      n++;
    });
    return [n, undefined];
  }
  const client = scriptedClient({
    lists: [listOf([], '1')],
    watches: [watchFromChunks(chunks)],
  });
  const source = listWatch<V1Pod>(client, resources.pods, { deferDecoding: true });
  if (STAGE === 'listWatch' || STAGE === 'map') {
    const map = new Map<string, unknown>();
    const keep = (object: unknown) => {
      n++;
      if (STAGE !== 'map') return;
      release(object);
      map.set((object as EncodedObject).key, object);
    };
    source
      .subscribe((event) => {
        if (event.type !== 'REPLACE') keep((event as { object: unknown }).object);
      })
      .unsubscribe();
    return [n, map];
  }
  if (STAGE === 'fifo') {
    source
      .pipe(deltaFifo())
      .subscribe((batch) => {
        n += batch.initialList ? 0 : batch.deltas.length;
        release(FifoBatch.changeOf(batch)?.[1]);
      })
      .unsubscribe();
    return [n, undefined];
  }
  let size = 0;
  source
    .pipe(deltaFifo(), indexer<V1Pod>(indexers))
    .subscribe((snapshot) => {
      size = snapshot.size;
    })
    .unsubscribe();
  return [size, undefined];
}

for (let round = 0; round < ROUNDS; round++) {
  const [seen] = pass();
  if (seen !== N) throw new Error(`stage ${STAGE} saw ${seen} events, not ${N}`);
}
