/**
 * Seed program 1: a deployment informer with a lister and a 1-minute resync.
 * client-go: `NewSharedInformerFactory(client, time.Minute).Apps().V1().Deployments()` with an
 * event handler and `Lister().Deployments(ns).List(labels.Everything())`.
 *
 *   npx tsx examples/deploymentInformer.ts [--kubeconfig FILE] [--duration SECONDS]
 */
import type { V1Deployment } from '@kubernetes/client-node';
import type { SchedulerLike, Subscription } from 'rxjs';
import { informer, type KubeClient, resources } from '../src/index.js';
import { isMain, target } from './lib/cli.js';

export interface DeploymentInformerOptions {
  client: KubeClient;
  log: (line: string) => void;
  scheduler?: SchedulerLike;
  namespace?: string;
}

/** Starts the informer; every event and every resync tick's lister result is logged. */
export function runDeploymentInformer({
  client,
  log,
  scheduler,
  namespace,
}: DeploymentInformerOptions): Subscription {
  const deployments = informer<V1Deployment>(client, resources.deployments, {
    namespace,
    resyncPeriodMs: 60_000,
    scheduler,
  });
  return deployments.events$.subscribe((event) => {
    const name = `${event.object.metadata?.namespace}/${event.object.metadata?.name}`;
    if (event.type === 'update' && event.resync) {
      // The lister reads the cache, never the API server.
      const all = deployments
        .snapshot()
        .namespace(event.object.metadata?.namespace ?? '')
        .list();
      log(`resync ${name} (lister: ${all.length} in namespace)`);
    } else if (event.type === 'update') {
      log(`update ${name} replicas=${event.object.spec?.replicas}`);
    } else {
      log(`${event.type} ${name}`);
    }
  });
}

if (isMain(import.meta.url)) {
  const { client, cluster, seconds } = await target();
  if (cluster) {
    for (const name of ['web', 'api']) {
      await cluster.admin.create(resources.deployments, {
        metadata: { name, namespace: 'default' },
        spec: { replicas: 1 },
      } as V1Deployment);
    }
  }
  const subscription = runDeploymentInformer({ client, log: console.log });
  setTimeout(() => subscription.unsubscribe(), seconds * 1000);
}
