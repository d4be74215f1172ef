/**
 * The embedded fake cluster of `kube-rx watch`: `createFakeCluster()` seeded with a small shop
 * (3 namespaces x 3 apps), served over real HTTP on 127.0.0.1 and read through `kubeClient`, the
 * same code path as a real cluster, with simulated churn and injected faults (dropped watches,
 * compactions answered with 410 Gone) so every reflector path shows.
 */
import { churnStep, seedCluster } from '../testing/churn.js';
import { createFakeCluster } from '../testing/fakeCluster/fakeCluster.js';
import { seededRandom } from '../testing/random.js';
import { kubeClient } from '../transport/kubeClient.js';
import type { Target } from './target.js';

/**
 * Starts the embedded cluster; `churnMs` 0 keeps it still. The churn begins when the caller's
 * cache is synced ({@link Target.synced}): begun earlier, a slow first list (a loaded machine)
 * would already miss or include changes, and the initial list would differ from run to run.
 * Faults are reported through `log`.
 */
export async function startEmbeddedCluster(churnMs: number, log: (line: string) => void): Promise<Target> {
  const cluster = createFakeCluster({ bookmarkIntervalMs: 5_000 });
  await seedCluster(cluster.admin, seededRandom(42));
  const server = await cluster.listen();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const startChurn = () => {
    if (churnMs <= 0 || timer || closed) return;
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
    }, churnMs);
  };
  return {
    client: kubeClient(server.kubeConfig),
    server: server.url,
    defaultNamespace: 'default',
    where: `the embedded fake cluster at ${server.url}${churnMs > 0 ? ` (simulated churn every ${churnMs} ms)` : ''}`,
    synced: startChurn,
    close: async () => {
      closed = true;
      if (timer) clearInterval(timer);
      await server.close();
    },
  };
}
