/**
 * P7 metadata-only informers (issue 17): the same pods cached whole and as `PartialObjectMetadata`
 * (`informer(..., { metadataOnly: true })`, client-go's `metadatainformer`), each variant in its own
 * process so that one's heap does not blur the other's.
 *
 * Each variant reads what the server would send it: the list body and the watch lines are the JSON
 * text of the fixture pods, whole or reduced to apiVersion/kind/metadata, and the client parses
 * them as the transport would (no network: the server's and the wire's share is left out, which
 * favours the full variant). Measured: heap per cached object after the initial list (forced GC),
 * and MODIFIED events per second through the informer to its snapshot once synced.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { concat, from, map, mergeMap, NEVER, type Observable } from 'rxjs';
import type { KubeClient, ListResult, RawWatchEvent } from '../src/core/client.js';
import type { KubeObject } from '../src/core/objects.js';
import { byNamespace, informer, resources } from '../src/index.js';
import { makePod, modifyPod } from './fixtures/pods.js';
import { emitResult, runChild } from './lib/child.js';
import { fmt, heapUsed, SHORT, scale } from './lib/harness.js';

type Variant = 'full' | 'metadata';

export interface P7Variant {
  readonly n: number;
  readonly events: number;
  readonly heapPerObject: number;
  readonly listBytesPerObject: number;
  readonly eventsPerSecond: number;
}

export interface P7Result {
  readonly full: P7Variant;
  readonly metadata: P7Variant;
  /** metadata heap per object / full heap per object. */
  readonly heapRatio: number;
  /** metadata events/s / full events/s. */
  readonly eventsRatio: number;
}

const N = scale(100_000, 10_000);
const EVENTS = scale(100_000, 20_000);

/** What the server sends for `pod` in this variant. */
function shaped(pod: V1Pod, variant: Variant): unknown {
  return variant === 'full'
    ? pod
    : { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: pod.metadata };
}

/** A client that answers one list and one watch with prepared JSON text, parsed on demand. */
function replayClient(listBody: string, lines: readonly string[], start: Promise<void>): KubeClient {
  const unused = () => Promise.reject(new Error('p7: not used'));
  return {
    list: async <T extends KubeObject>() => JSON.parse(listBody) as ListResult<T>,
    // Nothing until the gate opens, then every line at once; the watch stays open after.
    watch: (): Observable<RawWatchEvent> =>
      from(start).pipe(
        mergeMap(() => concat(from(lines).pipe(map((line) => JSON.parse(line) as RawWatchEvent)), NEVER)),
      ),
    get: unused,
    create: unused,
    replace: unused,
    patch: unused,
    delete: unused,
  };
}

async function worker(variant: Variant): Promise<P7Variant> {
  const pods = Array.from({ length: N }, (_, i) => makePod(i));
  const listBody = JSON.stringify({
    metadata: { resourceVersion: String(1000 + N) },
    items: pods.map((pod) => shaped(pod, variant)),
  });
  const lines = Array.from({ length: EVENTS }, (_, i) => {
    const pod = modifyPod(pods[i % N] as V1Pod, String(2000 + N + i), i);
    return JSON.stringify({ type: 'MODIFIED', object: shaped(pod, variant) });
  });
  pods.length = 0;
  let open!: () => void;
  const start = new Promise<void>((resolve) => {
    open = resolve;
  });
  const client = replayClient(listBody, lines, start);
  const before = heapUsed();
  const cache: { deltas$: Observable<{ readonly deltas: readonly unknown[] }>; synced: Promise<unknown> } =
    variant === 'metadata'
      ? informer(client, resources.pods, { metadataOnly: true, indexers: { namespace: byNamespace } })
      : informer(client, resources.pods, { indexers: { namespace: byNamespace } });
  let updates = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const subscription = cache.deltas$.subscribe((batch) => {
    updates += batch.deltas.length;
    if (updates >= EVENTS) done();
  });
  await cache.synced;
  const heapPerObject = (heapUsed() - before) / N;
  const t0 = performance.now();
  open();
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  subscription.unsubscribe();
  return {
    n: N,
    events: EVENTS,
    heapPerObject,
    listBytesPerObject: Buffer.byteLength(listBody) / N,
    eventsPerSecond: EVENTS / seconds,
  };
}

async function main(): Promise<void> {
  const variantArg = process.argv.find((a) => a.startsWith('--variant='));
  if (variantArg) {
    emitResult(await worker(variantArg.slice('--variant='.length) as Variant));
    return;
  }
  const flags = SHORT ? ['--short'] : [];
  const full = await runChild<P7Variant>('bench/p7MetadataOnly.ts', [...flags, '--variant=full']);
  const metadata = await runChild<P7Variant>('bench/p7MetadataOnly.ts', [...flags, '--variant=metadata']);
  for (const [name, v] of [
    ['full', full],
    ['metadata', metadata],
  ] as const)
    console.error(
      `P7 ${name}: ${fmt(v.heapPerObject)} B heap/object, ${fmt(v.listBytesPerObject)} B JSON/object, ${fmt(v.eventsPerSecond)} events/s`,
    );
  emitResult({
    full,
    metadata,
    heapRatio: metadata.heapPerObject / full.heapPerObject,
    eventsRatio: metadata.eventsPerSecond / full.eventsPerSecond,
  } satisfies P7Result);
}

await main();
