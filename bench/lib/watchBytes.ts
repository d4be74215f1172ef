/**
 * A watch stream from bytes, decoded the way the HTTP transport decodes a chunked watch response
 * (src/transport/watchStream.ts): chunks go through the transport's `LineSplitter`, each
 * non-blank line through `JSON.parse` and the same shape check. It is synchronous (no socket, no
 * timers), so a benchmark measures decoding and the pipeline, not the event loop.
 */
import { Observable } from 'rxjs';
import type { RawWatchEvent } from '../../src/core/client.js';
import { LineSplitter } from '../../src/transport/lineSplitter.js';

/** Splits a buffer into `size`-byte chunks, as HTTP chunks arrive (lines and UTF-8 cut anywhere). */
export function chunked(bytes: Buffer, size = 64 * 1024): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}

function decodeLine(line: string): RawWatchEvent | undefined {
  if (line.trim() === '') return undefined;
  const value = JSON.parse(line) as RawWatchEvent;
  if (value === null || typeof value !== 'object' || typeof value.type !== 'string')
    throw new Error('watch line is not a watch event');
  return { type: value.type, object: value.object };
}

/** A cold, synchronous watch stream of the newline-delimited JSON in `chunks`. */
export function watchFromChunks(chunks: readonly Buffer[]): Observable<RawWatchEvent> {
  return new Observable<RawWatchEvent>((subscriber) => {
    const lines = new LineSplitter();
    for (const chunk of chunks) {
      for (const line of lines.write(chunk)) {
        if (subscriber.closed) return;
        const event = decodeLine(line);
        if (event) subscriber.next(event);
      }
    }
    const last = decodeLine(lines.end());
    if (last) subscriber.next(last);
    subscriber.complete();
  });
}
