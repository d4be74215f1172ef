import { afterEach, describe, expect, it } from 'vitest';
import type { PatchType } from '../../src/core/client.js';
import { StatusError } from '../../src/core/errors.js';
import { defineResource, resources } from '../../src/core/resources.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { InvalidRequestError } from '../../src/transport/transportErrors.js';
import {
  expectNoSecret,
  kubeConfigFor,
  rejectionOf,
  sendJson,
  startServer,
  status,
  type TestServer,
  TOKEN,
} from './transportHarness.js';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

/** A server that answers every request with `{ echo: <method> }` and records it. */
async function echoClient(options?: Parameters<typeof kubeClient>[1]) {
  server = await startServer((req, res) =>
    sendJson(res, req.method === 'POST' ? 201 : 200, { echo: req.method }),
  );
  return kubeClient(kubeConfigFor(server.url), options);
}

const last = () => {
  const req = server.requests.at(-1);
  if (!req) throw new Error('no request');
  return {
    method: req.method,
    path: req.url.pathname,
    query: Object.fromEntries(req.url.searchParams),
    contentType: req.headers['content-type'],
    authorization: req.headers.authorization,
    body: req.body === '' ? undefined : JSON.parse(req.body),
  };
};

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'apps' },
  data: { a: '1' },
};

describe('kubeClient writes', () => {
  it('get: GET on the object path (and its subresource), returning the parsed body', async () => {
    const client = await echoClient();
    expect(await client.get(resources.deployments, 'web', { namespace: 'prod' })).toEqual({ echo: 'GET' });
    expect(last()).toMatchObject({ method: 'GET', path: '/apis/apps/v1/namespaces/prod/deployments/web' });
    await client.get(resources.deployments, 'web', { namespace: 'prod', subresource: 'scale' });
    expect(last().path).toBe('/apis/apps/v1/namespaces/prod/deployments/web/scale');
    expect(last().authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('create: POST the JSON object to the collection of its namespace, with fieldManager and dryRun', async () => {
    const client = await echoClient();
    expect(await client.create(resources.configMaps, cm, { fieldManager: 'me', dryRun: true })).toEqual({
      echo: 'POST',
    });
    expect(last()).toEqual({
      method: 'POST',
      path: '/api/v1/namespaces/apps/configmaps',
      query: { fieldManager: 'me', dryRun: 'All' },
      contentType: 'application/json',
      authorization: `Bearer ${TOKEN}`,
      body: cm,
    });
  });

  it('create/replace fill in apiVersion and kind from the resource (a real server rejects a custom resource without them)', async () => {
    const widgets = defineResource({
      group: 'example.com',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
    });
    const client = await echoClient();
    const bare = { metadata: { name: 'w', namespace: 'apps' }, spec: { size: 1 } };
    await client.create(widgets, bare);
    expect(last().body).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', ...bare });
    await client.replace(widgets, bare, { subresource: 'status' });
    expect(last().body).toEqual({ apiVersion: 'example.com/v1', kind: 'Widget', ...bare });
    // An explicit apiVersion/kind is kept as given.
    await client.replace(resources.configMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'apps' },
    });
    expect(last().body).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
  });

  it('create with a subresource: POST to the parent object (pods/eviction)', async () => {
    const client = await echoClient();
    const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'n' } };
    await client.create(resources.pods, eviction, { subresource: 'eviction' });
    expect(last()).toMatchObject({
      method: 'POST',
      path: '/api/v1/namespaces/n/pods/p/eviction',
      body: eviction,
    });
  });

  it('replace: PUT to the object path, options.namespace winning over metadata', async () => {
    const client = await echoClient();
    await client.replace(resources.configMaps, cm, { namespace: 'other' });
    expect(last()).toMatchObject({
      method: 'PUT',
      path: '/api/v1/namespaces/other/configmaps/cfg',
      body: cm,
    });
    await client.replace(
      resources.deployments,
      { metadata: { name: 'web', namespace: 'p' } },
      { subresource: 'status' },
    );
    expect(last().path).toBe('/apis/apps/v1/namespaces/p/deployments/web/status');
  });

  it.each<[PatchType, string]>([
    ['json', 'application/json-patch+json'],
    ['merge', 'application/merge-patch+json'],
    ['strategic', 'application/strategic-merge-patch+json'],
  ])('patch %s: PATCH with content type %s and no force', async (type, contentType) => {
    const client = await echoClient();
    const patch = type === 'json' ? [{ op: 'replace', path: '/data/a', value: '2' }] : { data: { a: '2' } };
    await client.patch(resources.configMaps, 'cfg', patch, type, { namespace: 'apps', force: true });
    expect(last()).toEqual({
      method: 'PATCH',
      path: '/api/v1/namespaces/apps/configmaps/cfg',
      query: {},
      contentType,
      authorization: `Bearer ${TOKEN}`,
      body: patch,
    });
  });

  it('patch apply: apply-patch+yaml with the default fieldManager kube-rx and force', async () => {
    const client = await echoClient();
    await client.patch(resources.configMaps, 'cfg', cm, 'apply', { namespace: 'apps', force: true });
    expect(last()).toMatchObject({
      method: 'PATCH',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'kube-rx', force: 'true' },
      body: cm,
    });
  });

  it('patch apply: a configured or explicit fieldManager, a status subresource and a string body', async () => {
    const client = await echoClient({ fieldManager: 'my-controller' });
    await client.patch(resources.deployments, 'web', '{"status":{"replicas":1}}', 'apply', {
      namespace: 'p',
      subresource: 'status',
    });
    expect(last()).toMatchObject({
      path: '/apis/apps/v1/namespaces/p/deployments/web/status',
      query: { fieldManager: 'my-controller' },
      body: { status: { replicas: 1 } },
    });
    await client.patch(resources.deployments, 'web', {}, 'apply', {
      namespace: 'p',
      fieldManager: 'explicit',
    });
    expect(last().query).toEqual({ fieldManager: 'explicit' });
  });

  it('delete: DELETE the object path with dryRun, returning the body', async () => {
    const client = await echoClient();
    expect(await client.delete(resources.pods, 'p', { namespace: 'n', dryRun: true })).toEqual({
      echo: 'DELETE',
    });
    expect(last()).toMatchObject({
      method: 'DELETE',
      path: '/api/v1/namespaces/n/pods/p',
      query: { dryRun: 'All' },
    });
  });

  it('addresses cluster-scoped resources without a namespace, and CRDs on their group path', async () => {
    const client = await echoClient();
    await client.get(resources.nodes, 'node-1', { namespace: 'ignored' });
    expect(last().path).toBe('/api/v1/nodes/node-1');
    const widgets = defineResource({
      group: 'example.com',
      version: 'v1alpha1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
    });
    await client.delete(widgets, 'w', { namespace: 'n' });
    expect(last().path).toBe('/apis/example.com/v1alpha1/namespaces/n/widgets/w');
  });

  it('rejects requests that cannot address an object with InvalidRequestError, sending nothing', async () => {
    const client = await echoClient();
    const errors = [
      await rejectionOf(client.get(resources.pods, 'p')),
      await rejectionOf(client.create(resources.pods, { metadata: { name: 'p' } })),
      await rejectionOf(client.replace(resources.pods, { metadata: { namespace: 'n' } })),
      await rejectionOf(client.patch(resources.pods, 'p', {}, 'merge')),
      await rejectionOf(client.delete(resources.pods, '', { namespace: 'n' })),
      await rejectionOf(client.patch(resources.pods, 'p', {}, 'bogus' as PatchType, { namespace: 'n' })),
    ];
    for (const error of errors) expect(error).toBeInstanceOf(InvalidRequestError);
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a conflict with a StatusError 409 that does not show the token', async () => {
    server = await startServer((req, res) =>
      sendJson(res, 409, status(409, 'Conflict', `object modified; auth was ${req.headers.authorization}`)),
    );
    const error = await rejectionOf(kubeClient(kubeConfigFor(server.url)).replace(resources.configMaps, cm));
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({ code: 409, reason: 'Conflict' });
    expectNoSecret(error);
  });
});
