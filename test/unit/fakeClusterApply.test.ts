import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apply, applyStatus } from '../../src/api/apply.js';
import { ApplyConflictError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster } from '../../src/testing/fakeCluster/fakeCluster.js';
import { kubeClient } from '../../src/transport/kubeClient.js';

const meta = { name: 'cfg', namespace: 'default' };

function owners(object: { metadata?: unknown }): { manager: string; operation: string; fieldsV1: unknown }[] {
  const entries = (object.metadata as { managedFields?: Record<string, unknown>[] }).managedFields ?? [];
  return entries.map((e) => ({
    manager: e.manager as string,
    operation: e.operation as string,
    fieldsV1: e.fieldsV1,
    ...(e.subresource ? { subresource: e.subresource } : {}),
  }));
}

describe('server-side apply on the fake cluster', () => {
  it('creates the object when absent, owned by the applier alone', async () => {
    const { client } = createFakeCluster();
    const cm = await apply<V1ConfigMap>(
      client,
      resources.configMaps,
      { metadata: meta, data: { a: '1' } },
      { fieldManager: 'm1' },
    );
    expect(cm.data).toEqual({ a: '1' });
    expect(cm.metadata?.uid).toBeDefined();
    expect(owners(cm)).toEqual([
      { manager: 'm1', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } },
    ]);
  });

  it('records creates, replaces and patches as Update entries', async () => {
    const { client } = createFakeCluster();
    await client.create(
      resources.configMaps,
      { metadata: { ...meta, labels: { x: 'y' } }, data: { a: '1' } },
      { fieldManager: 'creator' },
    );
    const patched = await client.patch(resources.configMaps, 'cfg', { data: { b: '2' } }, 'merge', {
      namespace: 'default',
      fieldManager: 'patcher',
    });
    expect(owners(patched)).toEqual([
      {
        manager: 'creator',
        operation: 'Update',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } },
      },
      { manager: 'patcher', operation: 'Update', fieldsV1: { 'f:data': { 'f:b': {} } } },
    ]);
  });

  it('refuses a change to a field another manager owns with a typed 409, and takes it when forced', async () => {
    const { client } = createFakeCluster();
    await apply(
      client,
      resources.configMaps,
      { metadata: meta, data: { a: '1', b: '1' } },
      { fieldManager: 'm1' },
    );
    const error = await apply(
      client,
      resources.configMaps,
      { metadata: meta, data: { a: '2', b: '2' } },
      { fieldManager: 'm2' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyConflictError);
    expect((error as ApplyConflictError).conflicts).toEqual([
      { field: '.data.a', manager: 'm1' },
      { field: '.data.b', manager: 'm1' },
    ]);
    expect((error as ApplyConflictError).message).toContain(
      'Apply failed with 2 conflicts: conflicts with "m1":\n- .data.a\n- .data.b',
    );
    // The same value is shared ownership, not a conflict.
    const shared = await apply(
      client,
      resources.configMaps,
      { metadata: meta, data: { a: '1' } },
      { fieldManager: 'm2' },
    );
    expect(owners(shared).map((o) => o.fieldsV1)).toEqual([
      { 'f:data': { 'f:a': {}, 'f:b': {} } },
      { 'f:data': { 'f:a': {} } },
    ]);
    const forced = await apply(
      client,
      resources.configMaps,
      { metadata: meta, data: { b: '3' } },
      { fieldManager: 'm2', force: true },
    );
    expect(forced.data).toEqual({ a: '1', b: '3' });
    expect(owners(forced)).toEqual([
      { manager: 'm1', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } },
      { manager: 'm2', operation: 'Apply', fieldsV1: { 'f:data': { 'f:b': {} } } },
    ]);
  });

  it('removes the fields a manager stops applying, unless another manager owns them', async () => {
    const { client } = createFakeCluster();
    await apply(
      client,
      resources.configMaps,
      { metadata: meta, data: { a: '1', b: '1', c: '1' } },
      { fieldManager: 'm1' },
    );
    await apply(client, resources.configMaps, { metadata: meta, data: { c: '1' } }, { fieldManager: 'm2' });
    const after = await apply(
      client,
      resources.configMaps,
      { metadata: meta, data: { a: '1' } },
      { fieldManager: 'm1' },
    );
    expect(after.data).toEqual({ a: '1', c: '1' });
  });

  it('merges containers, ports and env by their keys', async () => {
    const { client } = createFakeCluster();
    const base = (containers: unknown[]) => ({
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
      },
    });
    await apply<V1Deployment>(
      client,
      resources.deployments,
      base([
        { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
      ]) as never,
      { fieldManager: 'm1' },
    );
    const after = await apply<V1Deployment>(
      client,
      resources.deployments,
      base([
        { name: 'sidecar', image: 'envoy' },
        { name: 'web', env: [{ name: 'B', value: '2' }] },
      ]) as never,
      { fieldManager: 'm2' },
    );
    const containers = after.spec?.template.spec?.containers ?? [];
    // As kube-apiserver: a new item goes before the next applied item that is live.
    expect(containers.map((c) => c.name)).toEqual(['sidecar', 'web']);
    expect(containers[1]?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    // m2 dropping its container removes it; m1's stays whole.
    const dropped = await apply<V1Deployment>(client, resources.deployments, base([]) as never, {
      fieldManager: 'm2',
    });
    expect(dropped.spec?.template.spec?.containers).toEqual([
      { name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }] },
    ]);
  });

  it('applies status on the status subresource, as its own manager entry', async () => {
    const { client } = createFakeCluster();
    await apply<V1Deployment>(
      client,
      resources.deployments,
      { metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 1 } } as never,
      { fieldManager: 'ctl' },
    );
    const out = await applyStatus<V1Deployment>(
      client,
      resources.deployments,
      { metadata: { name: 'web', namespace: 'default' }, status: { observedGeneration: 1 } },
      { fieldManager: 'ctl' },
    );
    expect(out.status).toEqual({ observedGeneration: 1 });
    expect(owners(out)).toContainEqual({
      manager: 'ctl',
      operation: 'Apply',
      fieldsV1: { 'f:status': { 'f:observedGeneration': {} } },
      subresource: 'status',
    });
  });

  it('works the same over HTTP, and refuses an apply without a field manager', async () => {
    const cluster = createFakeCluster();
    const server = await cluster.listen();
    try {
      const http = kubeClient(server.kubeConfig);
      await apply(http, resources.configMaps, { metadata: meta, data: { a: '1' } }, { fieldManager: 'm1' });
      const error = await apply(
        http,
        resources.configMaps,
        { metadata: meta, data: { a: '2' } },
        { fieldManager: 'm2' },
      ).catch((e: unknown) => e);
      expect((error as ApplyConflictError).conflicts).toEqual([{ field: '.data.a', manager: 'm1' }]);
      await expect(
        cluster.client.patch(resources.configMaps, 'cfg', { apiVersion: 'v1', kind: 'ConfigMap' }, 'apply', {
          namespace: 'default',
        }),
      ).rejects.toMatchObject({ code: 400 });
      // A write without fieldManager over HTTP is owned by the user agent's manager.
      const updated = await http.patch(resources.configMaps, 'cfg', { data: { z: '1' } }, 'merge', {
        namespace: 'default',
      });
      expect(owners(updated).map((o) => o.manager)).toEqual(['m1', 'kube-rx']);
    } finally {
      await server.close();
    }
  });
});
