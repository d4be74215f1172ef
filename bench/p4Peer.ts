/**
 * P4 peer: the same HTTP API (the fake cluster in its own process) into client-node's informer
 * (`makeInformer` + `CoreV1Api`, the ListWatch cache) and into kube-rx's `informer`, each run in a
 * fresh process, alternating. Two ways to fill the cache (see p4Client.ts): each client's own
 * list, and one watch stream with every pod ADDED then as many MODIFIED events. Reports events/s
 * and the heap retained per cached object.
 *
 * The clients talk to a replaying front (lib/replayFront.ts): recorded responses of the fake
 * cluster, sent as fast as the client reads them, so the ratio is the clients' and not the
 * server's. A first, unmeasured round records every list page the clients ask for.
 *
 * Target: kube-rx >= 3x client-node's throughput, and no more heap per object.
 */
import { emitResult, runChild, startDaemon } from './lib/child.js';
import type { ServerInfo } from './lib/fakeServer.js';
import { median, scale } from './lib/harness.js';
import type { Frame } from './lib/profile.js';
import type { P4Run } from './p4Client.js';

export interface P4Summary {
  readonly client: string;
  readonly mode: string;
  readonly ms: number;
  readonly eventsPerSec: number;
  readonly modifiedPerSec?: number;
  readonly bytesPerObject: number;
  /** Client CPU time per event, microseconds: below the wall time per event when the client waits. */
  readonly cpuUsPerEvent: number;
  readonly errors: readonly string[];
}

export interface P4Result {
  readonly n: number;
  readonly modifications: number;
  readonly seedMs: number;
  readonly summaries: readonly P4Summary[];
  /** kube-rx / client-node events per second, per mode. */
  readonly throughputRatio: Record<string, number>;
  /** kube-rx / client-node retained bytes per object, per mode. */
  readonly memoryRatio: Record<string, number>;
  readonly profiles?: Record<string, Frame[]>;
}

const N = scale(100_000, 10_000);
const ROUNDS = scale(3, 3);
const CLIENTS = ['client-node', 'kube-rx'] as const;
const MODES = ['list', 'watch'] as const;

async function main(): Promise<void> {
  const server = await startDaemon<ServerInfo>('bench/lib/fakeServer.ts', [
    `--pods=${N}`,
    `--modify=${N}`,
    '--replay',
  ]);
  try {
    const env = { BENCH_SERVER: JSON.stringify(server.info) };
    const runs = new Map<string, P4Run[]>();
    // Round 0 is the warm-up: it makes the front record the list pages.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        for (const client of CLIENTS) {
          const run = await runChild<P4Run>('bench/p4Client.ts', [`--client=${client}`, `--mode=${mode}`], {
            env,
          });
          process.stderr.write(
            `p4 ${round === 0 ? 'warm-up ' : ''}${client} ${mode}: ${Math.round(run.eventsPerSec)} events/s, CPU ${Math.round((100 * run.cpuMs) / run.ms)}%, ${Math.round(run.bytesPerObject)} B/object${run.error ? ` (${run.error})` : ''}\n`,
          );
          if (round === 0) continue;
          runs.set(`${client}/${mode}`, [...(runs.get(`${client}/${mode}`) ?? []), run]);
        }
      }
    }
    const summaries: P4Summary[] = [];
    for (const mode of MODES) {
      for (const client of CLIENTS) {
        const list = runs.get(`${client}/${mode}`) ?? [];
        const ok = list.filter((r) => !r.error);
        const modified = ok.flatMap((r) => (r.modifiedPerSec === undefined ? [] : [r.modifiedPerSec]));
        summaries.push({
          client,
          mode,
          ms: median(ok.map((r) => r.ms)),
          eventsPerSec: median(ok.map((r) => r.eventsPerSec)),
          ...(modified.length > 0 ? { modifiedPerSec: median(modified) } : {}),
          bytesPerObject: median(ok.map((r) => r.bytesPerObject)),
          cpuUsPerEvent: median(ok.map((r) => (r.cpuMs * 1000) / r.events)),
          errors: list.flatMap((r) => (r.error ? [r.error] : [])),
        });
      }
    }
    const find = (client: string, mode: string) =>
      summaries.find((s) => s.client === client && s.mode === mode) as P4Summary;
    const throughputRatio: Record<string, number> = {};
    const memoryRatio: Record<string, number> = {};
    for (const mode of MODES) {
      throughputRatio[mode] = find('kube-rx', mode).eventsPerSec / find('client-node', mode).eventsPerSec;
      memoryRatio[mode] = find('kube-rx', mode).bytesPerObject / find('client-node', mode).bytesPerObject;
    }
    let profiles: Record<string, Frame[]> | undefined;
    if (process.argv.includes('--profile')) {
      profiles = {};
      for (const client of CLIENTS) {
        const run = await runChild<P4Run>(
          'bench/p4Client.ts',
          [`--client=${client}`, '--mode=watch', '--profile'],
          {
            env,
          },
        );
        if (run.profile) profiles[`${client}/watch`] = run.profile;
      }
    }
    emitResult({
      n: N,
      modifications: server.info.modifications,
      seedMs: server.info.seedMs,
      summaries,
      throughputRatio,
      memoryRatio,
      ...(profiles ? { profiles } : {}),
    } satisfies P4Result);
  } finally {
    await server.stop();
  }
}

await main();
