/**
 * etcd compaction against a real kube-apiserver: while an informer's connection is cut (a TCP
 * proxy in front of the server), Secrets are created, updated and deleted and etcd is compacted
 * up to its current revision, far above the informer's resourceVersion. When the connection
 * comes back, the re-watch from the old resourceVersion is answered with 410 Gone (Secrets are
 * watched straight from etcd: the setup disables their watch cache), the reflector relists, and
 * the cache ends equal to a fresh LIST: objects deleted meanwhile leave with a
 * DeletedFinalStateUnknown tombstone, objects created meanwhile arrive.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { isResourceExpired, type KubeRxError } from '../../src/core/errors.js';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import type { ListWatchErrorContext } from '../../src/sources/listWatch.js';
import { countingClient } from '../../src/testing/countingClient.js';
import {
  client,
  compactEtcd,
  differences,
  e2e,
  ensureNamespace,
  etcdRevision,
  eventually,
  freshList,
} from './support/env.js';
import { type TcpProxy, tcpProxy } from './support/tcpProxy.js';

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

const secret = (name: string, value: string): V1Secret => ({
  metadata: { name, labels: { 'kube-rx-e2e': 'compaction' } },
  stringData: { value },
});

describe('etcd compaction below the informer resourceVersion', () => {
  it('forces 410 Gone and a relist when the watch comes back; nothing is lost', async () => {
    const c = client();
    const namespace = 'compaction';
    await ensureNamespace(c, namespace);
    for (let i = 0; i < 30; i++) await c.create(resources.secrets, secret(`s-${i}`, `v${i}`), { namespace });

    const proxy: TcpProxy = await tcpProxy(new URL(e2e().server));
    cleanup.push(() => proxy.close());
    const { client: counted, calls } = countingClient(client({ server: proxy.url }));
    const errors: { error: KubeRxError; context: ListWatchErrorContext }[] = [];
    const secrets = informer(counted, resources.secrets, {
      namespace,
      backoff: { initialMs: 100, maxMs: 1_000 },
      onError: (error, context) => errors.push({ error, context }),
    });
    const fromEvents = new Map<string, DeepReadonly<V1Secret>>();
    const tombstones: string[] = [];
    const sub = secrets.events$.subscribe((event) => {
      const key = objectKey(event.object) as string;
      if (event.type === 'delete') {
        fromEvents.delete(key);
        if (event.finalStateUnknown) tombstones.push(key);
      } else fromEvents.set(key, event.object);
    });
    cleanup.push(() => sub.unsubscribe());
    await secrets.synced;
    expect(secrets.snapshot().size).toBe(30);

    // The watch works: a live update arrives.
    await c.patch(resources.secrets, 's-0', { stringData: { value: 'live' } }, 'merge', { namespace });
    const secretValue = (name: string) =>
      Buffer.from(secrets.snapshot().namespace(namespace).get(name)?.data?.value ?? '', 'base64').toString();
    await eventually(() => secretValue('s-0') === 'live', 10_000, 'the live update');
    const informerRv = Number(secrets.snapshot().resourceVersion);
    expect(calls.lists).toBe(1);

    // Take the informer's connection down; change things and compact etcd meanwhile.
    proxy.cut();
    for (let i = 1; i <= 10; i++) await c.delete(resources.secrets, `s-${i}`, { namespace });
    for (let i = 11; i <= 20; i++)
      await c.patch(resources.secrets, `s-${i}`, { stringData: { value: `changed-${i}` } }, 'merge', {
        namespace,
      });
    for (let i = 30; i < 40; i++)
      await c.create(resources.secrets, secret(`s-${i}`, `new-${i}`), { namespace });
    const revision = await etcdRevision();
    expect(revision).toBeGreaterThan(informerRv + 25);
    await compactEtcd(revision);
    // A list at the informer's old resourceVersion is now refused by etcd itself.
    await expect(
      c.list(resources.secrets, {
        namespace,
        resourceVersion: String(informerRv),
        resourceVersionMatch: 'Exact',
      }),
    ).rejects.toMatchObject({ code: 410 });

    proxy.restore();
    const expected = await freshList(c, resources.secrets, { namespace });
    await eventually(
      () =>
        differences(secrets.snapshot().list(), expected).length === 0 &&
        differences(fromEvents.values(), expected).length === 0,
      30_000,
      'the informer to relist after 410',
    );
    expect(differences(secrets.snapshot().list(), expected)).toEqual([]);
    expect(differences(fromEvents.values(), expected)).toEqual([]);
    expect(expected.size).toBe(30);

    // The re-watch got 410 Gone and led to exactly one relist.
    const gone = errors.filter(({ error }) => isResourceExpired(error));
    expect(gone.length).toBeGreaterThanOrEqual(1);
    expect(gone[0]?.context).toMatchObject({ phase: 'watch', relist: true });
    expect(calls.lists).toBe(2);
    // Deleted while the informer could not see it: a tombstone each, nothing else.
    expect(tombstones.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${namespace}/s-${i + 1}`).sort());
    console.log(
      `[e2e compaction] informer rv ${informerRv}, compacted at ${revision}; errors: ${errors
        .map(({ error, context }) => `${context.phase}:${error.name}`)
        .join(', ')}`,
    );
  });
});
