/**
 * examples/operator: the Website operator on the fake cluster, first in virtual time (what it
 * creates, patches and records), then as the process a user starts (`tsx examples/operator/main.ts`
 * on its embedded cluster): it answers /readyz and /metrics, and SIGTERM makes it drain, release
 * its Lease and exit 0. Also: manifests/crd.yaml is the CRD the code registers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { setupWebsiteOperator } from '../../examples/operator/operator.js';
import { type Website, websiteCrd, websites } from '../../examples/operator/website.js';
import { resources } from '../../src/core/resources.js';
import { manager } from '../../src/runtime/manager.js';
import type { StopResult } from '../../src/runtime/shutdown.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const NS = 'default';

describe('the Website operator in virtual time', () => {
  it('creates the ConfigMap and Deployment, follows spec changes, and records status', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler, bookmarkIntervalMs: 0 });
    await cluster.admin.create(resources.customResourceDefinitions, websiteCrd);
    await cluster.admin.create<Website>(websites, {
      metadata: { name: 'hello', namespace: NS },
      spec: { html: '<h1>hi</h1>', replicas: 2 },
    });
    const lines: string[] = [];
    const stop = new AbortController();
    const mgr = manager({
      client: cluster.client,
      scheduler: clock.scheduler,
      leaderElection: { namespace: NS, name: 'website-operator', identity: 'test' },
      signal: stop.signal,
    });
    setupWebsiteOperator(mgr, { log: (line) => lines.push(line) });
    let result: StopResult | undefined;
    void mgr.start().then((r) => {
      result = r;
    });
    await clock.advanceUntil(() => lines.length === 1, 10_000);
    expect(lines).toEqual([
      'reconciled default/hello: configmap created, deployment created, status (generation 1, 0 ready)',
    ]);
    const configMap = await cluster.admin.get<V1ConfigMap>(resources.configMaps, 'hello-html', {
      namespace: NS,
    });
    expect(configMap.data).toEqual({ 'index.html': '<h1>hi</h1>' });
    expect(configMap.metadata?.ownerReferences?.[0]).toMatchObject({
      apiVersion: 'web.kube-rx.example/v1',
      kind: 'Website',
      name: 'hello',
      controller: true,
    });
    const deployment = await cluster.admin.get<V1Deployment>(resources.deployments, 'hello', {
      namespace: NS,
    });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.template?.spec?.volumes?.[0]?.configMap?.name).toBe('hello-html');

    // A new page: the ConfigMap is patched and the pods roll (a new hash in the template).
    await cluster.admin.patch(websites, 'hello', { spec: { html: '<h1>hello</h1>' } }, 'merge', {
      namespace: NS,
    });
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

    stop.abort();
    await clock.advanceUntil(() => result !== undefined, 60_000);
    expect(result).toMatchObject({ reason: 'abort', drained: true, leaseReleased: true });
    expect(cluster.activeWatches).toBe(0);
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
    const lines: string[] = [];
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      lines.push(...chunk.split('\n').filter((l) => l !== ''));
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const waitFor = async (pattern: RegExp, timeoutMs = 30_000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found) return found;
        if (Date.now() > end || child.exitCode !== null)
          throw new Error(`no line ${pattern} in ${JSON.stringify(lines)}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const url = (await waitFor(/on http:\/\//)).replace(/.* on /, '');
    await waitFor(/^reconciled default\/hello: configmap created, deployment created/);
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
