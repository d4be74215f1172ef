/**
 * The options of `kubeClient`, their defaults and how they apply to one request: the idle
 * watchdog's bound for a watch, the rate limit, the retry policy, the watch frame limit.
 */
import type { WatchOptions } from '../core/client.js';
import type { Logger } from '../core/logger.js';
import type { RequestObserver } from '../core/requestReport.js';
import { realClock, type TransportClock } from './clock.js';
import { type RequestRateLimit, requestThrottle, type Throttle, unthrottled } from './rateLimit.js';
import { DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_AFTER_SECONDS, type RetryPolicy } from './retries.js';

/**
 * Options of `kubeClient`.
 *
 * @example
 * ```ts
 * kubeClient(kc, { watchIdleTimeoutMs: 120_000, fieldManager: 'my-operator', userAgent: 'my-operator/1.0' });
 * ```
 */
export interface KubeClientOptions {
  /**
   * Error a watch with `WatchIdleTimeoutError` when no byte arrives for this many ms (0
   * disables). Default, for a watch that allows bookmarks (the Reflector's always do): 75 s, the
   * API server's bookmark period (60 s) plus 15 s of slack, capped by the watch's `timeoutSeconds`
   * + 30 s. For a watch without bookmarks: `timeoutSeconds` + 30 s (the server should have closed
   * the stream by then), or 330 s when it has no `timeoutSeconds`. A peer that is gone is noticed
   * sooner, by TCP keepalive (about 40 s).
   */
  watchIdleTimeoutMs?: number;
  /** Error any other request with `IdleTimeoutError` after this many silent ms. Default 60 000; 0 disables. */
  requestIdleTimeoutMs?: number;
  /**
   * The longest watch event accepted, in bytes: a line that grows past it without a newline ends
   * the watch with `WatchFrameTooLargeError` (the Reflector re-watches) instead of being buffered
   * until memory runs out. Default 16 MiB, client-go's frame limit; the API server's storage
   * limit keeps real objects far below it (etcd refuses requests over 1.5 MiB by default).
   */
  maxWatchFrameBytes?: number;
  /**
   * The client-side request rate limit, a token bucket per client: `{ qps, burst }`, default
   * client-go's `{ qps: 5, burst: 10 }`; `false` turns it off. Every list page, write and retry
   * takes a token, a watch one when it starts. See {@link RequestRateLimit}. `kubeClient` throws a
   * `RangeError` for a `qps` that is not positive or a `burst` below 1.
   */
  rateLimit?: RequestRateLimit | false;
  /**
   * How many times get, create, replace, patch, delete and discover are retried when the server
   * answers 429 or 503 (or, for GET, another 5xx) with a `Retry-After`, or a GET's connection is
   * reset. Default 10 (client-go's); 0 disables. Lists and watches are not retried here: the
   * Reflector retries them, reading `retryAfterSeconds` from the `StatusError`.
   */
  maxRetries?: number;
  /**
   * The longest `Retry-After` (seconds) the client waits out before a retry; a longer one fails
   * the call with the `StatusError` (its `retryAfterSeconds` says how long), for the caller to
   * schedule. Default 30, the Reflector's longest backoff.
   */
  maxRetryAfterSeconds?: number;
  /** The clock of rate-limit and retry waits and of HTTP-date `Retry-After` values. Default: real time (tests pass a fake). */
  clock?: TransportClock;
  /** `fieldManager` of server-side apply patches that do not name one. Default `'kube-rx'`. */
  fieldManager?: string;
  /** `User-Agent` header. Default `'kube-rx'`. */
  userAgent?: string;
  /**
   * Told about every HTTP request the client sends, as it ends: method, host, path, status code
   * (or `<error>`), duration; lists, writes, every retry and every watch (timed to its headers).
   * The hook behind client-go's `rest_client_*` metrics (`prometheusRestClientMetrics`); more
   * observers can join later with `observeRequests`.
   */
  onRequest?: RequestObserver;
  /**
   * Structured logger (pino's shape, `(fields, message)`): a debug line per request with method,
   * host, path, status and duration; never a header. Default: silent.
   */
  logger?: Logger;
}

/** Server-side watch timeout plus this is when the client gives up on a silent watch. */
const WATCH_IDLE_GRACE_MS = 30_000;
const DEFAULT_WATCH_IDLE_MS = 330_000;
const DEFAULT_REQUEST_IDLE_MS = 60_000;
/** client-go's streaming decoder refuses a frame longer than this. */
const DEFAULT_MAX_WATCH_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * How often kube-apiserver sends a bookmark on an idle watch that allows them: its watch cache's
 * `defaultBookmarkFrequency` (one minute), plus one 2 s before the watch's deadline.
 */
const BOOKMARK_PERIOD_MS = 60_000;
/**
 * Silence past the bookmark period before a watch is presumed dead. The server dispatches
 * bookmarks in one-second buckets on a jittered one-second timer, so a healthy idle watch can be
 * silent for about 61-62 s; add network delay, a busy server and GC pauses. 15 s is the margin
 * kube-apiserver itself keeps past the bookmark period (its watch cache holds events for
 * `defaultBookmarkFrequency + 15 s`, DefaultEventFreshDuration), so a re-watch after the watchdog
 * still resumes from the server's history.
 */
const BOOKMARK_GRACE_MS = 15_000;

/**
 * The idle timeout of one watch: the configured one; else, when the watch allows bookmarks, the
 * bookmark period plus its slack (75 s), or less when the server closes the watch sooner; else
 * `timeoutSeconds` + 30 s, or 330 s without `timeoutSeconds`.
 *
 * Why not less than the bookmark period: a shorter watchdog would end every idle watch just before
 * its bookmark, so a quiet informer would re-watch every minute, report an error each time, and
 * never advance its resourceVersion (a later re-watch then risks 410 and a relist). A dead peer is
 * noticed sooner anyway, by TCP keepalive (30 s idle, then 10 probes 1 s apart: about 40 s); the
 * watchdog is for a connection whose other end still answers TCP but sends nothing (a frozen
 * server, a proxy whose upstream is gone).
 */
export function watchIdleTimeoutFor(options: KubeClientOptions, watch: WatchOptions): number {
  if (options.watchIdleTimeoutMs !== undefined) return options.watchIdleTimeoutMs;
  const untilServerCloses =
    watch.timeoutSeconds !== undefined
      ? watch.timeoutSeconds * 1000 + WATCH_IDLE_GRACE_MS
      : DEFAULT_WATCH_IDLE_MS;
  return watch.allowWatchBookmarks
    ? Math.min(BOOKMARK_PERIOD_MS + BOOKMARK_GRACE_MS, untilServerCloses)
    : untilServerCloses;
}

/** What a client built from {@link KubeClientOptions} runs with. */
export interface ClientSettings {
  readonly clock: TransportClock;
  readonly throttle: Throttle;
  readonly retries: RetryPolicy;
  readonly requestIdleTimeoutMs: number;
  readonly maxWatchFrameBytes: number;
}

/**
 * Resolves the options into settings with every default filled in. Throws `RangeError` for a rate
 * limit that is not positive.
 */
export function clientSettings(options: KubeClientOptions): ClientSettings {
  const clock = options.clock ?? realClock;
  return {
    clock,
    throttle: options.rateLimit === false ? unthrottled : requestThrottle(options.rateLimit ?? {}, clock),
    retries: {
      clock,
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      maxWaitSeconds: options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS,
    },
    requestIdleTimeoutMs: options.requestIdleTimeoutMs ?? DEFAULT_REQUEST_IDLE_MS,
    maxWatchFrameBytes: options.maxWatchFrameBytes ?? DEFAULT_MAX_WATCH_FRAME_BYTES,
  };
}
