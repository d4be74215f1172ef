/**
 * What a Website should own, as pure functions: a ConfigMap holding the page and an nginx
 * Deployment serving it, each the complete apply configuration the operator sends with
 * server-side apply (the fields it owns; the API server keeps defaults and other managers'
 * fields). Both get the Website as controller owner reference (`setControllerReference`: the
 * operator's `owns` informers wake the Website, and Kubernetes garbage-collects them with it) and
 * the managed-by label the operator's caches select on. A hash of the page in the pod template
 * rolls the pods when the page changes.
 */
import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { type DeepReadonly, setControllerReference } from '../../src/index.js';
import { WEBSITE_GROUP, type Website, websites } from './website.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'website-operator' };
const WEBSITE_LABEL = `${WEBSITE_GROUP}/website`;
const HTML_HASH = `${WEBSITE_GROUP}/html-hash`;
const DEFAULT_IMAGE = 'nginx:1.27-alpine';

/** The Website as controller of `object` (the cache's Websites may carry no apiVersion/kind). */
const ownedBy = <T extends V1ConfigMap | V1Deployment>(website: DeepReadonly<Website>, object: T): T =>
  setControllerReference(website, object, { ownerResource: websites });

export const configMapName = (website: string) => `${website}-html`;

export function desiredConfigMap(website: DeepReadonly<Website>): V1ConfigMap {
  const name = website.metadata?.name ?? '';
  return ownedBy(website, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: configMapName(name),
      namespace: website.metadata?.namespace,
      labels: { ...MANAGED_BY, [WEBSITE_LABEL]: name },
    },
    data: { 'index.html': website.spec?.html ?? '' },
  });
}

export const htmlHash = (html: string) => createHash('sha256').update(html).digest('hex').slice(0, 16);

export function desiredDeployment(website: DeepReadonly<Website>): V1Deployment {
  const name = website.metadata?.name ?? '';
  const selector = { [WEBSITE_LABEL]: name };
  return ownedBy(website, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: website.metadata?.namespace,
      labels: { ...MANAGED_BY, ...selector },
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
  });
}

/** The fields of a Deployment this operator decides that differ from `desired`: none, no apply. */
export function deploymentDrift(current: DeepReadonly<V1Deployment>, desired: V1Deployment): string[] {
  const drift: string[] = [];
  if (current.spec?.replicas !== desired.spec?.replicas) drift.push('replicas');
  const image = (d: DeepReadonly<V1Deployment>) => d.spec?.template?.spec?.containers?.[0]?.image;
  if (image(current) !== image(desired)) drift.push('image');
  const hash = (d: DeepReadonly<V1Deployment>) => d.spec?.template?.metadata?.annotations?.[HTML_HASH];
  if (hash(current) !== hash(desired)) drift.push('html');
  return drift;
}
