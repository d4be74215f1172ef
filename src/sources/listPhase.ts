/**
 * The Reflector's list phase (client-go's pager): pages of `limit` objects followed by their
 * continue tokens, each page checked for its shape (`listShape.ts`) and the paging guarded against
 * a server that never ends it (`pageGuard.ts`). All pages share the first page's resourceVersion;
 * the list becomes one `REPLACE`, then the watch starts from that resourceVersion.
 */
import {
  catchError,
  defer,
  EMPTY,
  expand,
  finalize,
  from,
  map,
  mergeMap,
  type Observable,
  of,
  queueScheduler,
  reduce,
  subscribeOn,
} from 'rxjs';
import type { ListResult } from '../core/client.js';
import { EncodedObject, withTypeMeta } from '../core/encodedObject.js';
import { isResourceExpired, ListPagingError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import { apiVersionOf, type ResourceType } from '../core/resources.js';
import { afterFailure } from './failures.js';
import { checkListPage } from './listShape.js';
import { metadataOnlyObject } from './metadataOnlyObjects.js';
import { validObject } from './objectChecks.js';
import { retryDelay } from './pacing.js';
import { PageGuard } from './pageGuard.js';
import { listed, type ReflectorContext, report, type Step } from './reflectorContext.js';

/** Fills in apiVersion/kind, which the API server omits on list items but sends on watch objects. */
function withResourceTypeMeta<T extends KubeObject>(resource: ResourceType<T>, item: T): T {
  // A cell (deferDecoding) fills them in when it is decoded.
  if (item instanceof EncodedObject)
    return item.withTypeMeta(apiVersionOf(resource), resource.kind) as unknown as T;
  return withTypeMeta(item, { apiVersion: apiVersionOf(resource), kind: resource.kind });
}

/** One page, checked; unsubscribing aborts the request. */
function fetchPage<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  limit: number | undefined,
  continueToken: string | undefined,
): Observable<ListResult> {
  const { namespace, labelSelector, fieldSelector } = ctx.options;
  const asMetadata = ctx.options.metadataOnly ? { asMetadata: true } : {};
  const deferDecoding = ctx.options.deferDecoding ? { deferDecoding: true } : {};
  return defer(() => {
    const abort = new AbortController();
    return from(
      ctx.client.list(
        ctx.resource,
        {
          namespace,
          labelSelector,
          fieldSelector,
          limit,
          continue: continueToken,
          ...asMetadata,
          ...deferDecoding,
        },
        abort.signal,
      ),
    ).pipe(
      map((page: unknown) => checkListPage(ctx.resourceName, page)),
      finalize(() => abort.abort()),
    );
  });
}

/** A paginated list (or, with `unpaginated`, one request without a limit). */
export function listPhase<T extends KubeObject>(
  ctx: ReflectorContext<T>,
  state: { unpaginated?: boolean },
): Observable<Step<T>> {
  const limit = state.unpaginated ? undefined : (ctx.options.pageSize ?? ctx.limits.pageSize);
  const guard = new PageGuard(ctx.resourceName, ctx.limits.maxListPages);
  const metadataOnly = ctx.options.metadataOnly === true;
  return fetchPage(ctx, limit, undefined).pipe(
    // The next page is subscribed through the queue scheduler: pages a client answers synchronously
    // (an in-process fake) are fetched in a loop instead of a recursion that outgrows the stack.
    expand((page) =>
      page.metadata.continue
        ? fetchPage(ctx, limit, guard.follow(page.metadata.continue)).pipe(subscribeOn(queueScheduler))
        : EMPTY,
    ),
    reduce(
      (acc, page, index) => {
        // The first page starts the array: the seed below belongs to this Observable, not to one
        // subscription, and an array filled into it would keep the last list's objects for as
        // long as anything holds the Observable (and a second subscription would append to it).
        const objects = index === 0 ? [] : acc.objects;
        for (const item of page.items) {
          if (!validObject<T>(ctx, item, 'list')) continue;
          // A metadata-only list's items name their own kind; one that is not metadata is stripped.
          objects.push(
            metadataOnly ? (metadataOnlyObject(item) as T) : withResourceTypeMeta(ctx.resource, item),
          );
        }
        return {
          objects,
          resourceVersion: index === 0 ? page.metadata.resourceVersion : acc.resourceVersion,
          pages: index + 1,
        };
      },
      { objects: [] as T[], resourceVersion: '', pages: 0 },
    ),
    mergeMap(({ objects, resourceVersion, pages }) => {
      listed(ctx);
      const steps: Step<T>[] = [
        { event: { type: 'REPLACE', objects, resourceVersion }, pages },
        { next: { phase: 'watch', resourceVersion } },
      ];
      return from(steps);
    }),
    catchError((error: unknown) => {
      // An expired continue token: the snapshot we were paging through is compacted. Like
      // client-go's pager, fall back to one unpaginated list rather than paging forever.
      if (isResourceExpired(error) && !state.unpaginated) {
        report(ctx, error, { phase: 'list', relist: true });
        return of<Step<T>>({ next: { phase: 'list', unpaginated: true, reason: 'expiredToken' }, error });
      }
      // Paging the server does not end: the same, after backoff (the server may be struggling).
      if (error instanceof ListPagingError && !state.unpaginated) {
        const delayMs = retryDelay(ctx, error);
        report(ctx, error, { phase: 'list', relist: true, retryInMs: delayMs });
        return of<Step<T>>({
          next: { phase: 'backoff', delayMs, resume: { phase: 'list', unpaginated: true, reason: 'paging' } },
          error,
        });
      }
      return afterFailure(ctx, error, 'list', { phase: 'list' });
    }),
  );
}
