/**
 * The Reflector's watch phase, optionally carrying a streaming list (KEP-3157): with `initial`,
 * events are buffered until the initial-events-end bookmark, then emitted as one `REPLACE`, and the
 * same stream goes on as a plain watch. An interrupted streaming list discards its buffer.
 *
 * A watch made progress when an object event moved the resourceVersion it resumes from (or its
 * streaming list completed); bookmarks alone are not progress, so a server that ends every watch
 * after a bookmark meets the backoff instead of a restart loop.
 */
import { catchError, concat, defer, filter, map, type Observable, of } from 'rxjs';
import type { RawWatchEvent } from '../core/client.js';
import { type KubeStatus, ShortWatchError, StatusError, WatchProtocolError } from '../core/errors.js';
import { type KubeObject, objectKey } from '../core/objects.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../core/protocol.js';
import { afterFailure, relistState } from './failures.js';
import { metadataOnlyObject } from './metadataOnlyObjects.js';
import { validObject } from './objectChecks.js';
import { watchRestartDelay } from './pacing.js';
import {
  listed,
  progressed,
  type ReflectorContext,
  type ReflectorState,
  report,
  type Step,
} from './reflectorContext.js';

/** The Status an in-stream `ERROR` event carries, as the error it is. */
function errorOf(raw: RawWatchEvent): StatusError {
  const status = raw.object !== null && typeof raw.object === 'object' ? (raw.object as KubeStatus) : {};
  return new StatusError(status, 500);
}

export function watchPhase<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  resourceVersion: string,
  initial: boolean,
): Observable<Step<T>> {
  return defer(() => {
    const phase = initial ? 'streamingList' : 'watch';
    const startedAt = ctx.scheduler.now();
    let rv = resourceVersion;
    let progress = false;
    let buffer: Map<string, T> | null = initial ? new Map() : null;
    // A watch from "0" (what a list that answered "0" leaves: no real server does, a fake or odd
    // one may) starts with the server's current objects in key order, not resourceVersion order.
    // Failing after some of them, the highest resourceVersion seen says nothing of the objects not
    // yet sent, so it is not resumed from: the Reflector relists instead. A bookmark ends the dump
    // (servers send one only after the initial objects), so from then on its resourceVersion holds.
    let stateDump = !initial && (resourceVersion === '0' || resourceVersion === '');
    const timeoutSeconds = ctx.options.watchTimeoutSeconds ?? Math.floor(300 * (1 + ctx.random()));
    const { namespace, labelSelector, fieldSelector } = ctx.options;
    const metadataOnly = ctx.options.metadataOnly === true;
    const base = {
      namespace,
      labelSelector,
      fieldSelector,
      allowWatchBookmarks: true,
      timeoutSeconds,
      ...(ctx.options.metadataOnly ? { asMetadata: true } : {}),
      ...(ctx.options.deferDecoding ? { deferDecoding: true } : {}),
    };
    const opts = initial
      ? {
          ...base,
          sendInitialEvents: true,
          resourceVersionMatch: 'NotOlderThan' as const,
          resourceVersion: '',
        }
      : { ...base, resourceVersion };

    const bookmark = (object: KubeObject | undefined): Step<T> | null => {
      const bookmarkRv: unknown = object?.metadata?.resourceVersion;
      if (typeof bookmarkRv !== 'string' || bookmarkRv === '') {
        const problem = `${ctx.resourceName}: bookmark without a metadata.resourceVersion string skipped`;
        report(ctx, new WatchProtocolError(problem), { phase, relist: false });
        return null;
      }
      rv = bookmarkRv;
      stateDump = false;
      if (buffer === null) return { event: { type: 'BOOKMARK', resourceVersion: rv } };
      if (object?.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] !== 'true') return null;
      const objects = [...buffer.values()];
      buffer = null;
      progress = true;
      listed(ctx);
      return { event: { type: 'REPLACE', objects, resourceVersion: rv } };
    };

    // At most one step per line: `map` + `filter`, not an inner Observable per event.
    const handle = (raw: RawWatchEvent): Step<T> | null => {
      if (raw.type === 'ERROR') throw errorOf(raw);
      // The server answered with a stream: credentials, the resource and the request are fine.
      ctx.persistentFailures = 0;
      ctx.watchRejectedAfterList = false;
      switch (raw.type) {
        case 'BOOKMARK':
          return bookmark(raw.object as KubeObject | undefined);
        case 'ADDED':
        case 'MODIFIED':
        case 'DELETED': {
          if (!validObject<T>(ctx, raw.object, phase)) return null;
          const object = metadataOnly ? (metadataOnlyObject(raw.object) as T) : raw.object;
          const objectRv = object.metadata?.resourceVersion;
          if (buffer !== null) {
            const key = objectKey(object) as string;
            if (raw.type === 'DELETED') buffer.delete(key);
            else buffer.set(key, object);
            return null;
          }
          if (objectRv !== undefined && objectRv !== rv) {
            rv = objectRv;
            progress = true;
            progressed(ctx);
          }
          return { event: { type: raw.type, object } };
        }
        default:
          report(
            ctx,
            new WatchProtocolError(
              `${ctx.resourceName}: unknown watch event type ${JSON.stringify(raw.type)} skipped`,
            ),
            { phase, relist: false },
          );
          return null;
      }
    };

    const closed = defer((): Observable<Step<T>> => {
      const elapsedMs = ctx.scheduler.now() - startedAt;
      if (buffer !== null) return streamEndedEarly(ctx, elapsedMs, timeoutSeconds);
      if (elapsedMs < ctx.limits.minWatchDurationMs && !progress) {
        const problem = `${ctx.resourceName}: watch from resourceVersion ${resourceVersion} closed after ${elapsedMs} ms without a new resourceVersion`;
        return afterFailure(ctx, new ShortWatchError(problem), 'watch', {
          phase: 'watch',
          resourceVersion: rv,
        });
      }
      const delayMs = watchRestartDelay(ctx, startedAt);
      const resume: ReflectorState = { phase: 'watch', resourceVersion: rv };
      return of({ next: delayMs > 0 ? { phase: 'backoff', delayMs, resume } : resume });
    });

    const steps = ctx.client.watch(ctx.resource, opts).pipe(
      map(handle),
      filter((step): step is Step<T> => step !== null),
    );
    return concat(steps, closed).pipe(
      catchError((error: unknown) => {
        const retry: ReflectorState =
          buffer !== null
            ? { phase: 'streamingList' }
            : stateDump && rv !== resourceVersion
              ? relistState(ctx)
              : { phase: 'watch', resourceVersion: rv };
        return afterFailure(ctx, error, buffer !== null ? 'streamingList' : 'watch', retry);
      }),
    );
  });
}

/**
 * A streaming list whose stream closed before its end bookmark. A server that kept it open for the
 * whole timeout it was given ignored `sendInitialEvents` (it served a plain watch): like a refusal,
 * fall back to paginated lists. One that closed sooner was cut short (a restart, a proxy): retry
 * the streaming list after backoff.
 */
function streamEndedEarly<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  elapsedMs: number,
  timeoutSeconds: number,
): Observable<Step<T>> {
  if (elapsedMs >= timeoutSeconds * 1000) {
    const ignored = new StatusError({
      code: 501,
      reason: 'NotImplemented',
      message: `${ctx.resourceName}: watch ran its ${timeoutSeconds} s timeout without the initial-events-end bookmark`,
    });
    return afterFailure(ctx, ignored, 'streamingList', { phase: 'list' });
  }
  const cutShort = new WatchProtocolError(
    `${ctx.resourceName}: streaming list closed after ${elapsedMs} ms, before its initial-events-end bookmark`,
  );
  return afterFailure(ctx, cutShort, 'streamingList', { phase: 'streamingList' });
}
