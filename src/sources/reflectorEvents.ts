/**
 * What the Reflector does, as data: the events `listWatch` hands to its `onLifecycle` observer,
 * and the state it is in after each. The CLI's status line, the manager's `watches` readiness
 * check, the reflector metrics and the logs read these instead of wrapping the client. Every
 * event names the resource and carries the scheduler's time (`at`), so in virtual time a test
 * reads the same sequence a production log shows.
 *
 * The names follow client-go's Reflector: a list (paginated, one unpaginated request, or a
 * streaming list), a watch resuming from a resourceVersion, a relist, a bookmark, a backoff.
 */
import type { KubeRxError } from '../core/errors.js';
import type { ListWatchErrorContext } from './listWatchOptions.js';

/** What the Reflector is doing: listing, streaming its initial list, watching, waiting, or done. */
export type ReflectorPhase = 'list' | 'streamingList' | 'watch' | 'backoff' | 'stopped';

/**
 * Why the Reflector lists again:
 * - `expired`: a watch got 410 Gone, its resourceVersion was compacted;
 * - `expiredToken`: a list page got 410, its continue token expired (one unpaginated list follows);
 * - `fallback`: the server refused or ignored a streaming list (paginated lists from now on);
 * - `rejected`: a watch got 400, the server rejects its resourceVersion;
 * - `stuck`: `watchFailuresBeforeRelist` watches failed in a row without progress;
 * - `paging`: the server's continue tokens did not end (one unpaginated list follows);
 * - `listFailed`: the list (or streaming list) failed and is tried again.
 */
export type RelistReason =
  | 'expired'
  | 'expiredToken'
  | 'fallback'
  | 'rejected'
  | 'stuck'
  | 'paging'
  | 'listFailed';

/**
 * How a watch ended: `closed` by the server (its timeout, a restart; a `ShortWatchError` when it
 * was too short to count as healthy), `expired` (410 Gone), or failed with another `error`.
 */
export type WatchEndReason = 'closed' | 'expired' | 'error';

/** What every lifecycle event carries. */
export interface ReflectorEventBase {
  /** The resource, as errors name it (`describeResource`): `pods.v1`, `deployments.v1.apps`. */
  readonly resource: string;
  /** The scheduler's time (ms) at which it happened. */
  readonly at: number;
}

/** A list starts: `paginated` (pages of `pageSize`), `unpaginated` (one request), or `streaming`. */
export interface ListStartedEvent extends ReflectorEventBase {
  readonly type: 'listStarted';
  readonly mode: 'paginated' | 'unpaginated' | 'streaming';
}

/** A list delivered its `REPLACE`. */
export interface ListFinishedEvent extends ReflectorEventBase {
  readonly type: 'listFinished';
  /** Pages requested (0 for a streaming list, which is one watch request). */
  readonly pages: number;
  /** Objects in the `REPLACE`. */
  readonly objects: number;
  /** Since its `listStarted`. */
  readonly durationMs: number;
  /** The list's resourceVersion, which the watch resumes from. */
  readonly resourceVersion: string;
}

/**
 * A watch starts from `resourceVersion`. A streaming list goes on as a watch on the same request:
 * its `listFinished` is followed by a `watchStarted` without a new request.
 */
export interface WatchStartedEvent extends ReflectorEventBase {
  readonly type: 'watchStarted';
  readonly resourceVersion: string;
}

/** A watch ended, closed or failed; what follows is the next event (a watch, a relist, a backoff). */
export interface WatchEndedEvent extends ReflectorEventBase {
  readonly type: 'watchEnded';
  readonly reason: WatchEndReason;
  /** Since its `watchStarted`. */
  readonly durationMs: number;
  /** The failure, for `expired` and `error` (and a short `closed` watch). */
  readonly error?: KubeRxError;
}

/** The Reflector decided to list again; a `backoff` may come before the `listStarted`. */
export interface RelistEvent extends ReflectorEventBase {
  readonly type: 'relist';
  readonly reason: RelistReason;
}

/** A bookmark moved the resourceVersion without an object change. */
export interface BookmarkReceivedEvent extends ReflectorEventBase {
  readonly type: 'bookmark';
  readonly resourceVersion: string;
}

/** A watch delivered an object event. */
export interface ObjectReceivedEvent extends ReflectorEventBase {
  readonly type: 'event';
  readonly eventType: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object's resourceVersion, if it has one. */
  readonly resourceVersion: string | undefined;
}

/** A non-fatal error, as `onError` receives it (one about a single object has `context.key`). */
export interface ErrorReportedEvent extends ReflectorEventBase {
  readonly type: 'error';
  readonly error: KubeRxError;
  readonly context: ListWatchErrorContext;
}

/** The Reflector waits `delayMs` (0 for an immediate retry that still yields) before `next`. */
export interface BackoffEvent extends ReflectorEventBase {
  readonly type: 'backoff';
  readonly delayMs: number;
  readonly next: 'list' | 'streamingList' | 'watch';
}

/** The stream ended: unsubscribed, or failed for good with `error`. */
export interface StoppedEvent extends ReflectorEventBase {
  readonly type: 'stopped';
  readonly error?: unknown;
}

/** Everything the Reflector tells its `onLifecycle` observer, discriminated by `type`. */
export type ReflectorEvent =
  | ListStartedEvent
  | ListFinishedEvent
  | WatchStartedEvent
  | WatchEndedEvent
  | RelistEvent
  | BookmarkReceivedEvent
  | ObjectReceivedEvent
  | ErrorReportedEvent
  | BackoffEvent
  | StoppedEvent;

/** The Reflector's state right after an event. */
export interface ReflectorStatus {
  /** The resource, as in the events. */
  readonly resource: string;
  readonly phase: ReflectorPhase;
  /** The resourceVersion a watch resumes from: the last list's, bookmark's or object's ('' before). */
  readonly resourceVersion: string;
  /** Scheduler time of the last list, object event or bookmark; undefined before the first. */
  readonly lastEventAt: number | undefined;
  /** A list (or streaming list) has completed at least once. */
  readonly synced: boolean;
}

/**
 * Receives every lifecycle event with the state it leaves the Reflector in. Called synchronously
 * inside the pipeline: keep it cheap, and do not throw.
 */
export type LifecycleObserver = (event: ReflectorEvent, status: ReflectorStatus) => void;
