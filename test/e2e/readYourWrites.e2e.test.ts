/**
 * Read-your-own-writes against the real kube-apiserver, under a slow watch: the informer talks to
 * the server through a TCP proxy that holds every chunk the server sends for 1.5 s, while the
 * reconcile writes straight to the server. A reconcile bumps a ConfigMap and asks to run again
 * 100 ms later, long before its write comes back through the watch. With `readYourWrites` it never
 * sees its key at a resourceVersion older than its own last write; without, it does (the control
 * that shows the test can fail).
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { patchWith } from '../../src/api/patchWith.js';
import { resourceVersionAtLeast } from '../../src/api/resourceVersion.js';
import { resourceVersionOf } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { controller } from '../../src/runtime/controller.js';
import { informer } from '../../src/runtime/informer.js';
import { client, e2e, ensureNamespace, eventually } from './support/env.js';
import { type TcpProxy, tcpProxy } from './support/tcpProxy.js';

const namespace = 'read-your-writes-e2e';
const WATCH_DELAY_MS = 1_500;
const RECONCILES = 5;

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

/** Runs the bumping controller on ConfigMap `name` until it reconciled RECONCILES times. */
async function run(name: string, readYourWrites: boolean) {
  const direct = client();
  await ensureNamespace(direct, namespace);
  await direct.create<V1ConfigMap>(resources.configMaps, {
    metadata: { name, namespace, labels: { 'kube-rx-e2e': name } },
    data: { n: '0' },
  });
  const proxy: TcpProxy = await tcpProxy(new URL(e2e().server), { delayMs: WATCH_DELAY_MS });
  cleanup.push(() => proxy.close());
  const configMaps = informer(client({ server: proxy.url }), resources.configMaps, {
    namespace,
    labelSelector: `kube-rx-e2e=${name}`,
  });
  const lastWrite = new Map<string, string>();
  const views: { rv: string; stale: boolean }[] = [];
  const subscription: Subscription = controller({
    for: configMaps,
    readYourWrites,
    reconcile: async (key, snapshot, context) => {
      const current = snapshot.get(key);
      if (!current || views.length >= RECONCILES) return undefined;
      const rv = resourceVersionOf(current);
      const mine = lastWrite.get(key);
      views.push({ rv, stale: mine !== undefined && !resourceVersionAtLeast(rv, mine) });
      if (views.length >= RECONCILES) return undefined;
      const written = await patchWith(direct, resources.configMaps, current, (draft) => {
        draft.data = { n: String(Number(draft.data?.n ?? 0) + 1) };
      });
      context.wrote(written);
      lastWrite.set(key, resourceVersionOf(written));
      return { requeueAfter: 100 };
    },
  }).subscribe();
  cleanup.push(() => subscription.unsubscribe());
  await eventually(() => views.length >= RECONCILES, 120_000, `${RECONCILES} reconciles of ${name}`);
  subscription.unsubscribe();
  return views;
}

describe('read-your-own-writes under a delayed watch (real kube-apiserver)', () => {
  it('a controller with readYourWrites never reconciles on a view older than its own last write', async () => {
    const views = await run('with-option', true);
    expect(views.filter((v) => v.stale)).toEqual([]);
    // Each reconcile saw the previous one's write: the resourceVersions strictly grow.
    const rvs = views.map((v) => Number(v.rv));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(new Set(rvs).size).toBe(RECONCILES);
  });

  it('without it, the delayed watch makes a reconcile see a stale view (the test can fail)', async () => {
    const views = await run('without-option', false);
    expect(views.some((v) => v.stale)).toBe(true);
  });
});
