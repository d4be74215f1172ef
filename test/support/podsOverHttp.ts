/**
 * The fixture of the deferred-decoding integration tests: pods with a node and an app label, the
 * fake cluster serving them over HTTP to `kubeClient`, and the node/app indexes they are filed by
 * (`byField('spec.nodeName')` reads more than metadata, `byLabel('app')` reads the cell's metadata).
 * Everything a test opens is closed after it, in reverse order.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach } from 'vitest';
import type { KubeRxError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { type Informer, type InformerOptions, informer } from '../../src/runtime/informer.js';
import { byField, byLabel } from '../../src/store/indexFuncs.js';
import { createFakeCluster } from '../../src/testing/index.js';
import { kubeClient } from '../../src/transport/kubeClient.js';

const cleanup: (() => unknown)[] = [];

/** Closes what was opened so far, newest first (after each test, or within one, per property run). */
export async function closeAll(): Promise<void> {
  for (const fn of cleanup.splice(0).reverse()) await fn();
}

afterEach(closeAll);

/** Runs `fn` after the current test. */
export function afterTest(fn: () => unknown): void {
  cleanup.push(fn);
}

/** A pod on `nodeName` labelled `app`, with an annotation `note` (text a cutter must not trip on). */
export function podOn(namespace: string, name: string, app: string, nodeName: string, note: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app }, annotations: { note } },
    spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }] },
  };
}

/** The node and app indexes. */
export const indexers = { node: byField('spec.nodeName'), app: byLabel('app') };

/** A fake cluster holding `initial`, served over HTTP, and a kubeClient to it (no rate limit). */
export async function servePods(initial: readonly V1Pod[]) {
  const cluster = createFakeCluster();
  for (const p of initial) await cluster.client.create(resources.pods, p);
  const server = await cluster.listen();
  afterTest(() => server.close());
  return { cluster, client: kubeClient(server.kubeConfig, { rateLimit: false }) };
}

/** A pod informer over `client` with the node and app indexes, collecting what it reports. */
export function indexedInformer(
  client: ReturnType<typeof kubeClient>,
  options: InformerOptions<V1Pod> = {},
): { pods: Informer<V1Pod>; errors: KubeRxError[] } {
  const errors: KubeRxError[] = [];
  const pods = informer(client, resources.pods, {
    indexers,
    onError: (error) => errors.push(error),
    ...options,
  });
  return { pods, errors };
}
