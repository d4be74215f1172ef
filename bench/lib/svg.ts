/**
 * Hand-made SVG bar charts for docs/benchmarks.md: no dependency, deterministic output, readable
 * on GitHub's light and dark themes (own white background).
 */

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Text after the bar; defaults to the value. */
  readonly text?: string;
  /** `subject` (kube-rx), `baseline`, or `reference` (shown lighter). */
  readonly kind?: 'subject' | 'baseline' | 'reference';
}

export interface Chart {
  readonly title: string;
  /** What the values are, shown under the title, e.g. "events/s (higher is better)". */
  readonly unit: string;
  readonly bars: readonly Bar[];
  /** A vertical marker, e.g. the target. */
  readonly marker?: { readonly value: number; readonly label: string };
}

const COLORS = { subject: '#2f6fdf', baseline: '#8a8f98', reference: '#c4c8cf' } as const;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A horizontal bar chart. */
export function barChart(chart: Chart): string {
  const labelWidth = 300;
  const barArea = 380;
  const valueWidth = 150;
  const rowHeight = 26;
  const top = 52;
  const width = labelWidth + barArea + valueWidth;
  const height = top + chart.bars.length * rowHeight + (chart.marker ? 26 : 12);
  const max = Math.max(...chart.bars.map((b) => b.value), chart.marker?.value ?? 0) || 1;
  const x = (value: number) => labelWidth + (barArea * value) / max;
  const rows = chart.bars.map((bar, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, x(bar.value) - labelWidth);
    return [
      `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${COLORS[bar.kind ?? 'subject']}" rx="2"/>`,
      `<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 16}">${escapeXml(bar.text ?? String(bar.value))}</text>`,
    ].join('');
  });
  const marker = chart.marker
    ? (() => {
        const mx = x(chart.marker.value).toFixed(1);
        const bottom = top + chart.bars.length * rowHeight;
        return `<line x1="${mx}" y1="${top - 4}" x2="${mx}" y2="${bottom + 4}" stroke="#d0342c" stroke-dasharray="4 3"/><text x="${mx}" y="${bottom + 18}" text-anchor="middle" fill="#d0342c">${escapeXml(chart.marker.label)}</text>`;
      })()
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="13" role="img">`,
    `<title>${escapeXml(`${chart.title} (${chart.unit})`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="15" font-weight="600" fill="#1f2328">${escapeXml(chart.title)}</text>`,
    `<text x="12" y="38" fill="#59636e">${escapeXml(chart.unit)}</text>`,
    `<g fill="#1f2328">${rows.join('')}</g>`,
    marker,
    '</svg>',
    '',
  ].join('\n');
}
