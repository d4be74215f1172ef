/**
 * The Website operator: one controller on a kube-rx manager. For each Website it brings a
 * ConfigMap (the page) and an nginx Deployment in line with the spec, reading what exists from
 * the manager's caches (never from the API server) and sending a server-side `apply` (field
 * manager `website-operator`) only for what is missing or drifted; then it records
 * `status.observedGeneration` and the Deployment's ready pods, and tells `kubectl describe` what
 * it did with events (Normal `Synced`, Warning `ReconcileFailed`).
 *
 * The Website is announced in a {@link SiteDirectory} outside Kubernetes, so the reconcile runs
 * inside the kube-rs style `finalizer(...)`: the finalizer is on the Website before it is
 * published, and a deletion waits until it is unpublished. What it owns in the cluster needs no
 * cleanup code: the controller owner references let Kubernetes collect it. Between writes the
 * reconcile checks its signal, so a drain (SIGTERM) ends it at the next step instead of midway.
 */
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { filter } from 'rxjs';
import {
  type ApplyConfiguration,
  apply,
  type DeepReadonly,
  type EventRecorder,
  finalizer,
  type Informer,
  type InformerEvent,
  type KubeClient,
  type Manager,
  patchStatusWith,
  type ReconcileContext,
  resources,
  type Snapshot,
} from '../../src/index.js';
import { deploymentDrift, desiredConfigMap, desiredDeployment, MANAGED_BY } from './desired.js';
import { inMemorySiteDirectory, type SiteDirectory } from './siteDirectory.js';
import { WEBSITE_GROUP, type Website, websites } from './website.js';

/** The field manager of every apply: `managedFields` names the operator as owner of what it sets. */
export const FIELD_MANAGER = 'website-operator';
/** Keeps a deleted Website until it is unpublished from the {@link SiteDirectory}. */
export const FINALIZER = `${WEBSITE_GROUP}/unpublish`;
// The operator decides these fields: force takes them back from whoever edited them by hand.
const APPLY = { fieldManager: FIELD_MANAGER, force: true };

export interface WebsiteOperatorOptions {
  /**
   * Events about Websites (`kubectl describe website`). Give the same recorder to the manager's
   * `eventRecorders`, so the last events are written on stop.
   */
  readonly events: EventRecorder;
  /** Where Websites are announced. Default: in memory. */
  readonly directory?: SiteDirectory;
  /** Watch one namespace only. Default: every namespace. */
  readonly namespace?: string;
  /** Receives one line per reconcile that changed something, per cleanup, retry and drop. */
  readonly log?: (line: string) => void;
}

interface Owned {
  readonly configMaps: Informer<V1ConfigMap>;
  readonly deployments: Informer<V1Deployment>;
}

interface Deps {
  readonly client: KubeClient;
  readonly owned: Owned;
  readonly events: EventRecorder;
  readonly directory: SiteDirectory;
  readonly log: (line: string) => void;
}

const keyOf = (object: { metadata?: { namespace?: string; name?: string } }) =>
  `${object.metadata?.namespace}/${object.metadata?.name}`;

async function ensureConfigMap({ client, owned }: Deps, website: DeepReadonly<Website>) {
  const desired = desiredConfigMap(website);
  const current = owned.configMaps.snapshot().get(keyOf(desired));
  if (current && current.data?.['index.html'] === desired.data?.['index.html']) return undefined;
  await apply(client, resources.configMaps, desired as ApplyConfiguration<V1ConfigMap>, APPLY);
  return current ? 'configmap updated' : 'configmap created';
}

async function ensureDeployment({ client, owned }: Deps, website: DeepReadonly<Website>) {
  const desired = desiredDeployment(website);
  const current = owned.deployments.snapshot().get(keyOf(desired));
  const readyReplicas = current?.status?.readyReplicas ?? 0;
  const drift = current ? deploymentDrift(current, desired) : [];
  if (current && drift.length === 0) return { readyReplicas };
  await apply(client, resources.deployments, desired as ApplyConfiguration<V1Deployment>, APPLY);
  const change = current ? `deployment updated (${drift.join(', ')})` : 'deployment created';
  return { change, readyReplicas };
}

/** The Website lives (and carries the finalizer): owned objects, the directory, the status. */
async function sync(deps: Deps, key: string, website: DeepReadonly<Website>, signal: AbortSignal) {
  const owned: string[] = [];
  const configMap = await ensureConfigMap(deps, website);
  if (configMap) owned.push(configMap);
  signal.throwIfAborted();
  const deployment = await ensureDeployment(deps, website);
  if (deployment.change) owned.push(deployment.change);
  signal.throwIfAborted();
  await deps.directory.publish(
    key,
    `https://${website.metadata?.name}.${website.metadata?.namespace}.sites.example`,
  );
  const changes = [...owned];
  const generation = website.metadata?.generation;
  const { readyReplicas } = deployment;
  if (website.status?.observedGeneration !== generation || website.status?.readyReplicas !== readyReplicas) {
    await patchStatusWith(deps.client, websites, website, (draft) => {
      draft.status = { observedGeneration: generation, readyReplicas };
    });
    changes.push(`status (generation ${generation}, ${readyReplicas} ready)`);
  }
  // The same note again within minutes joins the Event's series instead of adding an Event.
  if (owned.length > 0)
    deps.events.event(website, {
      type: 'Normal',
      reason: 'Synced',
      action: 'Apply',
      note: owned.join(', '),
      resource: websites,
    });
  if (changes.length > 0) deps.log(`reconciled ${key}: ${changes.join(', ')}`);
}

/** The Website is being deleted: withdraw it from the directory (idempotent: it may run twice). */
async function cleanup(deps: Deps, key: string, website: DeepReadonly<Website>) {
  const withdrawn = await deps.directory.unpublish(key);
  const note = withdrawn ? 'unpublished from the site directory' : 'was not published';
  deps.events.event(website, {
    type: 'Normal',
    reason: 'Unpublished',
    action: 'Cleanup',
    note,
    resource: websites,
  });
  deps.log(`cleaned up ${key}: ${note}`);
}

/** The reconcile of one Website key. */
export function reconcileWebsite(deps: Deps) {
  return async (key: string, sites: Snapshot<Website>, { signal }: ReconcileContext): Promise<void> => {
    const website = sites.get(key);
    if (!website) return; // gone: the finalizer ran, Kubernetes collects what it owned
    try {
      await finalizer(deps.client, websites, FINALIZER, website, {
        apply: (current) => sync(deps, key, current, signal),
        cleanup: (current) => cleanup(deps, key, current),
      });
    } catch (error) {
      if (!signal.aborted) {
        const note = error instanceof Error ? error.message : String(error);
        deps.events.event(website, {
          type: 'Warning',
          reason: 'ReconcileFailed',
          action: 'Reconcile',
          note,
          resource: websites,
        });
      }
      throw error;
    }
  };
}

/**
 * Spec changes and deletion requests. Status and metadata writes (the operator's own status and
 * finalizer) change neither the generation nor the deletionTimestamp: they need no reconcile.
 */
const specOrDeletionChanged = filter(
  (event: InformerEvent<Website>) =>
    event.type !== 'update' ||
    event.oldObject.metadata?.generation !== event.object.metadata?.generation ||
    event.oldObject.metadata?.deletionTimestamp !== event.object.metadata?.deletionTimestamp,
);

/** Adds the Website controller and its informers to a manager. */
export function setupWebsiteOperator(mgr: Manager, options: WebsiteOperatorOptions): void {
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
  const deps: Deps = {
    client: mgr.client,
    owned,
    events: options.events,
    directory: options.directory ?? inMemorySiteDirectory(),
    log,
  };
  mgr.controller('website', {
    for: mgr.informers.for(websites, scope),
    owns: [owned.configMaps, owned.deployments],
    forEvents: specOrDeletionChanged,
    reconcile: reconcileWebsite(deps),
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
