/**
 * A CustomResourceDefinition created at run time: once established, `discoverResource` finds its
 * REST collection through the discovery endpoints (by apiVersion and kind alone), and an informer
 * on the discovered resource lists and watches the custom objects like any built-in.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverResource } from '../../src/api/discovery.js';
import type { InformerEvent } from '../../src/core/events.js';
import { informer } from '../../src/runtime/informer.js';
import { installCrd } from './support/crd.js';
import { client, differences, ensureNamespace, eventually, freshList } from './support/env.js';

interface Gadget {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: { size: number };
}

const subscriptions: Subscription[] = [];
afterAll(() => {
  for (const s of subscriptions) s.unsubscribe();
});

describe('a CRD created at run time', () => {
  it('is discovered by apiVersion and kind, and watched by an informer', async () => {
    const c = client();
    const namespace = 'crd-e2e';
    await ensureNamespace(c, namespace);
    const group = 'gadgets.e2e.kube-rx.dev';
    // Not served before the CRD exists.
    await expect(discoverResource(c, `${group}/v1`, 'Gadget')).rejects.toMatchObject({ code: 404 });

    await installCrd(c, {
      group,
      kind: 'Gadget',
      plural: 'gadgets',
      specSchema: { type: 'object', properties: { size: { type: 'integer' } } },
    });
    let gadgets!: Awaited<ReturnType<typeof discoverResource<Gadget>>>;
    // Discovery catches up with a new CRD shortly after it is established.
    await eventually(
      async () => {
        try {
          gadgets = await discoverResource<Gadget>(c, `${group}/v1`, 'Gadget');
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      'discovery of the new CRD',
    );
    expect(gadgets).toEqual({ group, version: 'v1', plural: 'gadgets', kind: 'Gadget', namespaced: true });

    for (let i = 0; i < 3; i++)
      await c.create(gadgets, { metadata: { name: `g-${i}` }, spec: { size: i } }, { namespace });
    const inf = informer(c, gadgets, { namespace });
    const events: InformerEvent<Gadget>[] = [];
    subscriptions.push(inf.events$.subscribe((e) => events.push(e)));
    const synced = await inf.synced;
    expect(synced.size).toBe(3);
    expect(synced.namespace(namespace).get('g-1')).toMatchObject({
      apiVersion: `${group}/v1`,
      kind: 'Gadget',
      spec: { size: 1 },
    });

    await c.create(gadgets, { metadata: { name: 'g-3' }, spec: { size: 3 } }, { namespace });
    await c.patch(gadgets, 'g-0', { spec: { size: 10 } }, 'merge', { namespace });
    await c.delete(gadgets, 'g-2', { namespace });
    await eventually(
      () => events.some((e) => e.type === 'delete' && e.object.metadata?.name === 'g-2'),
      10_000,
      'watch events of the custom resource',
    );
    const live = events.filter((e) => !(e.type === 'add' && e.isInInitialList));
    expect(live.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual([
      'add g-3',
      'update g-0',
      'delete g-2',
    ]);
    expect(inf.snapshot().namespace(namespace).get('g-0')?.spec?.size).toBe(10);
    expect(differences(inf.snapshot().list(), await freshList(c, gadgets, { namespace }))).toEqual([]);
  });
});
