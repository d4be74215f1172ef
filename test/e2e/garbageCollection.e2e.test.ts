/**
 * Owner references written by `setControllerReference`, honoured by the real garbage collector:
 * kube-controller-manager runs with only its garbagecollector controller for this file (started
 * through the global setup's control endpoint, stopped after). An owner ConfigMap has two
 * dependents, a ConfigMap and a Secret, and is deleted with each propagation policy:
 * - Background: the owner goes at once, the dependents after it;
 * - Foreground: the owner stays (deletionTimestamp, `foregroundDeletion` finalizer) until its
 *   blocking dependents are gone; a finalizer on one dependent holds it, and with it the owner;
 * - Orphan: the dependents stay, without their owner reference.
 */
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setControllerReference } from '../../src/api/ownerReferences.js';
import { isStatusError } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/objects.js';
import { type ResourceType, resources } from '../../src/core/resources.js';
import type { HttpKubeClient } from '../../src/transport/kubeClient.js';
import {
  client,
  ensureNamespace,
  eventually,
  startControllerManager,
  stopControllerManager,
} from './support/env.js';

const namespace = 'gc-e2e';
/** A finalizer of the test's own: it keeps a dependent (and so a foreground-deleted owner) around. */
const hold = 'e2e.kube-rx.io/hold';

let c: HttpKubeClient;

beforeAll(async () => {
  c = client();
  await ensureNamespace(c, namespace);
  await startControllerManager({ controllers: ['garbagecollector'] });
});

afterAll(async () => {
  await stopControllerManager();
});

/** The object, or undefined once the server answers 404. */
async function read<T extends KubeObject>(resource: ResourceType<T>, name: string): Promise<T | undefined> {
  try {
    return await c.get(resource, name, { namespace });
  } catch (error) {
    if (isStatusError(error) && error.code === 404) return undefined;
    throw error;
  }
}

const gone = async (resource: ResourceType<KubeObject>, name: string) =>
  (await read(resource, name)) === undefined;

/** Creates an owner ConfigMap and two dependents (a ConfigMap and a Secret) it controls. */
async function family(name: string, dependentFinalizers: string[] = []) {
  const owner = await c.create<V1ConfigMap>(resources.configMaps, {
    metadata: { name: `${name}-owner`, namespace },
    data: { role: 'owner' },
  });
  const configMap = await c.create<V1ConfigMap>(
    resources.configMaps,
    setControllerReference(owner, {
      metadata: { name: `${name}-cm`, namespace },
      data: { role: 'dependent' },
    }),
  );
  const secret = await c.create<V1Secret>(
    resources.secrets,
    setControllerReference(owner, {
      metadata: { name: `${name}-secret`, namespace, finalizers: dependentFinalizers },
      stringData: { role: 'dependent' },
    }),
  );
  const expected = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: owner.metadata?.name,
    uid: owner.metadata?.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  expect(configMap.metadata?.ownerReferences).toEqual([expected]);
  expect(secret.metadata?.ownerReferences).toEqual([expected]);
  return {
    owner: owner.metadata?.name as string,
    configMap: configMap.metadata?.name as string,
    secret: secret.metadata?.name as string,
  };
}

describe('garbage collection of dependents on kube-apiserver + kube-controller-manager', () => {
  it('Background: the owner goes at once, its dependents after it', async () => {
    const f = await family('background');
    await c.delete(resources.configMaps, f.owner, { namespace, propagationPolicy: 'Background' });
    expect(await gone(resources.configMaps, f.owner)).toBe(true);
    await eventually(
      async () =>
        (await gone(resources.configMaps, f.configMap)) && (await gone(resources.secrets, f.secret)),
      60_000,
      'the dependents of a background-deleted owner to be collected',
    );
  });

  it('Foreground: the owner keeps a foregroundDeletion finalizer until its blocking dependents are gone', async () => {
    // The Secret carries a finalizer of ours, so it outlives its deletion by the garbage collector
    // for as long as the test wants, and the owner has to wait for it.
    const f = await family('foreground', [hold]);
    const deleting = (await c.delete(resources.configMaps, f.owner, {
      namespace,
      propagationPolicy: 'Foreground',
    })) as V1ConfigMap;
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    expect(deleting.metadata?.finalizers).toContain('foregroundDeletion');

    // The garbage collector deletes both dependents: the ConfigMap disappears, the Secret only gets
    // a deletionTimestamp (our finalizer holds it).
    await eventually(
      async () =>
        (await gone(resources.configMaps, f.configMap)) &&
        (await read(resources.secrets, f.secret))?.metadata?.deletionTimestamp !== undefined,
      60_000,
      'the dependents of a foreground-deleted owner to be deleted',
    );
    // ... and the owner waits for the Secret, finalizer and all (checked for a few seconds).
    for (let i = 0; i < 10; i++) {
      const owner = await read(resources.configMaps, f.owner);
      expect(owner?.metadata?.deletionTimestamp).toBeDefined();
      expect(owner?.metadata?.finalizers).toContain('foregroundDeletion');
      await new Promise((r) => setTimeout(r, 300));
    }

    // Releasing the Secret lets it go, and then the owner.
    await c.patch(resources.secrets, f.secret, { metadata: { finalizers: null } }, 'merge', { namespace });
    await eventually(() => gone(resources.secrets, f.secret), 30_000, 'the released dependent to go');
    await eventually(
      () => gone(resources.configMaps, f.owner),
      60_000,
      'the foreground-deleted owner to go after its dependents',
    );
  });

  it('Orphan: the dependents stay, their owner reference removed', async () => {
    const f = await family('orphan');
    await c.delete(resources.configMaps, f.owner, { namespace, propagationPolicy: 'Orphan' });
    // The owner carries the orphan finalizer until the garbage collector has orphaned the dependents.
    await eventually(() => gone(resources.configMaps, f.owner), 60_000, 'the orphaning owner to go');
    const configMap = await read(resources.configMaps, f.configMap);
    const secret = await read(resources.secrets, f.secret);
    expect(configMap?.metadata?.deletionTimestamp).toBeUndefined();
    expect(secret?.metadata?.deletionTimestamp).toBeUndefined();
    expect(configMap?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(secret?.metadata?.ownerReferences ?? []).toEqual([]);
    expect(configMap?.data).toEqual({ role: 'dependent' });
    // Still there a moment later: nothing collects an orphan.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await gone(resources.configMaps, f.configMap)).toBe(false);
    expect(await gone(resources.secrets, f.secret)).toBe(false);
  });
});
