/**
 * Text of `kube-rx watch`: one row per informer event, in the spirit of
 * `kubectl get -w --output-watch-events`, and the status line.
 */
import type { InformerEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import { byField } from '../store/indexFuncs.js';
import type { IndexSpec } from './args.js';
import type { WatchStats } from './stats.js';

const COLUMNS = [9, 16, 36, 10] as const;

const pad = (text: string, width: number) => (text.length >= width ? `${text} ` : text.padEnd(width));

/** The column header printed before the first event. */
export const HEADER = `${pad('EVENT', COLUMNS[0])}${pad('NAMESPACE', COLUMNS[1])}${pad('NAME', COLUMNS[2])}${pad('RV', COLUMNS[3])}NOTE`;

/**
 * One event as a row: EVENT (ADDED, MODIFIED, RESYNC, DELETED), namespace, name, resourceVersion,
 * and a note: the initial list, a tombstone, and the object's value of each `--index`.
 */
export function eventRow(event: InformerEvent<KubeObject>, indexes: readonly IndexSpec[] = []): string {
  const meta = event.object.metadata ?? {};
  let type: string;
  const notes: string[] = [];
  switch (event.type) {
    case 'add':
      type = 'ADDED';
      if (event.isInInitialList) notes.push('initial list');
      break;
    case 'update':
      type = event.resync ? 'RESYNC' : 'MODIFIED';
      break;
    case 'delete':
      type = 'DELETED';
      if (event.finalStateUnknown) notes.push('final state unknown (missed while disconnected)');
      break;
  }
  for (const { name, path } of indexes) {
    const values = byField(path)(event.object);
    if (values.length > 0) notes.push(`${name}=${values.join(',')}`);
  }
  return (
    pad(type, COLUMNS[0]) +
    pad(meta.namespace || '-', COLUMNS[1]) +
    pad(meta.name ?? '?', COLUMNS[2]) +
    pad(meta.resourceVersion ?? '', COLUMNS[3]) +
    notes.join(', ')
  ).trimEnd();
}

/** `name: a=3 b=1` for one index, values sorted, at most `limit` of them. */
export function indexSummary(
  name: string,
  counts: Readonly<Record<string, number>>,
  limit = Infinity,
): string {
  const entries = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = entries.slice(0, limit).map(([value, n]) => `${value}=${n}`);
  if (entries.length > limit) shown.push(`+${entries.length - limit} more`);
  return `${name}: ${shown.join(' ') || '-'}`;
}

/**
 * The status line: objects cached, events/s, last resourceVersion, relists, watch restarts, and
 * per-value counts of each index.
 *
 * @example
 * ```ts
 * statusLine(stats); // 'objects 18 | 2.4 events/s | rv 231 | relists 1 | watch restarts 3 | node: node-a=7 node-b=11'
 * ```
 */
export function statusLine(stats: WatchStats): string {
  const parts = [
    `objects ${stats.objects}${stats.synced ? '' : ' (syncing)'}`,
    `${stats.eventsPerSecond().toFixed(1)} events/s`,
    `rv ${stats.resourceVersion || '-'}`,
    `relists ${stats.relists}`,
    `watch restarts ${stats.watchRestarts}`,
  ];
  if (stats.errors > 0) parts.push(`errors ${stats.errors}`);
  for (const [name, counts] of Object.entries(stats.indexCounts)) parts.push(indexSummary(name, counts, 8));
  return parts.join(' | ');
}
