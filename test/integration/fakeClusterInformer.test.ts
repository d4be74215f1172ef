/**
 * An informer on the fake cluster's in-process client, under churn and injected faults: after
 * every fault the cache must converge with the cluster (its snapshot equals a fresh list), and it
 * must get there the way client-go's Reflector does: a dropped watch or a broken stream resumes
 * from the last resourceVersion without a relist; only 410 Gone (compaction) relists. Real time
 * with millisecond backoffs keeps each scenario well under a second.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isResourceExpired,
  type KubeRxError,
  StatusError,
  WatchProtocolError,
} from '../../src/core/errors.js';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { type Informer, informer } from '../../src/runtime/informer.js';
import type { ListWatchErrorContext } from '../../src/sources/listWatch.js';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index.js';
import { churner } from '../support/churn.js';
import { lifecycleCounts } from '../support/lifecycleCounts.js';

interface Harness {
  readonly cluster: FakeCluster;
  readonly pods: Informer<V1Pod>;
  readonly calls: { lists: number; pages: number; watches: number };
  readonly errors: { error: KubeRxError; context: ListWatchErrorContext }[];
  /** The objects the informer's events$ says exist, kept from add/update/delete events. */
  readonly fromEvents: Map<string, DeepReadonly<V1Pod>>;
  readonly churn: (operations: number) => Promise<void>;
}

const subscriptions: Subscription[] = [];
afterEach(() => {
  for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
});

async function start(seed: number, cluster: FakeCluster = createFakeCluster()): Promise<Harness> {
  const churn = churner(cluster, seed);
  await churn(20);
  const { counts: calls, onLifecycle } = lifecycleCounts();
  const errors: Harness['errors'] = [];
  const pods = informer(cluster.client, resources.pods, {
    onLifecycle,
    pageSize: 7,
    watchTimeoutSeconds: 300,
    backoff: { initialMs: 2, maxMs: 16, jitter: 0.5 },
    onError: (error, context) => errors.push({ error, context }),
  });
  const fromEvents = new Map<string, DeepReadonly<V1Pod>>();
  subscriptions.push(
    pods.events$.subscribe((event) => {
      const key = objectKey(event.object) as string;
      if (event.type === 'delete') fromEvents.delete(key);
      else fromEvents.set(key, event.object);
    }),
  );
  await pods.synced;
  return { cluster, pods, calls, errors, fromEvents, churn };
}

/** Waits until the informer's snapshot (and its events) equal a fresh list of the cluster. */
async function converged(h: Harness): Promise<void> {
  await vi.waitFor(
    async () => {
      const fresh = await firstValueFrom(from(h.cluster.admin.list(resources.pods, {})));
      const expected = Object.fromEntries(fresh.items.map((o) => [objectKey(o as V1Pod) as string, o]));
      const snapshot = h.pods.snapshot();
      expect(snapshot.synced).toBe(true);
      expect(Object.fromEntries(snapshot.list().map((o) => [objectKey(o) as string, o]))).toEqual(expected);
      expect(Object.fromEntries(h.fromEvents)).toEqual(expected);
    },
    { timeout: 5_000, interval: 5 },
  );
}

const errorsOf = (h: Harness, type: abstract new (...args: never[]) => KubeRxError) =>
  h.errors.filter((e) => e.error instanceof type);

describe('informer on the fake cluster converges through faults', () => {
  it('syncs a paginated initial list and follows churn', async () => {
    const h = await start(1);
    await converged(h);
    expect(h.pods.snapshot().size).toBeGreaterThan(7);
    expect(h.calls.pages).toBeGreaterThan(1);
    await h.churn(40);
    await converged(h);
    expect([h.calls.lists, h.calls.watches]).toEqual([1, 1]);
    expect(h.errors).toEqual([]);
  });

  it('dropWatches(): re-watches from the last resourceVersion without relisting', async () => {
    const h = await start(2);
    for (let round = 0; round < 5; round++) {
      await h.churn(10);
      h.cluster.dropWatches();
      await h.churn(10);
      await converged(h);
    }
    expect(h.calls.lists).toBe(1);
    expect(h.calls.watches).toBeGreaterThanOrEqual(6);
    expect(h.errors.filter((e) => e.context.relist)).toEqual([]);
  });

  it('changes made while the watch reconnects are replayed, not relisted', async () => {
    const h = await start(3);
    h.cluster.setLatency(30);
    h.cluster.dropWatches();
    await h.churn(25);
    h.cluster.setLatency(0);
    await converged(h);
    expect(h.calls.lists).toBe(1);
    expect(h.calls.watches).toBe(2);
  });

  it('compact() while the watch reconnects: 410 Gone, one relist, converged', async () => {
    const h = await start(4);
    await h.churn(10);
    await converged(h);
    // The watch reconnects late; meanwhile the cluster changes and compacts its history.
    h.cluster.setLatency(30);
    h.cluster.dropWatches();
    await h.churn(25);
    h.cluster.compact();
    await vi.waitFor(() => expect(h.calls.lists).toBe(2), { timeout: 2_000, interval: 5 });
    h.cluster.setLatency(0);
    await converged(h);
    await h.churn(15);
    await converged(h);
    expect(h.calls.lists).toBe(2);
    const expired = h.errors.filter((e) => isResourceExpired(e.error));
    expect(expired).toHaveLength(1);
    expect(expired[0]?.context).toMatchObject({ phase: 'watch', relist: true });
  });

  it('compact() + dropWatches() with the informer behind the global resourceVersion: relists', async () => {
    const h = await start(5);
    await h.churn(10);
    await converged(h);
    // Writes to another resource move the global resourceVersion past the pods watch's.
    await h.cluster.admin.create(resources.configMaps, { metadata: { name: 'cfg', namespace: 'default' } });
    h.cluster.compact();
    h.cluster.dropWatches();
    await h.churn(10);
    await converged(h);
    expect(h.calls.lists).toBe(2);
    expect(h.errors.filter((e) => isResourceExpired(e.error))).toHaveLength(1);
  });

  it('failNext(5, 503): retries the watch with backoff, then resumes without relisting', async () => {
    const h = await start(6);
    h.cluster.failNext(5, 503);
    h.cluster.dropWatches();
    await h.churn(20);
    await converged(h);
    const failures = errorsOf(h, StatusError);
    expect(failures.map((e) => (e.error as StatusError).code)).toEqual([503, 503, 503, 503, 503]);
    expect(failures.every((e) => e.context.phase === 'watch' && !e.context.relist)).toBe(true);
    expect(failures.every((e) => (e.context.retryInMs ?? 0) > 0)).toBe(true);
    expect(h.calls.lists).toBe(1);
    expect(h.calls.watches).toBe(7);
    await h.churn(10);
    await converged(h);
  });

  it('failNext(5, 503) during the initial list: retries the list until it succeeds', async () => {
    const cluster = createFakeCluster();
    cluster.failNext(5, 503);
    const h = await start(7, cluster);
    await converged(h);
    expect(errorsOf(h, StatusError).map((e) => e.context.phase)).toEqual([
      'list',
      'list',
      'list',
      'list',
      'list',
    ]);
    expect(h.calls.lists).toBe(6);
  });

  it("injectRawLine('garbage'): the broken watch is reported and re-opened from its resourceVersion", async () => {
    const h = await start(8);
    await h.churn(10);
    h.cluster.injectRawLine('garbage');
    await h.churn(10);
    await converged(h);
    expect(errorsOf(h, WatchProtocolError)).toHaveLength(1);
    expect(errorsOf(h, WatchProtocolError)[0]?.context).toMatchObject({ phase: 'watch', relist: false });
    expect(h.calls.lists).toBe(1);
    expect(h.calls.watches).toBe(2);
  });

  it('survives every fault interleaved with churn', async () => {
    const h = await start(9);
    const faults: (() => void)[] = [
      () => h.cluster.dropWatches(),
      () => h.cluster.failNext(5, 503),
      () => h.cluster.injectRawLine('garbage'),
      () => {
        h.cluster.compact();
        h.cluster.dropWatches();
      },
      () => h.cluster.injectRawLine('{"type":"BOOKMARK","object":{"metadata":{}}}'),
      () => h.cluster.dropWatches(),
    ];
    for (const fault of faults) {
      await h.churn(8);
      fault();
      await h.churn(8);
    }
    await converged(h);
    expect(h.pods.hasSynced()).toBe(true);
    // Only the compaction could have caused a relist.
    expect(h.calls.lists).toBeLessThanOrEqual(2);
  });
});
