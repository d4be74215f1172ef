/**
 * A shard's side of the drain handover: which keys it must not reconcile, which reconciles are in
 * flight, and the acknowledgment. When an object of its shard carries the drain label, the shard
 * stops starting reconciles of that key, waits for the one in flight (if any) to finish, then
 * removes its shard label and the drain label in one patch; only then may the sharder give the
 * object to its new shard, so no two shards ever reconcile the same key at once.
 */
import {
  asyncScheduler,
  catchError,
  defer,
  EMPTY,
  filter,
  finalize,
  from,
  isObservable,
  mergeMap,
  type Observable,
  of,
  retry,
  type SchedulerLike,
  timer,
} from 'rxjs';
import type { KubeClient } from '../../core/client.js';
import { isStatusError } from '../../core/errors.js';
import type { InformerEvent } from '../../core/events.js';
import { type DeepReadonly, type KubeObject, objectKey } from '../../core/objects.js';
import type { ResourceType } from '../../core/resources.js';
import type { ReconcileResult } from '../../workqueue/workQueue.js';
import { drainLabel, pointerSegment, shardLabel } from './labels.js';

/** The per-replica bookkeeping of the handover (one per shard, mutable, never shared). */
export class ShardHandover {
  /** Keys being drained or handed over: their reconciles are skipped. */
  private readonly draining = new Set<string>();
  /** Keys whose reconcile is running, with a promise that settles when it ends. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly ring: string,
    private readonly identity: string,
    private readonly scheduler: SchedulerLike = asyncScheduler,
    private readonly onError?: (error: Error) => void,
    private readonly retryDelayMs = 1_000,
  ) {}

  /** Whether `key` may be reconciled now (it is not draining). */
  mayReconcile(key: string, object: DeepReadonly<KubeObject> | undefined): boolean {
    if (this.draining.has(key)) return false;
    return object?.metadata?.labels?.[drainLabel(this.ring)] === undefined;
  }

  /** Runs one reconcile of `key`, recording it as in flight until it ends (or is abandoned). */
  track(
    key: string,
    run: () => ReconcileResult | import('rxjs').ObservableInput<ReconcileResult>,
  ): Observable<ReconcileResult> {
    return defer(() => {
      let done!: () => void;
      this.running.set(
        key,
        new Promise<void>((resolve) => {
          done = resolve;
        }),
      );
      const result = run();
      const source = isObservableInput(result) ? from(result) : of(result);
      return source.pipe(
        finalize(() => {
          this.running.delete(key);
          done();
        }),
      );
    });
  }

  /**
   * Follows the shard's informer: a drained object is acknowledged once its reconcile ended; an
   * object that comes back without the drain label may be reconciled again.
   */
  acknowledge(
    client: KubeClient,
    resource: ResourceType<KubeObject>,
    events: Observable<InformerEvent<KubeObject>>,
  ) {
    const drain = drainLabel(this.ring);
    const shard = shardLabel(this.ring);
    return events.pipe(
      filter((event) => event.type !== 'delete'),
      mergeMap((event) => {
        const object = event.object;
        const key = objectKey(object as KubeObject) ?? '';
        const labels = object.metadata?.labels ?? {};
        if (labels[drain] === undefined) {
          this.draining.delete(key);
          return EMPTY;
        }
        if (labels[shard] !== this.identity) return EMPTY;
        this.draining.add(key);
        return defer(async () => {
          await this.running.get(key);
          const ops = [
            { op: 'test', path: `/metadata/labels/${pointerSegment(shard)}`, value: this.identity },
            { op: 'remove', path: `/metadata/labels/${pointerSegment(shard)}` },
            { op: 'remove', path: `/metadata/labels/${pointerSegment(drain)}` },
          ];
          const namespace = object.metadata?.namespace;
          try {
            await client.patch(
              resource,
              object.metadata?.name ?? '',
              ops,
              'json',
              namespace ? { namespace } : {},
            );
          } catch (error) {
            // Already handed over (the test op fails), or gone: nothing left to acknowledge.
            if (isStatusError(error) && [404, 409, 422].includes(error.code)) return;
            throw error;
          }
        }).pipe(
          // Anything else (a 5xx, a dropped connection) is retried: the sharder waits on this.
          retry({ count: 10, delay: () => timer(this.retryDelayMs, this.scheduler) }),
          catchError((error: unknown) => {
            this.onError?.(error as Error);
            return EMPTY;
          }),
          mergeMap(() => EMPTY),
        );
      }),
    );
  }
}

function isObservableInput<R>(
  value: R | import('rxjs').ObservableInput<R>,
): value is import('rxjs').ObservableInput<R> {
  if (value === null || typeof value !== 'object') return false;
  return (
    isObservable(value) ||
    typeof (value as { then?: unknown }).then === 'function' ||
    Symbol.asyncIterator in value ||
    (Symbol.iterator in value && !('requeueAfter' in value))
  );
}
