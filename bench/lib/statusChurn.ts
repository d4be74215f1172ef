/**
 * Paced churn for P9: kubelet-like status updates (`PUT .../status`, restart count and ready
 * state) of random pods at a fixed rate, written to the fake cluster in the server's process.
 * The writes are spread evenly: a tick every `tickMs` applies the writes due by then, so the rate
 * holds even when a timer fires late, and a server that cannot keep up shows as a lower achieved
 * rate (writes over the window actually taken), not as a burst.
 *
 * Each write's resourceVersion and the time it was committed (wall clock, µs precision, from
 * `performance.timeOrigin`, comparable across processes on one machine) are returned, so a client
 * can measure the lag from the server's write to its own store for every event, metadata-only
 * ones included (they carry the resourceVersion but not the status).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { V1Pod } from '@kubernetes/client-node';
import { resources } from '../../src/index.js';
import type { FakeCluster } from '../../src/testing/index.js';
import type { Random } from '../../src/testing/random.js';
import { modifyPod } from '../fixtures/pods.js';

/** What a churn window did. */
export interface ChurnReport {
  /** Asked-for writes per second. */
  readonly perSecond: number;
  readonly writes: number;
  /** Wall time of the window (first tick to the last write). */
  readonly seconds: number;
  /** writes / seconds. */
  readonly achievedPerSec: number;
  /** resourceVersion of the first write; the i-th write is `firstRv + i` (the churn is the only writer). */
  readonly firstRv: number;
  /** Commit time of each write, ms since the epoch (`performance.timeOrigin + performance.now()`). */
  readonly writtenAt: readonly number[];
  /** The server process's CPU (user + system) over the window, % of one core. */
  readonly serverCpuPercent: number;
  /**
   * The server process's garbage collection pauses that started in the window, in all and the
   * longest (ms): an update written just before one reaches no client until it ends.
   */
  readonly serverGcPauseMs: { readonly total: number; readonly max: number };
}

/** Wall-clock time in ms with sub-ms precision, on the same scale in every process. */
export const epochMs = () => performance.timeOrigin + performance.now();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Updates the status of random pods among `pods` (the stored objects, replaced in place by each
 * write's result) at `perSecond` for `seconds`.
 */
export async function statusChurn(
  cluster: FakeCluster,
  pods: V1Pod[],
  random: Random,
  options: { perSecond: number; seconds: number; tickMs?: number },
): Promise<ChurnReport> {
  const { perSecond, seconds, tickMs = 10 } = options;
  const writtenAt: number[] = [];
  let firstRv = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const pauses = { total: 0, max: 0, until: Number.POSITIVE_INFINITY };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime < start || entry.startTime > pauses.until) continue;
      pauses.total += entry.duration;
      pauses.max = Math.max(pauses.max, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const end = start + seconds * 1000;
  let tick = 0;
  for (let now = start; now < end; now = performance.now()) {
    const due = Math.floor(((now - start) * perSecond) / 1000);
    while (writtenAt.length < due) {
      const index = Math.floor(random() * pods.length);
      const current = pods[index] as V1Pod;
      const step = writtenAt.length + 1;
      const stored = await cluster.admin.replace(
        resources.pods,
        modifyPod(current, current.metadata?.resourceVersion ?? '', step),
        { namespace: current.metadata?.namespace, subresource: 'status' },
      );
      const rv = Number(stored.metadata?.resourceVersion);
      if (writtenAt.length === 0) firstRv = rv;
      else if (rv !== firstRv + writtenAt.length)
        throw new Error(
          `churn: resourceVersion ${rv} after ${firstRv + writtenAt.length - 1}: another writer?`,
        );
      writtenAt.push(epochMs());
      pods[index] = stored;
    }
    tick++;
    await sleep(Math.max(0, start + tick * tickMs - performance.now()));
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  pauses.until = performance.now();
  await sleep(5); // the observer's entries arrive after the fact
  observer.disconnect();
  return {
    perSecond,
    writes: writtenAt.length,
    seconds: wallSeconds,
    achievedPerSec: writtenAt.length / wallSeconds,
    firstRv,
    writtenAt,
    serverCpuPercent: (cpu.user + cpu.system) / 10_000 / wallSeconds,
    serverGcPauseMs: { total: pauses.total, max: pauses.max },
  };
}
