/**
 * An informer reading the fake cluster over real HTTP through `kubeClient` (the production
 * transport) converges through every fault a real connection sees: a dropped watch, an etcd
 * compaction (410 Gone), a 5xx burst, a malformed line and a server restart that loses every
 * watch. After each, the snapshot and the state rebuilt from `events$` equal a fresh list, and
 * only the compaction costs a relist.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isResourceExpired, type KubeRxError, WatchProtocolError } from '../../src/core/errors.js';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { type Informer, informer } from '../../src/runtime/informer.js';
import { createFakeCluster, type FakeCluster, type FakeServer } from '../../src/testing/index.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { churner } from '../support/churn.js';
import { lifecycleCounts } from '../support/lifecycleCounts.js';

interface Harness {
  cluster: FakeCluster;
  server: FakeServer;
  pods: Informer<V1Pod>;
  calls: { lists: number; watches: number };
  errors: KubeRxError[];
  fromEvents: Map<string, DeepReadonly<V1Pod>>;
  churn: (operations: number) => Promise<void>;
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function start(seed: number): Promise<Harness> {
  const cluster = createFakeCluster();
  const churn = churner(cluster, seed);
  await churn(25);
  const harness = { cluster, server: await cluster.listen(), churn } as Harness;
  cleanup.push(() => harness.server.close());
  const { counts: calls, onLifecycle } = lifecycleCounts();
  const client = kubeClient(harness.server.kubeConfig);
  harness.calls = calls;
  harness.errors = [];
  harness.pods = informer(client, resources.pods, {
    onLifecycle,
    pageSize: 10,
    backoff: { initialMs: 5, maxMs: 40, jitter: 0.5 },
    onError: (error) => harness.errors.push(error),
  });
  harness.fromEvents = new Map();
  const subscription: Subscription = harness.pods.events$.subscribe((event) => {
    const key = objectKey(event.object) as string;
    if (event.type === 'delete') harness.fromEvents.delete(key);
    else harness.fromEvents.set(key, event.object);
  });
  cleanup.push(() => subscription.unsubscribe());
  await harness.pods.synced;
  return harness;
}

async function converged(h: Harness): Promise<void> {
  await vi.waitFor(
    async () => {
      const fresh = await firstValueFrom(from(h.cluster.admin.list(resources.pods, {})));
      const expected = Object.fromEntries(fresh.items.map((o) => [objectKey(o as V1Pod) as string, o]));
      expect(
        Object.fromEntries(
          h.pods
            .snapshot()
            .list()
            .map((o) => [objectKey(o) as string, o]),
        ),
      ).toEqual(expected);
      expect(Object.fromEntries(h.fromEvents)).toEqual(expected);
      expect(h.pods.snapshot().resourceVersion).toBe(fresh.metadata.resourceVersion);
    },
    { timeout: 10_000, interval: 10 },
  );
}

/** Waits until the informer's watch is open on the server, so a fault hits a live stream. */
async function watching(h: Harness): Promise<void> {
  await vi.waitFor(() => expect(h.cluster.activeWatches).toBe(1), { timeout: 5_000, interval: 2 });
}

/** Stops the HTTP server (every connection and watch dies), runs `meanwhile`, restarts on the same port. */
async function restart(h: Harness, meanwhile: () => Promise<void>): Promise<void> {
  await h.server.close();
  await meanwhile();
  h.server = await h.cluster.listen({ port: h.server.port });
  cleanup.push(() => h.server.close());
}

describe('informer over kubeClient (HTTP) converges with the fake cluster', () => {
  it('follows churn after a paginated initial list', async () => {
    const h = await start(1);
    await h.churn(40);
    await converged(h);
    expect(h.calls.lists).toBe(1);
  });

  it('a dropped watch resumes from the last resourceVersion without a relist', async () => {
    const h = await start(2);
    for (let i = 0; i < 3; i++) {
      await watching(h);
      h.cluster.dropWatches();
      await h.churn(10);
    }
    await converged(h);
    expect(h.calls.lists).toBe(1);
    expect(h.calls.watches).toBeGreaterThanOrEqual(4);
  });

  it('a compaction while the watch is down forces a 410 and exactly one relist', async () => {
    const h = await start(3);
    await watching(h);
    await restart(h, async () => {
      await h.churn(15);
      h.cluster.compact();
    });
    await h.churn(10);
    await converged(h);
    expect(h.errors.some(isResourceExpired)).toBe(true);
    expect(h.calls.lists).toBe(2);
  });

  it('a 5xx burst on watch requests is retried with backoff, no relist', async () => {
    const h = await start(4);
    await watching(h);
    h.cluster.failNext(5, 503);
    h.cluster.dropWatches();
    await h.churn(10);
    await converged(h);
    expect(h.errors.filter((e) => 'code' in e && (e as { code: unknown }).code === 503)).toHaveLength(5);
    expect(h.calls.lists).toBe(1);
  });

  it('a malformed line is reported, the watch restarts from the last resourceVersion', async () => {
    const h = await start(5);
    await watching(h);
    h.cluster.injectRawLine('{"type": "ADDED", "object": {"metadata": ');
    await h.churn(10);
    await converged(h);
    expect(h.errors.some((e) => e instanceof WatchProtocolError)).toBe(true);
    expect(h.calls.lists).toBe(1);
  });

  it('a server restart that loses every watch: reconnects by itself and replays what it missed', async () => {
    const h = await start(6);
    await watching(h);
    await restart(h, () => h.churn(15));
    await h.churn(10);
    await converged(h);
    expect(h.calls.lists).toBe(1);
    expect(h.errors.length).toBeGreaterThan(0);
  });
});
