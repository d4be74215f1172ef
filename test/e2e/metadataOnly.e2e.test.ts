/**
 * Metadata-only informers (client-go's `metadatainformer`, issue 17) against the real
 * kube-apiserver: asked with the `PartialObjectMetadata` media types, the server answers lists and
 * watch events with `PartialObjectMetadata` objects (`meta.k8s.io/v1`) that keep labels and
 * resourceVersions but carry no spec or data; the informer follows creates, label changes and
 * deletes.
 */
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStatusError } from '../../src/core/errors.js';
import type { PartialObjectMetadata } from '../../src/core/partialObjectMetadata.js';
import { resources } from '../../src/core/resources.js';
import { type Informer, informer } from '../../src/runtime/informer.js';
import { client, ensureNamespace, eventually } from './support/env.js';

const namespace = 'metadata-only';
const subscriptions: Subscription[] = [];
afterAll(() => {
  for (const s of subscriptions) s.unsubscribe();
});

const configMap = (name: string): V1ConfigMap => ({
  metadata: { name, namespace, labels: { app: 'meta' } },
  data: { big: 'x'.repeat(1000) },
});
const pod = (name: string): V1Pod => ({
  metadata: { name, namespace, labels: { app: 'meta' } },
  spec: {
    automountServiceAccountToken: false,
    containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }],
  },
});

beforeAll(async () => {
  const c = client();
  await ensureNamespace(c, namespace);
  // No controller-manager makes the default ServiceAccount that pod admission looks up.
  try {
    await c.create(resources.serviceAccounts, { metadata: { name: 'default', namespace } }, { namespace });
  } catch (error) {
    if (!(isStatusError(error) && error.code === 409)) throw error;
  }
  for (let i = 0; i < 5; i++) {
    await c.create(resources.configMaps, configMap(`cm-${i}`), { namespace });
    await c.create(resources.pods, pod(`pod-${i}`), { namespace });
  }
});

function expectMetadataOnly(object: PartialObjectMetadata): void {
  expect(object.apiVersion).toBe('meta.k8s.io/v1');
  expect(object.kind).toBe('PartialObjectMetadata');
  expect(object).not.toHaveProperty('spec');
  expect(object).not.toHaveProperty('data');
  expect(object).not.toHaveProperty('status');
  expect(object.metadata.labels).toEqual({ app: 'meta' });
  expect(object.metadata.resourceVersion).toMatch(/^\d+$/);
  expect(object.metadata.uid).toBeTruthy();
}

function started(inf: Informer<PartialObjectMetadata>): Informer<PartialObjectMetadata> {
  subscriptions.push(inf.events$.subscribe());
  return inf;
}

describe('metadata-only informers against kube-apiserver', () => {
  it('the server answers a metadata list with a PartialObjectMetadataList', async () => {
    const list = (await client().list(resources.configMaps, { namespace, asMetadata: true })) as unknown as {
      kind: string;
      apiVersion: string;
      items: PartialObjectMetadata[];
    };
    expect(list.kind).toBe('PartialObjectMetadataList');
    expect(list.apiVersion).toBe('meta.k8s.io/v1');
    expect(list.items).toHaveLength(5);
    for (const item of list.items) expectMetadataOnly(item);
  });

  it('a configmap informer caches metadata only and follows changes', async () => {
    const c = client();
    const configMaps = started(
      informer(c, resources.configMaps, { namespace, metadataOnly: true, labelSelector: 'app=meta' }),
    );
    const first = await configMaps.synced;
    expect(first.size).toBe(5);
    for (const object of first) expectMetadataOnly(object);

    const created = await c.create(resources.configMaps, configMap('cm-new'), { namespace });
    await c.patch(
      resources.configMaps,
      'cm-0',
      { metadata: { labels: { app: 'meta', tier: 'x' } } },
      'merge',
      {
        namespace,
      },
    );
    await c.delete(resources.configMaps, 'cm-1', { namespace });
    const last = await firstValueFrom(
      configMaps.store$.pipe(
        filter((s) => s.has(`${namespace}/cm-new`) && !s.has(`${namespace}/cm-1`)),
        filter((s) => s.get(`${namespace}/cm-0`)?.metadata.labels?.tier === 'x'),
      ),
    );
    const added = last.get(`${namespace}/cm-new`) as PartialObjectMetadata;
    expect(added.kind).toBe('PartialObjectMetadata');
    expect(added).not.toHaveProperty('data');
    expect(added.metadata.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(last.size).toBe(5);
  });

  it('a pod informer caches metadata only and sees a new pod', async () => {
    const c = client();
    const pods = started(informer(c, resources.pods, { namespace, metadataOnly: true }));
    const first = await pods.synced;
    expect(first.size).toBe(5);
    for (const object of first) expectMetadataOnly(object);
    await c.create(resources.pods, pod('pod-new'), { namespace });
    await eventually(() => pods.snapshot().has(`${namespace}/pod-new`), 15_000, 'the new pod');
    expectMetadataOnly(pods.snapshot().get(`${namespace}/pod-new`) as PartialObjectMetadata);
  });
});
