/**
 * Response recipes: what the hostile server sends for one request. A recipe is plain data (a
 * body, or a stream of chunks with delays and how it ends), so a case reads as the sequence of
 * answers it scripts: `sequence(...times(3, status(500, ...)), okList(objects, '7'))`.
 */
import type { KubeObject } from '../../../src/core/objects.js';
import type { Behaviour } from './hostileServer.js';

export type Headers = Readonly<Record<string, string>>;

/** A whole response: status, headers, body. */
export interface BodyRecipe {
  readonly kind: 'body';
  readonly status: number;
  readonly headers?: Headers;
  readonly body: string | Buffer;
}

/** One write of a stream, sent `afterMs` after the previous one. */
export interface Chunk {
  readonly data: string | Buffer;
  readonly afterMs?: number;
}

/**
 * How a stream stops: `end` closes the response cleanly; `reset` destroys the socket mid-response;
 * `hang` sends nothing more and keeps the socket open (a half-open connection, as the client sees it).
 */
export type StreamEnd = 'end' | 'reset' | 'hang';

/** A chunked response (a watch): headers at once, then chunks, then the end. */
export interface StreamRecipe {
  readonly kind: 'stream';
  readonly status: number;
  readonly headers?: Headers;
  readonly chunks: readonly Chunk[];
  readonly ending: StreamEnd;
  /** Delay between the last chunk and the end. */
  readonly endAfterMs?: number;
}

export type Recipe = BodyRecipe | StreamRecipe;

/** A 200 list: `{ kind: 'List', metadata: { resourceVersion, continue? }, items }`. */
export function okList(
  objects: readonly KubeObject[],
  resourceVersion: string,
  continueToken?: string,
): Recipe {
  const metadata = continueToken ? { resourceVersion, continue: continueToken } : { resourceVersion };
  return json(200, { kind: 'List', apiVersion: 'v1', metadata, items: objects });
}

/** Any JSON value as the body. */
export function json(code: number, value: unknown, headers?: Headers): Recipe {
  return { kind: 'body', status: code, headers, body: JSON.stringify(value) };
}

/** A failure answered with a Kubernetes `Status`, e.g. `status(410, 'Expired', 'too old')`. */
export function status(code: number, reason: string, message: string, headers?: Headers): Recipe {
  return json(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }, headers);
}

/** Any bytes as the body, sent as they are (HTML from a proxy, truncated JSON, ...). */
export function rawBody(code: number, body: string | Buffer, headers?: Headers): Recipe {
  return { kind: 'body', status: code, headers, body };
}

/** A stream of pieces written one by one (`afterMs` apart when given), then `ending`. */
export function chunks(
  pieces: readonly (string | Buffer | Chunk)[],
  ending: StreamEnd,
  options: { afterMs?: number; endAfterMs?: number } = {},
): Recipe {
  return {
    kind: 'stream',
    status: 200,
    chunks: pieces.map((p) =>
      typeof p === 'string' || Buffer.isBuffer(p) ? { data: p, afterMs: options.afterMs } : p,
    ),
    ending,
    endAfterMs: options.endAfterMs,
  };
}

/**
 * A watch answering one line per event (`JSON.stringify`; a string is sent as the raw line), then
 * `ending`. `endAfterMs` holds the stream open before it ends, like a server-side timeout.
 */
export function watchLines(
  events: readonly (object | string)[],
  ending: StreamEnd,
  options: { afterMs?: number; endAfterMs?: number } = {},
): Recipe {
  const lines = events.map((e) => `${typeof e === 'string' ? e : JSON.stringify(e)}\n`);
  return chunks(lines, ending, options);
}

/** The same recipe `count` times, to spread into {@link sequence}. */
export function times(count: number, recipe: Recipe | Behaviour): (Recipe | Behaviour)[] {
  return Array.from({ length: count }, () => recipe);
}

/**
 * Answers request `n` with step `n` (a recipe, or a behaviour called with the same arguments);
 * once the steps run out, the last one answers every later request.
 */
export function sequence(...steps: readonly (Recipe | Behaviour)[]): Behaviour {
  if (steps.length === 0) throw new Error('sequence needs at least one step');
  return (n, query, request) => {
    const step = steps[Math.min(n, steps.length - 1)] as Recipe | Behaviour;
    return typeof step === 'function' ? step(n, query, request) : step;
  };
}
