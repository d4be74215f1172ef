/**
 * The controller's memory of its own writes, for `readYourWrites`: per reconciled key, the
 * objects the last reconcile wrote (which cache, which object key, which resourceVersion). The
 * next reconcile of that key waits until every one of those caches reflects its write, so it never
 * acts on a view older than what it wrote itself. Only the latest write per object is kept: a
 * cache that reflects it reflects the earlier ones too.
 */
import { defer, EMPTY, forkJoin, from, ignoreElements, type Observable, type SchedulerLike, tap } from 'rxjs';
import { type DeepReadonly, type KubeObject, objectKey, resourceVersionOf } from '../core/objects.js';
import { type AwaitObservedOptions, awaitObserved, type ObservableCache } from './awaitObserved.js';

interface Written {
  readonly cache: ObservableCache;
  readonly objectKey: string;
  readonly resourceVersion: string;
}

/** Writes recorded per reconciled key; see the module comment. */
export class OwnWrites {
  private readonly byKey = new Map<string, Map<string, Written>>();
  private readonly caches = new Map<ObservableCache, number>();

  constructor(private readonly options: AwaitObservedOptions & { readonly scheduler: SchedulerLike }) {}

  /** Records that the reconcile of `key` wrote `object`, which `cache` will show. */
  record(key: string, object: KubeObject | DeepReadonly<KubeObject>, cache: ObservableCache): void {
    const rv = resourceVersionOf(object as KubeObject);
    const written = objectKey(object as KubeObject);
    if (!rv || typeof written !== 'string') return;
    const writes = this.byKey.get(key) ?? new Map<string, Written>();
    this.byKey.set(key, writes);
    if (!this.caches.has(cache)) this.caches.set(cache, this.caches.size);
    writes.set(`${this.caches.get(cache)} ${written}`, { cache, objectKey: written, resourceVersion: rv });
  }

  /** Completes once every cache reflects the writes recorded for `key` (at once if none), which it then forgets. */
  observed(key: string): Observable<never> {
    return defer(() => {
      const writes = this.byKey.get(key);
      if (!writes || writes.size === 0) return EMPTY;
      const waits = [...writes.values()].map((w) =>
        from(awaitObserved(w.cache, w.objectKey, w.resourceVersion, this.options)).pipe(
          tap(() => {
            if (writes.get(`${this.caches.get(w.cache)} ${w.objectKey}`) === w)
              writes.delete(`${this.caches.get(w.cache)} ${w.objectKey}`);
          }),
        ),
      );
      return forkJoin(waits).pipe(
        tap(() => {
          if (writes.size === 0 && this.byKey.get(key) === writes) this.byKey.delete(key);
        }),
        ignoreElements(),
      );
    });
  }
}
