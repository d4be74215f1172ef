/**
 * @kubernetes/client-node's own typed APIs and `Watch` against the fake cluster over real HTTP
 * (loopback): the REST paths, status codes, Status bodies, discovery documents, chunked watch
 * streams and bearer-token auth must be close enough to a real API server that client-node works
 * unchanged. The same file runs with client-node 1.4 (Node 20) and 2.0.1 (Node 24) in CI, so it
 * uses only APIs both versions share.
 */
import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreApi,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Deployment,
  type V1Pod,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../src/core/objects.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../../src/core/protocol.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster, type FakeCluster, type FakeServer } from '../../src/testing/index.js';

const servers: FakeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(cluster: FakeCluster = createFakeCluster(), port?: number): Promise<FakeServer> {
  const server = await cluster.listen(port === undefined ? {} : { port });
  servers.push(server);
  return server;
}

/** The HTTP code and Kubernetes Status a client-node call failed with. */
async function apiError(
  promise: Promise<unknown>,
): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<unknown>;
    const status = typeof e.body === 'string' && e.body !== '' ? JSON.parse(e.body) : (e.body ?? {});
    return { code: e.code, status };
  }
  throw new Error('expected an ApiException');
}

interface WatchRecorder {
  readonly events: { type: string; object: KubeObject }[];
  /** Resolves with the argument of client-node's `done` callback. */
  readonly done: Promise<unknown>;
  readonly controller: AbortController;
  summary(): string[];
}

async function watch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<WatchRecorder> {
  const events: WatchRecorder['events'] = [];
  let finish!: (error: unknown) => void;
  const done = new Promise<unknown>((resolve) => {
    finish = resolve;
  });
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    (error) => finish(error),
  );
  return {
    events,
    done,
    controller,
    summary: () =>
      events.map((e) =>
        e.type === 'BOOKMARK'
          ? `BOOKMARK ${e.object.metadata?.resourceVersion}`
          : e.type === 'ERROR'
            ? `ERROR ${(e.object as { code?: number }).code}`
            : `${e.type} ${e.object.metadata?.name}`,
      ),
  };
}

const podBody = (name: string, labels?: Record<string, string>): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { containers: [{ name: 'main', image: 'nginx:1' }] },
});

const deploymentBody = (name: string, replicas: number): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'main', image: 'nginx' }] },
    },
  },
});

describe('client-node typed APIs against cluster.listen()', () => {
  it('creates, reads, lists, replaces, patches and deletes pods', async () => {
    const cluster = createFakeCluster();
    const server = await start(cluster);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const core = server.kubeConfig.makeApiClient(CoreV1Api);

    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: podBody('web', { app: 'web' }),
    });
    expect(created.metadata?.uid).toEqual(expect.any(String));
    expect(created.metadata?.resourceVersion).toBe('1');
    expect(created.metadata?.namespace).toBe('default');
    // client-node deserialises timestamps into Dates.
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    await core.createNamespacedPod({ namespace: 'default', body: podBody('db', { app: 'db' }) });
    await core.createNamespacedPod({ namespace: 'other', body: podBody('web') });

    const read = await core.readNamespacedPod({ name: 'web', namespace: 'default' });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
    expect(read.spec?.containers[0]?.image).toBe('nginx:1');

    const inDefault = await core.listNamespacedPod({ namespace: 'default' });
    expect(inDefault.items.map((p) => p.metadata?.name)).toEqual(['db', 'web']);
    expect(inDefault.metadata?.resourceVersion).toBe('3');
    const selected = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
    expect(selected.items.map((p) => p.metadata?.name)).toEqual(['web']);
    const all = await core.listPodForAllNamespaces({ fieldSelector: 'metadata.name=web' });
    expect(all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).toEqual([
      'default/web',
      'other/web',
    ]);

    const page = await core.listNamespacedPod({ namespace: 'default', limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.metadata?._continue).toEqual(expect.any(String));
    const rest = await core.listNamespacedPod({
      namespace: 'default',
      limit: 1,
      _continue: page.metadata?._continue,
    });
    expect(rest.items.map((p) => p.metadata?.name)).toEqual(['web']);
    expect(rest.metadata?.resourceVersion).toBe(page.metadata?.resourceVersion);

    read.metadata = { ...read.metadata, labels: { app: 'web', tier: 'front' } };
    const replaced = await core.replaceNamespacedPod({ name: 'web', namespace: 'default', body: read });
    expect(replaced.metadata?.labels).toEqual({ app: 'web', tier: 'front' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata.resourceVersion));

    const merged = await core.patchNamespacedPod(
      { name: 'web', namespace: 'default', body: { metadata: { labels: { tier: null, env: 'prod' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ app: 'web', env: 'prod' });

    const jsonPatched = await core.patchNamespacedPod(
      {
        name: 'web',
        namespace: 'default',
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: merged.metadata?.resourceVersion },
          { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jsonPatched.spec?.containers[0]?.image).toBe('nginx:2');
    expect(jsonPatched.metadata?.generation).toBe(2);

    // The API server's view matches what client-node reported.
    const stored = await cluster.admin.get(resources.pods, 'web', { namespace: 'default' });
    expect(stored.metadata?.resourceVersion).toBe(jsonPatched.metadata?.resourceVersion);
    expect(stored.metadata?.labels).toEqual({ app: 'web', env: 'prod' });

    await core.deleteNamespacedPod({ name: 'web', namespace: 'default' });
    expect(
      (await core.listNamespacedPod({ namespace: 'default' })).items.map((p) => p.metadata?.name),
    ).toEqual(['db']);
    expect((await apiError(core.readNamespacedPod({ name: 'web', namespace: 'default' }))).code).toBe(404);
  });

  it('writes pod status through the status subresource only', async () => {
    const server = await start();
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedPod({ namespace: 'default', body: podBody('web') });
    const withStatus = await core.replaceNamespacedPodStatus({
      name: 'web',
      namespace: 'default',
      body: { ...created, status: { phase: 'Running', podIP: '10.0.0.7' } },
    });
    expect(withStatus.status?.phase).toBe('Running');
    expect(withStatus.metadata?.generation).toBe(1);
    const ignored = await core.replaceNamespacedPod({
      name: 'web',
      namespace: 'default',
      body: { ...withStatus, status: { phase: 'Failed' } },
    });
    expect(ignored.status?.phase).toBe('Running');
    const patched = await core.patchNamespacedPodStatus(
      { name: 'web', namespace: 'default', body: { status: { phase: 'Succeeded' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.status).toEqual({ phase: 'Succeeded', podIP: '10.0.0.7' });
  });

  it('manages deployments, configmaps and namespaces', async () => {
    const cluster = createFakeCluster();
    const server = await start(cluster);
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    const apps = server.kubeConfig.makeApiClient(AppsV1Api);

    const ns = await core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    expect(ns.metadata?.namespace).toBeUndefined();
    expect((await core.readNamespace({ name: 'team-a' })).metadata?.uid).toBe(ns.metadata?.uid);
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toEqual(['team-a']);

    const deployment = await apps.createNamespacedDeployment({
      namespace: 'team-a',
      body: deploymentBody('web', 1),
    });
    expect([deployment.apiVersion, deployment.kind, deployment.metadata?.generation]).toEqual([
      'apps/v1',
      'Deployment',
      1,
    ]);
    const scaled = await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'team-a', body: { spec: { replicas: 4 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect([scaled.spec?.replicas, scaled.metadata?.generation]).toEqual([4, 2]);
    const status = await apps.replaceNamespacedDeploymentStatus({
      name: 'web',
      namespace: 'team-a',
      body: { ...scaled, status: { replicas: 4, readyReplicas: 2 } },
    });
    expect([status.status?.readyReplicas, status.metadata?.generation]).toEqual([2, 2]);
    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: 'team-a' });
    read.spec = { ...(read.spec as NonNullable<V1Deployment['spec']>), replicas: 2 };
    const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'team-a', body: read });
    expect([replaced.spec?.replicas, replaced.metadata?.generation, replaced.status?.readyReplicas]).toEqual([
      2, 3, 2,
    ]);
    expect((await apps.listDeploymentForAllNamespaces()).items.map((d) => d.metadata?.name)).toEqual(['web']);
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'team-a' });
    expect((await apps.listNamespacedDeployment({ namespace: 'team-a' })).items).toEqual([]);

    const cm: V1ConfigMap = { metadata: { name: 'cfg' }, data: { a: '1' } };
    await core.createNamespacedConfigMap({ namespace: 'team-a', body: cm });
    const cmRead = await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'team-a' });
    const cmReplaced = await core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace: 'team-a',
      body: { ...cmRead, data: { a: '2' } },
    });
    expect(cmReplaced.data).toEqual({ a: '2' });
    const cmPatched = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace: 'team-a', body: [{ op: 'add', path: '/data/b', value: '3' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(cmPatched.data).toEqual({ a: '2', b: '3' });
    await core.deleteNamespacedConfigMap({ name: 'cfg', namespace: 'team-a' });
    expect((await core.listNamespacedConfigMap({ namespace: 'team-a' })).items).toEqual([]);

    await core.deleteNamespace({ name: 'team-a' });
    expect((await apiError(core.readNamespace({ name: 'team-a' }))).code).toBe(404);
    // Every write went through the same global resourceVersion counter.
    expect(cluster.resourceVersion).toBe('11');
  });

  it('surfaces 404, 409 AlreadyExists, 409 Conflict and a failed JSON patch test (422) as ApiException', async () => {
    const server = await start();
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    const missing = await apiError(core.readNamespacedPod({ name: 'ghost', namespace: 'default' }));
    expect(missing.code).toBe(404);
    expect(missing.status).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });

    const v1 = await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'cfg' } },
    });
    const exists = await apiError(
      core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cfg' } } }),
    );
    expect([exists.code, exists.status.reason]).toEqual([409, 'AlreadyExists']);

    await core.replaceNamespacedConfigMap({
      name: 'cfg',
      namespace: 'default',
      body: { ...v1, data: { a: '1' } },
    });
    const conflict = await apiError(
      core.replaceNamespacedConfigMap({
        name: 'cfg',
        namespace: 'default',
        body: { ...v1, data: { a: 'lost' } },
      }),
    );
    expect([conflict.code, conflict.status.reason]).toEqual([409, 'Conflict']);

    const failedTest = await apiError(
      core.patchNamespacedConfigMap(
        {
          name: 'cfg',
          namespace: 'default',
          body: [
            { op: 'test', path: '/metadata/resourceVersion', value: v1.metadata?.resourceVersion },
            { op: 'add', path: '/data/b', value: '2' },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(failedTest.code).toBe(422);
    expect((await core.readNamespacedConfigMap({ name: 'cfg', namespace: 'default' })).data).toEqual({
      a: '1',
    });
  });

  it('serves discovery: /api, /apis, /api/v1, /apis/apps/v1, /version and CRD groups', async () => {
    const cluster = createFakeCluster();
    const server = await start(cluster);
    const kc = server.kubeConfig;

    const core = await kc.makeApiClient(CoreApi).getAPIVersions();
    expect(core.versions).toEqual(['v1']);

    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const apps = groups.groups.find((g) => g.name === 'apps');
    expect(apps?.versions.map((v) => v.groupVersion)).toEqual(['apps/v1']);
    expect(apps?.preferredVersion?.groupVersion).toBe('apps/v1');
    expect(groups.groups.some((g) => g.name === '')).toBe(false);

    const coreResources = await kc.makeApiClient(CoreV1Api).getAPIResources();
    expect(coreResources.groupVersion).toBe('v1');
    const pods = coreResources.resources.find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true });
    expect(pods?.verbs).toEqual(expect.arrayContaining(['list', 'watch', 'create', 'patch', 'delete']));
    expect(coreResources.resources.find((r) => r.name === 'namespaces')?.namespaced).toBe(false);
    expect(coreResources.resources.some((r) => r.name === 'pods/status')).toBe(true);

    const appsResources = await kc.makeApiClient(AppsV1Api).getAPIResources();
    expect(appsResources.groupVersion).toBe('apps/v1');
    expect(appsResources.resources.find((r) => r.name === 'deployments')?.kind).toBe('Deployment');

    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.major).toBe('1');

    // A CRD created over HTTP shows up in discovery and is served.
    expect(groups.groups.some((g) => g.name === 'example.com')).toBe(false);
    await cluster.admin.create(resources.customResourceDefinitions, {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true }],
      },
    });
    const after = await kc.makeApiClient(ApisApi).getAPIVersions();
    expect(after.groups.find((g) => g.name === 'example.com')?.versions.map((v) => v.version)).toEqual([
      'v1',
    ]);
    const response = await fetch(`${server.url}/apis/example.com/v1/namespaces/default/widgets`, {
      headers: { authorization: 'Bearer fake-cluster-token' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      kind: 'WidgetList',
      apiVersion: 'example.com/v1',
      items: [],
    });
  });

  it('requires the bearer token: 401 without it', async () => {
    const server = await start();
    const anonymous = new KubeConfig();
    anonymous.loadFromOptions({
      clusters: [{ name: 'fake', server: server.url, skipTLSVerify: true }],
      users: [{ name: 'anonymous' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'anonymous' }],
      currentContext: 'fake',
    });
    const denied = await apiError(
      anonymous.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default' }),
    );
    expect(denied.code).toBe(401);
    const wrong = new KubeConfig();
    wrong.loadFromOptions({
      clusters: [{ name: 'fake', server: server.url, skipTLSVerify: true }],
      users: [{ name: 'wrong', token: 'not-the-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'wrong' }],
      currentContext: 'fake',
    });
    expect((await apiError(wrong.makeApiClient(CoreApi).getAPIVersions())).code).toBe(401);
    const w = await watch(anonymous, '/api/v1/namespaces/default/pods');
    expect((await w.done) as { statusCode?: number }).toMatchObject({ statusCode: 401 });
    // The configured credentials work.
    expect(
      (await server.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'default' })).items,
    ).toEqual([]);
  });

  it('streams ADDED, MODIFIED, DELETED and BOOKMARK events to client-node Watch', async () => {
    const cluster = createFakeCluster({ bookmarkIntervalMs: 50 });
    const server = await start(cluster);
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'default', body: podBody('before') });
    const w = await watch(server.kubeConfig, '/api/v1/namespaces/default/pods', {
      allowWatchBookmarks: true,
      resourceVersion: cluster.resourceVersion,
    });
    await vi.waitFor(() => expect(cluster.activeWatches).toBe(1));

    await core.createNamespacedPod({ namespace: 'default', body: podBody('web') });
    await core.patchNamespacedPod(
      { name: 'web', namespace: 'default', body: { metadata: { labels: { a: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.createNamespacedPod({ namespace: 'other', body: podBody('elsewhere') });
    await core.deleteNamespacedPod({ name: 'web', namespace: 'default' });
    const rv = cluster.resourceVersion;

    await vi.waitFor(() => expect(w.summary()).toContain(`BOOKMARK ${rv}`), { timeout: 2_000, interval: 10 });
    const objectEvents = w.summary().filter((s) => !s.startsWith('BOOKMARK'));
    expect(objectEvents).toEqual(['ADDED web', 'MODIFIED web', 'DELETED web']);
    expect(w.events.find((e) => e.type === 'MODIFIED')?.object.metadata?.labels).toEqual({ a: 'b' });
    w.controller.abort();
    await vi.waitFor(() => expect(cluster.activeWatches).toBe(0));
  });

  it('supports streaming lists (sendInitialEvents) and label selectors on watches', async () => {
    const cluster = createFakeCluster({ bookmarkIntervalMs: 0 });
    const server = await start(cluster);
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'default', body: podBody('a', { app: 'web' }) });
    await core.createNamespacedPod({ namespace: 'default', body: podBody('b', { app: 'db' }) });
    const w = await watch(server.kubeConfig, '/api/v1/pods', {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
      labelSelector: 'app=web',
    });
    await vi.waitFor(() => expect(w.summary()).toEqual(['ADDED a', 'BOOKMARK 2']));
    expect(w.events[1]?.object.metadata?.annotations).toEqual({ [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
    await core.patchNamespacedPod(
      { name: 'b', namespace: 'default', body: { metadata: { labels: { app: 'web' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await vi.waitFor(() => expect(w.summary()).toEqual(['ADDED a', 'BOOKMARK 2', 'ADDED b']));
    w.controller.abort();

    // Without resourceVersionMatch the request is invalid: 422 before the stream starts.
    const invalid = await watch(server.kubeConfig, '/api/v1/pods', { sendInitialEvents: true });
    expect((await invalid.done) as { statusCode?: number }).toMatchObject({ statusCode: 422 });
  });

  it('answers a watch from a compacted resourceVersion with an in-stream ERROR 410, then closes', async () => {
    const cluster = createFakeCluster();
    const server = await start(cluster);
    await cluster.admin.create(resources.pods, podBody('a'));
    await cluster.admin.create(resources.pods, podBody('b'));
    cluster.compact();
    const w = await watch(server.kubeConfig, '/api/v1/namespaces/default/pods', { resourceVersion: '1' });
    expect(await w.done).toBeNull();
    expect(w.summary()).toEqual(['ERROR 410']);
    expect(w.events[0]?.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('ends watches on close(); a new listen({ port }) on the same port serves the same state', async () => {
    const cluster = createFakeCluster();
    const server = await start(cluster);
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'default', body: podBody('a') });
    const w = await watch(server.kubeConfig, '/api/v1/namespaces/default/pods', { resourceVersion: '1' });
    await vi.waitFor(() => expect(cluster.activeWatches).toBe(1));
    await core.createNamespacedPod({ namespace: 'default', body: podBody('b') });
    await vi.waitFor(() => expect(w.summary()).toEqual(['ADDED b']));

    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await w.done;
    expect(cluster.activeWatches).toBe(0);
    const down = await core.listNamespacedPod({ namespace: 'default' }).then(
      () => 'answered',
      () => 'refused',
    );
    expect(down).toBe('refused');

    // Writes while the server is down are kept: the state lives in the cluster, not the server.
    await cluster.admin.create(resources.pods, podBody('c'));
    const restarted = await start(cluster, server.port);
    expect(restarted.url).toBe(server.url);
    // The old KubeConfig (same URL, same token) works again.
    const pods = await core.listNamespacedPod({ namespace: 'default' });
    expect(pods.items.map((p) => p.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(pods.metadata?.resourceVersion).toBe('3');
    const resumed = await watch(restarted.kubeConfig, '/api/v1/namespaces/default/pods', {
      resourceVersion: '2',
    });
    await vi.waitFor(() => expect(resumed.summary()).toEqual(['ADDED c']));
    resumed.controller.abort();
  });

  it('applies failNext() and dropWatches() to HTTP clients', async () => {
    const cluster = createFakeCluster();
    const server = await start(cluster);
    const core = server.kubeConfig.makeApiClient(CoreV1Api);
    cluster.failNext(2, 503);
    expect((await apiError(core.listNamespacedPod({ namespace: 'default' }))).code).toBe(503);
    expect(
      (await apiError(core.createNamespacedPod({ namespace: 'default', body: podBody('a') }))).code,
    ).toBe(503);
    await core.createNamespacedPod({ namespace: 'default', body: podBody('a') });
    expect(cluster.resourceVersion).toBe('1');

    const w = await watch(server.kubeConfig, '/api/v1/namespaces/default/pods');
    await vi.waitFor(() => expect(w.summary()).toEqual(['ADDED a']));
    cluster.injectRawLine('{"type":"ADDED","object":{"metadata":{"name":"injected"}}}');
    await vi.waitFor(() => expect(w.summary()).toEqual(['ADDED a', 'ADDED injected']));
    cluster.dropWatches();
    expect(await w.done).toBeNull();
    expect(cluster.activeWatches).toBe(0);
  });
});
