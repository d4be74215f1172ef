/**
 * One HTTP exchange with the API server over `node:http` / `node:https`, returning raw bytes:
 * no client-node model deserialisation (slow, and it turns timestamps into Dates on lists but not
 * on watches). Cancellation is a single `AbortSignal` per request: a caller's signal, an
 * unsubscribe and the idle watchdog all abort it, which destroys the socket, and the signal's
 * reason becomes the error. Every socket has TCP keepalive ({@link TCP_KEEPALIVE_DELAY_MS}).
 * Every message is redacted before it leaves this module.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeRxError, type StatusError } from '../core/errors.js';
import type { RequestObserver } from '../core/requestReport.js';
import { TCP_KEEPALIVE_DELAY_MS } from './agents.js';
import type { TransportClock } from './clock.js';
import { type IdleWatchdog, idleWatchdog } from './idleWatchdog.js';
import { prepareRequest, type RequestSpec } from './kubeConfig.js';
import type { Throttle } from './rateLimit.js';
import type { Redactor } from './redact.js';
import { redactedError } from './redactValues.js';
import { parseRetryAfter } from './retryAfter.js';
import { MAX_ERROR_BODY_BYTES, statusErrorFromBody } from './statusErrors.js';
import { IdleTimeoutError, RequestAbortedError, TransportError } from './transportErrors.js';

/** Where requests go (the kubeconfig, resolved lazily), as whom, and at what pace. */
export interface Connection {
  readonly config: () => Promise<KubeConfig>;
  readonly userAgent: string;
  /** The client-side rate limit: awaited before each request is sent. */
  readonly throttle: Throttle;
  /** Reads HTTP-date `Retry-After` values, and times requests for {@link observe}. */
  readonly clock: TransportClock;
  /** Told every request sent (its status or `<error>`, its time): metrics and debug logs. */
  readonly observe?: RequestObserver;
}

/**
 * Times one request and tells the connection's observer how it ended, once: `sent` when it goes
 * out (with the server's host), `ended` with its status code (undefined: no response). Without an
 * observer it does nothing.
 */
export interface RequestTiming {
  sent(host: string): void;
  ended(code: number | undefined): void;
}

const untimed: RequestTiming = { sent() {}, ended() {} };

/** A {@link RequestTiming} for `spec` on `connection`, started now. */
export function timeRequest(connection: Connection, spec: RequestSpec, watch: boolean): RequestTiming {
  const observe = connection.observe;
  if (!observe) return untimed;
  const startedAt = connection.clock.now();
  let host: string | undefined;
  let done = false;
  return {
    sent(to) {
      host = to;
    },
    ended(code) {
      // A request that never went out (aborted while preparing it, a bad kubeconfig) is not one.
      if (done || host === undefined) return;
      done = true;
      const query = spec.path.indexOf('?');
      observe({
        method: spec.method,
        host,
        path: query < 0 ? spec.path : spec.path.slice(0, query),
        code: code === undefined ? '<error>' : String(code),
        durationMs: connection.clock.now() - startedAt,
        watch,
      });
    },
  };
}

export { TCP_KEEPALIVE_DELAY_MS };

/** A response whose headers arrived; the body is still streaming. */
export interface OpenResponse {
  readonly request: ClientRequest;
  readonly response: IncomingMessage;
  readonly redact: Redactor;
}

/** The error an aborted signal stands for: its reason if kube-rx set one, else an abort error. */
export function abortReason(signal: AbortSignal): KubeRxError {
  return signal.reason instanceof KubeRxError ? signal.reason : new RequestAbortedError();
}

/** Wraps a Node error in a redacted {@link TransportError}; kube-rx errors pass through. */
export function asTransportError(error: unknown, context: string, redact: Redactor): KubeRxError {
  if (error instanceof KubeRxError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError(redact(`${context}: ${message}`), {
    code: typeof code === 'string' ? code : undefined,
    // A redacted copy: Node's socket errors carry no headers, but a proxy agent's may quote its URL.
    cause: redactedError(error, redact),
  });
}

/** `GET /api/v1/pods`: method and path without the query, for messages. */
export function describeRequest(spec: RequestSpec): string {
  const query = spec.path.indexOf('?');
  return `${spec.method} ${query < 0 ? spec.path : spec.path.slice(0, query)}`;
}

/**
 * Sends a request and resolves when the response headers arrive. Aborting `signal` at any point
 * destroys the request (and its socket) and rejects with {@link abortReason}. `timing` learns when
 * it goes out.
 */
export async function openRequest(
  connection: Connection,
  spec: RequestSpec,
  signal: AbortSignal,
  timing: RequestTiming = untimed,
  pooled = false,
): Promise<OpenResponse> {
  if (signal.aborted) throw abortReason(signal);
  const prepared = await prepareRequest(await connection.config(), spec, connection.userAgent, pooled);
  if (signal.aborted) throw abortReason(signal);
  timing.sent(prepared.host);
  const { redact } = prepared;
  const send = prepared.protocol === 'https:' ? https.request : http.request;
  return new Promise<OpenResponse>((resolve, reject) => {
    let request: ClientRequest;
    try {
      request = send(prepared.options);
    } catch (error) {
      reject(asTransportError(error, describeRequest(spec), redact));
      return;
    }
    // Every request, since an agent may hand out a reused socket; setting it again is harmless.
    request.on('socket', (socket) => socket.setKeepAlive(true, TCP_KEEPALIVE_DELAY_MS));
    const onAbort = () => request.destroy(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => signal.removeEventListener('abort', onAbort));
    // Stays attached for the request's whole life: a late socket error must not go unhandled.
    request.on('error', (error) =>
      reject(signal.aborted ? abortReason(signal) : asTransportError(error, describeRequest(spec), redact)),
    );
    request.on('response', (response) => resolve({ request, response, redact }));
    request.end(spec.body);
  });
}

/**
 * The {@link StatusError} of a non-2xx response whose body (at most `MAX_ERROR_BODY_BYTES` of it)
 * has been read, with the `Retry-After` the server sent.
 */
export function errorFromResponse(connection: Connection, open: OpenResponse, body: string): StatusError {
  const retryAfter = parseRetryAfter(open.response.headers['retry-after'], connection.clock.now());
  return statusErrorFromBody(open.response.statusCode ?? 0, body, open.redact, retryAfter);
}

/** True for 2xx. */
export function isSuccess(response: IncomingMessage): boolean {
  const code = response.statusCode ?? 0;
  return code >= 200 && code < 300;
}

/**
 * Reads a response body as UTF-8. `onChunk` sees every chunk (the idle watchdog's kick). With
 * `maxBytes`, reading stops there: the body is cut, the response destroyed (its socket is not
 * reused) and the first `maxBytes` resolved; error bodies are read this way, so a server cannot
 * make the client buffer an unbounded error page. Rejects if the connection closes before the
 * body ends (or before `maxBytes` arrived).
 */
export function readBody(
  response: IncomingMessage,
  onChunk: () => void = () => {},
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<string> {
  return readBodyBytes(response, onChunk, maxBytes).then((bytes) => bytes.toString('utf8'));
}

/** {@link readBody}, as the bytes. */
export function readBodyBytes(
  response: IncomingMessage,
  onChunk: (chunk: Buffer) => void = () => {},
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<Buffer> {
  return readBodyParts(response, onChunk, maxBytes).then((whole) => whole());
}

/**
 * {@link readBody}'s bytes as a function that joins them (once, when first called): a decoder that
 * has read every chunk as it came (a deferred list) needs the whole body only when it gives up, so
 * the usual page is never copied into one Buffer.
 */
function readBodyParts(
  response: IncomingMessage,
  onChunk: (chunk: Buffer) => void,
  maxBytes: number,
): Promise<() => Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      done = true;
      let whole: Buffer | undefined;
      resolve(() => {
        whole ??= Buffer.concat(chunks, size);
        return whole;
      });
    };
    response.on('data', (chunk: Buffer) => {
      if (done) return;
      if (size + chunk.length > maxBytes) {
        onChunk(chunk.subarray(0, maxBytes - size));
        chunks.push(chunk.subarray(0, maxBytes - size));
        size = maxBytes;
        finish();
        response.destroy();
        return;
      }
      onChunk(chunk);
      chunks.push(chunk);
      size += chunk.length;
    });
    response.on('end', () => {
      if (!done) finish();
    });
    response.on('error', (error) => {
      if (!done) reject(error);
    });
    response.on('close', () => {
      if (!done && !response.complete)
        reject(new TransportError('connection closed before the response ended'));
    });
  });
}

/** Options of {@link requestJson}. */
export interface RequestJsonOptions {
  /** The caller's cancellation. */
  readonly signal?: AbortSignal;
  /** Fail with {@link IdleTimeoutError} when no byte arrives for this long (0 disables). */
  readonly idleTimeoutMs: number;
  /**
   * Decodes a successful body its own way (a list with deferred items), as it arrives: the
   * decoder gets every chunk, then the whole body; `undefined` from `end` means "parse it the
   * ordinary way", which then decides the result and its errors.
   */
  readonly decoder?: () => BodyDecoder;
}

/** A decoder of a response body that works as the chunks arrive (see {@link RequestJsonOptions}). */
export interface BodyDecoder {
  write(chunk: Buffer): void;
  /** `body` joins the chunks into the whole body (a copy: call it only when needed). */
  end(body: () => Buffer): unknown;
}

/**
 * Sends a request and parses its JSON answer. Non-2xx answers reject with a `StatusError`; an
 * empty 2xx body resolves to `undefined`.
 */
export async function requestJson(
  connection: Connection,
  spec: RequestSpec,
  options: RequestJsonOptions,
): Promise<unknown> {
  const abort = new AbortController();
  const what = describeRequest(spec);
  const startDog = () =>
    idleWatchdog(options.idleTimeoutMs, () =>
      abort.abort(
        new IdleTimeoutError(`${what}: no data for ${options.idleTimeoutMs} ms`, options.idleTimeoutMs),
      ),
    );
  const caller = options.signal;
  const onCallerAbort = () => abort.abort(new RequestAbortedError(`${what}: aborted by the caller`));
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  let redact: Redactor = (text) => text;
  let dog: IdleWatchdog | undefined;
  let timing: RequestTiming = untimed;
  let code: number | undefined;
  try {
    // Waiting for the rate limit is not silence on a connection: the watchdog starts after it.
    await connection.throttle(abort.signal);
    dog = startDog();
    timing = timeRequest(connection, spec, false);
    // A request read to its end shares connections; a watch keeps its own (see agents.ts).
    const open = await openRequest(connection, spec, abort.signal, timing, true);
    redact = open.redact;
    dog.kick();
    code = open.response.statusCode;
    const ok = isSuccess(open.response);
    const decoder = ok ? options.decoder?.() : undefined;
    const kick = dog.kick;
    const onChunk =
      decoder === undefined
        ? kick
        : (chunk: Buffer) => {
            kick();
            decoder.write(chunk);
          };
    const bytes = await readBodyParts(
      open.response,
      onChunk,
      ok ? Number.POSITIVE_INFINITY : MAX_ERROR_BODY_BYTES,
    );
    const decoded = decoder?.end(bytes);
    if (decoded !== undefined) return decoded;
    const body = bytes().toString('utf8');
    if (!ok) throw errorFromResponse(connection, open, body);
    if (body.trim() === '') return undefined;
    try {
      return JSON.parse(body);
    } catch {
      // Not the parser's message: V8 quotes the input, which may be a Secret's data.
      throw new TransportError(`${what}: response is not valid JSON (${body.length} characters)`);
    }
  } catch (error) {
    throw abort.signal.aborted ? abortReason(abort.signal) : asTransportError(error, what, redact);
  } finally {
    // Aborted (by the caller, the idle watchdog): no status, `<error>` as client-go counts it.
    timing.ended(abort.signal.aborted ? undefined : code);
    dog?.stop();
    caller?.removeEventListener('abort', onCallerAbort);
  }
}
