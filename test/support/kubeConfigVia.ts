/**
 * A copy of a kubeconfig whose clusters point at another server URL (a proxy in front of the
 * original), with the same users and contexts, so the client keeps its credentials and only the
 * route changes.
 */
import { KubeConfig } from '@kubernetes/client-node';

/** `kubeConfig` with every cluster's `server` replaced by `url`. */
export function kubeConfigVia(kubeConfig: KubeConfig, url: string): KubeConfig {
  const routed = new KubeConfig();
  routed.loadFromOptions({
    clusters: kubeConfig.clusters.map((cluster) => ({ ...cluster, server: url })),
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return routed;
}
