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
 * Targets (bench/checks.ts): kube-rx >= 2.2x client-node's throughput filling its cache by its
 * list, >= 1.0x on the watch, and <= 0.95x client-node's heap per object in both fills.
 *
 * Anchor, no target: client-go's SharedIndexInformer (bench/clientgo, a Go program built from the
 * Go module proxy by bench/clientgo/build.mjs and cached in .cache/bench-bin) reads the same
 * recorded responses in both modes, so the table also shows where the informer a Go user has
 * stands. Without Go, or when its build fails, P4 runs without it and its result says why.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { emitResult, ROOT, runChild, runProgram, startDaemon } from './lib/child.js';
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
  /** kube-rx / client-node events per second, per mode: the median of the rounds' ratios. */
  readonly throughputRatio: Record<string, number>;
  /** kube-rx / client-node retained bytes per object, per mode: the median of the rounds' ratios. */
  readonly memoryRatio: Record<string, number>;
  /** The client-go anchor: the versions it was built with, or why it did not run. */
  readonly clientGo?: ClientGoAnchor;
  /** kube-rx / client-go events per second and retained bytes per object, per mode, by round as above (no target). */
  readonly clientGoRatio?: { throughput: Record<string, number>; memory: Record<string, number> };
  readonly profiles?: Record<string, Frame[]>;
}

export type ClientGoAnchor = { clientGo: string; go: string } | { skipped: string };

/** Builds (or finds cached) the client-go anchor; its binary and versions, or why there is none. */
function clientGoAnchor(): { binary?: string; anchor: ClientGoAnchor } {
  const build = spawnSync(process.execPath, [join(ROOT, 'bench/clientgo/build.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (build.error || build.status !== 0) {
    const reason = (build.error?.message ?? build.stderr).trim().split('\n').at(-1) ?? 'build failed';
    process.stderr.write(`p4: client-go anchor skipped: ${reason}\n`);
    return { anchor: { skipped: reason.replace(/^\[bench build\] /, '') } };
  }
  process.stderr.write(build.stderr);
  const binary = build.stdout.trim().split('\n').at(-1) as string;
  const stamp = JSON.parse(readFileSync(join(dirname(binary), 'stamp.json'), 'utf8')) as {
    clientGo: string;
    go: string;
  };
  return { binary, anchor: { clientGo: stamp.clientGo, go: stamp.go } };
}

const N = scale(100_000, 10_000);
// Five rounds, in the short run too: on a shared 2-core VM one slow round moves a median of three,
// and a short run's 10k-pod list lasts well under a second, so one process's JIT and GC timing
// moves it more than a full run's.
const ROUNDS = 5;
const NODE_CLIENTS = ['client-node', 'kube-rx'] as const;
const MODES = ['list', 'watch'] as const;

async function main(): Promise<void> {
  const clientGo = clientGoAnchor();
  const CLIENTS = [...NODE_CLIENTS, ...(clientGo.binary ? ['client-go'] : [])];
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
          const run =
            client === 'client-go'
              ? await runProgram<P4Run>(clientGo.binary as string, [`--mode=${mode}`], {
                  env,
                  name: `client-go anchor --mode=${mode}`,
                })
              : await runChild<P4Run>('bench/p4Client.ts', [`--client=${client}`, `--mode=${mode}`], {
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
    // Each ratio is the median of the rounds' ratios. The runs of one round follow each other, so a
    // round's ratio sees one level of the host's load; a ratio of medians can divide one round's
    // run by another's (CI on 14966b8: 1.59x for the list that way, 1.77x by round).
    const measures = { 'events/s': (r: P4Run) => r.eventsPerSec, heap: (r: P4Run) => r.bytesPerObject };
    const pairedRatio = (mode: string, peer: string, measure: keyof typeof measures) => {
      const value = measures[measure];
      const theirs = runs.get(`${peer}/${mode}`) ?? [];
      const byRound = (runs.get(`kube-rx/${mode}`) ?? []).flatMap((ours, round) => {
        const other = theirs[round];
        return ours.error || !other || other.error ? [] : [value(ours) / value(other)];
      });
      process.stderr.write(
        `p4 ${mode} ${measure}, kube-rx / ${peer} by round: ${byRound.map((r) => r.toFixed(2)).join(' ')}\n`,
      );
      return median(byRound);
    };
    const over = (peer: string, measure: keyof typeof measures) =>
      Object.fromEntries(MODES.map((mode) => [mode, pairedRatio(mode, peer, measure)]));
    const throughputRatio = over('client-node', 'events/s');
    const memoryRatio = over('client-node', 'heap');
    const clientGoRatio = clientGo.binary
      ? { throughput: over('client-go', 'events/s'), memory: over('client-go', 'heap') }
      : undefined;
    let profiles: Record<string, Frame[]> | undefined;
    if (process.argv.includes('--profile')) {
      profiles = {};
      for (const mode of MODES) {
        for (const client of NODE_CLIENTS) {
          const run = await runChild<P4Run>(
            'bench/p4Client.ts',
            [`--client=${client}`, `--mode=${mode}`, '--profile'],
            { env },
          );
          if (run.profile) profiles[`${client}/${mode}`] = run.profile;
        }
      }
    }
    emitResult({
      n: N,
      modifications: server.info.modifications,
      seedMs: server.info.seedMs,
      summaries,
      throughputRatio,
      memoryRatio,
      clientGo: clientGo.anchor,
      ...(clientGoRatio ? { clientGoRatio } : {}),
      ...(profiles ? { profiles } : {}),
    } satisfies P4Result);
  } finally {
    await server.stop();
  }
}

await main();
