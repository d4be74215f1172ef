/**
 * Issue 14, fake cluster: an object whose `metadata.labels` (or `annotations`) is `null` has no
 * labels, as on the API server. A list or watch with a label selector treats it so; it used to
 * answer 500 (a TypeError inside the selector). Checked in-process and over HTTP.
 */
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ListOptions, RawWatchEvent } from '../../src/core/client.js';
import type { KubeObject } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index.js';

const configMap = (name: string, metadata: Record<string, unknown>) =>
  ({ metadata: { name, namespace: 'default', ...metadata }, data: {} }) as KubeObject;

/** `bare` has labels: null, `quiet` annotations: null, `web` the label app=web. */
async function seeded(): Promise<FakeCluster> {
  const cluster = createFakeCluster();
  await cluster.admin.create(resources.configMaps, configMap('bare', { labels: null }));
  await cluster.admin.create(
    resources.configMaps,
    configMap('quiet', { annotations: null, labels: { app: 'db' } }),
  );
  await cluster.admin.create(resources.configMaps, configMap('web', { labels: { app: 'web' } }));
  return cluster;
}

async function names(cluster: FakeCluster, options: ListOptions): Promise<string[]> {
  const list = await firstValueFrom(from(cluster.client.list(resources.configMaps, options)));
  return list.items.map((o) => (o as KubeObject).metadata?.name as string);
}

const summary = (events: RawWatchEvent[]) =>
  events.map((e) => `${e.type} ${(e.object as KubeObject).metadata?.name}`);

describe('null labels and annotations in the fake cluster', () => {
  it('a list with a label selector treats labels: null as no labels', async () => {
    const cluster = await seeded();
    expect(await names(cluster, { labelSelector: 'app=web' })).toEqual(['web']);
    expect(await names(cluster, { labelSelector: '!app' })).toEqual(['bare']);
    expect(await names(cluster, { labelSelector: 'app!=web' })).toEqual(['bare', 'quiet']);
    expect(await names(cluster, { labelSelector: 'app notin (db)' })).toEqual(['bare', 'web']);
    expect(await names(cluster, { labelSelector: 'app in (web,db)' })).toEqual(['quiet', 'web']);
    expect(await names(cluster, {})).toEqual(['bare', 'quiet', 'web']);
  });

  it('a list with a label selector lists an object whose annotations are null', async () => {
    const cluster = await seeded();
    expect(await names(cluster, { labelSelector: 'app=db' })).toEqual(['quiet']);
  });

  it('a watch with a label selector sees objects with labels: null enter and leave the selection', async () => {
    const cluster = await seeded();
    const events: RawWatchEvent[] = [];
    const notApp: RawWatchEvent[] = [];
    let failure: unknown;
    const onError = (error: unknown) => {
      failure = error;
    };
    const subscriptions = [
      cluster.client
        .watch(resources.configMaps, { labelSelector: 'app=web', resourceVersion: cluster.resourceVersion })
        .subscribe({ next: (e) => events.push(e), error: onError }),
      cluster.client
        .watch(resources.configMaps, { labelSelector: '!app', resourceVersion: cluster.resourceVersion })
        .subscribe({ next: (e) => notApp.push(e), error: onError }),
    ];
    const setLabels = (name: string, labels: unknown) =>
      cluster.admin.patch(
        resources.configMaps,
        name,
        [{ op: 'replace', path: '/metadata/labels', value: labels }],
        'json',
        {
          namespace: 'default',
        },
      );
    await setLabels('bare', { app: 'web' }); // null -> app=web: enters app=web, leaves !app
    await setLabels('bare', null); // back to null: leaves app=web, enters !app
    await setLabels('web', null); // app=web -> null: leaves app=web, enters !app
    await cluster.admin.create(resources.configMaps, configMap('late', { labels: null }));
    subscriptions.forEach((s) => {
      s.unsubscribe();
    });
    expect(failure).toBeUndefined();
    expect(summary(events)).toEqual(['ADDED bare', 'DELETED bare', 'DELETED web']);
    expect(summary(notApp)).toEqual(['DELETED bare', 'ADDED bare', 'ADDED web', 'ADDED late']);
  });

  it('a watch from the start with a label selector sends the initial objects, labels: null included', async () => {
    const cluster = await seeded();
    const events: RawWatchEvent[] = [];
    const subscription = cluster.client
      .watch(resources.configMaps, { labelSelector: '!app' })
      .subscribe((e) => events.push(e));
    subscription.unsubscribe();
    expect(summary(events)).toEqual(['ADDED bare']);
  });

  it('over HTTP a label-selected list of objects with labels: null is 200, not 500', async () => {
    const cluster = await seeded();
    const server = await cluster.listen({ token: null });
    try {
      const url = `${server.url}/api/v1/namespaces/default/configmaps?labelSelector=${encodeURIComponent('!app')}`;
      const response = await fetch(url);
      expect(response.status).toBe(200);
      const list = (await response.json()) as { items: KubeObject[] };
      expect(list.items.map((o) => o.metadata?.name)).toEqual(['bare']);
    } finally {
      await server.close();
    }
  });

  it('over HTTP a label-selected watch streams objects with labels: null', async () => {
    const cluster = await seeded();
    const server = await cluster.listen({ token: null });
    const abort = new AbortController();
    try {
      const url = `${server.url}/api/v1/configmaps?watch=true&labelSelector=${encodeURIComponent('app!=db')}`;
      const response = await fetch(url, { signal: abort.signal });
      expect(response.status).toBe(200);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (text.split('\n').length < 3) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      const events = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as RawWatchEvent);
      expect(summary(events)).toEqual(['ADDED bare', 'ADDED web']);
    } finally {
      abort.abort();
      await server.close();
    }
  });
});
