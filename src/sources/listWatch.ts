/**
 * `listWatch`: client-go's Reflector as a cold Observable.
 *
 * The Reflector is a small state machine, written here as explicit states and transitions:
 *
 * ```
 * list ──ok──> watch(rv) ──closed──> watch(rv)              (server timeout: re-watch, no relist)
 *   │            │ ──410 Gone──────> list                   (compacted: relist)
 *   │            │ ──400──────────> backoff ──> list         (rv rejected: relist; see below)
 *   │            │ ──other error──> backoff ──> watch(rv)    (8 in a row without progress: relist)
 *   └──error──> backoff ──> list                            (expired continue token: full list)
 * streamingList(rv) ──initial-events-end bookmark──> (same stream continues as watch)
 * ```
 *
 * It emits one `REPLACE` per (re)list, then `ADDED`/`MODIFIED`/`DELETED`/`BOOKMARK` from the
 * watch. Every transition goes through one function (`enter` below), which also tells the
 * `onLifecycle` observer, when there is one, what the machine did (`reflectorLifecycle.ts`: list
 * started/finished, watch started/ended, relist with its reason, bookmark, event, error, backoff,
 * stopped). Every timer runs on `scheduler`, so the whole machine is testable in virtual time. The
 * phases live in `listPhase.ts` and `watchPhase.ts`, the decisions below in `failures.ts` and
 * `pacing.ts`, the checks of what the server sends in `listShape.ts`, `pageGuard.ts` and
 * `objectChecks.ts`.
 *
 * Failure rules (what errors the stream, what is reported through `onError` and retried). Every
 * report names the resource (`context.resource`, and the message of the errors raised here) and,
 * for an object, its key (`context.key`):
 * - Before any request: an invalid `labelSelector` or `fieldSelector` errors the stream at once
 *   with an `InvalidSelectorError`; nothing is sent (the server would answer 400 forever).
 * - Unrecoverable errors (`isUnrecoverable`, e.g. `ClientNodeUnavailableError`: client-node
 *   cannot load on this Node) error the stream at once, without a retry or an `onError` report.
 * - 400, 401, 403, 404 on a list (`isPersistentFailure`): reported and retried with backoff;
 *   `maxPersistentFailures` (3) of them in a row error the stream with the typed `StatusError`.
 *   Anything that shows the server accepts us (a list, a watch line) resets the count.
 * - A list answer that is not a list (no `items` array, no non-empty string
 *   `metadata.resourceVersion`: `{}`, `[]`, another kind) is an `InvalidListError`; a 200 whose body
 *   is a `Status` is the `StatusError` it carries. Reported and retried with backoff; never a
 *   `REPLACE` (an empty one would delete every cached object).
 * - Paging that does not end (a continue token the list already followed, or more than
 *   `maxListPages` (10,000) pages) is a `ListPagingError`: reported, then one unpaginated list
 *   after backoff. An expired continue token (410) leads to the same list at once.
 * - An object without a name, or whose resourceVersion is present but not a non-empty string, is an
 *   `InvalidObjectError` (with its key when it has one): reported and skipped, never cached and its
 *   resourceVersion never sent. A bookmark without such a resourceVersion and an unknown event type
 *   are a `WatchProtocolError`, reported and skipped.
 * - 400 on a watch: the watch differs from the list it follows only by its resourceVersion, so
 *   the server most likely rejects that resourceVersion (unknown, too old). Like a 410, it leads to
 *   a relist (after backoff). If the watch started from a fresh list (no event since) is rejected
 *   with 400 again after such a relist, the request itself is bad: the stream errors with it.
 * - 410 Gone on a watch: relist. At once when a watch made progress (an object event with a new
 *   resourceVersion) since the list, but only once in a row sooner than `minRelistIntervalMs` (the
 *   backoff's first delay, 800 ms) after the list; otherwise after backoff, and never sooner than
 *   that interval after the list (a relist storm gets slower, a single compaction costs nothing).
 * - Other watch failures (5xx, transport errors, idle timeouts, short watches; not 429):
 *   `watchFailuresBeforeRelist` (8) in a row without progress relist (after backoff), since the
 *   server cannot serve that resourceVersion; fewer re-watch from it after backoff.
 * - A watch that closes cleanly sooner than `minWatchDurationMs` (1 s) after it started: without
 *   progress (bookmarks are not progress) it is a `ShortWatchError` (backoff, counts as a failure
 *   above); with progress the next watch starts at once the first time in a row, afterwards once
 *   that second is over.
 * - A streaming list the server refuses (400, 405, 406, 415, 422, 501), or one that stays open for
 *   its whole `timeoutSeconds` without the end bookmark (the server ignores `sendInitialEvents`):
 *   fall back to paginated lists for good. A streaming list cut short sooner (closed or failed
 *   before its end bookmark) is retried as a streaming list after backoff, its buffer discarded.
 * - A `StatusError` with `retryAfterSeconds` (the server's `Retry-After`): the next attempt waits
 *   at least that long, up to `maxRetryAfterMs` (60 s), or the backoff delay if that is longer.
 * - Anything else (5xx, 429, transport errors, idle timeouts): reported and retried forever with
 *   jittered backoff; it never completes or errors the stream.
 * - A watch from resourceVersion "0" (a list answered "0"; no real server does) that fails after
 *   some of its objects and before any bookmark: a relist, not a watch from the highest
 *   resourceVersion seen. Such a watch begins with the server's objects in key order, so that
 *   resourceVersion says nothing of the objects not yet sent. A bookmark ends that dump (servers
 *   send one only after it), so a failure after one resumes from the bookmark.
 *
 * Layer `sources`: cold Observables that read the API (the Reflector and its backoff). May import:
 * `core`, `store`.
 */
import { asyncScheduler, defer, filter, map, type Observable, tap, timer } from 'rxjs';
import type { KubeClient } from '../core/client.js';
import type { WatchEvent } from '../core/events.js';
import type { KubeObject } from '../core/objects.js';
import type { PartialObjectMetadata } from '../core/partialObjectMetadata.js';
import { describeResource, type ResourceType } from '../core/resources.js';
import { Backoff, defaultBackoff } from './backoff.js';
import { relistState } from './failures.js';
import { followPhases } from './followPhases.js';
import { lifecycleObserver } from './lifecycleLogger.js';
import { listPhase } from './listPhase.js';
import type { ListWatchOptions } from './listWatchOptions.js';
import {
  type ReflectorContext,
  type ReflectorState,
  reflectorContext,
  type Step,
} from './reflectorContext.js';
import { type ReflectorLifecycle, reflectorLifecycle } from './reflectorLifecycle.js';
import { validateSelectors } from './validateSelectors.js';
import { watchPhase } from './watchPhase.js';

export type { ListMode, ListWatchErrorContext, ListWatchOptions } from './listWatchOptions.js';

function run<T extends KubeObject>(ctx: ReflectorContext<T>, state: ReflectorState): Observable<Step<T>> {
  switch (state.phase) {
    case 'list':
      return listPhase(ctx, state);
    case 'streamingList':
      return watchPhase(ctx, '', true);
    case 'watch':
      return watchPhase(ctx, state.resourceVersion, false);
    case 'backoff':
      return timer(state.delayMs, ctx.scheduler).pipe(map(() => ({ next: state.resume })));
  }
}

/**
 * Lists and watches a resource for as long as it is subscribed (client-go's Reflector).
 *
 * @example
 * ```ts
 * listWatch(kubeClient(), resources.pods, { namespace: 'default', labelSelector: 'app=web' })
 *   .subscribe((event) => console.log(event.type));
 * // Metadata only: every object is a PartialObjectMetadata (no spec, no status).
 * listWatch(kubeClient(), resources.pods, { metadataOnly: true })
 *   .subscribe((event) => console.log(event.type));
 * ```
 */
export function listWatch(
  client: KubeClient,
  resource: ResourceType<KubeObject>,
  options: ListWatchOptions & { metadataOnly: true },
): Observable<WatchEvent<PartialObjectMetadata>>;
export function listWatch<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  options?: ListWatchOptions,
): Observable<WatchEvent<T>>;
export function listWatch<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  options: ListWatchOptions = {},
): Observable<WatchEvent<T>> {
  return defer(() => {
    // The server would answer an unparseable selector with 400 on every attempt.
    validateSelectors(options);
    const random = options.random ?? Math.random;
    const backoff = { ...defaultBackoff, ...options.backoff };
    const scheduler = options.scheduler ?? asyncScheduler;
    const resourceName = describeResource(resource);
    const observer = lifecycleObserver(options.onLifecycle, options.logger);
    // Only made for a listener: unobserved, no transition is told and no operator is added.
    const lifecycle = observer ? reflectorLifecycle(resourceName, scheduler, observer) : undefined;
    const ctx = reflectorContext<T>(
      {
        client,
        resource,
        resourceName,
        options,
        scheduler,
        random,
        backoff: new Backoff(backoff, random),
        lifecycle,
      },
      backoff.initialMs,
    );
    // The one place the machine moves: every transition goes through here.
    const enter = (next: ReflectorState, error?: unknown): Observable<Step<T>> => {
      lifecycle?.transition(next, error);
      return run(ctx, next);
    };
    const steps = followPhases(
      () => enter(relistState(ctx)),
      isTransition<T>,
      (step) => enter(step.next, step.error),
    );
    return (lifecycle ? steps.pipe(told(lifecycle)) : steps).pipe(
      filter((step): step is { event: WatchEvent<T> } => 'event' in step),
      map((step) => step.event),
    );
  });
}

/** A step that ends a phase and names the state to enter. */
function isTransition<T>(step: Step<T>): step is Extract<Step<T>, { next: ReflectorState }> {
  return 'next' in step;
}

/** Tells the lifecycle what reaches the subscriber and how the stream ends. */
function told<T>(lifecycle: ReflectorLifecycle) {
  return tap<Step<T>>({
    next: (step) => {
      if ('event' in step) lifecycle.emitted(step.event, step.pages);
    },
    error: (error: unknown) => lifecycle.stopped(error),
    unsubscribe: () => lifecycle.stopped(),
  });
}
