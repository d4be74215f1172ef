/**
 * What `listWatch` can be told, and what it tells back through `onError`. The defaults live here,
 * next to the reason for each; the failure rules that use them are written once, in the header of
 * `listWatch.ts`.
 */
import type { SchedulerLike } from 'rxjs';
import type { SelectorOptions } from '../core/client.js';
import type { KubeRxError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BackoffOptions } from './backoff.js';
import type { LifecycleObserver } from './reflectorEvents.js';

/** How the initial state is fetched. */
export type ListMode = 'paginated' | 'streaming' | 'auto';

/** What the reflector was doing when it reports an error, and what it does next. */
export interface ListWatchErrorContext {
  readonly resource: string;
  readonly phase: 'list' | 'watch' | 'streamingList';
  /** Set when the next attempt waits for a backoff delay. */
  readonly retryInMs?: number;
  /** True when the error leads to a relist. */
  readonly relist: boolean;
  /** The cache key (`namespace/name`) of the object the error is about, when there is one. */
  readonly key?: string;
}

export interface ListWatchOptions extends SelectorOptions {
  /**
   * List and watch metadata only (client-go's \`metadatainformer\`): every object arrives as a
   * \`PartialObjectMetadata\` (apiVersion \`meta.k8s.io/v1\`, its full \`metadata\`, no spec, status
   * or data), asked for with \`asMetadata\` on every list and watch. Use \`listWatch\`'s and
   * \`informer\`'s overloads to get the objects typed as such.
   */
  metadataOnly?: boolean;
  /**
   * For a cache (`informer` sets it when it has no transform): watch events' objects may arrive
   * as `EncodedObject` cells, their JSON text checked and kept, decoded on first read (see
   * `WatchOptions.deferDecoding`). `deltaFifo` and `Snapshot` store cells and unwrap them on read;
   * code that reads this source's objects itself reads them with `readObject`. Default false.
   */
  deferDecoding?: boolean;
  /** Page size of paginated lists (`limit`). Default 500, like client-go's pager. */
  pageSize?: number;
  /**
   * Pages one list may take before the reflector gives it up (a server whose continue tokens never
   * end) and retries with one unpaginated list. Default 10,000: 5 million objects at the default
   * page size, far beyond any real collection, and a bound on what one list holds in memory.
   */
  maxListPages?: number;
  /**
   * `'paginated'` (default): list with limit/continue, then watch.
   * `'streaming'`: one watch with `sendInitialEvents=true` (KEP-3157) that ends its initial state
   * with a bookmark; if the server rejects it, falls back to paginated and reports that once.
   * `'auto'`: like `'streaming'` but falls back silently.
   */
  listMode?: ListMode;
  /** Server-side watch timeout. Default: a random 300..600 s per watch, like client-go. */
  watchTimeoutSeconds?: number;
  /** Backoff for retries. Default 800 ms x2 to 30 s, full jitter, reset after 2 min healthy. */
  backoff?: Partial<BackoffOptions>;
  /** Scheduler for every timer. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
  /** Receives every non-fatal error (the stream goes on). */
  onError?: (error: KubeRxError, context: ListWatchErrorContext) => void;
  /**
   * Receives what the Reflector does, as data: lists started and finished, watches started and
   * ended, relists with their reason, bookmarks, object events, errors, backoffs and the end of the
   * stream, each with the state it leaves the Reflector in (`ReflectorEvent`, `ReflectorStatus`).
   * On the scheduler's clock. Without it nothing is recorded.
   */
  onLifecycle?: LifecycleObserver;
  /**
   * Structured logger (pino's shape, `(fields, message)`) for what the Reflector does, from its
   * lifecycle: list and watch starts and backoffs at debug, lists finished and relists at info,
   * errors at warn, a fatal end at error; every line has `resource` (and `key` for an object).
   * Default: silent.
   */
  logger?: Logger;
  /** Consecutive 400/401/403/404 answers to a list tolerated before the stream errors. Default 3. */
  maxPersistentFailures?: number;
  /**
   * How long a watch is expected to last at least (client-go's "very short watch": 1 s). One that
   * closes sooner without a new resourceVersion is a `ShortWatchError` (backoff); one that closes
   * sooner after progress is followed at once the first time in a row, afterwards once this much
   * time has passed since it started. So clean closes start at most two watches in a second.
   */
  minWatchDurationMs?: number;
  /**
   * Least time between the end of a list and the next relist. Default: the backoff's first delay
   * (`backoff.initialMs`, 800 ms by default), which client-go's reflector waits before every
   * relist; following the backoff keeps a test that speeds up its backoff fast. A relist wanted
   * sooner (a watch failing right after the list it follows) comes at once only once in a row,
   * after a watch that made progress; otherwise it waits for the backoff, and at least this.
   */
  minRelistIntervalMs?: number;
  /**
   * Consecutive failed watches without a new resourceVersion (5xx, resets, short watches; not 429,
   * 410, 400 or 401/403/404, which have their own rules) tolerated before the reflector stops
   * resuming from that resourceVersion and relists. Default 8: with the default backoff the eighth
   * failure comes 80 to 160 s after the first, so a few seconds of API server restarts or etcd
   * leader changes never cost a relist, while a resourceVersion the server cannot serve does not
   * keep the cache stale for good.
   */
  watchFailuresBeforeRelist?: number;
  /**
   * Longest wait a server's `Retry-After` can impose (the reflector waits the longer of it and its
   * backoff). Default 60 s: twice the backoff cap, so a polite server gets what it asks for and a
   * bogus header (`Retry-After: 86400`) cannot freeze a cache for hours.
   */
  maxRetryAfterMs?: number;
  /** Source of randomness for jitter and watch timeouts (inject for deterministic tests). */
  random?: () => number;
}

/** The defaults of the numeric options above (`minRelistIntervalMs`: with the default backoff). */
export const listWatchDefaults = Object.freeze({
  pageSize: 500,
  maxListPages: 10_000,
  maxPersistentFailures: 3,
  minWatchDurationMs: 1000,
  minRelistIntervalMs: 800,
  watchFailuresBeforeRelist: 8,
  maxRetryAfterMs: 60_000,
});
