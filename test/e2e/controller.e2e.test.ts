/**
 * A controller against the real API server, in the shape controller-runtime users write: a
 * custom resource (Widget) owns one ConfigMap each. The reconciler adds a finalizer, creates the
 * ConfigMap with a controlling ownerReference or fixes it with an immer patch (`patchWith`, a JSON
 * Patch guarded by a resourceVersion test), records status through the status subresource, and on
 * deletion removes the ConfigMap before releasing the finalizer (no garbage collector runs here,
 * so the finalizer is what cleans up). Edits to an owned ConfigMap wake its owner (`owns`).
 */
import type { V1ConfigMap, V1ObjectMeta } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFinalizer, isBeingDeleted, removeFinalizer } from '../../src/api/finalizers.js';
import { patchStatusWith, patchWith } from '../../src/api/patchWith.js';
import { isStatusError } from '../../src/core/errors.js';
import { splitKey } from '../../src/core/objects.js';
import { defineResource, resources } from '../../src/core/resources.js';
import { controller } from '../../src/runtime/controller.js';
import { informerFactory } from '../../src/runtime/informerFactory.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import type { WorkResult } from '../../src/workqueue/workQueue.js';
import { installCrd } from './support/crd.js';
import { client, ensureNamespace, eventually } from './support/env.js';

interface Widget {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: { size: number; color: string };
  status?: { configMap?: string; observedGeneration?: number };
}

const group = 'widgets.e2e.kube-rx.dev';
const widgets = defineResource<Widget>({
  group,
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
  namespaced: true,
});
const FINALIZER = 'e2e.kube-rx.dev/config-cleanup';
const namespace = 'controller-e2e';

const cleanup: (() => unknown)[] = [];
afterAll(() => {
  for (const fn of cleanup.reverse()) fn();
});

const notFound = (error: unknown) => isStatusError(error) && error.code === 404;

describe('a controller reconciling owned ConfigMaps', () => {
  it('creates, repairs and cleans up ConfigMaps with immer patches and a finalizer', async () => {
    const c = client();
    await ensureNamespace(c, namespace);
    await installCrd(c, {
      group,
      kind: 'Widget',
      plural: 'widgets',
      specSchema: {
        type: 'object',
        properties: { size: { type: 'integer' }, color: { type: 'string' } },
      },
    });

    const factory = informerFactory(c);
    cleanup.push(() => factory.shutdown());
    const primary = factory.for(widgets, { namespace });
    const configMaps = factory.for(resources.configMaps, { namespace });

    const reconcile = async (key: string, snapshot: Snapshot<Widget>): Promise<void> => {
      const widget = snapshot.get(key);
      if (!widget) return; // gone: its finalizer already cleaned up
      const { name } = splitKey(key);
      const cmName = `${name}-config`;
      const owned = configMaps.snapshot().namespace(namespace).get(cmName);
      if (isBeingDeleted(widget)) {
        await c.delete(resources.configMaps, cmName, { namespace }).catch((e) => {
          if (!notFound(e)) throw e;
        });
        // The cache may lag behind a finalizer we already removed: then the Widget is gone (404).
        await removeFinalizer(c, widgets, widget, FINALIZER).catch((e) => {
          if (!notFound(e)) throw e;
        });
        return;
      }
      const current = await ensureFinalizer(c, widgets, widget, FINALIZER);
      const desired = { size: String(current.spec?.size), color: String(current.spec?.color) };
      if (!owned) {
        await c.create<V1ConfigMap>(
          resources.configMaps,
          {
            metadata: {
              name: cmName,
              namespace,
              ownerReferences: [
                {
                  apiVersion: `${group}/v1`,
                  kind: 'Widget',
                  name,
                  uid: current.metadata?.uid as string,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            },
            data: desired,
          },
          { namespace },
        );
      } else {
        await patchWith(c, resources.configMaps, owned, (draft) => {
          if (draft.data?.size !== desired.size || draft.data?.color !== desired.color)
            draft.data = { ...draft.data, ...desired };
        });
      }
      const generation = current.metadata?.generation;
      await patchStatusWith(c, widgets, current, (draft) => {
        if (draft.status?.configMap !== cmName || draft.status?.observedGeneration !== generation)
          draft.status = { configMap: cmName, observedGeneration: generation };
      });
    };

    const results: WorkResult[] = [];
    const sub: Subscription = controller({
      for: primary,
      owns: [configMaps],
      reconcile,
      concurrency: 2,
      maxRetries: 20,
    }).subscribe((r) => results.push(r));
    cleanup.push(() => sub.unsubscribe());

    const configMap = (name: string) =>
      c.get<V1ConfigMap>(resources.configMaps, `${name}-config`, { namespace }).catch((e) => {
        if (notFound(e)) return undefined;
        throw e;
      });
    const widget = (name: string) =>
      c.get(widgets, name, { namespace }).catch((e) => {
        if (notFound(e)) return undefined;
        throw e;
      });

    // Create: each Widget gets a finalizer, an owned ConfigMap and a status.
    for (let i = 0; i < 3; i++)
      await c.create(
        widgets,
        { metadata: { name: `w-${i}` }, spec: { size: i, color: 'blue' } },
        { namespace },
      );
    for (let i = 0; i < 3; i++) {
      await eventually(
        async () => (await configMap(`w-${i}`))?.data?.size === String(i),
        30_000,
        `ConfigMap of w-${i}`,
      );
      await eventually(async () => (await widget(`w-${i}`))?.status?.configMap === `w-${i}-config`, 10_000);
      const w = (await widget(`w-${i}`)) as Widget;
      expect(w.metadata?.finalizers).toEqual([FINALIZER]);
      const cm = (await configMap(`w-${i}`)) as V1ConfigMap;
      expect(cm.data).toEqual({ size: String(i), color: 'blue' });
      expect(cm.metadata?.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'Widget', name: `w-${i}`, uid: w.metadata?.uid, controller: true }),
      ]);
    }

    // Update the owner: the ConfigMap follows (an immer patch), status records the generation.
    await c.patch(widgets, 'w-1', { spec: { size: 42, color: 'red' } }, 'merge', { namespace });
    await eventually(async () => (await configMap('w-1'))?.data?.size === '42', 15_000, 'w-1 resized');
    expect((await configMap('w-1'))?.data).toEqual({ size: '42', color: 'red' });
    await eventually(async () => (await widget('w-1'))?.status?.observedGeneration === 2, 10_000);

    // Tamper with an owned ConfigMap: the owner is reconciled and the drift is patched back.
    await c.patch(resources.configMaps, 'w-2-config', { data: { size: '999' } }, 'merge', { namespace });
    await eventually(async () => (await configMap('w-2'))?.data?.size === '2', 15_000, 'w-2 drift repaired');

    // Delete an owned ConfigMap: it is created again (a new object).
    const oldUid = (await configMap('w-0'))?.metadata?.uid;
    await c.delete(resources.configMaps, 'w-0-config', { namespace });
    await eventually(
      async () => {
        const cm = await configMap('w-0');
        return cm !== undefined && cm.metadata?.uid !== oldUid;
      },
      15_000,
      'w-0 ConfigMap recreated',
    );

    // Delete the owner: the finalizer holds it until its ConfigMap is gone, then it goes.
    await c.delete(widgets, 'w-1', { namespace });
    await eventually(
      async () => (await widget('w-1')) === undefined && (await configMap('w-1')) === undefined,
      15_000,
      'w-1 and its ConfigMap deleted',
    );
    // The others are untouched.
    expect((await configMap('w-0'))?.data).toEqual({ size: '0', color: 'blue' });
    expect((await configMap('w-2'))?.data).toEqual({ size: '2', color: 'blue' });

    expect(results.filter((r) => r.outcome === 'dropped')).toEqual([]);
    expect(results.filter((r) => r.outcome === 'success').length).toBeGreaterThanOrEqual(6);
    const retries = results.filter((r) => r.outcome === 'retry');
    console.log(
      `[e2e controller] ${results.length} reconciles: ${results.filter((r) => r.outcome === 'success').length} ok, ` +
        `${retries.length} retried (${[...new Set(retries.map((r) => String((r.error as Error)?.message).slice(0, 60)))].join('; ')})`,
    );
  });
});
