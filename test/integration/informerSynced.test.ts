/**
 * `informer.synced` never hangs, against the fake cluster in virtual time: it rejects at once when
 * nothing runs the informer (saying how to start it), resolves per run, and rejects with the
 * stream's fatal error: a selector that does not parse (no request sent) or a 400 on the list.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidSelectorError, StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import { informerFactory } from '../../src/runtime/informerFactory.js';
import { InformerNotRunningError } from '../../src/runtime/syncedRuns.js';
import { countingClient } from '../../src/testing/countingClient.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

const subscriptions: Subscription[] = [];
afterEach(() => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
});

async function seeded() {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler });
  for (const name of ['a', 'b'])
    await cluster.client.create(resources.configMaps, { metadata: { name, namespace: 'default' } });
  const counted = countingClient(cluster.client);
  return { clock, cluster, ...counted };
}

/** The rejection of a promise that must reject (within a few turns of the event loop). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await Promise.race([
    promise.then(
      () => ({ resolved: true as const }),
      (error: unknown) => ({ error }),
    ),
    new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), 50)),
  ]);
  if (outcome === 'pending') throw new Error('still pending: synced hangs');
  if ('resolved' in outcome) throw new Error('resolved, expected a rejection');
  return outcome.error;
}

describe('informer.synced', () => {
  it('rejects at once when nothing subscribed, says how to start, and starts nothing', async () => {
    const { clock, client, calls } = await seeded();
    const configMaps = informer<V1ConfigMap>(client, resources.configMaps, { scheduler: clock.scheduler });
    const error = await rejectionOf(configMaps.synced);
    expect(error).toBeInstanceOf(InformerNotRunningError);
    expect((error as Error).message).toBe(
      'informer for configmaps.v1 is not running, so it cannot sync: subscribe to its events$, store$ ' +
        'or deltas$ first (or call start() or waitForCacheSync() on its informerFactory), then await synced',
    );
    expect(calls.lists + calls.watches).toBe(0);
  });

  it('resolves for the current run; a stopped run rejects; a new run syncs again', async () => {
    const { clock, cluster, client, calls } = await seeded();
    const configMaps = informer<V1ConfigMap>(client, resources.configMaps, { scheduler: clock.scheduler });
    const first = configMaps.store$.subscribe();
    const pending = configMaps.synced;
    await clock.advanceBy(100);
    const synced = await pending;
    expect(synced.keys().sort()).toEqual(['default/a', 'default/b']);
    expect(await configMaps.synced).toBe(synced);
    first.unsubscribe();
    expect(await rejectionOf(configMaps.synced)).toBeInstanceOf(InformerNotRunningError);

    await cluster.client.create(resources.configMaps, { metadata: { name: 'c', namespace: 'default' } });
    subscriptions.push(configMaps.events$.subscribe());
    await clock.advanceBy(100);
    expect((await configMaps.synced).size).toBe(3);
    expect(calls.lists).toBe(2);
  });

  it('rejects when the last subscriber leaves before the first list answers', async () => {
    const { clock, cluster, client } = await seeded();
    cluster.setLatency(5_000);
    const configMaps = informer<V1ConfigMap>(client, resources.configMaps, { scheduler: clock.scheduler });
    const subscription = configMaps.store$.subscribe();
    const pending = configMaps.synced;
    await clock.advanceBy(1_000);
    subscription.unsubscribe();
    const error = await rejectionOf(pending);
    expect(error).toBeInstanceOf(InformerNotRunningError);
    expect((error as Error).message).toBe(
      'informer for configmaps.v1 stopped before it synced: its last subscriber unsubscribed',
    );
  });

  it('rejects with InvalidSelectorError for a selector that does not parse; no request is sent', async () => {
    const { clock, client, calls } = await seeded();
    const onError = vi.fn();
    const configMaps = informer<V1ConfigMap>(client, resources.configMaps, {
      scheduler: clock.scheduler,
      labelSelector: 'app in (web',
      onError,
    });
    const streamError = vi.fn();
    subscriptions.push(configMaps.events$.subscribe({ error: streamError }));
    const error = await rejectionOf(configMaps.synced);
    expect(error).toBeInstanceOf(InvalidSelectorError);
    expect(streamError).toHaveBeenCalledWith(error);
    // Still the same answer once nothing runs any more: the failure, not "not running".
    expect(await rejectionOf(configMaps.synced)).toBe(error);
    expect(calls.lists + calls.watches).toBe(0);
    expect(onError).not.toHaveBeenCalled();
  });

  it('rejects with the StatusError when the list keeps answering 400', async () => {
    const { clock, cluster, client, calls } = await seeded();
    const onError = vi.fn();
    const configMaps = informer<V1ConfigMap>(client, resources.configMaps, {
      scheduler: clock.scheduler,
      fieldSelector: 'spec.unsupported=x',
      onError,
    });
    cluster.failNext(3, 400);
    subscriptions.push(configMaps.store$.subscribe({ error: () => undefined }));
    const pending = configMaps.synced;
    await clock.advanceBy(10_000);
    const error = await rejectionOf(pending);
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(calls.lists).toBe(3);
    expect(calls.watches).toBe(0);
    expect(onError.mock.calls.map(([e, context]) => [e.code, context.phase, context.retryInMs])).toEqual([
      [400, 'list', expect.any(Number)],
      [400, 'list', expect.any(Number)],
    ]);
  });
});

describe('informerFactory and synced', () => {
  it('a factory informer rejects synced until started; waitForCacheSync rejects with a fatal error', async () => {
    const { clock, client, calls } = await seeded();
    const factory = informerFactory(client, { scheduler: clock.scheduler });
    const good = factory.for(resources.configMaps, { namespace: 'default' });
    expect(await rejectionOf(good.synced)).toBeInstanceOf(InformerNotRunningError);
    const started = factory.waitForCacheSync();
    await clock.advanceBy(100);
    await started;
    expect((await good.synced).size).toBe(2);

    factory.for(resources.configMaps, { namespace: 'default', fieldSelector: 'metadata.name' });
    const error = await rejectionOf(factory.waitForCacheSync());
    expect(error).toBeInstanceOf(InvalidSelectorError);
    expect(error).toMatchObject({ kind: 'field' });
    expect(calls.lists).toBe(1);
    factory.shutdown();
    expect(await rejectionOf(good.synced)).toBeInstanceOf(InformerNotRunningError);
  });
});
