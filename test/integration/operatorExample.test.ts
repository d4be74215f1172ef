/**
 * examples/operator: the Website operator on the fake cluster, first in virtual time (what it
 * applies, with which owner references and managed fields; the status and events it records, a
 * series growing on repeats; the finalizer's cleanup on deletion; a Warning on failure), then as the process a user starts (`tsx examples/operator/main.ts`
 * on its embedded cluster): it answers /readyz and /metrics, and SIGTERM makes it drain, release
 * its Lease and exit 0. Also: manifests/crd.yaml is the CRD the code registers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventsV1Event, V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FIELD_MANAGER, FINALIZER, setupWebsiteOperator } from '../../examples/operator/operator.js';
import { inMemorySiteDirectory } from '../../examples/operator/siteDirectory.js';
import { type Website, websiteCrd, websites } from '../../examples/operator/website.js';
import { eventRecorder } from '../../src/api/eventRecorder/eventRecorder.js';
import type { KubeClient } from '../../src/core/client.js';
import { statusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { manager } from '../../src/runtime/manager.js';
import type { StopResult } from '../../src/runtime/shutdown.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';
import { processOutput } from '../support/processOutput.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const NS = 'default';

describe('the Website operator in virtual time', () => {
  function setup(client?: (inner: KubeClient) => KubeClient) {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler, bookmarkIntervalMs: 0 });
    const lines: string[] = [];
    const stop = new AbortController();
    const operatorClient = client ? client(cluster.client) : cluster.client;
    const events = eventRecorder(operatorClient, {
      controller: 'web.kube-rx.example/website-operator',
      instance: 'test',
      scheduler: clock.scheduler,
    });
    const directory = inMemorySiteDirectory();
    const mgr = manager({
      client: operatorClient,
      scheduler: clock.scheduler,
      leaderElection: { namespace: NS, name: 'website-operator', identity: 'test' },
      eventRecorders: [events],
      signal: stop.signal,
    });
    setupWebsiteOperator(mgr, { events, directory, log: (line) => lines.push(line) });
    const outcome: { result?: StopResult } = {};
    const start = async () => {
      await cluster.admin.create(resources.customResourceDefinitions, websiteCrd);
      await cluster.admin.create<Website>(websites, {
        metadata: { name: 'hello', namespace: NS },
        spec: { html: '<h1>hi</h1>', replicas: 2 },
      });
      void mgr.start().then((r) => {
        outcome.result = r;
      });
    };
    const stopped = async () => {
      stop.abort();
      await clock.advanceUntil(() => outcome.result !== undefined, 60_000);
      return outcome.result;
    };
    // The fake's list answers on the (virtual) scheduler: run it.
    const recorded = async () => {
      const answer = firstValueFrom(from(cluster.admin.list(resources.eventsV1, { namespace: NS })));
      await clock.advanceBy(0);
      return ((await answer).items as EventsV1Event[]).map((e) => ({
        type: e.type,
        reason: e.reason,
        note: e.note,
        count: e.series?.count,
      }));
    };
    const setPage = (html: string) =>
      cluster.admin.patch(websites, 'hello', { spec: { html } }, 'merge', { namespace: NS });
    return { clock, cluster, lines, directory, start, stopped, recorded, setPage };
  }

  it('applies the ConfigMap and Deployment, follows spec changes, records status and events', async () => {
    const { clock, cluster, lines, directory, start, stopped, recorded, setPage } = setup();
    await start();
    await clock.advanceUntil(() => lines.length === 1, 10_000);
    expect(lines).toEqual([
      'reconciled default/hello: configmap created, deployment created, status (generation 1, 0 ready)',
    ]);
    const created = await cluster.admin.get<Website>(websites, 'hello', { namespace: NS });
    expect(created.metadata?.finalizers).toEqual([FINALIZER]);
    expect([...directory.entries]).toEqual([['default/hello', 'https://hello.default.sites.example']]);
    const configMap = await cluster.admin.get<V1ConfigMap>(resources.configMaps, 'hello-html', {
      namespace: NS,
    });
    expect(configMap.data).toEqual({ 'index.html': '<h1>hi</h1>' });
    const deployment = await cluster.admin.get<V1Deployment>(resources.deployments, 'hello', {
      namespace: NS,
    });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template?.spec?.volumes?.[0]?.configMap?.name).toBe('hello-html');
    for (const owned of [configMap, deployment]) {
      expect(owned.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'web.kube-rx.example/v1',
          kind: 'Website',
          name: 'hello',
          uid: created.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(owned.metadata?.managedFields).toContainEqual(
        expect.objectContaining({ manager: FIELD_MANAGER, operation: 'Apply' }),
      );
    }

    // A new page: the ConfigMap is applied again and the pods roll (a new hash in the template).
    await setPage('<h1>hello</h1>');
    await clock.advanceUntil(() => lines.length === 2, 10_000);
    expect(lines[1]).toBe(
      'reconciled default/hello: configmap updated, deployment updated (html), status (generation 2, 0 ready)',
    );
    // The Deployment's pods become ready: the owned informer wakes the Website, its status follows.
    await cluster.admin.patch(resources.deployments, 'hello', { status: { readyReplicas: 2 } }, 'merge', {
      namespace: NS,
      subresource: 'status',
    });
    await clock.advanceUntil(() => lines.length === 3, 10_000);
    expect(lines[2]).toBe('reconciled default/hello: status (generation 2, 2 ready)');
    const website = await cluster.admin.get<Website>(websites, 'hello', { namespace: NS });
    expect(website.status).toEqual({ observedGeneration: 2, readyReplicas: 2 });

    // The page flips back and forth: the same event again joins one series, its count grows.
    await setPage('<h1>hi</h1>');
    await clock.advanceUntil(() => lines.length === 4, 10_000);
    await setPage('<h1>hello</h1>');
    await clock.advanceUntil(() => lines.length === 5, 10_000);
    await clock.advanceBy(1_000);
    expect(await recorded()).toEqual([
      { type: 'Normal', reason: 'Synced', note: 'configmap created, deployment created', count: undefined },
      { type: 'Normal', reason: 'Synced', note: 'configmap updated, deployment updated (html)', count: 3 },
    ]);

    // Deleting the Website runs the finalizer's cleanup; then it goes, and what it owned with it.
    await cluster.admin.delete(websites, 'hello', { namespace: NS });
    await clock.advanceUntil(() => lines.length === 6, 10_000);
    expect(lines[5]).toBe('cleaned up default/hello: unpublished from the site directory');
    expect(directory.entries.size).toBe(0);
    await clock.advanceBy(1_000);
    const gone = [
      cluster.admin.get(websites, 'hello', { namespace: NS }),
      cluster.admin.get(resources.configMaps, 'hello-html', { namespace: NS }),
      cluster.admin.get(resources.deployments, 'hello', { namespace: NS }),
    ];
    for (const get of gone) await expect(get).rejects.toMatchObject({ code: 404 });

    expect(await stopped()).toMatchObject({ reason: 'abort', drained: true, leaseReleased: true });
    expect((await recorded()).at(-1)).toEqual({
      type: 'Normal',
      reason: 'Unpublished',
      note: 'unpublished from the site directory',
      count: undefined,
    });
    expect(cluster.activeWatches).toBe(0);
  });

  it('records a Warning when a reconcile fails, and succeeds on the retry', async () => {
    let failures = 1;
    const { clock, lines, start, stopped, recorded } = setup((inner) => ({
      list: (resource, options, signal) => inner.list(resource, options, signal),
      watch: (resource, options) => inner.watch(resource, options),
      get: (resource, name, options) => inner.get(resource, name, options),
      create: (resource, object, options) => inner.create(resource, object, options),
      replace: (resource, object, options) => inner.replace(resource, object, options),
      patch: (resource, name, body, type, options) =>
        resource.kind === 'Deployment' && type === 'apply' && failures-- > 0
          ? Promise.reject(statusError(500, 'etcd is unavailable'))
          : inner.patch(resource, name, body, type, options),
      delete: (resource, name, options) => inner.delete(resource, name, options),
    }));
    await start();
    await clock.advanceUntil(() => lines.some((l) => l.startsWith('reconciled ')), 10_000);
    expect(lines[0]).toMatch(
      /^retrying default\/hello in \d+ ms: finalizer .*: apply failed: 500 InternalError: etcd is unavailable$/,
    );
    expect(lines[1]).toBe('reconciled default/hello: deployment created, status (generation 1, 0 ready)');
    await clock.advanceBy(1_000);
    expect(await recorded()).toEqual([
      {
        type: 'Warning',
        reason: 'ReconcileFailed',
        note: 'finalizer web.kube-rx.example/unpublish: apply failed: 500 InternalError: etcd is unavailable',
        count: undefined,
      },
      { type: 'Normal', reason: 'Synced', note: 'deployment created', count: undefined },
    ]);
    expect(await stopped()).toMatchObject({ reason: 'abort', drained: true });
  });

  it('ships manifests/crd.yaml as the CRD the code registers', () => {
    const manifest = parse(readFileSync(join(repoRoot, 'examples/operator/manifests/crd.yaml'), 'utf8'));
    expect(manifest).toEqual(websiteCrd);
  });
});

describe('the Website operator as a process', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('answers /readyz and /metrics, and on SIGTERM drains, releases its Lease and exits 0', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'examples/operator/main.ts'), '--port', '0', '--identity', 'proc'],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const { lines, exited, line } = processOutput(child);
    const url = (await line(/on http:\/\//)).replace(/.* on /, '');
    await line(/^reconciled default\/hello: configmap created, deployment created/);
    const readyz = await fetch(`${url}/readyz?verbose`);
    expect(readyz.status).toBe(200);
    expect(await readyz.text()).toContain('[+]leader-election ok\n');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /^controller_runtime_reconcile_total\{controller="website",result="success"\} [1-9]/m,
    );
    expect(metrics).toContain('process_cpu_user_seconds_total');

    const sentAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    expect(lines.at(-1)).toBe('stopped on SIGTERM: drained, Lease released');
  });
});
