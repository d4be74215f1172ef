/**
 * What `kube-rx watch` talks to: the cluster of the kubeconfig found by
 * {@link resolveClusterSource}, or the embedded fake cluster, both through `kubeClient`.
 */
import type { KubeClient } from '../core/client.js';
import { kubeClient } from '../transport/kubeClient.js';
import { startEmbeddedCluster } from './embeddedCluster.js';
import type { ClusterSource } from './kubeconfigSource.js';

/** A connected target. */
export interface Target {
  readonly client: KubeClient;
  /** The API server URL, for messages (`cannot reach https://...`). */
  readonly server: string;
  /** The namespace watched when neither `-n` nor `-A` is given: the context's, else `default`. */
  readonly defaultNamespace: string;
  /** Human description for the first line of output. */
  readonly where: string;
  /**
   * Called when the cache holds its first list (again after a relist: only the first call
   * counts). The embedded cluster starts its churn here, so the initial list is always the
   * seeded state, however long the list took.
   */
  synced(): void;
  /** Stops churn and the embedded server. */
  close(): Promise<void>;
}

/** Connects to the source's cluster, or starts the embedded one with churn every `churnMs`. */
export async function connect(
  source: ClusterSource,
  churnMs: number,
  log: (line: string) => void,
): Promise<Target> {
  if (source.kind === 'embedded') return startEmbeddedCluster(churnMs, log);
  return {
    client: kubeClient(source.kubeConfig),
    server: source.server,
    defaultNamespace: source.namespace ?? 'default',
    where: `cluster ${source.server} (context ${source.context} from ${source.origin})`,
    synced: () => undefined,
    close: async () => undefined,
  };
}
