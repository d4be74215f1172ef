/**
 * Typed errors. Every error that comes from the API server carries the Kubernetes `Status`
 * (code, reason, message) so callers branch on `code`/`reason` instead of parsing text.
 * Messages never include credentials.
 */

/** The `Status` object the API server returns for failures (`kind: Status`). */
export interface KubeStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure' | string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: unknown[]; retryAfterSeconds?: number };
}

/** Base class of every error kube-rx raises or reports. */
export class KubeRxError extends Error {
  override readonly name: string = 'KubeRxError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A failure answered by the API server (HTTP status or in-stream watch `ERROR` event).
 *
 * @example
 * ```ts
 * if (err instanceof StatusError && err.code === 409) retry();
 * ```
 */
export class StatusError extends KubeRxError {
  override readonly name: string = 'StatusError';
  readonly code: number;
  readonly reason: string;
  readonly status: KubeStatus;
  constructor(status: KubeStatus, fallbackCode = 0) {
    const code = typeof status.code === 'number' ? status.code : fallbackCode;
    const reason = status.reason ?? reasonForCode(code);
    super(`${code} ${reason}: ${status.message ?? 'no message'}`);
    this.code = code;
    this.reason = reason;
    this.status = status;
  }
}

/**
 * Builds a {@link StatusError} from an HTTP code and message, for transports and fakes.
 *
 * @example
 * ```ts
 * statusError(409, 'the object has been modified').reason; // 'Conflict'
 * ```
 */
export function statusError(code: number, message: string, reason = reasonForCode(code)): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
}

/**
 * True for a {@link StatusError}, also one from another copy of kube-rx (the ESM and CommonJS
 * builds loaded side by side), where `instanceof` alone would say no.
 *
 * @example
 * ```ts
 * try { await client.get(resources.pods, 'web', { namespace: 'default' }); }
 * catch (error) { if (isStatusError(error) && error.code === 404) console.log('no such pod'); }
 * ```
 */
export function isStatusError(error: unknown): error is StatusError {
  if (error instanceof StatusError) return true;
  const e = error as Partial<StatusError> | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    e.name === 'StatusError' &&
    typeof e.code === 'number' &&
    typeof e.reason === 'string'
  );
}

/**
 * True for 410 Gone / reason Expired: the requested resourceVersion is compacted, relist.
 *
 * @example
 * ```ts
 * listWatch(client, resources.pods, {
 *   onError: (error, ctx) => isResourceExpired(error) && console.log(`410 Gone in ${ctx.phase}: relisting`),
 * });
 * ```
 */
export function isResourceExpired(error: unknown): boolean {
  return (
    isStatusError(error) && (error.code === 410 || error.reason === 'Expired' || error.reason === 'Gone')
  );
}

/** The server cannot serve this request shape (used to fall back from streaming lists). */
export function isUnsupported(error: unknown): boolean {
  return isStatusError(error) && [400, 405, 406, 415, 422, 501].includes(error.code);
}

/** 401, 403 and 404: retrying cannot help unless something outside changes. */
export function isPersistentFailure(error: unknown): boolean {
  return isStatusError(error) && (error.code === 401 || error.code === 403 || error.code === 404);
}

/** An object without the metadata the cache needs (a name), or not an object at all. */
export class InvalidObjectError extends KubeRxError {
  override readonly name: string = 'InvalidObjectError';
  readonly object: unknown;
  constructor(message: string, object: unknown) {
    super(message);
    this.object = object;
  }
}

/** A label selector that does not parse. `position` is the character offset of the problem. */
export class InvalidSelectorError extends KubeRxError {
  override readonly name: string = 'InvalidSelectorError';
  readonly selector: string;
  readonly position: number;
  constructor(selector: string, position: number, detail: string) {
    super(`invalid label selector ${JSON.stringify(selector)} at ${position}: ${detail}`);
    this.selector = selector;
    this.position = position;
  }
}

/** `byIndex`/`indexKeys`/`indexValues` with an index name the indexer was not given. */
export class IndexNotFoundError extends KubeRxError {
  override readonly name: string = 'IndexNotFoundError';
  readonly index: string;
  constructor(index: string) {
    super(`index ${JSON.stringify(index)} does not exist`);
    this.index = index;
  }
}

/** A watch stream that broke its protocol: an unknown event type, an unparseable line. */
export class WatchProtocolError extends KubeRxError {
  override readonly name: string = 'WatchProtocolError';
}

/** A watch that closed before it delivered anything (client-go's "very short watch"). */
export class ShortWatchError extends KubeRxError {
  override readonly name: string = 'ShortWatchError';
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  501: 'NotImplemented',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The Kubernetes `StatusReason` conventionally paired with an HTTP code. */
export function reasonForCode(code: number): string {
  return REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}
