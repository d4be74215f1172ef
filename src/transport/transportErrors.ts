/**
 * Typed errors of the HTTP transport, for failures that are not an API server `Status`
 * (those are {@link StatusError}s): the connection broke, went silent, was aborted, or the
 * kubeconfig could not produce a request. All extend {@link KubeRxError}, so the Reflector
 * (`listWatch`) reports them through `onError` and retries with backoff, as client-go does for
 * transport errors. Messages never carry credentials: the transport redacts them first.
 */
import { KubeRxError, WatchProtocolError } from '../core/errors.js';

/**
 * The connection failed or ended early (refused, reset, TLS rejected, truncated stream).
 * `code` is Node's error code when there is one (`ECONNREFUSED`, `ECONNRESET`,
 * `DEPTH_ZERO_SELF_SIGNED_CERT`, ...), so callers branch on it instead of parsing text.
 *
 * @example
 * ```ts
 * if (err instanceof TransportError && err.code === 'ECONNREFUSED') console.warn('API server down');
 * ```
 */
export class TransportError extends KubeRxError {
  override readonly name: string = 'TransportError';
  readonly code: string | undefined;
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}

/**
 * The request was aborted by its caller: an `AbortSignal` fired or the watch was unsubscribed.
 *
 * @example
 * ```ts
 * const abort = new AbortController();
 * client.list(resources.pods, {}, abort.signal).catch((e) => e instanceof RequestAbortedError);
 * abort.abort();
 * ```
 */
export class RequestAbortedError extends TransportError {
  override readonly name: string = 'RequestAbortedError';
  constructor(message = 'request aborted') {
    super(message, { code: 'ABORT_ERR' });
  }
}

/**
 * No byte arrived for `idleMs`: the connection is presumed half-open (a NAT or load balancer
 * dropped it without a FIN/RST), which TCP alone may not notice for hours. The client-node
 * informer stalls forever in that state (#958, #596); kube-rx fails the request instead.
 *
 * @example
 * ```ts
 * if (err instanceof IdleTimeoutError) console.warn(`silent for ${err.idleMs} ms`);
 * ```
 */
export class IdleTimeoutError extends TransportError {
  override readonly name: string = 'IdleTimeoutError';
  readonly idleMs: number;
  constructor(message: string, idleMs: number) {
    super(message, { code: 'ETIMEDOUT' });
    this.idleMs = idleMs;
  }
}

/**
 * A watch stream was silent for longer than `watchIdleTimeoutMs`. The server sends a bookmark
 * about once a minute on a watch that allows them, and closes the stream at `timeoutSeconds`, so
 * silence past that (75 s by default for the Reflector's watches) means the other end is alive
 * but no longer sending; the Reflector re-watches from its last resourceVersion.
 *
 * @example
 * ```ts
 * kubeClient(kc, { watchIdleTimeoutMs: 120_000 }); // fail silent watches after 2 minutes
 * ```
 */
export class WatchIdleTimeoutError extends IdleTimeoutError {
  override readonly name: string = 'WatchIdleTimeoutError';
}

/**
 * The kubeconfig cannot produce a request: no current cluster, a bad server URL, `http:`
 * without `insecure-skip-tls-verify`, or a credential plugin (exec, OIDC) that failed.
 *
 * @example
 * ```ts
 * if (err instanceof KubeConfigError) console.error('check KUBECONFIG / current-context');
 * ```
 */
export class KubeConfigError extends KubeRxError {
  override readonly name: string = 'KubeConfigError';
}

/**
 * A request kube-rx refuses to send because it cannot address one object (a namespaced resource
 * without a namespace, an object without `metadata.name`), or because a value would not survive
 * the trip: a resourceVersion, continue token, name or namespace that is not a string (it would be
 * sent as `[object Object]`), a number that is not finite, a path segment of `.` or `..`.
 *
 * @example
 * ```ts
 * await client.get(resources.pods, 'web'); // rejects: pods are namespaced, pass { namespace }
 * ```
 */
export class InvalidRequestError extends KubeRxError {
  override readonly name: string = 'InvalidRequestError';
}

/**
 * A watch line (one event) grew past `maxWatchFrameBytes` (default 16 MiB, client-go's frame
 * limit) without a newline: a broken or hostile server or proxy, which would otherwise be buffered
 * until memory runs out. The watch ends with this error before more than the limit is held;
 * like any {@link WatchProtocolError}, the Reflector reports it and re-watches from the last
 * resourceVersion it received.
 *
 * @example
 * ```ts
 * if (err instanceof WatchFrameTooLargeError) console.warn(`event over ${err.limitBytes} bytes`);
 * ```
 */
export class WatchFrameTooLargeError extends WatchProtocolError {
  override readonly name: string = 'WatchFrameTooLargeError';
  /** The limit in bytes. */
  readonly limitBytes: number;
  /** Bytes of the line that were held when it was cut (at most `limitBytes`). */
  readonly bufferedBytes: number;
  /** Bytes of the line seen when it was cut, counting the chunk that crossed the limit. */
  readonly receivedBytes: number;
  constructor(limitBytes: number, bufferedBytes: number, receivedBytes: number) {
    super(
      `watch event longer than the frame limit of ${limitBytes} bytes (${receivedBytes} bytes without a newline)`,
    );
    this.limitBytes = limitBytes;
    this.bufferedBytes = bufferedBytes;
    this.receivedBytes = receivedBytes;
  }
}
