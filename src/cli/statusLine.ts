/**
 * The status line of `kube-rx watch`: what the cache holds (objects, resourceVersion, synced) and
 * how the Reflector is doing (events/s, relists, watch restarts, what it does when not watching,
 * errors: from its lifecycle), plus per-value counts of each `--index`. On a terminal it is redrawn in place under the rows; elsewhere printed now and then.
 */
import type { WatchStats } from './stats.js';

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
 * The status line: objects cached, events/s, last resourceVersion, relists, watch restarts, the
 * reflector's activity when it is not watching (listing, a backoff), errors, and per-value counts
 * of each index.
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
  if (stats.activity) parts.push(stats.activity);
  if (stats.errors > 0) parts.push(`errors ${stats.errors}`);
  for (const [name, counts] of Object.entries(stats.indexCounts)) parts.push(indexSummary(name, counts, 8));
  return parts.join(' | ');
}
