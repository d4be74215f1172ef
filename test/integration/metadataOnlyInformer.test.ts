/**
 * A metadata-only informer (client-go's `metadatainformer`, issue 17) over real HTTP to the fake
 * cluster through `kubeClient`: it caches `PartialObjectMetadata` objects only (no spec), its label
 * and namespace indexes work, its events fire for creates, label changes and deletes, and the
 * factory keeps it apart from the full informer of the same resource.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartialObjectMetadata } from '../../src/core/partialObjectMetadata.js';
import { resources } from '../../src/core/resources.js';
import { type Informer, informer } from '../../src/runtime/informer.js';
import { informerFactory } from '../../src/runtime/informerFactory.js';
import { byLabel } from '../../src/store/indexFuncs.js';
import { createFakeCluster } from '../../src/testing/index.js';
import { kubeClient } from '../../src/transport/kubeClient.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const pod = (namespace: string, name: string, app: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

async function serve() {
  const cluster = createFakeCluster();
  for (const ns of ['a', 'b']) {
    await cluster.client.create(resources.pods, pod(ns, 'web', 'web'));
    await cluster.client.create(resources.pods, pod(ns, 'db', 'db'));
  }
  const server = await cluster.listen();
  cleanup.push(() => server.close());
  return { cluster, client: kubeClient(server.kubeConfig) };
}

describe('metadata-only informer over HTTP', () => {
  it('caches only metadata, indexes by label and namespace, and fires events', async () => {
    const { cluster, client } = await serve();
    const pods = informer(client, resources.pods, {
      metadataOnly: true,
      indexers: { app: byLabel('app') },
    });
    const events: string[] = [];
    const subscription = pods.events$.subscribe((e) => events.push(`${e.type} ${e.object.metadata.name}`));
    cleanup.push(() => subscription.unsubscribe());
    const snapshot = await pods.synced;
    expect(snapshot.size).toBe(4);
    for (const object of snapshot) {
      expect(object.apiVersion).toBe('meta.k8s.io/v1');
      expect(object.kind).toBe('PartialObjectMetadata');
      expect(Object.keys(object).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(object.metadata.resourceVersion).toMatch(/^\d+$/);
    }
    expect(
      snapshot
        .byIndex('app', 'web')
        .map((o) => o.metadata.namespace)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(
      snapshot
        .namespace('a')
        .list('app=db')
        .map((o) => o.metadata.name),
    ).toEqual(['db']);

    await cluster.client.create(resources.pods, pod('a', 'cache', 'web'));
    await cluster.client.patch(resources.pods, 'db', { metadata: { labels: { app: 'web' } } }, 'merge', {
      namespace: 'b',
    });
    await cluster.client.delete(resources.pods, 'web', { namespace: 'a' });
    const last = await firstValueFrom(
      pods.store$.pipe(filter((s) => s.byIndex('app', 'web').length === 3 && !s.has('a/web'))),
    );
    expect(last.get('b/db')?.metadata.labels).toEqual({ app: 'web' });
    expect(last.get('a/cache')).not.toHaveProperty('spec');
    expect(events).toEqual(expect.arrayContaining(['add cache', 'update db', 'delete web']));
  });

  it('the factory keys informers by metadataOnly: the full and the metadata informer differ', async () => {
    const { client } = await serve();
    const factory = informerFactory(client);
    cleanup.push(() => factory.shutdown());
    const meta = factory.for(resources.pods, { metadataOnly: true });
    const full = factory.for(resources.pods);
    expect(factory.for(resources.pods, { metadataOnly: true })).toBe(meta);
    expect(meta).not.toBe(full);
    await factory.waitForCacheSync();
    expect(full.snapshot().get('a/web')?.spec?.containers[0]?.image).toBe('nginx');
    const metaInformer: Informer<PartialObjectMetadata> = meta;
    const metaPod = metaInformer.snapshot().get('a/web');
    expect(metaPod).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'PartialObjectMetadata',
      metadata: expect.objectContaining({ name: 'web', namespace: 'a' }),
    });
    // Typing: a metadata-only snapshot's objects have no spec.
    // @ts-expect-error PartialObjectMetadata has no spec
    expect(meta.snapshot().get('a/web')?.spec).toBeUndefined();
  });
});
