/**
 * The measuring kit the benchmarks share. Ratios are what the targets are about, so every
 * benchmark measures its baseline and its subject in the same process, alternating them round by
 * round (A B A B ...), and compares medians: a noisy neighbour (a Go build, a test run) then slows
 * both sides of a round instead of one side of the whole run.
 *
 * Why not tinybench or mitata: both run all iterations of one task before the next task, which is
 * what interleaving is meant to avoid, and the subjects here are one long pass over 10k-100k
 * objects (plus child processes and HTTP), not nanosecond functions that need their loop.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';

/** Short mode (`BENCH_SHORT=1` or `--short`, implied by `--check`): 10k objects instead of 100k. */
export const SHORT =
  process.env.BENCH_SHORT === '1' || process.argv.includes('--short') || process.argv.includes('--check');

/** `full` in the full run, `short` in short mode. */
export function scale<T>(full: T, short: T): T {
  return SHORT ? short : full;
}

/** Forces a full GC when the process runs with `--expose-gc` (every benchmark child does). */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Time spent in GC pauses since the process started (ms), from `perf_hooks` gc entries. */
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

/** Lets the gc observer's queued entries arrive. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

/** One timed run: wall time and the GC pauses inside it (both ms). */
export interface Sample {
  readonly ms: number;
  readonly gcMs: number;
}

/** Runs `fn` once after a forced GC and returns its wall time and GC time. */
export async function timeOnce(fn: () => unknown | Promise<unknown>): Promise<Sample> {
  gc();
  await settle();
  const gcBefore = gcMs;
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  await settle();
  return { ms, gcMs: gcMs - gcBefore };
}

/** Median of each task's samples, in ms, plus the raw samples. */
export interface Timing {
  readonly ms: number;
  readonly gcMs: number;
  readonly samples: readonly number[];
}

/**
 * Runs every task once per round, in the same order each round, after `warmup` unmeasured
 * rounds; returns each task's median. `setup` (outside the timing) prepares a task's input for one
 * run, e.g. fresh objects that the previous run froze.
 */
export async function interleave<K extends string>(
  tasks: Record<K, { setup?: () => unknown; run: (input: never) => unknown | Promise<unknown> }>,
  rounds: number,
  warmup = 1,
): Promise<Record<K, Timing>> {
  const names = Object.keys(tasks) as K[];
  const samples = new Map<K, Sample[]>(names.map((name) => [name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (const name of names) {
      const task = tasks[name];
      const input = task.setup?.();
      const sample = await timeOnce(() => (task.run as (input: unknown) => unknown)(input));
      if (round >= warmup) samples.get(name)?.push(sample);
    }
  }
  const out = {} as Record<K, Timing>;
  for (const name of names) {
    const list = samples.get(name) ?? [];
    out[name] = {
      ms: median(list.map((s) => s.ms)),
      gcMs: median(list.map((s) => s.gcMs)),
      samples: list.map((s) => s.ms),
    };
  }
  return out;
}

/** Heap in use after a forced GC (bytes). */
export function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** The machine, for the report. */
export interface Machine {
  readonly cpu: string;
  /** `cpu family`, `model`, `cpu MHz` and `cache size` from /proc/cpuinfo, when there is one. */
  readonly cpuDetails: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
}

function cpuInfo(): string {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => new RegExp(`^${name}\\s*: (.*)$`, 'm').exec(text)?.[1]?.trim();
    return [
      ['cpu family', field('cpu family')],
      ['model', field('model')],
      ['MHz', field('cpu MHz')],
      ['cache', field('cache size')],
    ]
      .filter(([, value]) => value)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ');
  } catch {
    return '';
  }
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cpuDetails: cpuInfo(),
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch} (kernel ${release()})`,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
