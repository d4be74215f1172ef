/**
 * What `kube-rx watch` talks to: the cluster of a kubeconfig file, or an embedded fake cluster
 * served over real HTTP and read through `kubeClient`, the same code path as a real cluster.
 */
import type { KubeClient } from '../core/client.js';
import { churnStep, seedCluster } from '../testing/churn.js';
import { createFakeCluster } from '../testing/fakeCluster/fakeCluster.js';
import { seededRandom } from '../testing/random.js';
import { kubeClient } from '../transport/kubeClient.js';
import type { WatchArgs } from './args.js';

/** A connected target. */
export interface Target {
  readonly client: KubeClient;
  /** Human description for the first line of output. */
  readonly where: string;
  /** Stops churn and the embedded server. */
  close(): Promise<void>;
}

/** Connects to the kubeconfig's cluster, or starts the embedded one with churn. */
export async function connect(args: WatchArgs, log: (line: string) => void): Promise<Target> {
  if (args.kubeconfig !== undefined) {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(args.kubeconfig);
    if (args.context !== undefined) kc.setCurrentContext(args.context);
    return {
      client: kubeClient(kc),
      where: `cluster ${kc.getCurrentCluster()?.server ?? '(none)'} (context ${kc.getCurrentContext()})`,
      close: async () => undefined,
    };
  }
  const cluster = createFakeCluster({ bookmarkIntervalMs: 5_000 });
  await seedCluster(cluster.admin, seededRandom(42));
  const server = await cluster.listen();
  let timer: NodeJS.Timeout | undefined;
  if (args.churnMs > 0) {
    const random = seededRandom(7);
    let step = 0;
    let busy = false;
    timer = setInterval(() => {
      if (busy) return;
      busy = true;
      churnStep(cluster, random, step++)
        .then((what) => {
          if (what.startsWith('fault')) log(`~ ${what}`);
        })
        .catch((error: unknown) =>
          log(`~ churn failed: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => {
          busy = false;
        });
    }, args.churnMs);
  }
  return {
    client: kubeClient(server.kubeConfig),
    where: `the embedded fake cluster at ${server.url}${timer ? ` (simulated churn every ${args.churnMs} ms)` : ''}`,
    close: async () => {
      if (timer) clearInterval(timer);
      await server.close();
    },
  };
}
