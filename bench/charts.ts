/**
 * The SVG charts of docs/benchmarks.md, one per benchmark (two for P4), written to
 * docs/benchmarks/<name>.svg; the template shows each as `![name](benchmarks/<name>.svg)`.
 */
import { fmt } from './lib/harness.js';
import { barChart } from './lib/svg.js';
import { bytes, mb, ms, rate, us } from './lib/units.js';
import type { P1Result } from './p1Ingest.js';
import type { P2Result } from './p2Scale.js';
import type { P3Result } from './p3InitialList.js';
import type { P4Result, P4Summary } from './p4Peer.js';
import type { P5Result } from './p5WorkQueue.js';
import type { P6Result } from './p6Snapshots.js';
import {
  P1_BASELINE,
  P1_SUBJECT,
  P3_BASELINE,
  P3_FETCH,
  P3_SUBJECT,
  P5_SUBJECT,
  type Results,
} from './results.js';

function p1Chart(r: P1Result): string {
  const names = Object.keys(r.timings);
  return barChart({
    title: `P1 ingest: ${fmt(r.n)} pods (${fmt(r.lineBytes)} B per watch line)`,
    unit: 'events per second, higher is better; the dashed line is the 0.6x target',
    bars: names.map((name) => ({
      label: name,
      value: r.rates[name] ?? 0,
      text: rate(r.rates[name] ?? 0),
      kind: name === P1_SUBJECT ? 'subject' : name === P1_BASELINE ? 'baseline' : 'reference',
    })),
    marker: { value: 0.6 * (r.rates[P1_BASELINE] ?? 0), label: '0.6x JSON.parse' },
  });
}

function p2Chart(r: P2Result): string {
  const label = (size: number) => `${fmt(size / 1000)}k pods`;
  return barChart({
    title: 'P2 scale: one MODIFIED event at store size n',
    unit: 'µs per event, lower is better',
    bars: [
      ...r.points.map((p) => ({
        label: `kube-rx, ${label(p.size)}`,
        value: p.usPerEvent,
        text: us(p.usPerEvent),
      })),
      ...r.reference.map((p) => ({
        label: `mutable Map (client-node), ${label(p.size)}`,
        value: p.usPerEvent,
        text: us(p.usPerEvent),
        kind: 'reference' as const,
      })),
    ],
  });
}

function p3Chart(r: P3Result): string {
  const names = [P3_BASELINE, P3_SUBJECT, P3_FETCH];
  return barChart({
    title: `P3 initial list: ${fmt(r.n)} pods, ${r.pages} pages of 500, over HTTP`,
    unit: 'ms to a complete list, lower is better; the dashed line is the 2x target',
    bars: names.map((name) => ({
      label: name,
      value: r.timings[name]?.ms ?? 0,
      text: ms(r.timings[name]?.ms ?? 0),
      kind: name === P3_SUBJECT ? 'subject' : name === P3_BASELINE ? 'baseline' : 'reference',
    })),
    marker: { value: 2 * (r.timings[P3_BASELINE]?.ms ?? 0), label: '2x baseline' },
  });
}

/** Throughput and heap per object, each client filling its cache by its list and by the watch. */
function p4Charts(r: P4Result): { throughput: string; memory: string } {
  const get = (client: string, mode: string) =>
    r.summaries.find((s) => s.client === client && s.mode === mode) as P4Summary;
  const modes = ['list', 'watch'];
  // client-go (the anchor, no target) only when it ran.
  const clients = ['client-node', 'kube-rx', 'client-go'].filter((c) =>
    r.summaries.some((s) => s.client === c),
  );
  const kind = (client: string) =>
    client === 'kube-rx'
      ? ('subject' as const)
      : client === 'client-go'
        ? ('reference' as const)
        : ('baseline' as const);
  const throughput = barChart({
    title: `P4 peer: filling the cache with ${fmt(r.n)} pods`,
    unit: 'events per second, higher is better',
    bars: modes.flatMap((mode) =>
      clients.map((client) => ({
        label: `${client}, ${mode === 'list' ? 'own list' : `watch (+${fmt(r.modifications / 1000)}k MODIFIED)`}`,
        value: get(client, mode).eventsPerSec,
        text: rate(get(client, mode).eventsPerSec),
        kind: kind(client),
      })),
    ),
  });
  const memory = barChart({
    title: 'P4 peer: heap retained per cached pod',
    unit: 'bytes per object, lower is better',
    bars: modes.flatMap((mode) =>
      clients.map((client) => ({
        label: `${client}, filled by ${mode === 'list' ? 'its list' : 'the watch'}`,
        value: get(client, mode).bytesPerObject,
        text: bytes(get(client, mode).bytesPerObject),
        kind: kind(client),
      })),
    ),
  });
  return { throughput, memory };
}

function p5Chart(r: P5Result): string {
  return barChart({
    title: `P5 workQueue: ${fmt(r.keys / 1000)}k keys, 10% repeats, concurrency 4`,
    unit: 'keys per second, higher is better; the dashed line is the 200k/s target',
    bars: [
      { label: P5_SUBJECT, value: r.keysPerSec, text: rate(r.keysPerSec) },
      {
        label: 'Set dedupe + call (floor)',
        value: r.baselineKeysPerSec,
        text: rate(r.baselineKeysPerSec),
        kind: 'reference',
      },
    ],
    marker: { value: 200_000, label: '200k/s' },
  });
}

/** Undefined without both store sizes. */
function p6Chart(r: P6Result): string | undefined {
  const [small, large] = r.points;
  if (!small || !large) return undefined;
  return barChart({
    title: `P6 retention: ${large.snapshots} snapshots kept during ${fmt(large.updates / 1000)}k updates`,
    unit: 'MiB of heap, lower is better',
    bars: [
      {
        label: `${fmt(small.size / 1000)}k store: retained by the snapshots`,
        value: small.retainedBytes / 2 ** 20,
        text: mb(small.retainedBytes),
      },
      {
        label: `${fmt(large.size / 1000)}k store: retained by the snapshots`,
        value: large.retainedBytes / 2 ** 20,
        text: mb(large.retainedBytes),
      },
      {
        label: '  of which replaced pod versions',
        value: large.oldVersionBytes / 2 ** 20,
        text: mb(large.oldVersionBytes),
        kind: 'reference',
      },
      {
        label: '  of which snapshot structure',
        value: large.structureBytes / 2 ** 20,
        text: mb(large.structureBytes),
        kind: 'reference',
      },
      {
        label: `${large.snapshots} full copies of the ${fmt(large.size / 1000)}k maps`,
        value: (large.snapshots * large.fullCopyBytes) / 2 ** 20,
        text: mb(large.snapshots * large.fullCopyBytes),
        kind: 'baseline',
      },
    ],
  });
}

/** The charts of the benchmarks that ran, by file name (without `.svg`). */
export function charts(r: Results): Map<string, string> {
  const out = new Map<string, string>();
  if (r.P1) out.set('p1-ingest', p1Chart(r.P1));
  if (r.P2) out.set('p2-scale', p2Chart(r.P2));
  if (r.P3) out.set('p3-initial-list', p3Chart(r.P3));
  if (r.P4) {
    const { throughput, memory } = p4Charts(r.P4);
    out.set('p4-throughput', throughput);
    out.set('p4-memory', memory);
  }
  if (r.P5) out.set('p5-workqueue', p5Chart(r.P5));
  const p6 = r.P6 && p6Chart(r.P6);
  if (p6) out.set('p6-snapshots', p6);
  return out;
}
