/**
 * `informerFactory`: client-go's SharedInformerFactory. It hands out one informer per
 * (resource, namespace, label selector, field selector, transform, metadata only), so every consumer of the same
 * view shares one list-watch and one cache. `start()` keeps every informer running (as client-go's
 * `factory.Start`), `waitForCacheSync()` starts them and waits for their first lists, and
 * `shutdown()` closes every watch the factory opened, including those of its consumers' streams.
 */
import { ignoreElements, type Observable, ReplaySubject, type Subscription, takeUntil } from 'rxjs';
import type { KubeClient } from '../core/client.js';
import { KubeRxError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import type { PartialObjectMetadata } from '../core/partialObjectMetadata.js';
import { describeResource, type ResourceType } from '../core/resources.js';
import { type Informer, type InformerOptions, informer, type MetadataInformerOptions } from './informer.js';

/** Options every informer of the factory gets unless `for()` overrides them. */
export type InformerDefaults = Omit<
  InformerOptions<KubeObject>,
  'indexers' | 'knownObjects' | 'transform' | 'metadataOnly'
>;

/**
 * client-go's `SharedInformerFactory`: one shared informer per resource view, started and
 * synced together.
 */
export interface InformerFactory {
  /**
   * The shared metadata-only informer of `resource` (client-go's metadata informer factory): not
   * the same informer as the full one of the same view.
   */
  for(resource: ResourceType<KubeObject>, options: MetadataInformerOptions): Informer<PartialObjectMetadata>;
  /** The shared informer for this view of `resource` (created on first use). */
  for<T extends KubeObject>(resource: ResourceType<T>, options?: InformerOptions<T>): Informer<T>;
  /** Keeps every informer created so far running until `shutdown()`. */
  start(): void;
  /**
   * Starts the informers and resolves when all of them have synced; rejects with the first fatal
   * error of one of them (a bad selector, a persistent 401/403/404/400).
   */
  waitForCacheSync(): Promise<void>;
  /** Completes every stream of every informer, closing their watches. The factory is unusable after. */
  shutdown(): void;
}

const transformIds = new WeakMap<object, number>();
let nextTransformId = 1;

function transformId(fn: unknown): number {
  if (typeof fn !== 'function') return 0;
  let id = transformIds.get(fn);
  if (id === undefined) {
    id = nextTransformId++;
    transformIds.set(fn, id);
  }
  return id;
}

/**
 * Creates a factory.
 *
 * @example
 * ```ts
 * const factory = informerFactory(kubeClient(), { resyncPeriodMs: 10 * 60_000 });
 * const pods = factory.for(resources.pods, { namespace: 'default' });
 * const again = factory.for(resources.pods, { namespace: 'default' }); // the same informer
 * await factory.waitForCacheSync();
 * ```
 */
export function informerFactory(client: KubeClient, defaults: InformerDefaults = {}): InformerFactory {
  const informers = new Map<string, Informer<KubeObject>>();
  // A ReplaySubject so that streams subscribed after shutdown() complete at once instead of
  // reopening a watch (a plain Subject that already completed never stops a later takeUntil).
  const shutdown$ = new ReplaySubject<void>(1);
  const running: Subscription[] = [];
  let started = 0;
  let isShutdown = false;

  const guard = <T>(stream: Observable<T>) => stream.pipe(takeUntil(shutdown$));

  const startPending = () => {
    const all = [...informers.values()];
    for (const inf of all.slice(started))
      running.push(
        guard(inf.store$)
          .pipe(ignoreElements())
          .subscribe({ error: () => undefined }),
      );
    started = all.length;
  };

  return {
    for<T extends KubeObject>(resource: ResourceType<T>, options: InformerOptions<T> = {}): Informer<T> {
      if (isShutdown) throw new KubeRxError('informerFactory: used after shutdown()');
      const merged = { ...(defaults as InformerOptions<T>), ...options };
      const key = JSON.stringify([
        describeResource(resource),
        resource.namespaced ? (merged.namespace ?? '') : '',
        merged.labelSelector ?? '',
        merged.fieldSelector ?? '',
        transformId(merged.transform),
        merged.metadataOnly === true,
      ]);
      let shared = informers.get(key) as Informer<T> | undefined;
      if (!shared) {
        const inner = informer(client, resource, merged);
        shared = {
          resource: inner.resource,
          events$: guard(inner.events$),
          store$: guard(inner.store$),
          deltas$: guard(inner.deltas$),
          // A getter, not a copy: `synced` answers for the run current when it is read.
          get synced() {
            return inner.synced;
          },
          snapshot: inner.snapshot,
          hasSynced: inner.hasSynced,
        };
        informers.set(key, shared as unknown as Informer<KubeObject>);
      }
      return shared;
    },
    start: startPending,
    async waitForCacheSync() {
      startPending();
      await Promise.all([...informers.values()].map((inf) => inf.synced));
    },
    shutdown() {
      isShutdown = true;
      shutdown$.next();
      shutdown$.complete();
      for (const sub of running) sub.unsubscribe();
    },
  };
}
