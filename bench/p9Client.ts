/**
 * One P9 client in its own process, against the full-scale server in `BENCH_SERVER` (JSON, see
 * lib/fullScaleServer.ts): `--variant=full` (kube-rx `informer`), `--variant=metadata`
 * (`informer(..., { metadataOnly: true })`), `--variant=metadata-stripped` (the same with
 * `transform: stripManagedFields()`: the server's managedFields are metadata, and most of it) or
 * `--variant=client-node` (client-node's `makeInformer` with `listPodForAllNamespaces`, one
 * unpaginated list, as in P4).
 *
 * 1. From the start to the cache synced (kube-rx: `synced`; client-node: `start()` resolved,
 *    its list applied and its watch open): the time, then heap per cached object (heap after a
 *    forced GC minus the heap before the informer started, over the pods) and the RSS.
 * 2. It asks the server for its churn (`--rate` status updates per second for `--seconds`) and
 *    records, for every update its cache applies, the resourceVersion and the arrival time, until
 *    the server's last write has arrived. Then: updates applied per second (start of the churn to
 *    that arrival), the lag of each update from the server's commit to the cache (p50, p99, max),
 *    the process's CPU over the same time, and the RSS at the end.
 *
 * The kube-rx clients read no cached object (an informer without a transform keeps them encoded
 * until read), so what is measured is the cache itself, as a controller that has not yet looked
 * at its objects holds it.
 *
 * kube-rx's client is `kubeClient(kc, { rateLimit: false })`: with the default limit (client-go's
 * 5 requests/s, burst 10) its 300 list pages at 150k pods would take about a minute by the
 * throttle alone, which measures the limiter, not the informer; client-node has no limiter.
 */
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import type { Observable } from 'rxjs';
import { byNamespace, informer, kubeClient, resources, stripManagedFields } from '../src/index.js';
import { emitResult } from './lib/child.js';
import type { FullScaleServerInfo } from './lib/fullScaleServer.js';
import { heapUsed } from './lib/harness.js';
import { type ChurnReport, epochMs } from './lib/statusChurn.js';

export type P9Variant = 'full' | 'metadata' | 'metadata-stripped' | 'client-node';

/** One client's measurements. */
export interface P9Run {
  readonly variant: P9Variant;
  readonly pods: number;
  /** Start to synced (ms). */
  readonly syncMs: number;
  readonly heapPerObject: number;
  /** RSS once synced, after the forced GC (bytes). */
  readonly syncedRss: number;
  /** The server's churn window. */
  readonly churn: Omit<ChurnReport, 'writtenAt' | 'firstRv'>;
  /** Updates the cache applied during the churn (should equal `churn.writes`). */
  readonly applied: number;
  /** applied / (churn start to the last arrival). */
  readonly appliedPerSec: number;
  /** Server commit to cache, per update (ms). */
  readonly lag: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Client CPU (user + system) from the churn start to the last arrival, % of one core. */
  readonly cpuPercent: number;
  /** The client's garbage collection pauses over the same span, in all and the longest (ms). */
  readonly gcPauseMs: { readonly total: number; readonly max: number };
  /** The machine's 1-minute load average at the end of the churn: other processes delay updates too. */
  readonly loadAverage: number;
  /** RSS at the end of the churn (bytes). */
  readonly endRss: number;
}

const info = JSON.parse(process.env.BENCH_SERVER ?? '{}') as FullScaleServerInfo;
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const variant = (arg('variant') ?? 'full') as P9Variant;
const RATE = Number(arg('rate') ?? 1000);
const SECONDS = Number(arg('seconds') ?? 30);

const kc = new KubeConfig();
kc.loadFromString(info.kubeConfigYaml);

/** The resourceVersion and arrival time of every update applied, recorded once `recording`. */
const arrivals = { recording: false, rvs: [] as number[], at: [] as number[], last: 0, lastAt: 0 };
function arrived(resourceVersion: string | undefined): void {
  if (!arrivals.recording) return;
  const rv = Number(resourceVersion);
  const at = epochMs();
  arrivals.rvs.push(rv);
  arrivals.at.push(at);
  if (rv > arrivals.last) {
    arrivals.last = rv;
    arrivals.lastAt = at;
  }
}

/**
 * Garbage collection pauses that start inside `gcPauses.from..until` (performance.now() times).
 * Entries are delivered after the fact, so they are filtered by their start, not by when they
 * arrive: the forced collections of the heap measurement just before the churn arrive during it.
 */
const gcPauses = { from: Number.POSITIVE_INFINITY, until: Number.POSITIVE_INFINITY, total: 0, max: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.startTime < gcPauses.from || entry.startTime > gcPauses.until) continue;
    gcPauses.total += entry.duration;
    gcPauses.max = Math.max(gcPauses.max, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

/** Keeps the informer reachable while the heap is measured. */
let retained: unknown;

/** Starts the variant's cache and resolves once it is synced. */
async function startCache(): Promise<number> {
  if (variant === 'client-node') {
    const api = kc.makeApiClient(CoreV1Api);
    const pods = makeInformer<V1Pod>(kc, '/api/v1/pods', () => api.listPodForAllNamespaces());
    pods.on('update', (pod) => arrived(pod.metadata?.resourceVersion));
    pods.on('error', (error: unknown) => {
      process.stderr.write(`P9 client-node informer error: ${String(error)}\n`);
      process.exit(1);
    });
    retained = pods;
    await pods.start();
    return pods.list().length;
  }
  const client = kubeClient(kc, { rateLimit: false });
  const indexers = { namespace: byNamespace };
  const pods =
    variant === 'full'
      ? informer(client, resources.pods, { indexers })
      : informer(client, resources.pods, {
          metadataOnly: true,
          indexers,
          ...(variant === 'metadata-stripped' ? { transform: stripManagedFields() } : {}),
        });
  const deltas$: Observable<{
    readonly resourceVersion: string;
    readonly deltas: readonly {
      readonly object: { readonly metadata?: { readonly resourceVersion?: string } };
    }[];
  }> = pods.deltas$;
  const subscription = deltas$.subscribe({
    next: (batch) => {
      // The cache keeps objects encoded until someone reads them (deferred decoding): P9 measures
      // the cache, so it reads none. A one-event batch's resourceVersion is the object's; only a
      // batch of several (none expected here) has its objects read for theirs.
      if (!arrivals.recording) return;
      if (batch.deltas.length === 1) arrived(batch.resourceVersion);
      else for (const delta of batch.deltas) arrived(delta.object.metadata?.resourceVersion);
    },
    error: (error: unknown) => {
      process.stderr.write(`P9 ${variant} informer error: ${String(error)}\n`);
      process.exit(1);
    },
  });
  retained = { pods, subscription };
  return (await pods.synced).size;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

async function main(): Promise<void> {
  const before = heapUsed();
  const start = performance.now();
  const cached = await startCache();
  const syncMs = performance.now() - start;
  if (cached !== info.pods) throw new Error(`P9 ${variant}: ${cached} pods cached, ${info.pods} expected`);
  // `synced` resolves in a microtask while the suspended frames that delivered the last list page
  // still hold the page and the listed objects (before any transform): measure in the next task.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const heapPerObject = (heapUsed() - before) / info.pods;
  const syncedRss = process.memoryUsage().rss;
  process.stderr.write(
    `P9 ${variant}: synced ${info.pods} pods in ${(syncMs / 1000).toFixed(1)} s, ${Math.round(heapPerObject)} B/object, RSS ${Math.round(syncedRss / 2 ** 20)} MiB; churn ${RATE}/s for ${SECONDS} s\n`,
  );

  arrivals.recording = true;
  gcPauses.from = performance.now();
  const cpuBefore = process.cpuUsage();
  const churnStart = epochMs();
  const response = await fetch(`${info.controlUrl}/churn?perSecond=${RATE}&seconds=${SECONDS}`, {
    method: 'POST',
  });
  if (!response.ok) throw new Error(`P9: churn request answered ${response.status}`);
  const report = (await response.json()) as ChurnReport;
  const lastRv = report.firstRv + report.writes - 1;
  const deadline = performance.now() + 60_000;
  while (arrivals.last < lastRv && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 1));
  const cpu = process.cpuUsage(cpuBefore);
  gcPauses.until = performance.now();
  arrivals.recording = false;
  // Let the gc observer's queued entries arrive.
  await new Promise((resolve) => setTimeout(resolve, 5));
  if (arrivals.last < lastRv) throw new Error(`P9 ${variant}: the last churn write did not arrive in 60 s`);

  const lags: number[] = [];
  for (let i = 0; i < arrivals.rvs.length; i++) {
    const written = report.writtenAt[(arrivals.rvs[i] as number) - report.firstRv];
    if (written !== undefined) lags.push((arrivals.at[i] as number) - written);
  }
  lags.sort((a, b) => a - b);
  const activeSeconds = (arrivals.lastAt - churnStart) / 1000;
  const { writtenAt: _, firstRv: __, ...churn } = report;
  const result: P9Run = {
    variant,
    pods: info.pods,
    syncMs,
    heapPerObject,
    syncedRss,
    churn,
    applied: arrivals.rvs.length,
    appliedPerSec: arrivals.rvs.length / activeSeconds,
    lag: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags.at(-1) ?? 0 },
    cpuPercent: (cpu.user + cpu.system) / 10_000 / activeSeconds,
    gcPauseMs: { total: gcPauses.total, max: gcPauses.max },
    loadAverage: loadavg()[0] ?? 0,
    endRss: process.memoryUsage().rss,
  };
  process.stderr.write(
    `P9 ${variant}: ${result.applied} of ${report.writes} updates applied (server ${Math.round(report.achievedPerSec)}/s), ${Math.round(result.appliedPerSec)}/s, lag p50 ${result.lag.p50.toFixed(1)} ms p99 ${result.lag.p99.toFixed(1)} ms max ${result.lag.max.toFixed(1)} ms, GC ${Math.round(gcPauses.total)} ms (longest ${Math.round(gcPauses.max)} ms), CPU ${Math.round(result.cpuPercent)}%, load ${result.loadAverage}, RSS ${Math.round(result.endRss / 2 ** 20)} MiB\n`,
  );
  emitResult(result);
  if (retained === undefined) process.stderr.write('nothing retained\n');
  process.exit(0);
}

await main();
