/**
 * Seed program 4: a shared informer factory with two consumers of one watch.
 * client-go: two `AddEventHandler` calls on `factory.Core().V1().Pods().Informer()`.
 *
 *   npx tsx examples/sharedFactory.ts [--kubeconfig FILE] [--duration SECONDS]
 */
import type { V1Pod } from '@kubernetes/client-node';
import { filter, Subscription } from 'rxjs';
import { informerFactory, type KubeClient, resources } from '../src/index.js';
import { isMain, target } from './lib/cli.js';

/** Two consumers of the same pod informer: an event logger and a "pending pods" counter. */
export function runTwoConsumers(
  client: KubeClient,
  log: (line: string) => void,
): { subscription: Subscription; shutdown: () => void } {
  const factory = informerFactory(client);
  const logger = factory.for<V1Pod>(resources.pods);
  const counter = factory.for<V1Pod>(resources.pods); // the same informer: one list, one watch
  const subscription = new Subscription();
  subscription.add(logger.events$.subscribe((e) => log(`logger: ${e.type} ${e.object.metadata?.name}`)));
  subscription.add(
    counter.store$
      .pipe(filter((s) => s.synced))
      .subscribe((s) =>
        log(`counter: ${s.list().filter((p) => p.status?.phase === 'Pending').length} pending of ${s.size}`),
      ),
  );
  return { subscription, shutdown: () => factory.shutdown() };
}

if (isMain(import.meta.url)) {
  const { client, cluster, seconds } = await target();
  if (cluster)
    await cluster.admin.create(resources.pods, {
      metadata: { name: 'p', namespace: 'default' },
      status: { phase: 'Pending' },
    } as V1Pod);
  const { shutdown } = runTwoConsumers(client, console.log);
  setTimeout(shutdown, seconds * 1000);
}
