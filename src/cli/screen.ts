/**
 * Where `kube-rx watch` writes. On a terminal the status line lives on the last row and is
 * rewritten in place (`\r` + erase line), while event rows scroll above it; elsewhere (a pipe, a
 * file, CI) every row is a plain line and the status is printed as a line now and then.
 *
 * On a terminal every row is cut to its width (ending in `…`), like `kubectl get` in a narrow
 * window: a wrapped row would break the columns, and the in-place redraw only erases one row.
 */

/** The part of a stream the screen needs (`process.stdout` fits). */
export interface Output {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

/** Event rows above, one live status line below. */
export class Screen {
  private status = '';
  private pending: string[] = [];
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly out: Output,
    /** True: rewrite the status line in place (a terminal). */
    readonly live: boolean = out.isTTY === true,
  ) {}

  /** Prints a row above the status line. */
  line(text: string): void {
    if (this.closed) return;
    if (!this.live) {
      this.out.write(`${this.fit(text)}\n`);
      return;
    }
    // Rows arrive in bursts (a list of thousands): batch them into one write per tick.
    this.pending.push(text);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sets the status line; on a terminal it is redrawn at once (or with the pending rows). */
  setStatus(text: string): void {
    this.status = text;
    if (this.live && !this.closed && !this.flushScheduled) this.out.write(CLEAR_LINE + this.fit(text));
  }

  /** Writes the final status (a plain line on a terminal too) and stops drawing. */
  close(finalLines: readonly string[] = []): void {
    if (this.closed) return;
    if (this.live) {
      this.flush();
      this.out.write(CLEAR_LINE);
    }
    this.closed = true;
    for (const text of finalLines) this.out.write(`${this.fit(text)}\n`);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    const rows = this.pending.length > 0 ? `${this.pending.map((row) => this.fit(row)).join('\n')}\n` : '';
    this.pending = [];
    this.out.write(CLEAR_LINE + rows + this.fit(this.status));
  }

  /** Cut to the terminal: a longer line would wrap (and `\r` would then redraw only its tail). */
  private fit(text: string): string {
    const columns = this.out.columns;
    return columns && text.length >= columns ? `${text.slice(0, Math.max(0, columns - 2))}…` : text;
  }
}
