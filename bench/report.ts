/**
 * Writes docs/benchmarks.md and its charts from a saved full run. The prose is
 * bench/benchmarks.template.md; this file computes what the template leaves open: the numbers,
 * the tables' rows and the profiles, each under the name the template uses.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { charts } from './charts.js';
import { type Check, checks, formatValue, status } from './checks.js';
import { ROOT } from './lib/child.js';
import { fmt, SHORT } from './lib/harness.js';
import type { Frame } from './lib/profile.js';
import { fillTemplate, type TemplateValues } from './lib/template.js';
import { bytes, mb, ms, rate, us } from './lib/units.js';
import type { P1Result } from './p1Ingest.js';
import type { P2Result } from './p2Scale.js';
import type { P3Result } from './p3InitialList.js';
import type { P4Result, P4Summary } from './p4Peer.js';
import type { P5Result } from './p5WorkQueue.js';
import type { P6Result } from './p6Snapshots.js';
import type { P7Result } from './p7MetadataOnly.js';
import type { P8Result } from './p8Sharding.js';
import type { P9Run, P9Variant } from './p9Client.js';
import type { P9Result } from './p9FullScale.js';
import {
  P1_BASELINE,
  P1_SUBJECT,
  P3_BASELINE,
  P3_FETCH,
  P3_SUBJECT,
  P5_SUBJECT,
  type Results,
  type Saved,
} from './results.js';

const TEMPLATE = resolve(ROOT, 'bench/benchmarks.template.md');

/** The document reports the targets themselves; the noise margin is for bench:check. */
const mark = (s: ReturnType<typeof status>) => (s === 'met' ? '✅ met' : '❌ missed');

/** A profile's top frames as a table; empty when there is no profile. */
function framesTable(frames: readonly Frame[] | undefined): string {
  if (!frames || frames.length === 0) return '';
  return [
    '| self time | frame |',
    '| ---: | --- |',
    ...frames.map((f) => `| ${fmt(f.selfPercent, 1)}% | \`${f.frame.replace(/\|/g, '\\|')}\` |`),
  ].join('\n');
}

function summaryRow(check: Check, subject: string, baseline: string): string {
  const op = check.better === 'higher' ? '≥' : '≤';
  return `| ${check.id} | ${check.what} | ${subject} | ${baseline} | **${formatValue(check.value, check.unit)}** | ${op} ${formatValue(check.target, check.unit)} | ${mark(status(check))} |`;
}

const p4Summary = (r: P4Result, client: string, mode: string) =>
  r.summaries.find((s) => s.client === client && s.mode === mode) as P4Summary;

/** The Results table: one row per check, with what the subject and the baseline measured. */
function summaryRows(r: Results): string {
  const byId = new Map(checks(r).map((c) => [c.id, c]));
  const c = (id: string) => byId.get(id) as Check;
  const rows: string[] = [];
  if (r.P1)
    rows.push(
      summaryRow(
        c('P1'),
        rate((r.P1.n * 1000) / (r.P1.timings[P1_SUBJECT]?.ms ?? 1)),
        `${rate((r.P1.n * 1000) / (r.P1.timings[P1_BASELINE]?.ms ?? 1))} JSON.parse`,
      ),
    );
  if (r.P2)
    rows.push(
      summaryRow(
        c('P2'),
        `${us(r.P2.points.at(-1)?.usPerEvent ?? 0)} at ${fmt((r.P2.points.at(-1)?.size ?? 0) / 1000)}k`,
        `${us(r.P2.points[0]?.usPerEvent ?? 0)} at 1k`,
      ),
    );
  if (r.P3)
    rows.push(
      summaryRow(c('P3'), ms(r.P3.timings[P3_SUBJECT]?.ms ?? 0), ms(r.P3.timings[P3_BASELINE]?.ms ?? 0)),
    );
  if (r.P4) {
    const s = (client: string, mode: string) => p4Summary(r.P4 as P4Result, client, mode);
    rows.push(
      summaryRow(
        c('P4 list'),
        rate(s('kube-rx', 'list').eventsPerSec),
        rate(s('client-node', 'list').eventsPerSec),
      ),
      summaryRow(
        c('P4 watch'),
        rate(s('kube-rx', 'watch').eventsPerSec),
        rate(s('client-node', 'watch').eventsPerSec),
      ),
      summaryRow(
        c('P4 list mem'),
        bytes(s('kube-rx', 'list').bytesPerObject),
        bytes(s('client-node', 'list').bytesPerObject),
      ),
      summaryRow(
        c('P4 watch mem'),
        bytes(s('kube-rx', 'watch').bytesPerObject),
        bytes(s('client-node', 'watch').bytesPerObject),
      ),
    );
  }
  if (r.P5) rows.push(summaryRow(c('P5'), rate(r.P5.keysPerSec), `${rate(r.P5.baselineKeysPerSec)} floor`));
  if (r.P6) {
    const large = r.P6.points[1];
    const small = r.P6.points[0];
    rows.push(
      summaryRow(c('P6 O(changes)'), mb(large?.retainedBytes ?? 0), mb(small?.retainedBytes ?? 0)),
      summaryRow(
        c('P6 vs copies'),
        mb(large?.structureBytes ?? 0),
        mb((large?.fullCopyBytes ?? 0) * (large?.snapshots ?? 0)),
      ),
    );
  }
  if (r.P7)
    rows.push(summaryRow(c('P7 heap'), bytes(r.P7.metadata.heapPerObject), bytes(r.P7.full.heapPerObject)));
  return rows.join('\n');
}

function p1Values(r: P1Result): TemplateValues {
  const names = Object.keys(r.timings);
  const per = (name: string) => ((r.timings[name]?.ms ?? 0) * 1000) / r.n;
  const gcPer = (name: string) => ((r.timings[name]?.gcMs ?? 0) * 1000) / r.n;
  const stage = (i: number) => per(names[i] as string) - per(names[i - 1] as string);
  const rows = names.map((name, i) => {
    const t = r.timings[name];
    if (!t) return '';
    const usPerEvent = (t.ms * 1000) / r.n;
    // The decoding stage adds to the baseline; each later stage to the one before it, and the
    // read-everything reference to the subject. The eager reference is a whole pipeline of its own.
    const prev =
      i === 2
        ? r.timings[names[0] as string]
        : i > 2 && i < 7
          ? r.timings[names[i - 1] as string]
          : undefined;
    const step = prev ? us(usPerEvent - (prev.ms * 1000) / r.n) : '';
    return `| ${name} | ${ms(t.ms)} | ${rate(r.rates[name] ?? 0)} | ${us(usPerEvent)} | ${step} | ${us((t.gcMs * 1000) / r.n)} |`;
  });
  return {
    P1: true,
    'p1.n': fmt(r.n),
    'p1.lineBytes': fmt(r.lineBytes),
    'p1.rows': rows.join('\n'),
    'p1.ratio': fmt(r.ratio, 2),
    'p1.parse': us(per(P1_BASELINE)),
    'p1.subject': us(per(P1_SUBJECT)),
    'p1.adds.decode': us(per(names[2] as string) - per(P1_BASELINE)),
    'p1.adds.listWatch': us(stage(3)),
    'p1.adds.deltaFifo': us(stage(4)),
    'p1.adds.indexer': us(stage(5)),
    'p1.gc.subject': us(gcPer(P1_SUBJECT)),
    'p1.gc.parse': us(gcPer(P1_BASELINE)),
    'p1.profile': framesTable(r.profile),
  };
}

/**
 * Each round's cost at the largest size over its cost at the smallest, in the order of the rounds
 * (a round measures every size one after the other, so its ratio sees one level of the host's load).
 */
function roundRatios(points: P2Result['points']): string {
  const small = points[0]?.samples ?? [];
  const large = points.at(-1)?.samples ?? [];
  return small.map((cost, i) => `${fmt((large[i] ?? 0) / cost, 2)}x`).join(', ');
}

function p2Values(r: P2Result): TemplateValues {
  const rows = r.points.map((p, i) => {
    const ref = r.reference[i];
    return `| ${fmt(p.size)} | ${us(p.usPerEvent)} | ${fmt(p.usPerEvent / (r.points[0]?.usPerEvent ?? 1), 2)}x | ${ref ? us(ref.usPerEvent) : ''} | ${ref ? `${fmt(ref.usPerEvent / (r.reference[0]?.usPerEvent ?? 1), 2)}x` : ''} |`;
  });
  const values: Record<string, string | boolean> = {
    P2: true,
    'p2.events': fmt(r.events),
    'p2.rows': rows.join('\n'),
    'p2.largest': fmt((r.points.at(-1)?.size ?? 0) / 1000),
    'p2.ratio': fmt(r.ratio, 2),
    'p2.referenceRatio': fmt(r.referenceRatio, 2),
    'p2.roundRatios': roundRatios(r.points),
  };
  const first = r.points[0];
  const last = r.points.at(-1);
  const refFirst = r.reference[0];
  const refLast = r.reference.at(-1);
  if (first && last && refFirst && refLast)
    Object.assign(values, {
      'P2.notes': true,
      'p2.reference.growth': fmt(r.referenceRatio, 1),
      'p2.reference.first': us(refFirst.usPerEvent),
      'p2.reference.last': us(refLast.usPerEvent),
      'p2.profile.large': framesTable(r.profiles?.large),
      'p2.profile.small': framesTable(r.profiles?.small),
      'p2.first': us(first.usPerEvent),
      'p2.last': us(last.usPerEvent),
      'p2.adds': us(last.usPerEvent - first.usPerEvent),
      'p2.reference.adds': us(refLast.usPerEvent - refFirst.usPerEvent),
      // What kube-rx adds from the smallest store to the largest, over what the Map adds: the
      // growth compares across runs on machines of different speed better than the ratio does.
      'p2.addsOverReference': fmt(
        (last.usPerEvent - first.usPerEvent) / (refLast.usPerEvent - refFirst.usPerEvent),
        2,
      ),
    });
  return values;
}

function p3Values(r: P3Result): TemplateValues {
  const rows = [P3_BASELINE, P3_SUBJECT, P3_FETCH].map((name) => {
    const t = r.timings[name];
    return t ? `| ${name} | ${ms(t.ms)} | ${us((t.ms * 1000) / r.n)} | ${ms(t.gcMs)} |` : '';
  });
  return {
    P3: true,
    'p3.n': fmt(r.n),
    'p3.pages': String(r.pages),
    'p3.rows': rows.join('\n'),
    'p3.ratio': fmt(r.ratio, 2),
  };
}

function p4Values(r: P4Result): TemplateValues {
  // client-go is the anchor (no target): its rows are there when it ran.
  const clients = ['client-node', 'kube-rx', 'client-go'].filter((c) =>
    r.summaries.some((s) => s.client === c),
  );
  const rows = ['list', 'watch'].flatMap((mode) =>
    clients.map((client) => {
      const s = p4Summary(r, client, mode);
      return `| ${mode} | ${client} | ${ms(s.ms)} | ${rate(s.eventsPerSec)} | ${s.modifiedPerSec ? rate(s.modifiedPerSec) : ''} | ${s.cpuUsPerEvent === undefined ? '' : us(s.cpuUsPerEvent)} | ${bytes(s.bytesPerObject)} | ${s.errors.length > 0 ? s.errors.join('; ') : ''} |`;
    }),
  );
  const watchHeap = (client: string) =>
    r.summaries.find((x) => x.client === client && x.mode === 'watch')?.bytesPerObject ?? 0;
  const clientNodeHeap = watchHeap('client-node');
  // client-node's share of its run that any client reading the same lines must spend too.
  const lineWork = (r.profiles?.['client-node/watch'] ?? [])
    .filter((f) => /watch\.js|RegExp|readline|string_decoder|socketOnData/.test(f.frame))
    .reduce((sum, f) => sum + f.selfPercent, 0);
  return {
    P4: true,
    'p4.n': fmt(r.n),
    'p4.modifications': fmt(r.modifications),
    'p4.rows': rows.join('\n'),
    'p4.throughput.list': fmt(r.throughputRatio.list ?? 0, 2),
    'p4.throughput.watch': fmt(r.throughputRatio.watch ?? 0, 2),
    // The list's ratio as reports before the fourteenth round took it, for their history.
    'p4.throughput.listOfMedians': fmt(
      p4Summary(r, 'kube-rx', 'list').eventsPerSec / p4Summary(r, 'client-node', 'list').eventsPerSec,
      2,
    ),
    'p4.memory.list': fmt(r.memoryRatio.list ?? 0, 2),
    'p4.memory.watch': fmt(r.memoryRatio.watch ?? 0, 2),
    'p4.lineWork': fmt(lineWork, 0),
    'p4.ceiling': fmt(100 / Math.max(lineWork, 1), 2),
    'p4.watchExtra': bytes(watchHeap('kube-rx') - clientNodeHeap),
    'p4.podKB': fmt(clientNodeHeap / 1000, 1),
    'p4.profile.kubeRx': framesTable(r.profiles?.['kube-rx/watch']),
    'p4.profile.clientNode': framesTable(r.profiles?.['client-node/watch']),
    'p4.profile.kubeRxList': framesTable(r.profiles?.['kube-rx/list']),
    'p4.profile.clientNodeList': framesTable(r.profiles?.['client-node/list']),
    ...p4ClientGoValues(r),
  };
}

/** The client-go anchor's versions and kube-rx / client-go ratios, or why it did not run. */
function p4ClientGoValues(r: P4Result): TemplateValues {
  const anchor = r.clientGo;
  if (!anchor || 'skipped' in anchor || !r.clientGoRatio)
    return {
      'p4.clientGo': false,
      'p4.clientGoSkipped': anchor && 'skipped' in anchor ? anchor.skipped : '',
    };
  const { throughput, memory } = r.clientGoRatio;
  return {
    'p4.clientGo': true,
    'p4.clientGoSkipped': '',
    'p4.clientGo.version': anchor.clientGo,
    'p4.clientGo.go': anchor.go,
    'p4.clientGo.throughput.list': fmt(throughput.list ?? 0, 2),
    'p4.clientGo.throughput.watch': fmt(throughput.watch ?? 0, 2),
    'p4.clientGo.memory.list': fmt(memory.list ?? 0, 2),
    'p4.clientGo.memory.watch': fmt(memory.watch ?? 0, 2),
  };
}

function p5Values(r: P5Result): TemplateValues {
  return {
    P5: true,
    'p5.keys': fmt(r.keys),
    'p5.rate': rate(r.keysPerSec),
    'p5.time': ms(r.timings[P5_SUBJECT]?.ms ?? 0),
  };
}

/** Empty without both store sizes: the section is left out then. */
function p6Values(r: P6Result): TemplateValues {
  const [small, large] = r.points;
  if (!small || !large) return {};
  const row = (p: typeof large) =>
    `| ${fmt(p.size)} | ${fmt(p.updates)} | ${p.snapshots} | ${mb(p.retainedBytes)} | ${fmt(p.oldVersions)} (${mb(p.oldVersionBytes)}) | ${mb(p.structureBytes)} (${bytes(p.structureBytesPerUpdate)} per update) | ${mb(p.fullCopyBytes)} x ${p.snapshots} = ${mb(p.fullCopyBytes * p.snapshots)} |`;
  return {
    P6: true,
    'p6.updates': fmt(large.updates),
    'p6.every': fmt(large.updates / large.snapshots),
    'p6.snapshots': String(large.snapshots),
    'p6.rows': [row(small), row(large)].join('\n'),
    'p6.large': fmt(large.size / 1000),
    'p6.small': fmt(small.size / 1000),
    'p6.sizeRatio': fmt(r.sizeRatio, 2),
    'p6.copyRatio': fmt(r.copyRatio, 3),
  };
}

function p7Values(r: P7Result): TemplateValues {
  const row = (what: string, full: string, metadata: string, ratio: number) =>
    `| ${what} | ${full} | ${metadata} | ${fmt(ratio, 2)}x |`;
  return {
    P7: true,
    'p7.n': fmt(r.full.n),
    'p7.events': fmt(r.full.events),
    'p7.rows': [
      row(
        'JSON per object (list)',
        bytes(r.full.listBytesPerObject),
        bytes(r.metadata.listBytesPerObject),
        r.metadata.listBytesPerObject / r.full.listBytesPerObject,
      ),
      row(
        'heap per cached object',
        bytes(r.full.heapPerObject),
        bytes(r.metadata.heapPerObject),
        r.heapRatio,
      ),
      row(
        'MODIFIED events/s to the snapshot',
        rate(r.full.eventsPerSecond),
        rate(r.metadata.eventsPerSecond),
        r.eventsRatio,
      ),
    ].join('\n'),
    'p7.heapRatio': fmt(r.heapRatio, 2),
    'p7.eventsRatio': fmt(r.eventsRatio, 2),
  };
}

function p8Values(r: P8Result): TemplateValues {
  const rows = r.points.map(
    (p) =>
      `| ${p.replicas} | ${ms(p.ms)} | ${fmt(p.reconcilesPerSec)} | ${p.cached.map((n) => fmt(n)).join(' / ')} | ${p.shardBytes.map(mb).join(' / ')} | ${mb(p.sharderBytes)} |`,
  );
  const first = r.points[0];
  const last = r.points.at(-1);
  return {
    P8: true,
    'p8.objects': fmt(r.objects),
    'p8.reconcileMs': String(r.reconcileMs),
    'p8.concurrency': String(r.concurrency),
    'p8.rows': rows.join('\n'),
    'p8.speedup': fmt((last?.reconcilesPerSec ?? 0) / (first?.reconcilesPerSec ?? 1), 2),
    'p8.replicas': String(last?.replicas ?? 0),
  };
}

const P9_LABELS: Record<P9Variant, string> = {
  full: 'kube-rx, whole pods',
  metadata: 'kube-rx, metadata-only',
  'metadata-stripped': 'kube-rx, metadata-only, managedFields stripped',
  'client-node': 'client-node `makeInformer`',
};

/** The server's collection pauses during a client's churn (results from before they were recorded: a dash). */
function serverPauses(run: P9Run): string {
  const pauses = run.churn.serverGcPauseMs as P9Run['churn']['serverGcPauseMs'] | undefined;
  return pauses ? `${ms(pauses.total)} (${ms(pauses.max)})` : '–';
}

function p9Values(r: P9Result): TemplateValues {
  const seconds = (value: number) => `${fmt(value / 1000, 1)} s`;
  const rows = r.runs.map(
    (run) =>
      `| ${P9_LABELS[run.variant]} | ${seconds(run.syncMs)} | ${bytes(run.heapPerObject)} | ${mb(run.syncedRss)} | ${fmt(run.applied)} of ${fmt(run.churn.writes)} | ${fmt(run.appliedPerSec)}/s | ${fmt(run.lag.p50, 1)} / ${fmt(run.lag.p99, 1)} / ${fmt(run.lag.max, 1)} ms | ${ms(run.gcPauseMs.total)} (${ms(run.gcPauseMs.max)}) | ${serverPauses(run)} | ${fmt(run.cpuPercent)}% | ${fmt(run.loadAverage, 2)} | ${mb(run.endRss)} |`,
  );
  const find = (variant: P9Variant) => r.runs.find((run) => run.variant === variant) as P9Run | undefined;
  const heapOf = (variant: P9Variant) => find(variant)?.heapPerObject ?? Number.NaN;
  const span = (values: number[], format: (v: number) => string) =>
    Math.round(Math.min(...values)) === Math.round(Math.max(...values))
      ? format(values[0] ?? 0)
      : `${format(Math.min(...values))} to ${format(Math.max(...values))}`;
  return {
    P9: true,
    'p9.pods': fmt(r.pods),
    'p9.rate': fmt(r.rate),
    'p9.seconds': String(r.seconds),
    'p9.seed': seconds(r.seedMs),
    'p9.serverRss': mb(r.serverRss),
    'p9.podBytes': bytes(r.podBytes),
    'p9.managedFieldsBytes': bytes(r.managedFieldsBytes),
    'p9.rows': rows.join('\n'),
    'p9.achieved': span(
      r.runs.map((run) => run.churn.achievedPerSec),
      (v) => `${fmt(v)}/s`,
    ),
    'p9.serverCpu': span(
      r.runs.map((run) => run.churn.serverCpuPercent),
      (v) => `${fmt(v)}%`,
    ),
    'p9.metadataRatio': fmt(heapOf('metadata') / heapOf('full'), 2),
    'p9.strippedRatio': fmt(heapOf('metadata-stripped') / heapOf('full'), 2),
    'p9.clientNodeRatio': fmt(heapOf('full') / heapOf('client-node'), 2),
  };
}

function clientNodeVersion(): string {
  const pkg = JSON.parse(
    readFileSync(resolve(ROOT, 'node_modules/@kubernetes/client-node/package.json'), 'utf8'),
  ) as { version: string };
  return pkg.version;
}

/** Every value the template asks for, from a saved run (exported to try the template on a run). */
export function values(saved: Saved): TemplateValues {
  const { results: r, before: m, after, minutes } = saved;
  const all = checks(r);
  return {
    date: saved.date.slice(0, 16).replace('T', ' '),
    short: SHORT,
    met: String(all.filter((x) => status(x) === 'met').length),
    targets: String(all.length),
    'machine.cpu': m.cpu,
    'machine.cpuDetails': m.cpuDetails,
    'machine.cores': String(m.cores),
    'machine.memoryGiB': String(m.memoryGiB),
    'machine.platform': m.platform,
    'machine.node': m.node,
    'machine.v8': m.v8,
    clientNode: clientNodeVersion(),
    'load.start': m.loadAverage.join(' / '),
    'load.end': after.loadAverage.join(' / '),
    minutes: fmt(minutes, 1),
    'summary.rows': summaryRows(r),
    ...(r.P1 && p1Values(r.P1)),
    ...(r.P2 && p2Values(r.P2)),
    ...(r.P3 && p3Values(r.P3)),
    ...(r.P4 && p4Values(r.P4)),
    ...(r.P5 && p5Values(r.P5)),
    ...(r.P6 && p6Values(r.P6)),
    ...(r.P7 && p7Values(r.P7)),
    ...(r.P8 && p8Values(r.P8)),
    ...(r.P9 && p9Values(r.P9)),
  };
}

/** Writes docs/benchmarks.md and docs/benchmarks/*.svg for `saved`. */
export function writeReport(saved: Saved): void {
  const text = fillTemplate(readFileSync(TEMPLATE, 'utf8'), values(saved));
  mkdirSync(resolve(ROOT, 'docs/benchmarks'), { recursive: true });
  for (const [name, svg] of charts(saved.results))
    writeFileSync(resolve(ROOT, `docs/benchmarks/${name}.svg`), svg);
  writeFileSync(resolve(ROOT, 'docs/benchmarks.md'), text);
  console.error('wrote docs/benchmarks.md and docs/benchmarks/*.svg');
}
