/**
 * Splits a byte stream into lines. A watch response is newline-delimited JSON sent in HTTP
 * chunks that need not align with lines, or even with characters: a chunk may end inside a
 * multi-byte UTF-8 sequence, so bytes go through a `StringDecoder`, which holds an incomplete
 * sequence back until the rest arrives. The partial last line is kept as a list of pieces and
 * joined once its newline arrives, so a large object sent in many chunks costs linear time.
 */
import { StringDecoder } from 'node:string_decoder';

/**
 * Incremental newline splitter for UTF-8 byte chunks.
 *
 * @example
 * ```ts
 * const lines = new LineSplitter();
 * lines.write(Buffer.from('{"a":1}\n{"b"')); // ['{"a":1}']
 * lines.write(Buffer.from(':2}\n'));         // ['{"b":2}']
 * lines.end();                               // '' (nothing pending)
 * ```
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending: string[] = [];

  /** Feeds a chunk; returns the lines it completed, without their `\n`. */
  write(chunk: Buffer | string): string[] {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      const piece = text.slice(start, newline);
      if (this.pending.length === 0) lines.push(piece);
      else {
        this.pending.push(piece);
        lines.push(this.pending.join(''));
        this.pending = [];
      }
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) this.pending.push(text.slice(start));
    return lines;
  }

  /** True when bytes after the last newline are waiting (a line has started but not ended). */
  get hasPartialLine(): boolean {
    return this.pending.length > 0;
  }

  /** Ends the input; returns the unterminated last line (`''` if none). */
  end(): string {
    const rest = this.decoder.end();
    if (rest) this.pending.push(rest);
    const last = this.pending.join('');
    this.pending = [];
    return last;
  }
}
