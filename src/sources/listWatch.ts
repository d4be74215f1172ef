/**
 * `listWatch`: client-go's Reflector as a cold Observable.
 *
 * The Reflector is a small state machine, written here as explicit states and transitions:
 *
 * ```
 * list ──ok──> watch(rv) ──closed──> watch(rv)              (server timeout: re-watch, no relist)
 *   │            │ ──410 Gone──────> list                   (compacted: relist)
 *   │            │ ──400──────────> backoff ──> list         (rv rejected: relist; see below)
 *   │            │ ──other error──> backoff ──> watch(rv)
 *   └──error──> backoff ──> list                            (expired continue token: full list)
 * streamingList(rv) ──initial-events-end bookmark──> (same stream continues as watch)
 * ```
 *
 * It emits one `REPLACE` per (re)list, then `ADDED`/`MODIFIED`/`DELETED`/`BOOKMARK` from the
 * watch. Every timer runs on `scheduler`, so the whole machine is testable in virtual time.
 *
 * Failure rules (what errors the stream, what is reported through `onError` and retried):
 * - Before any request: an invalid `labelSelector` or `fieldSelector` errors the stream at once
 *   with an `InvalidSelectorError`; nothing is sent (the server would answer 400 forever).
 * - Unrecoverable errors (`isUnrecoverable`, e.g. `ClientNodeUnavailableError`: client-node
 *   cannot load on this Node) error the stream at once, without a retry or an `onError` report.
 * - 400, 401, 403, 404 on a list (`isPersistentFailure`): reported and retried with backoff;
 *   `maxPersistentFailures` (3) of them in a row error the stream with the typed `StatusError`.
 *   Anything that shows the server accepts us (a list, a watch line) resets the count.
 * - 400 on a watch: the watch differs from the list it follows only by its resourceVersion, so
 *   the server most likely rejects that resourceVersion (unknown, too old). Like a 410, it leads to
 *   a relist (after backoff). If the watch started from a fresh list (no event since) is rejected
 *   with 400 again after such a relist, the request itself is bad: the stream errors with it.
 * - 410 Gone on a watch: relist (at once if events arrived since the list, else after backoff).
 * - A streaming list the server rejects (400, 405, 406, 415, 422, 501, or a stream that closes
 *   before its end bookmark): fall back to paginated lists for good.
 * - Anything else (5xx, 429, transport errors, idle timeouts, short watches): reported and
 *   retried forever with jittered backoff; it never completes or errors the stream.
 *
 * Layer `sources`: cold Observables that read the API (the Reflector and its backoff). May import:
 * `core`, `store`.
 */
import {
  asyncScheduler,
  catchError,
  concat,
  defer,
  EMPTY,
  expand,
  filter,
  finalize,
  from,
  map,
  mergeMap,
  type Observable,
  of,
  reduce,
  type SchedulerLike,
  throwError,
  timer,
} from 'rxjs';
import type { KubeClient, ListResult, RawWatchEvent, SelectorOptions } from '../core/client.js';
import {
  InvalidObjectError,
  isPersistentFailure,
  isResourceExpired,
  isStatusError,
  isUnrecoverable,
  isUnsupported,
  KubeRxError,
  type KubeStatus,
  ShortWatchError,
  StatusError,
  WatchProtocolError,
} from '../core/errors.js';
import type { WatchEvent } from '../core/events.js';
import { type KubeObject, objectKey } from '../core/objects.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../core/protocol.js';
import { apiVersionOf, describeResource, type ResourceType } from '../core/resources.js';
import { Backoff, type BackoffOptions, defaultBackoff } from './backoff.js';
import { validateSelectors } from './validateSelectors.js';

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
}

export interface ListWatchOptions extends SelectorOptions {
  /** Page size of paginated lists (`limit`). Default 500, like client-go's pager. */
  pageSize?: number;
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
  /** Consecutive 400/401/403/404 answers to a list tolerated before the stream errors. Default 3. */
  maxPersistentFailures?: number;
  /** A watch that closes sooner than this without events is an error (client-go: 1 s). */
  minWatchDurationMs?: number;
  /** Source of randomness for jitter and watch timeouts (inject for deterministic tests). */
  random?: () => number;
}

type ReflectorState =
  | { readonly phase: 'list'; readonly unpaginated?: boolean }
  | { readonly phase: 'streamingList' }
  | { readonly phase: 'watch'; readonly resourceVersion: string }
  | { readonly phase: 'backoff'; readonly delayMs: number; readonly resume: ReflectorState };

/** What a phase emits: events for the subscriber, and finally the state to go to. */
type Step<T> = { readonly event: WatchEvent<T> } | { readonly next: ReflectorState };

interface Context<T extends KubeObject> {
  readonly client: KubeClient;
  readonly resource: ResourceType<T>;
  readonly options: ListWatchOptions;
  readonly scheduler: SchedulerLike;
  readonly backoff: Backoff;
  readonly random: () => number;
  listMode: ListMode;
  persistentFailures: number;
  /** Events delivered by watches since the last list; a 410 with none right after a list backs off. */
  eventsSinceList: number;
  /** A watch from a fresh list was rejected with 400 and nothing was received since. */
  watchRejectedAfterList: boolean;
}

function asKubeRxError(error: unknown): KubeRxError {
  if (error instanceof KubeRxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KubeRxError(`transport error: ${message}`, { cause: error });
}

function report<T extends KubeObject>(
  ctx: Context<T>,
  error: unknown,
  context: Omit<ListWatchErrorContext, 'resource'>,
): void {
  ctx.options.onError?.(asKubeRxError(error), { resource: describeResource(ctx.resource), ...context });
}

/** Objects must be objects with a name; anything else is reported and skipped. */
function validObject<T extends KubeObject>(
  ctx: Context<T>,
  value: unknown,
  phase: ListWatchErrorContext['phase'],
): value is T {
  if (value !== null && typeof value === 'object' && objectKey(value as KubeObject) !== undefined)
    return true;
  report(ctx, new InvalidObjectError('object without metadata.name skipped', value), {
    phase,
    relist: false,
  });
  return false;
}

/** Decides what a failed phase leads to, and reports it. Throws for fatal errors. */
function afterFailure<T extends KubeObject>(
  ctx: Context<T>,
  error: unknown,
  phase: ListWatchErrorContext['phase'],
  retry: ReflectorState,
): Observable<Step<T>> {
  if (isUnrecoverable(error)) return throwError(() => error);
  if (phase === 'streamingList' && isUnsupported(error)) {
    if (ctx.listMode === 'streaming') report(ctx, error, { phase, relist: true });
    ctx.listMode = 'paginated';
    return of({ next: { phase: 'list' } });
  }
  const relist: ReflectorState = { phase: ctx.listMode === 'paginated' ? 'list' : 'streamingList' };
  if (phase === 'watch' && isStatusError(error) && error.code === 400) {
    // The resourceVersion is rejected: relist. Rejected again from a fresh list: a bad request.
    const fresh = ctx.eventsSinceList === 0;
    if (fresh && ctx.watchRejectedAfterList) return throwError(() => error);
    ctx.watchRejectedAfterList = fresh;
    const delayMs = ctx.backoff.next(ctx.scheduler.now());
    report(ctx, error, { phase, relist: true, retryInMs: delayMs });
    return of({ next: { phase: 'backoff', delayMs, resume: relist } });
  }
  if (isPersistentFailure(error)) {
    ctx.persistentFailures++;
    if (ctx.persistentFailures >= (ctx.options.maxPersistentFailures ?? 3)) return throwError(() => error);
  }
  if (isResourceExpired(error) && phase === 'watch') {
    // Compacted: our resourceVersion is gone, relist. Right after a list, wait first so a
    // misbehaving server cannot make us relist in a tight loop.
    if (ctx.eventsSinceList > 0) {
      report(ctx, error, { phase, relist: true });
      return of({ next: relist });
    }
    const delayMs = ctx.backoff.next(ctx.scheduler.now());
    report(ctx, error, { phase, relist: true, retryInMs: delayMs });
    return of({ next: { phase: 'backoff', delayMs, resume: relist } });
  }
  const delayMs = ctx.backoff.next(ctx.scheduler.now());
  report(ctx, error, { phase, relist: retry.phase !== 'watch', retryInMs: delayMs });
  return of({ next: { phase: 'backoff', delayMs, resume: retry } });
}

/** Fills in apiVersion/kind, which the API server omits on list items but sends on watch objects. */
function withTypeMeta<T extends KubeObject>(resource: ResourceType<T>, item: T): T {
  if (item.apiVersion && item.kind) return item;
  return { ...item, apiVersion: item.apiVersion ?? apiVersionOf(resource), kind: item.kind ?? resource.kind };
}

function fetchPage<T extends KubeObject>(
  ctx: Context<T>,
  limit: number | undefined,
  continueToken: string | undefined,
): Observable<ListResult> {
  const { namespace, labelSelector, fieldSelector } = ctx.options;
  return defer(() => {
    const abort = new AbortController();
    return from(
      ctx.client.list(
        ctx.resource,
        { namespace, labelSelector, fieldSelector, limit, continue: continueToken },
        abort.signal,
      ),
    ).pipe(finalize(() => abort.abort()));
  });
}

/** Paginated list (client-go's pager): pages share the first page's resourceVersion. */
function listPhase<T extends KubeObject>(
  ctx: Context<T>,
  state: { unpaginated?: boolean },
): Observable<Step<T>> {
  const limit = state.unpaginated ? undefined : (ctx.options.pageSize ?? 500);
  return fetchPage(ctx, limit, undefined).pipe(
    expand((page) => (page.metadata?.continue ? fetchPage(ctx, limit, page.metadata.continue) : EMPTY)),
    reduce(
      (acc, page, index) => {
        for (const item of page.items ?? [])
          if (validObject<T>(ctx, item, 'list')) acc.objects.push(withTypeMeta(ctx.resource, item));
        return {
          objects: acc.objects,
          resourceVersion: index === 0 ? (page.metadata?.resourceVersion ?? '') : acc.resourceVersion,
        };
      },
      { objects: [] as T[], resourceVersion: '' },
    ),
    mergeMap(({ objects, resourceVersion }) => {
      ctx.persistentFailures = 0;
      ctx.eventsSinceList = 0;
      const steps: Step<T>[] = [
        { event: { type: 'REPLACE', objects, resourceVersion } },
        { next: { phase: 'watch', resourceVersion } },
      ];
      return from(steps);
    }),
    catchError((error: unknown) => {
      // An expired continue token: the snapshot we were paging through is compacted. Like
      // client-go's pager, fall back to one unpaginated list rather than paging forever.
      if (isResourceExpired(error) && !state.unpaginated) {
        report(ctx, error, { phase: 'list', relist: true });
        return of<Step<T>>({ next: { phase: 'list', unpaginated: true } } as Step<T>);
      }
      return afterFailure(ctx, error, 'list', { phase: 'list' });
    }),
  );
}

/**
 * A watch, optionally carrying a streaming list: with `initial`, events are buffered until the
 * initial-events-end bookmark, then emitted as one `REPLACE`, and the same stream goes on as a
 * plain watch. An interrupted streaming list discards its buffer.
 */
function watchPhase<T extends KubeObject>(
  ctx: Context<T>,
  resourceVersion: string,
  initial: boolean,
): Observable<Step<T>> {
  return defer(() => {
    const phase = initial ? 'streamingList' : 'watch';
    const startedAt = ctx.scheduler.now();
    let received = 0;
    let rv = resourceVersion;
    let buffer: Map<string, T> | null = initial ? new Map() : null;
    const timeoutSeconds = ctx.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + ctx.random()));
    const { namespace, labelSelector, fieldSelector } = ctx.options;
    const base = { namespace, labelSelector, fieldSelector, allowWatchBookmarks: true, timeoutSeconds };
    const opts = initial
      ? {
          ...base,
          sendInitialEvents: true,
          resourceVersionMatch: 'NotOlderThan' as const,
          resourceVersion: '',
        }
      : { ...base, resourceVersion };

    // At most one step per line: `map` + `filter`, not an inner Observable per event.
    const handle = (raw: RawWatchEvent): Step<T> | null => {
      received++;
      if (raw.type === 'ERROR') throw new StatusError((raw.object ?? {}) as KubeStatus, 500);
      // The server answered with a stream: credentials, the resource and the request are fine.
      ctx.persistentFailures = 0;
      ctx.watchRejectedAfterList = false;
      switch (raw.type) {
        case 'BOOKMARK': {
          const object = raw.object as KubeObject | undefined;
          const bookmarkRv = object?.metadata?.resourceVersion;
          if (typeof bookmarkRv !== 'string') {
            report(ctx, new WatchProtocolError('bookmark without metadata.resourceVersion skipped'), {
              phase,
              relist: false,
            });
            return null;
          }
          rv = bookmarkRv;
          if (buffer === null) return { event: { type: 'BOOKMARK', resourceVersion: rv } };
          if (object?.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== 'true') return null;
          const objects = [...buffer.values()];
          buffer = null;
          ctx.eventsSinceList = 0;
          return { event: { type: 'REPLACE', objects, resourceVersion: rv } };
        }
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED': {
          if (!validObject<T>(ctx, raw.object, phase)) return null;
          const object = raw.object;
          rv = object.metadata?.resourceVersion ?? rv;
          if (buffer !== null) {
            const key = objectKey(object) as string;
            if (raw.type === 'DELETED') buffer.delete(key);
            else buffer.set(key, object);
            return null;
          }
          ctx.eventsSinceList++;
          return { event: { type: raw.type, object } };
        }
        default:
          report(
            ctx,
            new WatchProtocolError(`unknown watch event type ${JSON.stringify(raw.type)} skipped`),
            { phase, relist: false },
          );
          return null;
      }
    };

    const closed = defer((): Observable<Step<T>> => {
      if (buffer !== null) {
        // The server closed the stream without ending the initial events: it does not
        // implement streaming lists (it ignored sendInitialEvents). Fall back to paginated.
        return afterFailure(
          ctx,
          new StatusError({
            code: 501,
            reason: 'NotImplemented',
            message: 'watch closed before the initial-events-end bookmark',
          }),
          'streamingList',
          { phase: 'list' },
        );
      }
      if (received === 0 && ctx.scheduler.now() - startedAt < (ctx.options.minWatchDurationMs ?? 1000)) {
        return afterFailure(
          ctx,
          new ShortWatchError('watch closed in less than a second with no events'),
          phase,
          { phase: 'watch', resourceVersion: rv },
        );
      }
      return of({ next: { phase: 'watch', resourceVersion: rv } });
    });

    const steps = ctx.client.watch(ctx.resource, opts).pipe(
      map(handle),
      filter((step): step is Step<T> => step !== null),
    );
    return concat(steps, closed).pipe(
      catchError((error: unknown) => {
        const retry: ReflectorState =
          buffer !== null ? { phase: 'streamingList' } : { phase: 'watch', resourceVersion: rv };
        return afterFailure(ctx, error, buffer !== null ? 'streamingList' : 'watch', retry);
      }),
    );
  });
}

function run<T extends KubeObject>(ctx: Context<T>, state: ReflectorState): Observable<Step<T>> {
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
 * ```
 */
export function listWatch<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceType<T>,
  options: ListWatchOptions = {},
): Observable<WatchEvent<T>> {
  return defer(() => {
    // The server would answer an unparseable selector with 400 on every attempt.
    validateSelectors(options);
    const random = options.random ?? Math.random;
    const scheduler = options.scheduler ?? asyncScheduler;
    const ctx: Context<T> = {
      client,
      resource,
      options,
      scheduler,
      random,
      backoff: new Backoff({ ...defaultBackoff, ...options.backoff }, random),
      listMode: options.listMode ?? 'paginated',
      persistentFailures: 0,
      eventsSinceList: 0,
      watchRejectedAfterList: false,
    };
    const first: ReflectorState = { phase: ctx.listMode === 'paginated' ? 'list' : 'streamingList' };
    return run(ctx, first).pipe(
      expand((step) => ('next' in step ? run(ctx, step.next) : EMPTY)),
      filter((step): step is { event: WatchEvent<T> } => 'event' in step),
      map((step) => step.event),
    );
  });
}
