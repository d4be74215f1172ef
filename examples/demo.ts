/**
 * The kube-rx demo: a deployment watcher and a pod indexer.
 *
 *   npm start                          embedded fake cluster with simulated churn and faults
 *   npm start -- --kubeconfig ~/.kube/config   a real cluster (read-only)
 *   npm start -- --duration 0          run until Ctrl-C (default: 20 seconds)
 *
 * Both informers print what client-go users would see from their event handlers, plus a
 * per-node pod count from the `node` index of the pod store.
 */
import { parseArgs } from 'node:util';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { Subscription } from 'rxjs';
import {
  byField,
  type InformerEvent,
  informer,
  type KubeClient,
  type KubeRxError,
  kubeClient,
  type ListWatchErrorContext,
  resources,
} from '../src/index.js';
import { churnStep, seedCluster } from '../src/testing/churn.js';
import { createFakeCluster, type FakeCluster } from '../src/testing/index.js';
import { seededRandom } from '../src/testing/random.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    duration: { type: 'string', default: '20' },
    namespace: { type: 'string', short: 'n' },
  },
});

function describeDeployment(e: InformerEvent<V1Deployment>): string {
  const name = `${e.object.metadata?.namespace}/${e.object.metadata?.name}`;
  switch (e.type) {
    case 'add':
      return `deployment added   ${name} replicas=${e.object.spec?.replicas}${e.isInInitialList ? ' (initial list)' : ''}`;
    case 'update':
      return e.resync
        ? `deployment resync   ${name}`
        : `deployment updated ${name} replicas ${e.oldObject.spec?.replicas} -> ${e.object.spec?.replicas}`;
    case 'delete':
      return `deployment deleted ${name}${e.finalStateUnknown ? ' (seen missing on relist)' : ''}`;
  }
}

async function connect(): Promise<{
  client: KubeClient;
  cluster?: FakeCluster;
  close: () => Promise<void>;
  where: string;
}> {
  if (values.kubeconfig) {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(values.kubeconfig);
    return {
      client: kubeClient(kc),
      close: async () => undefined,
      where: `cluster ${kc.getCurrentCluster()?.server}`,
    };
  }
  // The embedded cluster is served over real HTTP and read through kubeClient: the same code
  // path as a real cluster, minus the cluster.
  const cluster = createFakeCluster({ bookmarkIntervalMs: 5_000 });
  await seedCluster(cluster.admin, seededRandom(42));
  const server = await cluster.listen();
  return {
    client: kubeClient(server.kubeConfig),
    cluster,
    close: () => server.close(),
    where: `the embedded fake cluster at ${server.url} (simulated churn)`,
  };
}

async function main(): Promise<void> {
  const { client, cluster, close, where } = await connect();
  console.log(`kube-rx demo on ${where}`);
  const onError = (error: KubeRxError, ctx: ListWatchErrorContext) =>
    console.log(
      `  ! ${ctx.resource} ${ctx.phase}: ${error.message}${ctx.relist ? ' -> relist' : ''}${ctx.retryInMs ? ` (retry in ${ctx.retryInMs} ms)` : ''}`,
    );
  const namespace = values.namespace;
  const deployments = informer<V1Deployment>(client, resources.deployments, {
    namespace,
    resyncPeriodMs: 60_000,
    onError,
  });
  const pods = informer<V1Pod>(client, resources.pods, {
    namespace,
    indexers: { node: byField('spec.nodeName') },
    onError,
  });

  const subscriptions = new Subscription();
  subscriptions.add(deployments.events$.subscribe((e) => console.log(describeDeployment(e))));
  let lastSummary = '';
  subscriptions.add(
    pods.store$.subscribe((snap) => {
      const perNode = snap
        .indexValues('node')
        .sort()
        .map((node) => `${node}=${snap.indexKeys('node', node).length}`)
        .join(' ');
      const summary = `pods: ${snap.size} cached at rv ${snap.resourceVersion} | by node: ${perNode || '-'}`;
      if (summary !== lastSummary) console.log(`  ${summary}`);
      lastSummary = summary;
    }),
  );
  await Promise.all([deployments.synced, pods.synced]);
  console.log(`synced: ${deployments.snapshot().size} deployments, ${pods.snapshot().size} pods`);

  let churn: NodeJS.Timeout | undefined;
  if (cluster) {
    const random = seededRandom(7);
    let step = 0;
    churn = setInterval(() => {
      churnStep(cluster, random, step++).then(
        (what) => console.log(`~ ${what}`),
        (error: Error) => console.log(`~ churn failed: ${error.message}`),
      );
    }, 400);
  }
  const stop = () => {
    if (churn) clearInterval(churn);
    console.log(
      `done: ${deployments.snapshot().size} deployments, ${pods.snapshot().size} pods cached when stopped`,
    );
    subscriptions.unsubscribe();
    return close();
  };
  process.once('SIGINT', () => {
    stop();
    process.exit(0);
  });
  const seconds = Number(values.duration);
  if (seconds > 0) setTimeout(stop, seconds * 1000);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
