/**
 * Renders the operator marble diagrams of `marbles/diagrams.ts` (the scenarios the marble test
 * `marbles/diagrams.marble.test.ts` verifies) as hand-written SVG, one `docs/operators/<name>.svg`
 * per operator. No dependencies beyond RxJS, whose own marble parser reads the strings, so a
 * picture's frames are exactly the frames the test asserts.
 *
 *   npx tsx docs/tools/renderMarbles.ts            regenerate docs/operators/*.svg
 *   npx tsx docs/tools/renderMarbles.ts --check    render into a temp dir; exit 1 if any SVG is stale
 *   npx tsx docs/tools/renderMarbles.ts --out DIR  render into DIR
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TestScheduler } from 'rxjs/testing';
import { diagrams, type MarbleDiagram, type MarbleStream } from '../../marbles/diagrams.js';

// ---------------------------------------------------------------------------------------------
// Marble parsing (RxJS's own parser, in run mode: 1 frame = 1 ms, spaces ignored).

interface Mark {
  readonly frame: number;
  /** Position inside a `( )` group at the same frame. */
  readonly slot: number;
  readonly kind: 'next' | 'complete' | 'error';
  /** The marble character of a `next`. */
  readonly letter?: string;
}

function parse(marble: string): Mark[] {
  let messages: ReturnType<typeof TestScheduler.parseMarbles> = [];
  // parseMarbles reads TestScheduler.frameTimeFactor, which is 1 only inside run().
  new TestScheduler(() => true).run(() => {
    const letters: Record<string, string> = {};
    for (const c of marble) letters[c] = c;
    messages = TestScheduler.parseMarbles(marble, letters, 'error', false, true);
  });
  const slots = new Map<number, number>();
  return messages
    .filter((m) => m.frame >= 0)
    .map((m) => {
      const slot = slots.get(m.frame) ?? 0;
      slots.set(m.frame, slot + 1);
      const n = m.notification;
      if (n.kind === 'N') return { frame: m.frame, slot, kind: 'next', letter: String(n.value) };
      return { frame: m.frame, slot, kind: n.kind === 'C' ? 'complete' : 'error' };
    });
}

// ---------------------------------------------------------------------------------------------
// Value captions for the legend.

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function objectRef(value: unknown): string {
  if (!isRecord(value)) return String(value);
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const spec = isRecord(value.spec) ? value.spec : {};
  const name = meta.namespace ? `${meta.namespace}/${meta.name}` : String(meta.name);
  const parts = [`${name}@${meta.resourceVersion ?? '?'}`];
  if (typeof meta.generation === 'number') parts.push(`gen ${meta.generation}`);
  if (typeof spec.nodeName === 'string') parts.push(`on ${spec.nodeName}`);
  const status = isRecord(value.status) ? value.status : undefined;
  if (status && typeof status.readyReplicas === 'number') parts.push(`ready ${status.readyReplicas}`);
  return parts.join(' ');
}

const list = (items: unknown): string =>
  Array.isArray(items) ? `[${items.map((i) => objectRef(i)).join(', ')}]` : '[]';

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isRecord(error) && typeof error.code === 'number') return `${error.code} ${error.reason ?? ''}`.trim();
  return String(error);
}

/** A one-line description of any value the diagrams carry. */
export function caption(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (!isRecord(value)) return String(value);
  // List answer (ListResult)
  if (Array.isArray(value.items) && isRecord(value.metadata))
    return `list ${list(value.items)} at rv ${value.metadata.resourceVersion}`;
  // DeltaBatch
  if (Array.isArray(value.deltas)) {
    const deltas = value.deltas.map((d: Json) => {
      const tomb = d.tombstone ? ' (tombstone)' : '';
      return `${d.type} ${objectRef(d.object)}${tomb}`;
    });
    const body = deltas.length === 0 ? 'no deltas' : deltas.join(', ');
    return `batch rv ${value.resourceVersion}${value.initialList ? ' (initial list)' : ''}: ${body}`;
  }
  // Snapshot view (indexer diagram)
  if (typeof value.size === 'number' && isRecord(value.byNode)) {
    const byNode = Object.entries(value.byNode)
      .map(([node, keys]) => `${node}=[${(keys as string[]).join(', ')}]`)
      .join(' ');
    return `Snapshot size ${value.size} rv ${value.resourceVersion}, byIndex node: ${byNode || '-'}`;
  }
  // WorkResult
  if (typeof value.key === 'string' && typeof value.outcome === 'string') {
    const base = `${value.key}: ${value.outcome}, attempt ${value.attempt}, took ${value.durationMs} ms`;
    if (value.outcome === 'retry') return `${base}; ${errorText(value.error)}, retry in ${value.delayMs} ms`;
    if (value.outcome === 'requeued') return `${base}; requeue in ${value.delayMs} ms`;
    if (value.outcome === 'dropped') return `${base}; dropped: ${errorText(value.error)}`;
    return base;
  }
  switch (value.type) {
    // InformerEvent
    case 'add':
      return `add ${objectRef(value.object)}${value.isInInitialList ? ' (isInInitialList)' : ''}`;
    case 'update':
      return `update ${objectRef(value.oldObject)} -> ${objectRef(value.object)}${value.resync ? ' (resync)' : ''}`;
    case 'delete':
      return `delete ${objectRef(value.object)}${value.finalStateUnknown ? ' (finalStateUnknown)' : ''}`;
    // WatchEvent and RawWatchEvent
    case 'REPLACE':
      return `REPLACE ${list(value.objects)} at rv ${value.resourceVersion}`;
    case 'RESYNC':
      return 'RESYNC';
    case 'BOOKMARK':
      return `BOOKMARK rv ${typeof value.resourceVersion === 'string' ? value.resourceVersion : objectRef(value.object).split('@')[1]}`;
    case 'ERROR':
      return `ERROR ${errorText(value.object)}`;
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return `${value.type} ${objectRef(value.object)}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Layout and drawing.

const FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";
const CHAR_W = 7.3; // approximate width of a 12px monospace character
const R = 12; // marble radius
const SLOT = 2 * R + 4; // horizontal space of one item of a group
const LABEL_W = 150;
const ROW_H = 56;
const PAD = 16;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#e15759', '#9c755f'];

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function colorOf(letter: string): string {
  let h = 0;
  for (const c of letter) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length] as string;
}

function formatTime(frame: number): string {
  if (frame < 1000) return `${frame}ms`;
  if (frame < 60_000) return `${(frame / 1000).toFixed(frame % 1000 === 0 ? 0 : 3)}s`;
  const m = Math.floor(frame / 60_000);
  const rest = frame - m * 60_000;
  return rest === 0 ? `${m}m` : `${m}m${(rest / 1000).toFixed(rest % 1000 === 0 ? 0 : 3)}s`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && (line.length + 1 + word.length) * CHAR_W > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Maps frames to x positions: linear for short gaps, compressed (with a break mark) for long ones. */
function timeline(streams: Mark[][]): {
  x: (frame: number) => number;
  frames: number[];
  breaks: number[];
  end: number;
} {
  const width = new Map<number, number>();
  for (const marks of streams)
    for (const m of marks) width.set(m.frame, Math.max(width.get(m.frame) ?? 1, m.slot + 1));
  const frames = [...new Set([0, ...width.keys()])].sort((a, b) => a - b);
  const pos = new Map<number, number>();
  const breaks: number[] = [];
  let x = LABEL_W + PAD + R + 8;
  let prev: number | undefined;
  for (const f of frames) {
    if (prev !== undefined) {
      const d = f - prev;
      const prevW = ((width.get(prev) ?? 1) - 1) * SLOT;
      const labelRoom = (formatTime(prev).length + formatTime(f).length) * 3.2 + 10;
      const gap =
        d <= 8 ? Math.max(d * 18, SLOT + 4, labelRoom) : Math.max(150 + 20 * Math.log10(d / 8), labelRoom);
      const from = x;
      x += prevW + gap;
      if (d > 8) breaks.push(Math.round((from + prevW + x) * 5) / 10);
    }
    // Rounded, so the SVG bytes cannot depend on the last bits of a logarithm.
    x = Math.round(x * 10) / 10;
    pos.set(f, x);
    prev = f;
  }
  const last = frames[frames.length - 1] ?? 0;
  return {
    x: (frame) => pos.get(frame) as number,
    frames,
    breaks,
    end: x + ((width.get(last) ?? 1) - 1) * SLOT + 48,
  };
}

function drawStream(
  stream: MarbleStream,
  marks: Mark[],
  y: number,
  t: ReturnType<typeof timeline>,
  bold: boolean,
): string {
  const out: string[] = [];
  const stop = marks.find((m) => m.kind !== 'next');
  const start = stream.kind === 'hot' || marks.length === 0 ? LABEL_W + PAD : t.x(0) - R - 8;
  const lineEnd = stop ? t.x(stop.frame) + stop.slot * SLOT + 10 : t.end;
  out.push(
    `<text x="${PAD}" y="${y + 4}" font-size="12"${bold ? ' font-weight="bold"' : ''} fill="#333">${esc(stream.label)}</text>`,
  );
  out.push(`<line x1="${start}" y1="${y}" x2="${lineEnd}" y2="${y}" stroke="#555" stroke-width="1.5"/>`);
  if (!stop) out.push(`<path d="M${t.end} ${y} l-9 -5 v10 z" fill="#555"/>`);
  for (const b of t.breaks) {
    if (b > lineEnd) continue;
    out.push(
      `<path d="M${b - 5} ${y + 7} l6 -14 M${b + 1} ${y + 7} l6 -14" stroke="#555" stroke-width="1.2" fill="none"/>`,
      `<rect x="${b - 2}" y="${y - 2}" width="6" height="4" fill="#fff"/>`,
    );
  }
  for (const m of marks) {
    const cx = t.x(m.frame) + m.slot * SLOT;
    if (m.kind === 'next') {
      const letter = m.letter ?? '?';
      out.push(
        `<circle cx="${cx}" cy="${y}" r="${R}" fill="${colorOf(letter)}" stroke="#333" stroke-width="1"/>`,
        `<text x="${cx}" y="${y + 4}" font-size="12" font-weight="bold" text-anchor="middle" fill="#fff">${esc(letter)}</text>`,
      );
    } else if (m.kind === 'complete') {
      out.push(
        `<line x1="${cx}" y1="${y - 12}" x2="${cx}" y2="${y + 12}" stroke="#333" stroke-width="2.5"/>`,
      );
    } else {
      out.push(
        `<path d="M${cx - 8} ${y - 8} l16 16 M${cx + 8} ${y - 8} l-16 16" stroke="#d62728" stroke-width="3"/>`,
      );
    }
  }
  return out.join('\n  ');
}

/** The legend lines of a stream: one per letter it uses, in order of first use. */
function legend(stream: MarbleStream, marks: Mark[]): string[] {
  const lines: string[] = [];
  // Without values a letter stands for itself (e.g. work queue keys): nothing to explain.
  if (stream.values === undefined && stream.error === undefined) return lines;
  const seen = new Set<string>();
  for (const m of marks) {
    if (m.kind === 'error' && stream.error !== undefined) lines.push(`# = error: ${errorText(stream.error)}`);
    if (m.kind !== 'next' || !m.letter || seen.has(m.letter)) continue;
    seen.add(m.letter);
    const value = stream.values?.[m.letter];
    lines.push(`${m.letter} = ${value === undefined ? JSON.stringify(m.letter) : caption(value)}`);
  }
  return lines;
}

/** The SVG of one diagram. Deterministic: same diagram, same bytes. */
export function renderDiagram(d: MarbleDiagram): string {
  const inputs = d.inputs.map((s) => parse(s.marble));
  const output = parse(d.output.marble);
  const timed = timeline([...inputs, output]);
  // Room for the operator box's caption.
  const t = { ...timed, end: Math.max(timed.end, LABEL_W + PAD + d.title.length * CHAR_W * 1.1 + 40) };
  const body: string[] = [];
  let y = PAD + 14;
  const contentWidth = Math.max(t.end + PAD, 640);
  body.push(`<text x="${PAD}" y="${y}" font-size="15" font-weight="bold" fill="#111">${esc(d.title)}</text>`);
  const descLines = wrap(d.description, contentWidth - 2 * PAD);
  for (const line of descLines) {
    y += 17;
    body.push(`<text x="${PAD}" y="${y}" font-size="12" fill="#444">${esc(line)}</text>`);
  }
  y += 16 + ROW_H / 2;
  d.inputs.forEach((stream, i) => {
    body.push(drawStream(stream, inputs[i] as Mark[], y, t, false));
    y += ROW_H;
  });
  // The operator box between inputs and output.
  const boxTop = y - ROW_H / 2 + 6;
  body.push(
    `<rect x="${LABEL_W + PAD}" y="${boxTop}" width="${t.end - LABEL_W - PAD}" height="30" rx="6" fill="#f4f6fa" stroke="#8899aa"/>`,
    `<text x="${(LABEL_W + PAD + t.end) / 2}" y="${boxTop + 19}" font-size="13" text-anchor="middle" fill="#223">${esc(d.title)}</text>`,
  );
  y += 30;
  body.push(drawStream(d.output, output, y, t, true));
  // Time axis: the frame (virtual ms) of every event.
  y += 30;
  body.push(`<line x1="${LABEL_W + PAD}" y1="${y}" x2="${t.end}" y2="${y}" stroke="#bbb"/>`);
  body.push(`<text x="${PAD}" y="${y + 4}" font-size="11" fill="#777">virtual time</text>`);
  for (const f of t.frames) {
    const x = t.x(f);
    body.push(
      `<line x1="${x}" y1="${y - 4}" x2="${x}" y2="${y + 4}" stroke="#999"/>`,
      `<text x="${x}" y="${y + 17}" font-size="10" text-anchor="middle" fill="#777">${esc(formatTime(f))}</text>`,
    );
  }
  // Legend.
  y += 30;
  let legendWidth = 0;
  const streams: [MarbleStream, Mark[]][] = [
    ...d.inputs.map((s, i): [MarbleStream, Mark[]] => [s, inputs[i] as Mark[]]),
    [d.output, output],
  ];
  for (const [stream, marks] of streams) {
    const lines = legend(stream, marks);
    if (lines.length === 0) continue;
    y += 18;
    body.push(
      `<text x="${PAD}" y="${y}" font-size="12" font-weight="bold" fill="#333">${esc(stream.label)}</text>`,
    );
    for (const line of lines) {
      y += 16;
      legendWidth = Math.max(legendWidth, PAD * 2 + 16 + line.length * CHAR_W);
      body.push(`<text x="${PAD + 16}" y="${y}" font-size="12" fill="#333">${esc(line)}</text>`);
    }
  }
  const width = Math.ceil(Math.max(contentWidth, legendWidth));
  const height = Math.ceil(y + PAD);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(FONT)}">`,
    `  <title>${esc(`${d.name}: ${d.title}`)}</title>`,
    `  <desc>${esc(d.description)}</desc>`,
    `  <rect width="100%" height="100%" fill="#fff"/>`,
    `  ${body.join('\n  ')}`,
    '</svg>',
    '',
  ].join('\n');
}

/** Writes every diagram into `dir`; returns the file names. */
export function renderAll(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return diagrams.map((d) => {
    const file = `${d.name}.svg`;
    writeFileSync(join(dir, file), renderDiagram(d));
    return file;
  });
}

const here = dirname(fileURLToPath(import.meta.url));
const defaultOut = resolve(here, '..', 'operators');

function check(): number {
  const tmp = mkdtempSync(join(tmpdir(), 'kube-rx-marbles-'));
  try {
    const files = renderAll(tmp);
    const stale: string[] = [];
    for (const file of files) {
      let current: string | undefined;
      try {
        current = readFileSync(join(defaultOut, file), 'utf8');
      } catch {
        current = undefined;
      }
      if (current !== readFileSync(join(tmp, file), 'utf8'))
        stale.push(`docs/operators/${file} ${current === undefined ? 'is missing' : 'is stale'}`);
    }
    const extra = (existsSync(defaultOut) ? readdirSync(defaultOut) : []).filter(
      (f) => f.endsWith('.svg') && !files.includes(f),
    );
    for (const file of extra) stale.push(`docs/operators/${file} has no diagram in marbles/diagrams.ts`);
    if (stale.length > 0) {
      console.error(`marble diagrams out of date:\n  ${stale.join('\n  ')}\nrun: npm run docs:marbles`);
      return 1;
    }
    console.log(`docs/operators: ${files.length} marble diagrams up to date`);
    return 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main(): number {
  const { values } = parseArgs({ options: { check: { type: 'boolean' }, out: { type: 'string' } } });
  if (values.check) return check();
  const dir = values.out ? resolve(values.out) : defaultOut;
  const files = renderAll(dir);
  console.log(`wrote ${files.length} marble diagrams to ${dir}: ${files.join(', ')}`);
  return 0;
}

process.exitCode = main();
