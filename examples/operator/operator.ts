/**
 * The Website operator: one controller on a kube-rx manager. For each Website it brings a
 * ConfigMap (the page) and an nginx Deployment in line with the spec, reading what exists from
 * the manager's caches (never from the API server), creating what is missing and patching what
 * drifted, then records `status.observedGeneration` and the Deployment's ready pods. Between
 * writes it checks its signal, so a drain (SIGTERM) ends it at the next step instead of midway.
 * Deleting a Website needs no code: the owner references let Kubernetes collect what it owned.
 */
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import {
  type DeepReadonly,
  generationChanged,
  type Informer,
  type KubeClient,
  type Manager,
  patchStatusWith,
  patchWith,
  type ReconcileContext,
  resources,
  type Snapshot,
} from '../../src/index.js';
import {
  alignDeployment,
  deploymentDrift,
  desiredConfigMap,
  desiredDeployment,
  MANAGED_BY,
} from './desired.js';
import { type Website, websites } from './website.js';

export interface WebsiteOperatorOptions {
  /** Watch one namespace only. Default: every namespace. */
  readonly namespace?: string;
  /** Receives one line per reconcile that changed something, per retry and per drop. */
  readonly log?: (line: string) => void;
}

interface Owned {
  readonly configMaps: Informer<V1ConfigMap>;
  readonly deployments: Informer<V1Deployment>;
}

async function ensureConfigMap(client: KubeClient, website: DeepReadonly<Website>, owned: Owned) {
  const desired = desiredConfigMap(website);
  const { namespace, name } = desired.metadata as { namespace: string; name: string };
  const current = owned.configMaps.snapshot().get(`${namespace}/${name}`);
  if (!current) {
    await client.create(resources.configMaps, desired, { namespace });
    return 'configmap created';
  }
  const html = desired.data?.['index.html'] ?? '';
  if (current.data?.['index.html'] === html) return undefined;
  await patchWith(client, resources.configMaps, current, (draft) => {
    draft.data = { ...draft.data, 'index.html': html };
  });
  return 'configmap updated';
}

async function ensureDeployment(client: KubeClient, website: DeepReadonly<Website>, owned: Owned) {
  const desired = desiredDeployment(website);
  const { namespace, name } = desired.metadata as { namespace: string; name: string };
  const current = owned.deployments.snapshot().get(`${namespace}/${name}`);
  if (!current) {
    await client.create(resources.deployments, desired, { namespace });
    return { change: 'deployment created', readyReplicas: 0 };
  }
  const readyReplicas = current.status?.readyReplicas ?? 0;
  const drift = deploymentDrift(current, desired);
  if (drift.length === 0) return { readyReplicas };
  await patchWith(client, resources.deployments, current, (draft) => alignDeployment(draft, desired));
  return { change: `deployment updated (${drift.join(', ')})`, readyReplicas };
}

/** The reconcile of one Website key. */
export function reconcileWebsite(client: KubeClient, owned: Owned, log: (line: string) => void) {
  return async (key: string, sites: Snapshot<Website>, { signal }: ReconcileContext): Promise<void> => {
    const website = sites.get(key);
    if (!website) return; // deleted: Kubernetes garbage-collects what it owned
    const changes: string[] = [];
    const configMap = await ensureConfigMap(client, website, owned);
    if (configMap) changes.push(configMap);
    signal.throwIfAborted();
    const deployment = await ensureDeployment(client, website, owned);
    if (deployment.change) changes.push(deployment.change);
    signal.throwIfAborted();
    const generation = website.metadata?.generation;
    const { readyReplicas } = deployment;
    if (
      website.status?.observedGeneration !== generation ||
      website.status?.readyReplicas !== readyReplicas
    ) {
      await patchStatusWith(client, websites, website, (draft) => {
        draft.status = { observedGeneration: generation, readyReplicas };
      });
      changes.push(`status (generation ${generation}, ${readyReplicas} ready)`);
    }
    if (changes.length > 0) log(`reconciled ${key}: ${changes.join(', ')}`);
  };
}

/** Adds the Website controller and its informers to a manager. */
export function setupWebsiteOperator(mgr: Manager, options: WebsiteOperatorOptions = {}): void {
  const log = options.log ?? (() => undefined);
  const scope = options.namespace ? { namespace: options.namespace } : {};
  // Only the objects this operator made: a cache of every ConfigMap in the cluster would be waste.
  const labelSelector = Object.entries(MANAGED_BY)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const owned: Owned = {
    configMaps: mgr.informers.for(resources.configMaps, { ...scope, labelSelector }),
    deployments: mgr.informers.for(resources.deployments, { ...scope, labelSelector }),
  };
  mgr.controller('website', {
    for: mgr.informers.for(websites, scope),
    owns: [owned.configMaps, owned.deployments],
    // Status writes bump the resourceVersion, not the generation: they need no reconcile.
    forEvents: generationChanged(),
    reconcile: reconcileWebsite(mgr.client, owned, log),
    concurrency: 2,
    timeoutMs: 60_000,
    onError: (error) => log(`dropped ${error.key}: ${error.message}`),
    onResult: (result) => {
      if (result.outcome === 'retry')
        log(
          `retrying ${result.key} in ${result.delayMs} ms: ${(result.error as Error)?.message ?? result.error}`,
        );
    },
  });
}
