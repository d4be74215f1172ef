/**
 * Splits a byte stream into lines, with a cap on the length of one line. A watch response is
 * newline-delimited JSON sent in HTTP chunks that need not align with lines, or even with
 * characters. Splitting works on bytes: `\n` (0x0A) never occurs inside a multi-byte UTF-8
 * sequence, so a complete line is decoded whole and a character cut between two chunks is joined
 * first. The partial last line is kept as a list of pieces and joined once its newline arrives, so
 * a large object sent in many chunks costs linear time.
 *
 * The cap is client-go's watch frame limit (its streaming decoder refuses an object longer than
 * 16 MiB): a server or proxy that sends a line without end would otherwise be buffered whole until
 * memory runs out. A line that would grow past the cap throws {@link WatchFrameTooLargeError}
 * before the bytes past the cap are kept; lines completed earlier in the same chunk are dropped
 * with it, which loses nothing: the Reflector resumes from the last resourceVersion it received,
 * so the next watch sends them again.
 */
import { WatchFrameTooLargeError } from './transportErrors.js';

/**
 * Incremental newline splitter for UTF-8 byte chunks.
 *
 * @example
 * ```ts
 * const lines = new LineSplitter(16 * 1024 * 1024);
 * lines.write(Buffer.from('{"a":1}\n{"b"')); // ['{"a":1}']
 * lines.write(Buffer.from(':2}\n'));         // ['{"b":2}']
 * lines.end();                               // '' (nothing pending)
 * ```
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** `maxLineBytes`: the longest line accepted, in bytes without its `\n` (default: no limit). */
  constructor(private readonly maxLineBytes = Number.POSITIVE_INFINITY) {}

  /**
   * Feeds a chunk; returns the lines it completed, without their `\n`. Throws
   * {@link WatchFrameTooLargeError} when a line would exceed `maxLineBytes`.
   */
  write(chunk: Buffer | string): string[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const lines: string[] = [];
    let start = 0;
    for (let newline = bytes.indexOf(0x0a); newline >= 0; newline = bytes.indexOf(0x0a, start)) {
      // A line wholly inside this chunk is decoded in place: no view, no copy before the decode.
      lines.push(
        this.pending.length === 0
          ? this.decodeWhole(bytes, start, newline)
          : this.complete(bytes.subarray(start, newline)),
      );
      start = newline + 1;
    }
    if (start < bytes.length) this.hold(bytes.subarray(start));
    return lines;
  }

  /** True when bytes after the last newline are waiting (a line has started but not ended). */
  get hasPartialLine(): boolean {
    return this.pendingBytes > 0;
  }

  /** Bytes of the partial line held now; never more than `maxLineBytes`. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** Ends the input; returns the unterminated last line (`''` if none). */
  end(): string {
    return this.complete(Buffer.alloc(0));
  }

  private complete(tail: Buffer): string {
    this.check(tail.length);
    const line =
      this.pending.length === 0
        ? tail
        : Buffer.concat([...this.pending, tail], this.pendingBytes + tail.length);
    this.pending = [];
    this.pendingBytes = 0;
    return line.toString('utf8');
  }

  private decodeWhole(bytes: Buffer, start: number, end: number): string {
    this.check(end - start);
    return bytes.toString('utf8', start, end);
  }

  private hold(piece: Buffer): void {
    this.check(piece.length);
    this.pending.push(piece);
    this.pendingBytes += piece.length;
  }

  private check(moreBytes: number): void {
    if (this.pendingBytes + moreBytes <= this.maxLineBytes) return;
    const buffered = this.pendingBytes;
    // Nothing of the oversized line is kept: it can never be delivered.
    this.pending = [];
    this.pendingBytes = 0;
    throw new WatchFrameTooLargeError(this.maxLineBytes, buffered, buffered + moreBytes);
  }
}
