/**
 * Server-side apply against the real kube-apiserver and the fake cluster, scenario by scenario:
 * the same writes go to both, and what comes back must agree: the object's data, its
 * managedFields (manager, operation, subresource, fieldsV1; times dropped) and the conflicts of a
 * refused apply (field and manager).
 */
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/api/apply.js';
import type { KubeClient } from '../../src/core/client.js';
import { ApplyConflictError } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster } from '../../src/testing/fakeCluster/fakeCluster.js';
import { client, ensureNamespace } from './support/env.js';

const namespace = 'apply-e2e';

type Step = (c: KubeClient, name: string) => Promise<unknown>;

/** What must agree: managedFields without times, plus the data (or the containers) of the object. */
function observed(result: unknown): unknown {
  if (result instanceof ApplyConflictError)
    return { conflicts: [...result.conflicts].sort((a, b) => a.field.localeCompare(b.field)) };
  if (result instanceof Error) return { error: (result as { code?: number }).code ?? result.message };
  const object = result as KubeObject & {
    data?: unknown;
    spec?: { template?: { spec?: { containers?: unknown } } };
  };
  // Entries written in the same second may come in either order: sorted by operation and manager.
  const managed = ((object.metadata as { managedFields?: Record<string, unknown>[] }).managedFields ?? [])
    .map(({ time: _t, ...rest }) => rest)
    .sort((a, b) => `${a.operation} ${a.manager}`.localeCompare(`${b.operation} ${b.manager}`));
  // Only what was applied: kube-apiserver also defaults container fields (imagePullPolicy, ...).
  const containers = (object.spec?.template?.spec?.containers as Record<string, unknown>[] | undefined)?.map(
    ({ name, image, env }) => ({ name, image, env }),
  );
  return { data: object.data, containers, managed };
}

async function run(c: KubeClient, name: string, steps: Step[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const step of steps) out.push(observed(await step(c, name).catch((e: unknown) => e)));
  return out;
}

const cm = (name: string, data: Record<string, string>) => ({ metadata: { name, namespace }, data });
const applyCm =
  (manager: string, data: Record<string, string>, force = false): Step =>
  (c, name) =>
    apply(c, resources.configMaps, cm(name, data), { fieldManager: manager, force });

const deployment = (name: string, containers: unknown[]) => ({
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers } },
  },
});
const applyDeployment =
  (manager: string, containers: unknown[]): Step =>
  (c, name) =>
    apply(c, resources.deployments, deployment(name, containers) as never, { fieldManager: manager });

const scenarios: Record<string, Step[]> = {
  'create, update, conflict, force, field removal': [
    applyCm('m1', { a: '1', b: '1' }),
    applyCm('m1', { a: '2', b: '1' }),
    applyCm('m2', { a: '3', b: '3' }),
    applyCm('m2', { a: '2' }),
    applyCm('m2', { b: '4' }, true),
    applyCm('m1', { c: '1' }),
  ],
  'updates recorded next to applies': [
    (c, name) => c.create(resources.configMaps, cm(name, { a: '1' }), { namespace, fieldManager: 'creator' }),
    (c, name) =>
      c.patch(resources.configMaps, name, { data: { b: '2' } }, 'merge', {
        namespace,
        fieldManager: 'patcher',
      }),
    applyCm('m1', { a: '9' }),
    applyCm('m1', { a: '9' }, true),
  ],
  'containers merged by name, removed when no longer applied': [
    applyDeployment('m1', [{ name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }]),
    applyDeployment('m2', [
      { name: 'side', image: 'envoy:1' },
      { name: 'web', env: [{ name: 'B', value: '2' }] },
    ]),
    applyDeployment('m2', [{ name: 'web', env: [{ name: 'B', value: '2' }] }]),
    applyDeployment('m1', [{ name: 'web', image: 'nginx:2' }]),
  ],
};

describe('server-side apply: the fake cluster answers like kube-apiserver', () => {
  for (const [title, steps] of Object.entries(scenarios)) {
    it(title, async () => {
      const real = client();
      await ensureNamespace(real, namespace);
      const name = `ssa-${Object.keys(scenarios).indexOf(title)}-${Date.now().toString(36)}`;
      const fake = createFakeCluster().client;
      const fromServer = await run(real, name, steps);
      const fromFake = await run(fake, name, steps);
      expect(fromFake).toEqual(fromServer);
    });
  }
});
