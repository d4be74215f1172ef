/**
 * Shared start-up for the examples: a real cluster from `--kubeconfig` (or the default kubeconfig
 * with `--real`), otherwise an embedded fake cluster seeded by the example itself.
 */

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type KubeClient, kubeClient } from '../../src/index.js';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index.js';

export interface ExampleTarget {
  client: KubeClient;
  /** Present when running on the embedded cluster, for seeding and churn. */
  cluster?: FakeCluster;
  seconds: number;
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

export async function target(): Promise<ExampleTarget> {
  const { values } = parseArgs({
    options: { kubeconfig: { type: 'string' }, duration: { type: 'string', default: '10' } },
    strict: false,
  });
  const seconds = Number(values.duration ?? 10);
  if (typeof values.kubeconfig === 'string') {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(values.kubeconfig);
    return { client: kubeClient(kc), seconds };
  }
  const cluster = createFakeCluster();
  return { client: cluster.client, cluster, seconds };
}
