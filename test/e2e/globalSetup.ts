/**
 * vitest global setup of the end-to-end project: builds (or finds cached) kube-apiserver, etcd and
 * kube-controller-manager, starts the first two on loopback with a temporary data dir (the third
 * only when a test asks for it), and hands the tests a kubeconfig through
 * `provide('e2e', ...)`. Tests cannot call into this process, so it also serves a small control
 * endpoint on 127.0.0.1 for what only it can do: kill and restart kube-apiserver, start and stop
 * kube-controller-manager (only for the tests that ask for it).
 *
 * Everything it starts is stopped in the teardown; a detached reaper kills the binaries if this
 * process dies without one. KUBE_RX_E2E_KEEP=1 keeps the work dir (data, logs) for debugging.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ControlPlane, type ControlPlaneInfo } from './support/controlPlane.js';

declare module 'vitest' {
  export interface ProvidedContext {
    e2e: ControlPlaneInfo & { controlUrl: string };
  }
}

const here = dirname(fileURLToPath(import.meta.url));

/** Runs build.mjs (a no-op when the binaries are cached) and returns the folder holding them. */
function binaries(): string {
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(here, 'apiserver', 'build.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0)
    throw new Error(
      `building the e2e binaries (etcd, kube-apiserver, kube-controller-manager) failed (exit ${result.status})`,
    );
  const dir = result.stdout.trim().split('\n').pop();
  if (!dir) throw new Error('build.mjs printed no binary folder');
  console.log(`[e2e] binaries in ${dir} (${Date.now() - started} ms)`);
  return dir;
}

/**
 * POST /apiserver/{kill,start,restart?downMs=N} and
 * /controller-manager/{start?controllers=a,b,stop}: answers JSON `{ ok, ms }` once done.
 */
function controlServer(plane: ControlPlane): Promise<{ server: Server; url: string }> {
  let busy = Promise.resolve();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const actions: Record<string, () => Promise<void>> = {
      '/apiserver/kill': () => plane.killApiserver(),
      '/apiserver/start': () => plane.startApiserver(),
      '/apiserver/restart': async () => {
        await plane.killApiserver();
        await new Promise((r) => setTimeout(r, Number(url.searchParams.get('downMs') ?? 0)));
        await plane.startApiserver();
      },
      '/controller-manager/start': () =>
        plane.startControllerManager({
          controllers: (url.searchParams.get('controllers') ?? '').split(',').filter(Boolean),
        }),
      '/controller-manager/stop': () => plane.stopControllerManager(),
    };
    const action = actions[url.pathname];
    if (req.method !== 'POST' || !action) {
      res.writeHead(404).end();
      return;
    }
    const started = Date.now();
    // One action at a time, in arrival order.
    busy = busy
      .then(action)
      .then(
        () => ({ status: 200, body: { ok: true, ms: Date.now() - started } }),
        (error: unknown) => ({ status: 500, body: { ok: false, error: String(error) } }),
      )
      .then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    }),
  );
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const binDir = binaries();
  const workDir = mkdtempSync(join(tmpdir(), 'kube-rx-e2e-'));
  const pidsFile = join(workDir, 'pids');
  writeFileSync(pidsFile, '');
  const reaper = spawn(
    process.execPath,
    [join(here, 'support', 'reaper.mjs'), String(process.pid), pidsFile, workDir],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  reaper.unref();
  const plane = new ControlPlane({
    binDir,
    workDir,
    onSpawn: (pids) => writeFileSync(pidsFile, pids.join('\n')),
  });
  const cleanup = async () => {
    await plane.stop();
    reaper.kill('SIGKILL');
    if (process.env.KUBE_RX_E2E_KEEP) console.log(`[e2e] kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  };
  const started = Date.now();
  try {
    await plane.start();
  } catch (error) {
    console.error(`[e2e] control plane failed to start; logs in ${plane.logDir}`);
    process.env.KUBE_RX_E2E_KEEP = '1';
    await cleanup();
    throw error;
  }
  console.log(
    `[e2e] etcd ${plane.etcdUrl} + kube-apiserver ${plane.server} ready in ${Date.now() - started} ms`,
  );
  const control = await controlServer(plane);
  project.provide('e2e', { ...plane.info(), controlUrl: control.url });
  return async () => {
    await new Promise((resolve) => control.server.close(resolve));
    control.server.closeAllConnections();
    await cleanup();
  };
}
