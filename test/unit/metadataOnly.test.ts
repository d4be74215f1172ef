/**
 * Metadata-only lists and watches (issue 17): the HTTP client sends the `PartialObjectMetadata`
 * media types client-go's metadata client sends, and the fake cluster answers them as the API
 * server does, in-process and over HTTP: objects stripped to apiVersion/kind/metadata, lists as a
 * `PartialObjectMetadataList`, bookmarks still bookmarks.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeClient, RawWatchEvent } from '../../src/core/client.js';
import { METADATA_LIST_ACCEPT, METADATA_OBJECT_ACCEPT } from '../../src/core/partialObjectMetadata.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import { listWatch } from '../../src/sources/listWatch.js';
import { countingClient } from '../../src/testing/countingClient.js';
import { createFakeCluster } from '../../src/testing/index.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { kubeConfigFor, sendJson, startServer, type TestServer } from './transportHarness.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const pod = (name: string): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

describe('kubeClient asks for metadata by content negotiation', () => {
  let server: TestServer;
  it('a metadata list sends the PartialObjectMetadataList Accept, a watch the PartialObjectMetadata one, each with plain JSON last', async () => {
    server = await startServer((req, res) => {
      if (req.url?.includes('watch=')) res.writeHead(200, { 'content-type': 'application/json' }).end();
      else
        sendJson(res, 200, {
          kind: 'PartialObjectMetadataList',
          metadata: { resourceVersion: '1' },
          items: [],
        });
    });
    cleanup.push(() => server.close());
    const client = kubeClient(kubeConfigFor(server.url));
    await client.list(resources.pods, { asMetadata: true });
    await client.list(resources.pods, {});
    await firstValueFrom(client.watch(resources.pods, { asMetadata: true }).pipe(toArray()));
    await firstValueFrom(client.watch(resources.pods, {}).pipe(toArray()));
    expect(server.requests.map((r) => r.headers.accept)).toEqual([
      `${METADATA_LIST_ACCEPT},application/json`,
      'application/json',
      `${METADATA_OBJECT_ACCEPT},application/json`,
      'application/json',
    ]);
    expect(METADATA_LIST_ACCEPT).toBe('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
    expect(METADATA_OBJECT_ACCEPT).toBe('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1');
  });
});

describe('the fake cluster serves metadata only', () => {
  const partial = {
    apiVersion: 'meta.k8s.io/v1',
    kind: 'PartialObjectMetadata',
    metadata: expect.objectContaining({
      name: 'a',
      labels: { app: 'web' },
      resourceVersion: expect.any(String),
    }),
  };

  it('in-process: lists and watch events carry PartialObjectMetadata objects, full ones otherwise', async () => {
    const cluster = createFakeCluster();
    await cluster.client.create(resources.pods, pod('a'));
    const list = await firstValueFrom(from(cluster.client.list(resources.pods, { asMetadata: true })));
    expect(list.items).toEqual([partial]);
    const full = await firstValueFrom(from(cluster.client.list(resources.pods, {})));
    expect(full.items[0]).toHaveProperty('spec');
    const events = firstValueFrom(
      cluster.client.watch(resources.pods, { asMetadata: true }).pipe(take(2), toArray()),
    );
    await cluster.client.create(resources.pods, pod('b'));
    const [added, second] = await events;
    expect(added).toEqual({ type: 'ADDED', object: partial });
    expect((second as RawWatchEvent).object).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'PartialObjectMetadata',
      metadata: expect.objectContaining({ name: 'b' }),
    });
  });

  it('over HTTP: a PartialObjectMetadataList, stripped watch events, bookmarks that stay bookmarks', async () => {
    const cluster = createFakeCluster({ bookmarkIntervalMs: 20 });
    await cluster.client.create(resources.pods, pod('a'));
    const server = await cluster.listen({ token: null });
    cleanup.push(() => server.close());
    const client = kubeClient(server.kubeConfig);
    const raw = await fetch(`${server.url}/api/v1/namespaces/default/pods`, {
      headers: { accept: METADATA_LIST_ACCEPT },
    }).then((r) => r.json() as Promise<{ items: unknown[] }>);
    expect(raw).toMatchObject({ apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadataList' });
    expect(raw.items).toEqual([partial]);
    const list = await client.list(resources.pods, { asMetadata: true });
    expect(list.items).toEqual([partial]);
    const events = await firstValueFrom(
      client
        .watch(resources.pods, { asMetadata: true, resourceVersion: '0', allowWatchBookmarks: true })
        .pipe(take(2), toArray()),
    );
    expect(events[0]).toEqual({ type: 'ADDED', object: partial });
    expect(events[1]).toEqual({
      type: 'BOOKMARK',
      object: {
        apiVersion: 'meta.k8s.io/v1',
        kind: 'PartialObjectMetadata',
        metadata: { resourceVersion: expect.any(String) },
      },
    });
  });
});

describe('listWatch and informer with metadataOnly, in-process', () => {
  it('every list and watch asks for metadata, paginated and streaming', async () => {
    const cluster = createFakeCluster();
    await cluster.client.create(resources.pods, pod('a'));
    await cluster.client.create(resources.pods, pod('b'));
    const { client, calls } = countingClient(cluster.client);
    const seen: string[] = [];
    const recording: KubeClient = {
      ...client,
      list: (resource, options, signal) => {
        seen.push(`list ${options.asMetadata}`);
        return client.list(resource, options, signal);
      },
      watch: (resource, options) => {
        seen.push(`watch ${options.asMetadata} ${options.sendInitialEvents ?? false}`);
        return client.watch(resource, options);
      },
    };
    const paginated = await firstValueFrom(listWatch(recording, resources.pods, { metadataOnly: true }));
    expect(paginated.type).toBe('REPLACE');
    const streamed = await firstValueFrom(
      listWatch(recording, resources.pods, { metadataOnly: true, listMode: 'streaming' }),
    );
    expect(seen).toEqual(['list true', 'watch true true']);
    expect(calls.lists).toBe(1);
    for (const event of [paginated, streamed])
      if (event.type === 'REPLACE')
        expect(event.objects.map((o) => [o.kind, o.metadata.name, 'spec' in o])).toEqual([
          ['PartialObjectMetadata', 'a', false],
          ['PartialObjectMetadata', 'b', false],
        ]);
  });

  it('an informer types and caches PartialObjectMetadata; a transform sees it too', async () => {
    const cluster = createFakeCluster();
    await cluster.client.create(resources.pods, pod('a'));
    const pods = informer(cluster.client, resources.pods, {
      metadataOnly: true,
      transform: (object) => ({ ...object, metadata: { ...object.metadata, annotations: { seen: 'yes' } } }),
    });
    const subscription = pods.events$.subscribe();
    cleanup.push(() => subscription.unsubscribe());
    const cached = (await pods.synced).get('default/a');
    expect(cached?.kind).toBe('PartialObjectMetadata');
    expect(cached?.metadata.annotations).toEqual({ seen: 'yes' });
    // @ts-expect-error a metadata-only object has no status
    expect(cached?.status).toBeUndefined();
  });
});
