/**
 * Simulated churn for the embedded cluster of `kube-rx watch`: pods come and go across
 * namespaces and nodes, deployments scale, config maps change, and now and then every watch is
 * dropped (a load balancer or API server restart: the reflector re-watches from its last
 * resourceVersion), or the history is compacted while the watch is down (410 Gone: relist).
 * Deterministic for a given seed, so every run tells the same story.
 */
import type { V1ConfigMap, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import type { KubeClient } from '../core/client.js';
import { resources } from '../core/resources.js';
import type { FakeCluster } from './fakeCluster/fakeCluster.js';
import { pick, type Random } from './random.js';

const NAMESPACES = ['default', 'shop', 'payments'];
const NODES = ['node-a', 'node-b', 'node-c'];
const APPS = ['web', 'api', 'worker'];

function deployment(namespace: string, app: string, replicas: number): V1Deployment {
  return {
    metadata: { name: app, namespace, labels: { app } },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `${app}:1` }] } },
    },
  };
}

function pod(namespace: string, app: string, n: number, node: string): V1Pod {
  return {
    metadata: { name: `${app}-${n}`, namespace, labels: { app } },
    spec: { nodeName: node, containers: [{ name: app, image: `${app}:1` }] },
    status: { phase: 'Running' },
  };
}

const configMap = (namespace: string, app: string, revision: number): V1ConfigMap => ({
  metadata: { name: `${app}-config`, namespace, labels: { app } },
  data: { revision: String(revision) },
});

/** Creates the initial objects: per namespace and app a deployment, a config map and two pods. */
export async function seedCluster(client: KubeClient, random: Random): Promise<void> {
  let n = 0;
  for (const namespace of NAMESPACES) {
    for (const app of APPS) {
      await client.create(resources.deployments, deployment(namespace, app, 1 + Math.floor(random() * 3)));
      await client.create(resources.configMaps, configMap(namespace, app, 1));
      for (let i = 0; i < 2; i++)
        await client.create(resources.pods, pod(namespace, app, n++, pick(random, NODES)));
    }
  }
}

/**
 * At least this long between two injected re-watch failures: more than the reflector's first
 * backoff (0.8-1.6 s). With fast churn, a failure injected while the last one's retry is still
 * pending would fail that retry too, and again at every fault: the watch would never come back.
 */
const FAILED_REWATCH_SPACING_MS = 2_500;
const lastFailedRewatch = new WeakMap<FakeCluster, number>();

/** One random change (or a fault, every 10th and 25th step); returns what it did. */
export async function churnStep(cluster: FakeCluster, random: Random, step: number): Promise<string> {
  const client = cluster.admin;
  const namespace = pick(random, NAMESPACES);
  const app = pick(random, APPS);
  if (step % 25 === 24 && Date.now() - (lastFailedRewatch.get(cluster) ?? 0) >= FAILED_REWATCH_SPACING_MS) {
    lastFailedRewatch.set(cluster, Date.now());
    // The re-watch fails once (503), so the reflector backs off for 0.8-1.6 s; meanwhile the
    // cluster moves on and compacts that history: the resumed watch gets 410 Gone and relists.
    cluster.failNext(1, 503);
    cluster.dropWatches();
    await client.patch(resources.configMaps, `${app}-config`, { data: { revision: String(step) } }, 'merge', {
      namespace,
    });
    cluster.compact();
    return 'fault: dropped watches, a failed re-watch and a compaction (410 Gone -> relist)';
  }
  if (step % 10 === 9) {
    cluster.dropWatches();
    return 'fault: dropped watches (re-watch from the last resourceVersion)';
  }
  const roll = random();
  if (roll < 0.2) {
    await client.patch(
      resources.deployments,
      app,
      { spec: { replicas: 1 + Math.floor(random() * 5) } },
      'merge',
      {
        namespace,
      },
    );
    return `scale deployment ${namespace}/${app}`;
  }
  if (roll < 0.35) {
    await client.patch(resources.configMaps, `${app}-config`, { data: { revision: String(step) } }, 'merge', {
      namespace,
    });
    return `update configmap ${namespace}/${app}-config`;
  }
  if (roll < 0.7) {
    await client.create(resources.pods, pod(namespace, app, 1000 + step, pick(random, NODES)));
    return `create pod ${namespace}/${app}-${1000 + step}`;
  }
  const pods = (await firstValueFrom(from(client.list(resources.pods, { namespace })))).items as V1Pod[];
  const victim = pods.length > 0 ? pick(random, pods) : undefined;
  if (!victim?.metadata?.name) return 'nothing to delete';
  await client.delete(resources.pods, victim.metadata.name, { namespace });
  return `delete pod ${namespace}/${victim.metadata.name}`;
}
