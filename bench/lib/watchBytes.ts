/**
 * A watch stream from bytes, decoded exactly as the HTTP transport decodes a chunked watch
 * response (src/transport/watchStream.ts): chunks go through the transport's `LineSplitter`, each
 * line through the transport's own `decodeWatchLine` (blank lines are keep-alives). With
 * `deferDecoding` (the default here, as it is `informer()`'s), an object event's object arrives as
 * an `EncodedObject` cell, its text parsed once to check it and read its key, then kept as text
 * and decoded on first read; without it, each line is `JSON.parse`d whole and the object arrives
 * plain (the pipeline deep-freezes it in `deltaFifo`). It is synchronous (no socket, no timers),
 * so a benchmark measures decoding and the pipeline, not the event loop.
 */
import { Observable } from 'rxjs';
import type { RawWatchEvent } from '../../src/core/client.js';
import { LineSplitter } from '../../src/transport/lineSplitter.js';
import { decodeWatchLine } from '../../src/transport/watchStream.js';

/** Splits a buffer into `size`-byte chunks, as HTTP chunks arrive (lines and UTF-8 cut anywhere). */
export function chunked(bytes: Buffer, size = 64 * 1024): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size)
    chunks.push(bytes.subarray(offset, offset + size));
  return chunks;
}

/** Options of {@link watchFromChunks}. */
export interface WatchFromChunksOptions {
  /** Objects as `EncodedObject` cells, as a watch with `deferDecoding` gives them. Default true. */
  readonly deferDecoding?: boolean;
}

/** No redaction: recorded benchmark bytes hold no credentials. */
const keep = (text: string) => text;

/** A cold, synchronous watch stream of the newline-delimited JSON in `chunks`. */
export function watchFromChunks(
  chunks: readonly Buffer[],
  options: WatchFromChunksOptions = {},
): Observable<RawWatchEvent> {
  const deferDecoding = options.deferDecoding ?? true;
  return new Observable<RawWatchEvent>((subscriber) => {
    const lines = new LineSplitter();
    for (const chunk of chunks) {
      for (const line of lines.write(chunk)) {
        if (subscriber.closed) return;
        const event = decodeWatchLine(line, keep, deferDecoding);
        if (event) subscriber.next(event);
      }
    }
    const last = decodeWatchLine(lines.end(), keep, deferDecoding);
    if (last) subscriber.next(last);
    subscriber.complete();
  });
}
