/**
 * The table output of `kube-rx watch`: one row per informer event, as `kubectl get -w
 * --output-watch-events` prints them: `EVENT`, `NAMESPACE` (when watching all namespaces), the
 * kind's columns ({@link kindColumns}), `-L` label columns, `LABELS` (`--show-labels`) and a
 * `NOTE` (the initial list, a delete missed while disconnected, each `--index` value).
 *
 * Like kubectl's tabwriter, column widths come from the rows printed together (the first batch is
 * the whole initial list, so it lines up under the header); later rows only ever widen a column,
 * so what is already on screen stays aligned with what follows.
 */
import type { InformerEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import type { ResourceType } from '../core/resources.js';
import { byField } from '../store/indexFuncs.js';
import type { IndexSpec } from './args.js';
import { type Column, kindColumns, LABELS, labelColumn } from './columns.js';

const GAP = '   ';
/** A column wider than this is not widened further: one long value must not push every later row. */
const MAX_WIDTH = 60;

/** What the table shows. */
export interface TableOptions {
  readonly resource: ResourceType<KubeObject>;
  readonly wide: boolean;
  /** Show the NAMESPACE column (watching all namespaces of a namespaced resource). */
  readonly namespaceColumn: boolean;
  readonly labelColumns: readonly string[];
  readonly showLabels: boolean;
  readonly noHeaders: boolean;
  readonly indexes: readonly IndexSpec[];
}

/** The EVENT cell: kubectl's watch event types, and RESYNC for an update that changed nothing. */
function eventType(event: InformerEvent<KubeObject>): string {
  switch (event.type) {
    case 'add':
      return 'ADDED';
    case 'update':
      return event.resync ? 'RESYNC' : 'MODIFIED';
    case 'delete':
      return 'DELETED';
  }
}

function note(event: InformerEvent<KubeObject>, indexes: readonly IndexSpec[]): string {
  const notes: string[] = [];
  if (event.type === 'add' && event.isInInitialList) notes.push('initial list');
  if (event.type === 'delete' && event.finalStateUnknown)
    notes.push('final state unknown (missed while disconnected)');
  for (const { name, path } of indexes) {
    const values = byField(path)(event.object);
    if (values.length > 0) notes.push(`${name}=${values.join(',')}`);
  }
  return notes.join(', ');
}

/** Rows of events with aligned columns. */
export class EventTable {
  private readonly columns: readonly Column[];
  private readonly headers: readonly string[];
  private readonly widths: number[];
  private headerDone: boolean;

  constructor(private readonly options: TableOptions) {
    const columns: Column[] = [];
    if (options.namespaceColumn)
      columns.push({ header: 'NAMESPACE', cell: (o) => o.metadata?.namespace ?? '' });
    columns.push(...kindColumns(options.resource, options.wide));
    if (options.wide) columns.push({ header: 'RV', cell: (o) => o.metadata?.resourceVersion ?? '' });
    columns.push(...options.labelColumns.map(labelColumn));
    if (options.showLabels) columns.push(LABELS);
    this.columns = columns;
    this.headers = ['EVENT', ...columns.map((c) => c.header), 'NOTE'];
    this.widths = this.headers.map((h, i) => (i === 0 ? 'MODIFIED'.length : h.length));
    this.headerDone = options.noHeaders;
  }

  /** The cells of one event's row. */
  cells(event: InformerEvent<KubeObject>, now: number): string[] {
    return [
      eventType(event),
      ...this.columns.map((c) => c.cell(event.object, now)),
      note(event, this.options.indexes),
    ];
  }

  /** The rows of events that arrived together, preceded by the header the first time. */
  rows(events: readonly InformerEvent<KubeObject>[], now: number): string[] {
    const rows = events.map((event) => this.cells(event, now));
    const last = this.headers.length - 1;
    for (const row of rows)
      for (let i = 0; i < last; i++)
        this.widths[i] = Math.max(this.widths[i] as number, Math.min((row[i] as string).length, MAX_WIDTH));
    if (!this.headerDone) {
      this.headerDone = true;
      rows.unshift([...this.headers]);
    }
    return rows.map((row) => this.format(row));
  }

  private format(row: readonly string[]): string {
    const last = row.length - 1;
    return row
      .map((cell, i) => (i < last ? cell.padEnd(this.widths[i] as number) : cell))
      .join(GAP)
      .trimEnd();
  }
}
