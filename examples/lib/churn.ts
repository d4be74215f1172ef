/**
 * Simulated churn for the demo: deployments scale, pods come and go across namespaces and
 * nodes, and now and then the cluster compacts its history or drops every watch, so the
 * informers show how they recover (relist on 410, re-watch from the last resourceVersion).
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { type KubeClient, resources } from '../../src/index.js';
import type { FakeCluster } from '../../src/testing/index.js';

const NAMESPACES = ['default', 'shop', 'payments'];
const NODES = ['node-a', 'node-b', 'node-c'];
const APPS = ['web', 'api', 'worker'];

/** A deterministic pseudo-random generator, so every demo run tells the same story. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

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
  };
}

/** Creates the initial objects. */
export async function seed(client: KubeClient, random: () => number): Promise<void> {
  let n = 0;
  for (const namespace of NAMESPACES) {
    for (const app of APPS) {
      await client.create(resources.deployments, deployment(namespace, app, 1 + Math.floor(random() * 3)));
      for (let i = 0; i < 2; i++)
        await client.create(
          resources.pods,
          pod(namespace, app, n++, NODES[Math.floor(random() * NODES.length)] as string),
        );
    }
  }
}

/** One random change; returns a short description. */
export async function churnStep(cluster: FakeCluster, random: () => number, step: number): Promise<string> {
  const client = cluster.admin;
  const namespace = NAMESPACES[Math.floor(random() * NAMESPACES.length)] as string;
  const app = APPS[Math.floor(random() * APPS.length)] as string;
  const roll = random();
  if (step % 25 === 24) {
    cluster.compact();
    cluster.dropWatches();
    return 'fault: etcd compaction + all watches dropped (expect a 410 and a relist)';
  }
  if (step % 10 === 9) {
    cluster.dropWatches();
    return 'fault: all watches dropped (expect a re-watch, no relist)';
  }
  if (roll < 0.4) {
    const current = await client.get(resources.deployments, app, { namespace });
    const replicas = 1 + Math.floor(random() * 5);
    await client.patch(resources.deployments, app, { spec: { replicas } }, 'merge', { namespace });
    return `scale ${namespace}/${app} ${current.spec?.replicas} -> ${replicas}`;
  }
  if (roll < 0.75) {
    const name = `${app}-${1000 + step}`;
    await client.create(
      resources.pods,
      pod(namespace, app, 1000 + step, NODES[Math.floor(random() * NODES.length)] as string),
    );
    return `create pod ${namespace}/${name}`;
  }
  const pods = (await firstValueFrom(from(client.list(resources.pods, { namespace })))).items as V1Pod[];
  const victim = pods[Math.floor(random() * pods.length)];
  if (!victim?.metadata?.name) return 'nothing to delete';
  await client.delete(resources.pods, victim.metadata.name, { namespace });
  return `delete pod ${namespace}/${victim.metadata.name}`;
}
