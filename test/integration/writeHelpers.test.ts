/**
 * The lifecycle write helpers against the fake cluster, in process and over HTTP through
 * `kubeClient`: createOrUpdate / createOrPatch (created, updated, unchanged), dryRun on every
 * write, delete options (preconditions, propagation to dependents), deleteCollection, and the
 * kube-rs style `finalizer`.
 */
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrPatch } from '../../src/api/createOrPatch.js';
import { createOrUpdate } from '../../src/api/createOrUpdate.js';
import { deleteCollection } from '../../src/api/deleteCollection.js';
import { FinalizerError, finalizer } from '../../src/api/finalizer.js';
import { setControllerReference } from '../../src/api/ownerReferences.js';
import type { KubeClient } from '../../src/core/client.js';
import { isStatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster, type FakeCluster, type FakeServer } from '../../src/testing/index.js';
import { kubeClient } from '../../src/transport/kubeClient.js';

const NS = 'web';
const cm = (name: string, data: Record<string, string> = {}): V1ConfigMap => ({
  metadata: { name, namespace: NS },
  data,
});
const deployment = (name: string): V1Deployment => ({
  metadata: { name, namespace: NS },
  spec: { selector: { matchLabels: { app: name } }, template: { spec: { containers: [] } } },
});

async function statusOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (isStatusError(error)) return error.code;
    throw error;
  }
}

let server: FakeServer;
let httpCluster: FakeCluster;
beforeAll(async () => {
  httpCluster = createFakeCluster();
  server = await httpCluster.listen();
});
afterAll(() => server.close());

const clients: [string, () => { cluster: FakeCluster; client: KubeClient }][] = [
  [
    'in process',
    () => {
      const cluster = createFakeCluster();
      return { cluster, client: cluster.client };
    },
  ],
  [
    'over HTTP',
    () => ({ cluster: httpCluster, client: kubeClient(server.kubeConfig, { rateLimit: false }) }),
  ],
];

describe.each(clients)('write helpers (%s)', (_, make) => {
  it('createOrUpdate and createOrPatch report created, unchanged and updated', async () => {
    const { client } = make();
    const first = await createOrUpdate(client, resources.configMaps, cm('cou'), (d) => {
      d.data = { a: '1' };
    });
    expect(first.operation).toBe('created');
    const same = await createOrUpdate(client, resources.configMaps, cm('cou'), (d) => {
      d.data = { a: '1' };
    });
    expect(same).toMatchObject({
      operation: 'unchanged',
      object: { metadata: { resourceVersion: first.object.metadata?.resourceVersion } },
    });
    const changed = await createOrUpdate(client, resources.configMaps, cm('cou'), (d) => {
      d.data = { a: '2' };
    });
    expect(changed.operation).toBe('updated');
    expect(changed.object.data).toEqual({ a: '2' });

    const owner = await client.create(resources.deployments, deployment('site'));
    const created = await createOrPatch(client, resources.configMaps, cm('cop'), (d) => {
      d.data = { html: 'v1' };
      return setControllerReference(owner, d, { ownerResource: resources.deployments });
    });
    expect(created.operation).toBe('created');
    expect(created.object.metadata?.ownerReferences?.[0]).toMatchObject({ name: 'site', controller: true });
    // Someone else adds a field: a merge patch of our change leaves it alone.
    await client.patch(resources.configMaps, 'cop', { data: { theirs: 'x' } }, 'merge', { namespace: NS });
    const unchanged = await createOrPatch(client, resources.configMaps, cm('cop'), (d) => {
      d.data = { ...d.data, html: 'v1' };
      return setControllerReference(owner, d, { ownerResource: resources.deployments });
    });
    expect(unchanged.operation).toBe('unchanged');
    const patched = await createOrPatch(client, resources.configMaps, cm('cop'), (d) => {
      d.data = { ...d.data, html: 'v2' };
    });
    expect(patched.operation).toBe('updated');
    expect(patched.object.data).toEqual({ html: 'v2', theirs: 'x' });
  });

  it('dryRun on create, replace, patch, delete and the helpers stores nothing', async () => {
    const { client } = make();
    const dry = { namespace: NS, dryRun: true };
    const answer = await client.create(resources.configMaps, cm('dry', { a: '1' }), dry);
    expect(answer.data).toEqual({ a: '1' });
    expect(await statusOf(client.get(resources.configMaps, 'dry', { namespace: NS }))).toBe(404);
    expect(
      (await createOrPatch(client, resources.configMaps, cm('dry'), () => {}, { dryRun: true })).operation,
    ).toBe('created');
    expect(await statusOf(client.get(resources.configMaps, 'dry', { namespace: NS }))).toBe(404);

    const real = await client.create(resources.configMaps, cm('dry', { a: '1' }));
    await client.replace(resources.configMaps, { ...real, data: { a: '2' } }, dry);
    await client.patch(resources.configMaps, 'dry', { data: { a: '3' } }, 'merge', dry);
    await createOrUpdate(
      client,
      resources.configMaps,
      cm('dry'),
      (d) => {
        d.data = { a: '4' };
      },
      {
        dryRun: true,
      },
    );
    await client.delete(resources.configMaps, 'dry', dry);
    const after = await client.get(resources.configMaps, 'dry', { namespace: NS });
    expect(after.data).toEqual({ a: '1' });
    expect(after.metadata?.resourceVersion).toBe(real.metadata?.resourceVersion);
  });

  it('delete preconditions on uid and resourceVersion answer 409 when stale', async () => {
    const { client } = make();
    const first = await client.create(resources.configMaps, cm('pre'));
    await client.patch(resources.configMaps, 'pre', { data: { b: '1' } }, 'merge', { namespace: NS });
    const opts = { namespace: NS };
    expect(
      await statusOf(
        client.delete(resources.configMaps, 'pre', { ...opts, preconditions: { uid: 'not-it' } }),
      ),
    ).toBe(409);
    expect(
      await statusOf(
        client.delete(resources.configMaps, 'pre', {
          ...opts,
          preconditions: { resourceVersion: first.metadata?.resourceVersion as string },
        }),
      ),
    ).toBe(409);
    await client.delete(resources.configMaps, 'pre', {
      ...opts,
      preconditions: { uid: first.metadata?.uid as string },
    });
    expect(await statusOf(client.get(resources.configMaps, 'pre', opts))).toBe(404);
  });

  it('propagation: background deletes dependents, orphan keeps them without the reference, foreground waits', async () => {
    const { client } = make();
    const depend = async (owner: V1Deployment, name: string) =>
      client.create(
        resources.configMaps,
        setControllerReference(owner, cm(name), { ownerResource: resources.deployments }),
      );
    const get = (name: string) => client.get(resources.configMaps, name, { namespace: NS });

    const bg = await client.create(resources.deployments, deployment('bg'));
    await depend(bg, 'bg-dep');
    await client.delete(resources.deployments, 'bg', { namespace: NS, propagationPolicy: 'Background' });
    expect(await statusOf(get('bg-dep'))).toBe(404);

    const orphan = await client.create(resources.deployments, deployment('orphan'));
    await depend(orphan, 'orphan-dep');
    await client.delete(resources.deployments, 'orphan', { namespace: NS, propagationPolicy: 'Orphan' });
    expect((await get('orphan-dep')).metadata?.ownerReferences).toBeUndefined();

    const fg = await client.create(resources.deployments, deployment('fg'));
    const held = await depend(fg, 'fg-dep');
    await client.patch(
      resources.configMaps,
      'fg-dep',
      { metadata: { finalizers: ['example.com/hold'] } },
      'merge',
      {
        namespace: NS,
      },
    );
    await client.delete(resources.deployments, 'fg', { namespace: NS, propagationPolicy: 'Foreground' });
    const waiting = await client.get(resources.deployments, 'fg', { namespace: NS });
    expect(waiting.metadata?.finalizers).toContain('foregroundDeletion');
    expect((await get('fg-dep')).metadata?.deletionTimestamp).toBeDefined();
    await client.patch(resources.configMaps, 'fg-dep', { metadata: { finalizers: null } }, 'merge', {
      namespace: NS,
    });
    expect(await statusOf(get(held.metadata?.name as string))).toBe(404);
    expect(await statusOf(client.get(resources.deployments, 'fg', { namespace: NS }))).toBe(404);
  });

  it('deleteCollection deletes what the selector matches, and only that', async () => {
    const { client } = make();
    for (const [name, app] of [
      ['dc-a', 'x'],
      ['dc-b', 'x'],
      ['dc-c', 'y'],
    ] as const)
      await client.create(resources.configMaps, { metadata: { name, namespace: NS, labels: { dc: app } } });
    await deleteCollection(client, resources.configMaps, {
      namespace: NS,
      labelSelector: 'dc=x',
      dryRun: true,
    });
    expect(await statusOf(client.get(resources.configMaps, 'dc-a', { namespace: NS }))).toBeUndefined();
    await deleteCollection(client, resources.configMaps, { namespace: NS, labelSelector: 'dc=x' });
    expect(await statusOf(client.get(resources.configMaps, 'dc-a', { namespace: NS }))).toBe(404);
    expect(await statusOf(client.get(resources.configMaps, 'dc-b', { namespace: NS }))).toBe(404);
    expect(await statusOf(client.get(resources.configMaps, 'dc-c', { namespace: NS }))).toBeUndefined();
    // Without the client's own deleteCollection: list and delete.
    const { deleteCollection: _, ...plain } = client;
    await deleteCollection(plain as KubeClient, resources.configMaps, {
      namespace: NS,
      labelSelector: 'dc=y',
    });
    expect(await statusOf(client.get(resources.configMaps, 'dc-c', { namespace: NS }))).toBe(404);
  });

  it('finalizer: adds before apply, runs cleanup and removes itself on deletion, keeps itself when cleanup fails', async () => {
    const { client } = make();
    const name = 'example.com/cleanup';
    const log: string[] = [];
    const handlers = {
      apply: (o: { metadata?: { finalizers?: readonly string[] } }) => {
        log.push(`apply ${o.metadata?.finalizers?.join(',')}`);
        return 'applied';
      },
      cleanup: () => {
        log.push('cleanup');
        return 'cleaned';
      },
    };
    const created = await client.create(resources.configMaps, cm('fin'));
    expect(await finalizer(client, resources.configMaps, name, created, handlers)).toBe('applied');
    expect(log).toEqual([`apply ${name}`]);
    await client.delete(resources.configMaps, 'fin', { namespace: NS });
    const deleting = await client.get(resources.configMaps, 'fin', { namespace: NS });
    const failing = finalizer(client, resources.configMaps, name, deleting, {
      ...handlers,
      cleanup: () => {
        throw new Error('bucket busy');
      },
    });
    await expect(failing).rejects.toMatchObject({ phase: 'cleanup' });
    await expect(failing).rejects.toBeInstanceOf(FinalizerError);
    expect((await client.get(resources.configMaps, 'fin', { namespace: NS })).metadata?.finalizers).toEqual([
      name,
    ]);
    expect(await finalizer(client, resources.configMaps, name, deleting, handlers)).toBe('cleaned');
    expect(await statusOf(client.get(resources.configMaps, 'fin', { namespace: NS }))).toBe(404);
    // Deleted without our finalizer: nothing to do.
    expect(
      await finalizer(
        client,
        resources.configMaps,
        name,
        { ...deleting, metadata: { ...deleting.metadata, finalizers: [] } },
        handlers,
      ),
    ).toBeUndefined();
  });
});
