/**
 * The example operator (examples/operator) against the real kube-apiserver, as the process a
 * cluster would run: its manifests are accepted by the API server (CRD and RBAC created, the
 * Deployment in a server-side dry run); it takes its Lease, server-side applies a Website's
 * ConfigMap and Deployment (the Website their controller, the operator's field manager in their
 * managedFields), records events, follows a spec change, answers /readyz and /metrics, runs its
 * finalizer when the Website is deleted, and on SIGTERM exits 0 within its drain deadline with the
 * Lease released.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventsV1Event, V1ConfigMap, V1Deployment, V1Lease } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FIELD_MANAGER, FINALIZER } from '../../examples/operator/operator.js';
import { type Website, websiteCrd, websites } from '../../examples/operator/website.js';
import type { KubeClient } from '../../src/core/client.js';
import { isStatusError } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/objects.js';
import { defineResource, type ResourceType, resources } from '../../src/core/resources.js';
import { processOutput } from '../support/processOutput.js';
import { client, e2e, ensureNamespace, eventually } from './support/env.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const manifests = join(repoRoot, 'examples/operator/manifests');
const NS = 'operator-e2e';
const IDENTITY = 'operator-e2e-1';
const DRAIN_SECONDS = 10;

const rbac = (plural: string, kind: string, namespaced: boolean): ResourceType<KubeObject> =>
  defineResource({ group: 'rbac.authorization.k8s.io', version: 'v1', plural, kind, namespaced });
const byKind: Record<string, ResourceType<KubeObject>> = {
  CustomResourceDefinition: resources.customResourceDefinitions,
  Namespace: resources.namespaces,
  ServiceAccount: resources.serviceAccounts,
  Deployment: resources.deployments,
  ClusterRole: rbac('clusterroles', 'ClusterRole', false),
  ClusterRoleBinding: rbac('clusterrolebindings', 'ClusterRoleBinding', false),
  Role: rbac('roles', 'Role', true),
  RoleBinding: rbac('rolebindings', 'RoleBinding', true),
};

function documents(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(manifests, file), 'utf8')).map((d) => d.toJSON() as KubeObject);
}

/** Creates a manifest's object (for real, or as a server-side dry run); an existing one is fine. */
async function apply(c: KubeClient, object: KubeObject, dryRun: boolean): Promise<void> {
  const resource = byKind[object.kind ?? ''];
  if (!resource) throw new Error(`no resource for kind ${object.kind}`);
  try {
    await c.create(resource, object, { namespace: object.metadata?.namespace, dryRun });
  } catch (error) {
    if (!(isStatusError(error) && error.code === 409)) throw error;
  }
}

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('the example operator against a real kube-apiserver', () => {
  it('is accepted by the API server: CRD, RBAC, and the Deployment in a dry run', async () => {
    const c = client();
    for (const object of documents('crd.yaml')) await apply(c, object, false);
    await eventually(
      async () => {
        const current = await c.get(resources.customResourceDefinitions, websiteCrd.metadata?.name as string);
        return (current.status?.conditions ?? []).some(
          (x) => x.type === 'Established' && x.status === 'True',
        );
      },
      30_000,
      'the Website CRD to be established',
    );
    for (const object of documents('rbac.yaml')) await apply(c, object, false);
    for (const object of documents('deployment.yaml')) await apply(c, object, true);
  });

  it('applies, records events, runs its finalizer, and exits 0 on SIGTERM within the deadline, Lease released', async () => {
    const c = client();
    await ensureNamespace(c, NS);
    await c.create<Website>(websites, {
      apiVersion: 'web.kube-rx.example/v1',
      kind: 'Website',
      metadata: { name: 'hello', namespace: NS },
      spec: { html: '<h1>hi</h1>', replicas: 2 },
    });

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'examples/operator/main.ts'),
        `--kubeconfig=${e2e().kubeconfig}`,
        `--namespace=${NS}`,
        `--lease-namespace=${NS}`,
        `--identity=${IDENTITY}`,
        '--port=0',
        `--drain-seconds=${DRAIN_SECONDS}`,
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const output = processOutput(child);
    const { lines, exited } = output;
    onTestFailed(() =>
      console.log(`[e2e operator] stdout:\n${lines.join('\n')}\nstderr:\n${output.stderr()}`),
    );
    const line = (pattern: RegExp, what: string) => output.line(pattern, { timeoutMs: 60_000, what });

    const url = (await line(/ on http:\/\//, 'the probe server')).replace(/.* on /, '');
    await line(
      new RegExp(
        `^reconciled ${NS}/hello: configmap created, deployment created, status \\(generation 1, 0 ready\\)$`,
      ),
      'the first reconcile',
    );
    const configMap = await c.get<V1ConfigMap>(resources.configMaps, 'hello-html', { namespace: NS });
    expect(configMap.data).toEqual({ 'index.html': '<h1>hi</h1>' });
    const deployment = await c.get<V1Deployment>(resources.deployments, 'hello', { namespace: NS });
    expect(deployment.spec?.replicas).toBe(2);
    const website = await c.get<Website>(websites, 'hello', { namespace: NS });
    expect(website.status?.observedGeneration).toBe(1);
    expect(website.metadata?.finalizers).toEqual([FINALIZER]);
    for (const owned of [configMap, deployment]) {
      expect(owned.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'Website',
          name: 'hello',
          uid: website.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        }),
      ]);
      expect(owned.metadata?.managedFields).toContainEqual(
        expect.objectContaining({ manager: FIELD_MANAGER, operation: 'Apply' }),
      );
    }
    const held = await c.get<V1Lease>(resources.leases, 'website-operator', { namespace: NS });
    expect(held.spec?.holderIdentity).toBe(IDENTITY);

    await eventually(
      async () => (await fetch(`${url}/readyz`)).status === 200,
      30_000,
      '/readyz to answer 200',
    );
    const verbose = await (await fetch(`${url}/readyz?verbose`)).text();
    expect(verbose).toBe(
      '[+]ping ok\n[+]informer-sync ok\n[+]watches ok\n[+]leader-election ok\n[+]shutdown ok\nreadyz check passed\n',
    );
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
      /^controller_runtime_reconcile_total\{controller="website",result="success"\} [1-9]/m,
    );

    // A new page reaches the ConfigMap through the watch.
    await c.patch(websites, 'hello', { spec: { html: '<h1>hello</h1>' } }, 'merge', { namespace: NS });
    await line(
      /^reconciled operator-e2e\/hello: configmap updated, deployment updated \(html\)/,
      'the update',
    );
    expect((await c.get<V1ConfigMap>(resources.configMaps, 'hello-html', { namespace: NS })).data).toEqual({
      'index.html': '<h1>hello</h1>',
    });
    const events = async () =>
      ((await firstValueFrom(from(c.list(resources.eventsV1, { namespace: NS })))).items as EventsV1Event[])
        .filter((e) => e.regarding?.name === 'hello' && e.regarding.kind === 'Website')
        .map((e) => `${e.type} ${e.reason} ${e.reportingController}: ${e.note}`);
    await eventually(async () => (await events()).length === 2, 30_000, 'two Synced events');
    expect((await events()).sort()).toEqual([
      'Normal Synced web.kube-rx.example/website-operator: configmap created, deployment created',
      'Normal Synced web.kube-rx.example/website-operator: configmap updated, deployment updated (html)',
    ]);

    // Deleting the Website waits for the finalizer's cleanup, then the Website is gone.
    await c.delete(websites, 'hello', { namespace: NS });
    await line(
      /^cleaned up operator-e2e\/hello: unpublished from the site directory$/,
      'the finalizer cleanup',
    );
    await eventually(
      async () => {
        try {
          await c.get(websites, 'hello', { namespace: NS });
          return false;
        } catch (error) {
          return isStatusError(error) && error.code === 404;
        }
      },
      30_000,
      'the Website to be deleted',
    );

    const sentAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stopMs = Date.now() - sentAt;
    expect(stopMs).toBeLessThan(DRAIN_SECONDS * 1000);
    expect(lines.at(-1)).toBe('stopped on SIGTERM: drained, Lease released');
    const released = await c.get<V1Lease>(resources.leases, 'website-operator', { namespace: NS });
    expect(released.spec?.holderIdentity).toBe('');
    console.log(`[e2e operator] stopped ${stopMs} ms after SIGTERM`);
  });
});
