/**
 * Runs the benchmarks (bench/p*.ts, each in its own process) and
 * - `npm run bench`: the full run (100k objects, and P9's 150k); saves the results to
 *   .cache/bench/results.json and writes docs/benchmarks.md and its SVG charts from them
 *   (bench/report.ts);
 * - `npm run bench:check` (`--check`): the short run (10k objects, without P9) and asserts the
 *   targets with a noise margin, or the regression guards of documented misses (bench/checks.ts).
 * `--only=P1,P3` runs a subset (no document is written then); `BENCH_SHORT=1` or `--short` runs
 * the short mode without asserting; `--report-from=<saved results.json>` only rewrites the
 * document (after an edit of bench/benchmarks.template.md).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertChecks, checks, formatValue, status } from './checks.js';
import { ROOT, runChild } from './lib/child.js';
import { fmt, machine, SHORT } from './lib/harness.js';
import { writeReport } from './report.js';
import type { Results, Saved } from './results.js';

const CHECK = process.argv.includes('--check');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const selected = (id: string) => !only || only.includes(id);

/** The benchmarks, in the order they run. */
const SCRIPTS: Record<keyof Results, string> = {
  P1: 'bench/p1Ingest.ts',
  P2: 'bench/p2Scale.ts',
  P3: 'bench/p3InitialList.ts',
  P4: 'bench/p4Peer.ts',
  P5: 'bench/p5WorkQueue.ts',
  P6: 'bench/p6Snapshots.ts',
  P7: 'bench/p7MetadataOnly.ts',
  P8: 'bench/p8Sharding.ts',
  P9: 'bench/p9FullScale.ts',
};

/**
 * Benchmarks of the full run only: P9 seeds 150,000 pods and runs four clients under 30 s of churn
 * each (minutes, several GB), which the short mode and CI's `--check` have no room for.
 */
const FULL_ONLY: ReadonlySet<keyof Results> = new Set(['P9']);

async function main(): Promise<void> {
  const savedPath = process.argv.find((a) => a.startsWith('--report-from='))?.slice('--report-from='.length);
  if (savedPath) {
    writeReport(JSON.parse(readFileSync(resolve(ROOT, savedPath), 'utf8')) as Saved);
    return;
  }
  const start = performance.now();
  const before = machine();
  const flags = [...(SHORT ? ['--short'] : []), ...(CHECK ? [] : ['--profile'])];
  console.error(
    `kube-rx benchmarks, ${SHORT ? 'short mode (10k objects)' : 'full mode (100k objects)'}; load average ${before.loadAverage.join(' / ')}`,
  );
  // The host, so that a CI log says where its ratios were measured (they move with the CPU).
  console.error(`${before.cpu} (${before.cpuDetails}), ${before.cores} cores, Node ${before.node}`);
  const results: Results = {};
  for (const id of Object.keys(SCRIPTS) as (keyof Results)[]) {
    if (!selected(id)) continue;
    if (SHORT && FULL_ONLY.has(id)) {
      console.error(`${id}: full run only, skipped in short mode`);
      continue;
    }
    const t0 = performance.now();
    console.error(`${id}: running ${SCRIPTS[id]} ...`);
    // biome-ignore lint/suspicious/noExplicitAny: each script emits its own result type, stored under its id.
    (results as Record<string, any>)[id] = await runChild(SCRIPTS[id], flags);
    console.error(`${id}: done in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  }
  const after = machine();
  const list = checks(results);
  if (CHECK) {
    const ok = assertChecks(list);
    console.log(ok ? 'bench:check passed' : 'bench:check FAILED');
    process.exitCode = ok ? 0 : 1;
    return;
  }
  for (const check of list)
    console.log(
      `${check.id.padEnd(14)} ${formatValue(check.value, check.unit).padStart(9)}  ${status(check)}`,
    );
  if (SHORT || only) {
    console.error('(short or partial run: docs/benchmarks.md is not written)');
    return;
  }
  const saved: Saved = {
    date: new Date().toISOString(),
    results,
    before,
    after,
    minutes: (performance.now() - start) / 60_000,
  };
  mkdirSync(resolve(ROOT, '.cache/bench'), { recursive: true });
  writeFileSync(resolve(ROOT, '.cache/bench/results.json'), JSON.stringify(saved, null, 2));
  writeReport(saved);
}

await main();
