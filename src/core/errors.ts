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
  /**
   * How long the server asked the client to wait before trying again: the response's `Retry-After`
   * header (seconds, or an HTTP date turned into seconds), else the Status's
   * `details.retryAfterSeconds`. Undefined when the server said nothing.
   */
  readonly retryAfterSeconds: number | undefined;
  constructor(status: KubeStatus, fallbackCode = 0, retryAfterSeconds?: number) {
    const code = typeof status.code === 'number' ? status.code : fallbackCode;
    const reason = status.reason ?? reasonForCode(code);
    super(`${code} ${reason}: ${status.message ?? 'no message'}`);
    this.code = code;
    this.reason = reason;
    this.status = status;
    const fromDetails: unknown = status.details?.retryAfterSeconds;
    this.retryAfterSeconds =
      retryAfterSeconds ?? (typeof fromDetails === 'number' && fromDetails >= 0 ? fromDetails : undefined);
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

/**
 * 400, 401, 403 and 404, and every {@link isUnrecoverable} error: retrying the same request cannot
 * help unless something outside changes (a bad request, credentials, RBAC, a missing resource).
 * `listWatch` retries the `StatusError`s `maxPersistentFailures` times (a token may rotate, a CRD
 * may appear), then errors.
 *
 * @example
 * ```ts
 * listWatch(client, resources.pods).subscribe({
 *   error: (error) => process.exit(isPersistentFailure(error) ? 1 : 2),
 * });
 * ```
 */
export function isPersistentFailure(error: unknown): boolean {
  if (isUnrecoverable(error)) return true;
  return isStatusError(error) && [400, 401, 403, 404].includes(error.code);
}

/**
 * Errors that no retry in this process can fix, so `listWatch` errors with them at once: a
 * selector that does not parse ({@link InvalidSelectorError}) and a client-node that cannot load
 * ({@link ClientNodeUnavailableError}). Checked by name too, so an error from another copy of
 * kube-rx (ESM and CommonJS side by side) counts.
 *
 * @example
 * ```ts
 * listWatch(client, resources.pods, { labelSelector: 'app in (' }).subscribe({
 *   error: (error) => isUnrecoverable(error) && console.error(`fix the program: ${error.message}`),
 * });
 * ```
 */
export function isUnrecoverable(error: unknown): boolean {
  if (error instanceof InvalidSelectorError || error instanceof ClientNodeUnavailableError) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return error instanceof Error && (name === 'InvalidSelectorError' || name === 'ClientNodeUnavailableError');
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

/**
 * A label or field selector that does not parse. `position` is the character offset of the
 * problem; `kind` says which selector it is.
 */
export class InvalidSelectorError extends KubeRxError {
  override readonly name: string = 'InvalidSelectorError';
  readonly selector: string;
  readonly position: number;
  readonly kind: 'label' | 'field';
  constructor(selector: string, position: number, detail: string, kind: 'label' | 'field' = 'label') {
    super(`invalid ${kind} selector ${JSON.stringify(selector)} at ${position}: ${detail}`);
    this.selector = selector;
    this.position = position;
    this.kind = kind;
  }
}

/**
 * `@kubernetes/client-node` cannot be loaded in this process: it is not installed, or the
 * installed version does not run on this Node (2.x needs Node >= 22.19). kube-rx imports it
 * only to read the default kubeconfig. The message names both versions and the fix; a retry
 * cannot help, so `listWatch` errors with it at once.
 *
 * @example
 * ```ts
 * if (error instanceof ClientNodeUnavailableError) console.error(error.message); // says what to install
 * ```
 */
export class ClientNodeUnavailableError extends KubeRxError {
  override readonly name: string = 'ClientNodeUnavailableError';
  /** The installed `@kubernetes/client-node` version, when its package.json was found. */
  readonly installedVersion: string | undefined;
  /** The running Node version (`process.versions.node`). */
  readonly nodeVersion: string;
  constructor(
    message: string,
    details: { installedVersion: string | undefined; nodeVersion: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.installedVersion = details.installedVersion;
    this.nodeVersion = details.nodeVersion;
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

/**
 * A list answer that is not a list: a body without an `items` array or without a non-empty string
 * `metadata.resourceVersion` (`{}`, `[]`, a single object, a proxy's page). Read as an empty list it
 * would delete every cached object, so `listWatch` reports it and retries instead.
 */
export class InvalidListError extends KubeRxError {
  override readonly name: string = 'InvalidListError';
  /** The resource listed, as `describeResource` names it (`pods.v1`). */
  readonly resource: string;
  constructor(resource: string, detail: string) {
    super(`${resource}: the list answer is not a list: ${detail}`);
    this.resource = resource;
  }
}

/**
 * A paginated list that would not end: the server repeated a continue token, or sent more pages
 * than `maxListPages`. `listWatch` reports it and retries with one unpaginated list after backoff.
 */
export class ListPagingError extends KubeRxError {
  override readonly name: string = 'ListPagingError';
  /** The resource listed (`pods.v1`). */
  readonly resource: string;
  /** Pages received in the list attempt that was given up. */
  readonly pages: number;
  constructor(resource: string, pages: number, detail: string) {
    super(`${resource}: paginated list given up after ${pages} pages: ${detail}`);
    this.resource = resource;
    this.pages = pages;
  }
}

/** One field an apply could not take: who owns it (`manager`) and the field (`.spec.replicas`). */
export interface ApplyConflict {
  readonly field: string;
  readonly manager: string;
}

/**
 * A server-side apply refused with 409 Conflict: other managers own fields whose values the apply
 * would change. `conflicts` lists each field and its manager (from the Status causes); apply again
 * with `force: true` to take them, or leave them out of the configuration.
 *
 * @example
 * ```ts
 * if (error instanceof ApplyConflictError) console.log(error.conflicts); // [{ field: '.spec.replicas', manager: 'hpa' }]
 * ```
 */
export class ApplyConflictError extends StatusError {
  override readonly name: string = 'ApplyConflictError';
  readonly conflicts: readonly ApplyConflict[];
  constructor(status: KubeStatus) {
    super(status, 409);
    this.conflicts = (status.details?.causes ?? []).flatMap((raw) => {
      const cause = raw as { reason?: string; type?: string; field?: string; message?: string };
      if ((cause.reason ?? cause.type) !== 'FieldManagerConflict' || typeof cause.field !== 'string')
        return [];
      // 'conflict with "kubectl" using apps/v1': the manager is the quoted name.
      const quoted = /conflict with ("(?:[^"\\]|\\.)*")/.exec(cause.message ?? '')?.[1];
      return [
        { field: cause.field, manager: quoted ? (JSON.parse(quoted) as string) : (cause.message ?? '') },
      ];
    });
  }
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
