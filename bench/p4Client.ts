/**
 * One P4 client run in its own process: `--client=client-node|kube-rx`, `--mode=list|watch`,
 * against the server described by `BENCH_SERVER` (JSON, see lib/fakeServer.ts).
 *
 * - `list`: each client's own way to fill its cache: client-node's `makeInformer` with
 *   `CoreV1Api.listPodForAllNamespaces` (one unpaginated list, deserialised into model classes),
 *   kube-rx's `informer` (paginated, 500 per page). Done when the cache holds every pod.
 * - `watch`: both lists return nothing at resourceVersion 1, so the whole cache is filled by the
 *   same watch stream (every pod ADDED, then the MODIFIED events). Done when the last event is in.
 *
 * Reports the time, the events per second, the CPU time this process used, and the heap the
 * cache retains per object (heap after a forced GC with the informer alive, minus the heap before
 * it started, over the object count).
 */
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod, type V1PodList } from '@kubernetes/client-node';
import type { KubeClient } from '../src/core/client.js';
import { informer, kubeClient, resources, type Snapshot } from '../src/index.js';
import { emitResult } from './lib/child.js';
import type { ServerInfo } from './lib/fakeServer.js';
import { heapUsed } from './lib/harness.js';
import { type Frame, profile } from './lib/profile.js';

export interface P4Run {
  readonly client: string;
  readonly mode: string;
  readonly ms: number;
  readonly events: number;
  readonly eventsPerSec: number;
  /** Time the ADDED part of a watch took, and the MODIFIED part (watch mode). */
  readonly addedMs?: number;
  readonly modifiedPerSec?: number;
  readonly bytesPerObject: number;
  /** CPU time (user + system) of this client process during the run. */
  readonly cpuMs: number;
  readonly error?: string;
  readonly profile?: Frame[];
}

const info = JSON.parse(process.env.BENCH_SERVER ?? '{}') as ServerInfo;
const client = process.argv.find((a) => a.startsWith('--client='))?.slice(9) ?? 'kube-rx';
const mode = process.argv.find((a) => a.startsWith('--mode='))?.slice(7) ?? 'list';
const N = info.pods;
const events = mode === 'watch' ? info.pods + info.modifications : info.pods;
const lastRv = mode === 'watch' ? info.resourceVersion : undefined;
/** resourceVersion of the last ADDED event (pods are created at 2..N+1). */
const lastAddedRv = String(N + 1);

const kc = new KubeConfig();
kc.loadFromString(info.kubeConfigYaml);
const emptyList = { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '1' }, items: [] };

/** Keeps the running informer reachable while the heap is measured. */
let retained: unknown;

interface Progress {
  addedAt?: number;
}

/** client-node: resolves when its cache received every expected add/update callback. */
async function clientNode(progress: Progress): Promise<void> {
  const api = kc.makeApiClient(CoreV1Api);
  const list =
    mode === 'watch'
      ? () => Promise.resolve(emptyList as unknown as V1PodList)
      : () => api.listPodForAllNamespaces();
  const pods = makeInformer<V1Pod>(kc, '/api/v1/pods', list);
  retained = pods;
  let seen = 0;
  const done = new Promise<void>((resolve, reject) => {
    const count = () => {
      seen++;
      if (seen === N) progress.addedAt = performance.now();
      if (seen === events) resolve();
    };
    pods.on('add', count);
    pods.on('update', count);
    pods.on('error', (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))));
  });
  await pods.start();
  await done;
  if (pods.list().length !== N) throw new Error(`client-node cache holds ${pods.list().length} pods`);
}

/** kube-rx: resolves when the informer's snapshot holds every pod (at the last resourceVersion). */
async function kubeRx(progress: Progress): Promise<void> {
  // client-node's informer has no client-side rate limit: compare like with like.
  const http = kubeClient(kc, { rateLimit: false });
  const source: KubeClient =
    mode === 'watch'
      ? { ...http, list: () => Promise.resolve({ items: [], metadata: { resourceVersion: '1' } }) }
      : http;
  const pods = informer<V1Pod>(source, resources.pods);
  await new Promise<void>((resolve, reject) => {
    const subscription = pods.store$.subscribe({
      next: (snapshot: Snapshot<V1Pod>) => {
        if (
          progress.addedAt === undefined &&
          snapshot.size === N &&
          (!lastRv || snapshot.resourceVersion >= lastAddedRv)
        )
          progress.addedAt = performance.now();
        if (snapshot.size === N && (!lastRv || snapshot.resourceVersion === lastRv)) resolve();
      },
      error: reject,
    });
    retained = { pods, subscription };
  });
}

async function main(): Promise<void> {
  const before = heapUsed();
  const progress: Progress = {};
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  let error: string | undefined;
  let frames: Frame[] | undefined;
  try {
    const go = () => (client === 'client-node' ? clientNode(progress) : kubeRx(progress));
    const run = process.argv.includes('--profile')
      ? profile(`p4-${client}-${mode}`, go).then((found) => {
          frames = found;
        })
      : go();
    await Promise.race([
      run,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('timed out after 600 s')), 600_000).unref(),
      ),
    ]);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const after = heapUsed();
  const addedMs = mode === 'watch' && progress.addedAt ? progress.addedAt - start : undefined;
  const result: P4Run = {
    client,
    mode,
    ms,
    events,
    eventsPerSec: (events * 1000) / ms,
    ...(addedMs !== undefined
      ? { addedMs, modifiedPerSec: (info.modifications * 1000) / (ms - addedMs) }
      : {}),
    bytesPerObject: (after - before) / N,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...(error ? { error } : {}),
    ...(frames ? { profile: frames } : {}),
  };
  emitResult(result);
  if (retained === undefined) process.stderr.write('nothing retained\n');
  process.exit(0);
}

await main();
