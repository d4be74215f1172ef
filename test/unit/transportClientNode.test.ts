/**
 * client-node that cannot load (missing, or 2.x on Node < 22.19) is one typed, fatal error: named
 * versions and fix, the import attempted at most once, the Reflector erroring without a retry and
 * nothing left unhandled. Loaders are injected, so these run the same on every Node and
 * client-node version.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientNodeUnavailableError, isPersistentFailure, isUnrecoverable } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { listWatch } from '../../src/sources/listWatch.js';
import {
  type ClientNodeLoader,
  type ClientNodeModule,
  clientNodeAdvice,
  incompatibility,
  installedClientNode,
  loadClientNode,
} from '../../src/transport/clientNode.js';
import { kubeClientOn } from '../../src/transport/kubeClient.js';
import { loadDefaultKubeConfigWith } from '../../src/transport/kubeConfig.js';

/** Rejections nobody handled while a test ran (the process would die of one by default). */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** Lets pending rejections surface as `unhandledRejection` events. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * A loader whose import fails like client-node 2.x on Node 20: the import rejects, and Node's ESM
 * loader leaves a second rejection unhandled.
 */
function loaderLike(installedVersion: string | undefined, nodeVersion: string) {
  const load = vi.fn((): Promise<ClientNodeModule> => {
    Promise.reject(new TypeError("Cannot read properties of undefined (reading 'bind')"));
    return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'bind')"));
  });
  const version = vi.fn(() => installedVersion);
  const loader: ClientNodeLoader = { installedVersion: version, load, nodeVersion };
  return { loader, load, version };
}

async function rejection(promise: Promise<unknown>): Promise<ClientNodeUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClientNodeUnavailableError);
  return error as ClientNodeUnavailableError;
}

describe('loadClientNode', () => {
  it('does not import client-node 2.x on Node 20: one typed error naming both versions and the fix', async () => {
    const { loader, load, version } = loaderLike('2.0.1', '20.20.2');
    const first = await rejection(loadClientNode(loader));
    expect(first.message).toBe(
      '@kubernetes/client-node 2.0.1 does not run on Node 20.20.2 (it needs Node >= 22.19.0). ' +
        'Fix: on Node 20 install @kubernetes/client-node@^1.4.0 (2.x needs Node >= 22.19)',
    );
    expect(first).toMatchObject({ installedVersion: '2.0.1', nodeVersion: '20.20.2' });
    expect(isUnrecoverable(first) && isPersistentFailure(first)).toBe(true);
    // Asked again (a retry, a second kubeClient): the same error, nothing looked up or imported.
    expect(await rejection(loadClientNode(loader))).toBe(first);
    expect(load).not.toHaveBeenCalled();
    expect(version).toHaveBeenCalledTimes(1);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('imports client-node 2.x on Node >= 22.19 and 1.4 on Node 20', async () => {
    const module = { KubeConfig: class {} } as unknown as ClientNodeModule;
    for (const [installed, node] of [
      ['2.0.1', '22.19.0'],
      ['2.0.1', '24.3.0'],
      ['1.4.0', '20.11.0'],
    ] as const) {
      const load = vi.fn(async () => module);
      await expect(
        loadClientNode({ installedVersion: () => installed, load, nodeVersion: node }),
      ).resolves.toBe(module);
      expect(load).toHaveBeenCalledTimes(1);
    }
  });

  it('says client-node is not installed when it is not found', async () => {
    const notFound = Object.assign(new Error("Cannot find package '@kubernetes/client-node'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const load = vi.fn(() => Promise.reject(notFound));
    const error = await rejection(
      loadClientNode({ installedVersion: () => undefined, load, nodeVersion: '20.1.0' }),
    );
    expect(error.message).toBe(
      '@kubernetes/client-node is not installed (Node 20.1.0). ' +
        'Fix: on Node 20 install @kubernetes/client-node@^1.4.0 (2.x needs Node >= 22.19)',
    );
    expect(error).toMatchObject({ installedVersion: undefined, cause: notFound });
  });

  it('reports any other import failure once, with its cause, and never imports again', async () => {
    const load = vi.fn(() =>
      Promise.reject(new TypeError("Cannot read properties of undefined (reading 'bind')")),
    );
    const loader: ClientNodeLoader = { installedVersion: () => undefined, load, nodeVersion: '24.3.0' };
    const error = await rejection(loadClientNode(loader));
    expect(error.message).toBe(
      "cannot load @kubernetes/client-node on Node 24.3.0: Cannot read properties of undefined (reading 'bind'). " +
        'Fix: install @kubernetes/client-node (npm install @kubernetes/client-node)',
    );
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(await rejection(loadClientNode(loader))).toBe(error);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('compares versions numerically and advises by Node major', () => {
    expect(incompatibility('2.0.1', '22.18.9')).toContain('needs Node >= 22.19.0');
    expect(incompatibility('2.0.1', 'v22.19.0')).toBeUndefined();
    expect(incompatibility('3.0.0-beta.1', '20.20.2')).toContain('3.0.0-beta.1 does not run on Node 20.20.2');
    expect(incompatibility('1.4.0', '20.11.0')).toBeUndefined();
    expect(incompatibility(undefined, '20.11.0')).toBeUndefined();
    expect(clientNodeAdvice('22.1.0')).toBe(
      'on Node 22 install @kubernetes/client-node@^1.4.0 (2.x needs Node >= 22.19)',
    );
  });

  it('reads the installed version from the package.json next to kube-rx', () => {
    const manifest = createRequire(import.meta.url).resolve('@kubernetes/client-node/package.json');
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
    expect(installedClientNode.installedVersion()).toBe(version);
  });
});

describe('listWatch with a client-node that cannot load', () => {
  it('errors once with ClientNodeUnavailableError: no retry, no report, nothing unhandled', async () => {
    const { loader, load, version } = loaderLike('2.0.1', '20.20.2');
    const client = kubeClientOn(() => loadDefaultKubeConfigWith(loader));
    const onError = vi.fn();
    const error = await rejection(
      firstValueFrom(listWatch(client, resources.pods, { backoff: { initialMs: 1 }, onError })),
    );
    expect(error.message).toContain('@kubernetes/client-node 2.0.1 does not run on Node 20.20.2');
    // Another reflector on another client of the same process: the same error, no second lookup.
    const again = await rejection(
      firstValueFrom(
        listWatch(
          kubeClientOn(() => loadDefaultKubeConfigWith(loader)),
          resources.configMaps,
        ),
      ),
    );
    expect(again).toBe(error);
    await settle();
    expect(onError).not.toHaveBeenCalled();
    expect(load).not.toHaveBeenCalled();
    expect(version).toHaveBeenCalledTimes(1);
    expect(unhandled).toEqual([]);
  });
});
