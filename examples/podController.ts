/**
 * Seed program 2: a pod controller with a rate-limited queue, 5 retries then drop, and a cache
 * warm-up. client-go: `workqueue.NewRateLimitingQueue(DefaultControllerRateLimiter())`,
 * `if queue.NumRequeues(key) < 5 { queue.AddRateLimited(key) } else { queue.Forget(key) }`, and
 * `indexer.Add(obj)` for pods remembered from before a restart, so pods deleted while the
 * controller was down still get their cleanup (as a tombstoned delete).
 *
 *   npx tsx examples/podController.ts [--kubeconfig FILE] [--duration SECONDS]
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Observable, SchedulerLike } from 'rxjs';
import {
  controller,
  defaultControllerRateLimiter,
  informer,
  type KubeClient,
  resources,
  type WorkResult,
} from '../src/index.js';
import { isMain, target } from './lib/cli.js';

export interface PodControllerOptions {
  client: KubeClient;
  log: (line: string) => void;
  /** Pods the previous run knew (cache warm-up). */
  remembered?: V1Pod[];
  scheduler?: SchedulerLike;
}

/** Reconciles every pod; pods labelled `fail=true` fail every time and are dropped after 5 retries. */
export function podController({
  client,
  log,
  remembered = [],
  scheduler,
}: PodControllerOptions): Observable<WorkResult> {
  const pods = informer<V1Pod>(client, resources.pods, { knownObjects: remembered, scheduler });
  return controller({
    for: pods,
    scheduler,
    rateLimiter: defaultControllerRateLimiter(),
    maxRetries: 5,
    onError: (error) => log(`dropped ${error.key} after ${error.attempts} attempts`),
    reconcile: (key, snapshot) => {
      const pod = snapshot.get(key);
      if (!pod) {
        log(`cleanup ${key} (pod is gone)`);
        return;
      }
      if (pod.metadata?.labels?.fail === 'true') throw new Error(`cannot sync ${key}`);
      log(`synced ${key} phase=${pod.status?.phase ?? 'Unknown'}`);
    },
  });
}

if (isMain(import.meta.url)) {
  const { client, cluster, seconds } = await target();
  let remembered: V1Pod[] = [];
  if (cluster) {
    await cluster.admin.create(resources.pods, { metadata: { name: 'ok', namespace: 'default' } } as V1Pod);
    await cluster.admin.create(resources.pods, {
      metadata: { name: 'broken', namespace: 'default', labels: { fail: 'true' } },
    } as V1Pod);
    // A pod the previous run knew, deleted while it was down.
    remembered = [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'gone', namespace: 'default', resourceVersion: '1' },
      },
    ];
  }
  const subscription = podController({ client, log: console.log, remembered }).subscribe((r) => {
    if (r.outcome === 'retry') console.log(`retry ${r.key} in ${r.delayMs} ms (attempt ${r.attempt})`);
  });
  setTimeout(() => subscription.unsubscribe(), seconds * 1000);
}
