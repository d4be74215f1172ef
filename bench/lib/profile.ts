/**
 * CPU profiles of a benchmark's subject, for the notes on missed targets: the V8 sampling profiler
 * that `node --cpu-prof` uses, started and stopped through `node:inspector` around the subject
 * only, so fixture generation and the baseline do not show up. The `.cpuprofile` is kept in
 * `.cache/bench/` (open it in Chrome DevTools); the report gets the top frames by self time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative, resolve } from 'node:path';
import { ROOT } from './child.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One row of the top-frames table. */
export interface Frame {
  readonly frame: string;
  readonly selfPercent: number;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (!url) return name;
  const path = url.replace(/^file:\/\//, '');
  const short = path.includes('/node_modules/')
    ? path.slice(path.lastIndexOf('/node_modules/') + '/node_modules/'.length)
    : path.startsWith('/')
      ? relative(ROOT, path)
      : path;
  // tsx-compiled files report line 0 for every function; the file is enough there.
  return lineNumber > 0 ? `${name} (${short}:${lineNumber + 1})` : `${name} (${short})`;
}

/**
 * Runs `fn` under the CPU profiler; returns the top `count` frames by self time, in percent of
 * the profile without the `exclude`d frames, and without the `excludeCalls` frames and everything
 * they call.
 */
export async function profile(
  label: string,
  fn: () => unknown | Promise<unknown>,
  options: {
    count?: number;
    exclude?: (frame: string) => boolean;
    excludeCalls?: (frame: string) => boolean;
  } = {},
): Promise<Frame[]> {
  const { count = 12, exclude = () => false, excludeCalls = () => false } = options;
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    await fn();
    const { profile: data } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    const dir = resolve(ROOT, '.cache', 'bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(resolve(dir, `${label}.cpuprofile`), JSON.stringify(data));
    const byId = new Map(data.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of data.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    /** Whether a node runs inside a frame that `excludeCalls` leaves out (found once per node). */
    const insideExcluded = new Map<number, boolean>();
    const inside = (id: number): boolean => {
      let known = insideExcluded.get(id);
      if (known === undefined) {
        const node = byId.get(id);
        const parent = parentOf.get(id);
        known =
          (node !== undefined && excludeCalls(frameName(node))) || (parent !== undefined && inside(parent));
        insideExcluded.set(id, known);
      }
      return known;
    };
    const self = new Map<string, number>();
    let total = 0;
    data.samples.forEach((id, i) => {
      // The first delta runs from the profiler's start to the first sample (inspector dispatch).
      if (i === 0) return;
      // Left out with what it calls, e.g. the decoding of a benchmark's next input.
      if (inside(id)) return;
      const dt = data.timeDeltas[i] ?? 0;
      total += dt;
      const node = byId.get(id);
      if (!node) return;
      const name = frameName(node);
      self.set(name, (self.get(name) ?? 0) + dt);
    });
    // Percentages of the profiled time without the excluded frames (e.g. a benchmark's own
    // preparation of the next input, which runs between the timed parts).
    for (const [name, time] of self) if (exclude(name)) total -= time;
    return [...self]
      .filter(([name]) => name !== '(program)' && name !== '(idle)' && !exclude(name))
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([frame, time]) => ({ frame, selfPercent: Math.round((1000 * time) / total) / 10 }));
  } finally {
    session.disconnect();
  }
}
