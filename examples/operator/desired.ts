/**
 * What a Website should own, as pure functions: a ConfigMap holding the page and an nginx
 * Deployment serving it. Both carry a controller owner reference (so the operator's `owns`
 * informers wake the Website, and Kubernetes garbage-collects them with it) and the managed-by
 * label the operator's caches select on. A hash of the page in the pod template rolls the pods
 * when the page changes.
 */
import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Deployment, V1OwnerReference } from '@kubernetes/client-node';
import type { DeepReadonly } from '../../src/index.js';
import { WEBSITE_GROUP, type Website } from './website.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'website-operator' };
const WEBSITE_LABEL = `${WEBSITE_GROUP}/website`;
const HTML_HASH = `${WEBSITE_GROUP}/html-hash`;
const DEFAULT_IMAGE = 'nginx:1.27-alpine';

function ownerReference(website: DeepReadonly<Website>): V1OwnerReference {
  return {
    apiVersion: `${WEBSITE_GROUP}/v1`,
    kind: 'Website',
    name: website.metadata?.name ?? '',
    uid: website.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const configMapName = (website: string) => `${website}-html`;

export function desiredConfigMap(website: DeepReadonly<Website>): V1ConfigMap {
  const name = website.metadata?.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(name),
      namespace: website.metadata?.namespace,
      labels: { ...MANAGED_BY, [WEBSITE_LABEL]: name },
      ownerReferences: [ownerReference(website)],
    },
    data: { 'index.html': website.spec?.html ?? '' },
  };
}

export const htmlHash = (html: string) => createHash('sha256').update(html).digest('hex').slice(0, 16);

export function desiredDeployment(website: DeepReadonly<Website>): V1Deployment {
  const name = website.metadata?.name ?? '';
  const selector = { [WEBSITE_LABEL]: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: website.metadata?.namespace,
      labels: { ...MANAGED_BY, ...selector },
      ownerReferences: [ownerReference(website)],
    },
    spec: {
      replicas: website.spec?.replicas ?? 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector, annotations: { [HTML_HASH]: htmlHash(website.spec?.html ?? '') } },
        spec: {
          containers: [
            {
              name: 'nginx',
              image: website.spec?.image ?? DEFAULT_IMAGE,
              ports: [{ containerPort: 80 }],
              volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html', readOnly: true }],
            },
          ],
          volumes: [{ name: 'html', configMap: { name: configMapName(name) } }],
        },
      },
    },
  };
}

/** The fields of a Deployment this operator decides; anything else (defaults, status) is left alone. */
export function deploymentDrift(current: DeepReadonly<V1Deployment>, desired: V1Deployment): string[] {
  const drift: string[] = [];
  if (current.spec?.replicas !== desired.spec?.replicas) drift.push('replicas');
  const image = (d: DeepReadonly<V1Deployment>) => d.spec?.template?.spec?.containers?.[0]?.image;
  if (image(current) !== image(desired)) drift.push('image');
  const hash = (d: DeepReadonly<V1Deployment>) => d.spec?.template?.metadata?.annotations?.[HTML_HASH];
  if (hash(current) !== hash(desired)) drift.push('html');
  return drift;
}

/** Sets the fields {@link deploymentDrift} compares on a draft of the current Deployment. */
export function alignDeployment(draft: V1Deployment, desired: V1Deployment): void {
  const template = desired.spec?.template;
  if (!draft.spec || !template) return;
  draft.spec.replicas = desired.spec?.replicas;
  const container = draft.spec.template.spec?.containers[0];
  const image = template.spec?.containers[0]?.image;
  if (container && image) container.image = image;
  const annotations = { ...draft.spec.template.metadata?.annotations, ...template.metadata?.annotations };
  draft.spec.template.metadata = { ...draft.spec.template.metadata, annotations };
}
