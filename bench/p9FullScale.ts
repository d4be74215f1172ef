/**
 * P9 full scale (issue 17): 150,000 pods, Kubernetes' documented per-cluster limit ("no more
 * than 150,000 total pods", Considerations for large clusters), from the fake cluster over HTTP
 * in its own process, into a kube-rx informer of whole pods, a metadata-only one (as is, and with
 * its managedFields stripped), and client-node's informer (the baseline the project compares
 * against), each in a fresh process (p9Client.ts). The server is seeded once and serves them in
 * turn.
 *
 * Per client: time to synced, heap per cached object, RSS; then, under a churn of 1,000 status
 * updates per second driven in the server's process for 30 s, the updates the cache applied per
 * second, the lag from the server's commit to the cache, the client's CPU and its RSS at the end.
 *
 * Full run only: `bench/run.ts` leaves it out of the short mode and `--check` (it takes minutes
 * and several GB). `--short` here runs a small version (10k pods, 5 s) for trying the script.
 */
import { emitResult, runChild, startDaemon } from './lib/child.js';
import type { FullScaleServerInfo } from './lib/fullScaleServer.js';
import { fmt, scale } from './lib/harness.js';
import type { P9Run, P9Variant } from './p9Client.js';

export interface P9Result {
  readonly pods: number;
  /** Status updates per second asked of the server, and the window's length. */
  readonly rate: number;
  readonly seconds: number;
  /** Seeding the fake cluster through its create path (ms). */
  readonly seedMs: number;
  /** The server's RSS once seeded (bytes). */
  readonly serverRss: number;
  /** JSON of one stored pod, and of its managedFields (bytes). */
  readonly podBytes: number;
  readonly managedFieldsBytes: number;
  readonly runs: readonly P9Run[];
}

export const P9_PODS = scale(150_000, 10_000);
const RATE = 1000;
const SECONDS = scale(30, 5);
const VARIANTS: readonly P9Variant[] = ['full', 'metadata', 'metadata-stripped', 'client-node'];
/** A 150k-pod cache, a 150k-pod list body, or both: above Node's default heap limit (~4 GiB). */
const NODE_FLAGS = ['--max-old-space-size=8192'];

async function main(): Promise<void> {
  const server = await startDaemon<FullScaleServerInfo>(
    'bench/lib/fullScaleServer.ts',
    [`--pods=${P9_PODS}`],
    {
      nodeFlags: NODE_FLAGS,
    },
  );
  try {
    const runs: P9Run[] = [];
    for (const variant of VARIANTS) {
      const run = await runChild<P9Run>(
        'bench/p9Client.ts',
        [`--variant=${variant}`, `--rate=${RATE}`, `--seconds=${SECONDS}`],
        { env: { BENCH_SERVER: JSON.stringify(server.info) }, nodeFlags: NODE_FLAGS },
      );
      console.error(
        `P9 ${variant}: synced in ${fmt(run.syncMs / 1000, 1)} s, ${fmt(run.heapPerObject)} B/object, ${fmt(run.appliedPerSec)} updates/s, lag p99 ${fmt(run.lag.p99, 1)} ms, CPU ${fmt(run.cpuPercent)}%`,
      );
      runs.push(run);
    }
    emitResult({
      pods: P9_PODS,
      rate: RATE,
      seconds: SECONDS,
      seedMs: server.info.seedMs,
      serverRss: server.info.seededRss,
      podBytes: server.info.podBytes,
      managedFieldsBytes: server.info.managedFieldsBytes,
      runs,
    } satisfies P9Result);
  } finally {
    await server.stop();
  }
}

await main();
