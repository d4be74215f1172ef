/**
 * Draws docs/architecture.svg from the layer table the architecture test enforces
 * (test/architecture/layers.ts): one box per layer, rows by rank (a layer sits above everything it
 * may import), each box naming its direct imports (the transitive reduction: what a layer reaches
 * through another is left out, so the picture shows the structure rather than every allowed edge).
 * Lines between boxes would cross other boxes in a picture this dense; the names do not.
 *
 *   npx tsx docs/tools/renderArchitecture.ts           rewrite docs/architecture.svg
 *   npx tsx docs/tools/renderArchitecture.ts --check   exit 1 if docs/architecture.svg is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS, type Layer } from '../../test/architecture/layers.js';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../architecture.svg');
const BOX_W = 275;
const BOX_H = 66;
const GAP_X = 16;
const GAP_Y = 14;
const MARGIN = 20;

const byName = new Map(LAYERS.map((layer) => [layer.name, layer]));

/** Rank 0 imports nothing; otherwise one more than the highest layer it may import. */
function rankOf(layer: Layer): number {
  return layer.mayImport.reduce((rank, dep) => Math.max(rank, rankOf(byName.get(dep) as Layer) + 1), 0);
}

/** Everything `layer` reaches through the layers it may import. */
function reach(layer: Layer): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    for (const dep of byName.get(name)?.mayImport ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        visit(dep);
      }
    }
  };
  visit(layer.name);
  return seen;
}

/** Direct imports: those not already reached through another allowed import. */
function directImports(layer: Layer): string[] {
  return layer.mayImport.filter(
    (dep) => !layer.mayImport.some((other) => other !== dep && reach(byName.get(other) as Layer).has(dep)),
  );
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function importsLine(layer: Layer): string {
  const direct = directImports(layer);
  return direct.length === 0 ? 'imports no other layer' : `imports ${direct.join(', ')}`;
}

export function renderArchitecture(): string {
  const rows = new Map<number, Layer[]>();
  for (const layer of LAYERS) rows.set(rankOf(layer), [...(rows.get(rankOf(layer)) ?? []), layer]);
  const ranks = [...rows.keys()].sort((a, b) => a - b);
  const widest = Math.max(...[...rows.values()].map((row) => row.length));
  const width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X;
  const height = MARGIN * 2 + ranks.length * BOX_H + (ranks.length - 1) * GAP_Y;
  const at = new Map<string, { x: number; y: number }>();
  for (const rank of ranks) {
    const row = rows.get(rank) as Layer[];
    const rowWidth = row.length * BOX_W + (row.length - 1) * GAP_X;
    const y = height - MARGIN - BOX_H - rank * (BOX_H + GAP_Y);
    for (const [i, layer] of row.entries()) {
      at.set(layer.name, { x: (width - rowWidth) / 2 + i * (BOX_W + GAP_X), y });
    }
  }
  const boxes = LAYERS.map((layer) => {
    const { x, y } = at.get(layer.name) as { x: number; y: number };
    return [
      `  <rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6"/>`,
      `  <text x="${x + BOX_W / 2}" y="${y + 22}" class="name">src/${layer.name}</text>`,
      `  <text x="${x + BOX_W / 2}" y="${y + 40}" class="purpose">${escapeXml(layer.purpose)}</text>`,
      `  <text x="${x + BOX_W / 2}" y="${y + 56}" class="imports">${importsLine(layer)}</text>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    '  <title>kube-rx layers: each layer imports only the layers below it</title>',
    '  <style>rect{fill:#eef3fb;stroke:#3a6ea5;stroke-width:1.5} rect.page{fill:#fff;stroke:none} text{text-anchor:middle} .name{font-size:14px;font-weight:bold;fill:#1d3557} .purpose{font-size:11px;fill:#333} .imports{font-size:10px;font-style:italic;fill:#3a6ea5}</style>',
    `  <rect x="0" y="0" width="${width}" height="${height}" class="page"/>`,
    ...boxes,
    '</svg>',
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const svg = renderArchitecture();
  if (process.argv.includes('--check')) {
    if (readFileSync(OUT, 'utf8') !== svg) {
      console.error('docs/architecture.svg is stale: run `npx tsx docs/tools/renderArchitecture.ts`');
      process.exit(1);
    }
    console.log('docs/architecture.svg up to date');
  } else {
    writeFileSync(OUT, svg);
    console.log('wrote docs/architecture.svg');
  }
}
