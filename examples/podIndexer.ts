/**
 * Seed program 3: an indexer by namespace and by node name.
 * client-go: `cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc, "nodeName": ...}`
 * and `indexer.ByIndex("nodeName", node)`.
 *
 *   npx tsx examples/podIndexer.ts [--kubeconfig FILE]
 */
import type { V1Pod } from '@kubernetes/client-node';
import { byField, byNamespace, informer, type KubeClient, resources, type Snapshot } from '../src/index.js';
import { isMain, target } from './lib/cli.js';

/** Lists and watches pods until synced, then reports pods per namespace and per node. */
export async function podsByNamespaceAndNode(client: KubeClient): Promise<{
  byNamespace: Record<string, string[]>;
  byNode: Record<string, string[]>;
  snapshot: Snapshot<V1Pod>;
}> {
  const pods = informer<V1Pod>(client, resources.pods, {
    indexers: { byNamespace, nodeName: byField('spec.nodeName') },
  });
  const subscription = pods.store$.subscribe();
  try {
    const snapshot = await pods.synced;
    const group = (index: string) =>
      Object.fromEntries(
        snapshot
          .indexValues(index)
          .sort()
          .map((value) => [
            value,
            snapshot
              .byIndex(index, value)
              .map((p) => p.metadata?.name ?? '')
              .sort(),
          ]),
      );
    return { byNamespace: group('byNamespace'), byNode: group('nodeName'), snapshot };
  } finally {
    subscription.unsubscribe();
  }
}

if (isMain(import.meta.url)) {
  const { client, cluster } = await target();
  if (cluster) {
    const spec = (node: string) => ({ nodeName: node, containers: [{ name: 'c', image: 'nginx' }] });
    for (const [ns, name, node] of [
      ['default', 'a', 'n1'],
      ['default', 'b', 'n2'],
      ['kube-system', 'dns', 'n1'],
    ] as const) {
      await cluster.admin.create(resources.pods, {
        metadata: { name, namespace: ns },
        spec: spec(node),
      } as V1Pod);
    }
  }
  const { byNamespace: ns, byNode } = await podsByNamespaceAndNode(client);
  for (const [namespace, names] of Object.entries(ns))
    console.log(`namespace ${namespace}: ${names.join(', ')}`);
  for (const [node, names] of Object.entries(byNode)) console.log(`node ${node}: ${names.join(', ')}`);
}
