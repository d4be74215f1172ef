/**
 * A watch request as a cold Observable: subscribing sends `GET ...?watch=true` (once the
 * client-side rate limit lets it: a watch takes one token, when it starts), each line of the
 * chunked response is one event (an in-stream `ERROR` event is an event, its Status redacted),
 * and the Observable
 * - completes when the server ends the response (its `timeoutSeconds` elapsed; the Reflector
 *   re-watches from the last resourceVersion, as client-go does),
 * - errors with a `StatusError` when the server refuses the watch (non-2xx), carrying the
 *   response's `Retry-After` as `retryAfterSeconds` for the Reflector to wait out,
 * - errors with a `WatchProtocolError` on a line that is not a watch event (the Reflector
 *   re-watches from the last good resourceVersion instead of skipping data),
 * - errors with a `WatchFrameTooLargeError` (a `WatchProtocolError`) when a line grows past
 *   `maxFrameBytes` without a newline, before more than that is buffered (client-go's 16 MiB
 *   frame limit; the Reflector re-watches),
 * - errors with a `TransportError` when the connection fails or drops before the response ends
 *   (refused, reset, TLS; `ETIMEDOUT` when TCP keepalive finds the peer gone),
 * - errors with a `WatchIdleTimeoutError` when no byte arrives for the idle timeout (a peer that
 *   answers TCP but sends nothing; the client-node informer's silent stall),
 * - never ends because of an unsubscribe: that aborts the request (also while it waits for the
 *   rate limit) and closes the socket, without a notification.
 * (`kubeClient().watch` errors with `InvalidRequestError` before any of this when the request
 * cannot be built.)
 */
import { Observable } from 'rxjs';
import type { RawWatchEvent } from '../core/client.js';
import { type EncodedObject, encodedObject } from '../core/encodedObject.js';
import { KubeRxError, WatchProtocolError } from '../core/errors.js';
import { scannedObject } from '../core/scannedObject.js';
import {
  type Connection,
  errorFromResponse,
  isSuccess,
  openRequest,
  type RequestTiming,
  readBody,
  timeRequest,
} from './http.js';
import { type IdleWatchdog, idleWatchdog } from './idleWatchdog.js';
import type { RequestSpec } from './kubeConfig.js';
import { LineSplitter } from './lineSplitter.js';
import type { Redactor } from './redact.js';
import { redactJson } from './redactValues.js';
import { MAX_ERROR_BODY_BYTES } from './statusErrors.js';
import { RequestAbortedError, TransportError, WatchIdleTimeoutError } from './transportErrors.js';

const EVENT_PREFIX = '{"type":"';
const OBJECT_FIELD = ',"object":';

/** JSON whitespace: space, tab, line feed, carriage return. */
const isJsonSpace = (code: number) => code === 32 || code === 9 || code === 10 || code === 13;

/** The object event type the line names right after its prefix (and its closing quote), if any. */
function objectEventType(line: string): 'ADDED' | 'MODIFIED' | 'DELETED' | undefined {
  const at = EVENT_PREFIX.length;
  if (line.startsWith('MODIFIED"', at)) return 'MODIFIED';
  if (line.startsWith('ADDED"', at)) return 'ADDED';
  if (line.startsWith('DELETED"', at)) return 'DELETED';
  return undefined;
}

/**
 * The deferred decoding of an object event, or undefined to decode the line as a whole. A line
 * written the way every API server writes one, `{"type":"ADDED","object":{...}}`, is exactly its
 * prefix, the object's text and a closing brace; so when that text checks (scanned, see
 * core/scannedObject.ts, or else parsed), the line is valid JSON whose object is that text, and the
 * cell keeps the text (see core/encodedObject.ts). Anything else (another field order, spaces,
 * escapes, a BOOKMARK or ERROR, or text that does not check) takes the whole-line path, which
 * decides it as before; an object the cache would turn away is passed on decoded, so it is
 * reported as before. A cell made from a parse keeps the parse until the cache has indexed it.
 */
function deferredEvent(line: string): RawWatchEvent | undefined {
  if (!line.startsWith(EVENT_PREFIX)) return undefined;
  const type = objectEventType(line);
  if (type === undefined) return undefined;
  const typeEnd = EVENT_PREFIX.length + type.length;
  if (!line.startsWith(OBJECT_FIELD, typeEnd + 1)) return undefined;
  const start = typeEnd + 1 + OBJECT_FIELD.length;
  let end = line.length - 1;
  while (end > start && isJsonSpace(line.charCodeAt(end))) end--;
  if (line.charCodeAt(end) !== 0x7d) return undefined;
  const text = line.slice(start, end);
  const cell = scannedObject(text);
  if (cell !== undefined) return { type, object: cell };
  let object: unknown;
  try {
    object = JSON.parse(text);
  } catch {
    return undefined;
  }
  return { type, object: encodedObject(text, object, true) ?? object };
}

/**
 * Decodes one line of a watch response, as {@link watchStream} does; a blank line is a keep-alive
 * and yields nothing. With `deferDecoding`, an object event's object may be an
 * {@link EncodedObject}. Throws a `WatchProtocolError` for a line that is not a watch event.
 * Exported for the benchmarks, which decode recorded bytes without a socket.
 *
 * @example
 * ```ts
 * decodeWatchLine('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}', (t) => t, true);
 * ```
 */
export function decodeWatchLine(
  line: string,
  redact: Redactor,
  deferDecoding: boolean,
): RawWatchEvent | undefined {
  if (deferDecoding) {
    const deferred = deferredEvent(line);
    if (deferred !== undefined) return deferred;
  }
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    // Not the parser's message: V8 quotes the input, which may be a Secret's data.
    throw new WatchProtocolError(`watch line is not valid JSON (${line.length} characters)`);
  }
  if (value === null || typeof value !== 'object' || typeof (value as RawWatchEvent).type !== 'string')
    throw new WatchProtocolError('watch line is not a watch event (no string "type")');
  const { type, object } = value as RawWatchEvent;
  // An ERROR event carries a Status whose message may end up in a log; its strings are decoded
  // already, so every form of a secret is plain text here.
  if (type === 'ERROR' && object !== undefined) return { type, object: redactJson(object, redact) };
  return { type, object };
}

/** Limits of one watch stream. */
export interface WatchStreamOptions {
  /** Error with `WatchIdleTimeoutError` after this many ms without a byte; 0 disables. */
  readonly idleTimeoutMs: number;
  /** The longest line (one event) accepted, in bytes. Default: no limit. */
  readonly maxFrameBytes?: number;
  /**
   * Keep object events' objects as their JSON text, decoded on first read (an
   * {@link EncodedObject}); for a cache, see `WatchOptions.deferDecoding`. Default false.
   */
  readonly deferDecoding?: boolean;
}

/**
 * Opens a watch stream.
 *
 * @example
 * ```ts
 * watchStream(connection, { method: 'GET', path: '/api/v1/pods?watch=true' }, { idleTimeoutMs: 75_000 })
 *   .subscribe((event) => console.log(event.type));
 * ```
 */
export function watchStream(
  connection: Connection,
  spec: RequestSpec,
  options: WatchStreamOptions,
): Observable<RawWatchEvent> {
  const { idleTimeoutMs } = options;
  const deferDecoding = options.deferDecoding === true;
  return new Observable<RawWatchEvent>((subscriber) => {
    const abort = new AbortController();
    const fail = (error: unknown) => {
      subscriber.error(
        error instanceof KubeRxError ? error : new TransportError(`watch failed: ${String(error)}`),
      );
    };
    // Started once the rate limit lets the request go: waiting for a token is not silence.
    let dog: IdleWatchdog = { kick() {}, stop() {} };
    // A watch is timed to its response headers: its stream lasts as long as the server keeps it.
    let timing: RequestTiming | undefined;

    const opened = connection.throttle(abort.signal).then(() => {
      if (subscriber.closed) return undefined;
      dog = idleWatchdog(idleTimeoutMs, () =>
        fail(new WatchIdleTimeoutError(`watch received no data for ${idleTimeoutMs} ms`, idleTimeoutMs)),
      );
      timing = timeRequest(connection, spec, true);
      return openRequest(connection, spec, abort.signal, timing);
    });
    // No response came: the request counts as `<error>`.
    opened.catch(() => timing?.ended(undefined));
    opened.then((open) => {
      if (open === undefined || subscriber.closed) return;
      const { response, redact } = open;
      timing?.ended(response.statusCode);
      dog.kick();
      if (!isSuccess(response)) {
        readBody(response, dog.kick, MAX_ERROR_BODY_BYTES).then(
          (body) => fail(errorFromResponse(connection, open, body)),
          fail,
        );
        return;
      }
      const lines = new LineSplitter(options.maxFrameBytes);
      const emit = (line: string) => {
        const event = decodeWatchLine(line, redact, deferDecoding);
        if (event) subscriber.next(event);
      };
      response.on('data', (chunk: Buffer) => {
        dog.kick();
        try {
          for (const line of lines.write(chunk)) {
            // A subscriber may unsubscribe from inside next (take, takeUntil).
            if (subscriber.closed) return;
            emit(line);
          }
        } catch (error) {
          fail(error);
        }
      });
      response.on('end', () => {
        try {
          emit(lines.end());
          subscriber.complete();
        } catch (error) {
          fail(error);
        }
      });
      // A reset connection shows up as 'error' or as 'close' before the end, depending on the
      // Node version; both mean the same. After an unsubscribe the socket is destroyed on purpose:
      // the subscriber is closed then and these do nothing, but stay attached so no error goes
      // unhandled.
      const broken = (error?: Error) => {
        if (subscriber.closed) return;
        const where = lines.hasPartialLine ? ' in the middle of an event' : '';
        const detail = error ? ` (${redact(error.message)})` : '';
        const code = (error as { code?: unknown } | undefined)?.code;
        fail(
          new TransportError(`watch stream closed before the response ended${where}${detail}`, {
            code: typeof code === 'string' ? code : 'ECONNRESET',
          }),
        );
      };
      response.on('error', broken);
      response.on('close', () => {
        if (!response.complete) broken();
      });
    }, fail);

    return () => {
      dog.stop();
      abort.abort(new RequestAbortedError('watch unsubscribed'));
    };
  });
}
