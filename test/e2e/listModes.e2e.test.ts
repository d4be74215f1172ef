/**
 * The two ways the Reflector fetches its initial state, against the real server:
 * - a streaming list (`listMode: 'streaming'`, KEP-3157 `sendInitialEvents`): one watch, no
 *   LIST request, buffered until the `k8s.io/initial-events-end` bookmark, and the same stream
 *   then carries live events;
 * - a paginated list with a small page size: every page but the last is full, all pages are
 *   served at the first page's resourceVersion (an object created between pages is not in the
 *   list but comes through the watch), and the result equals a fresh LIST.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient, WatchOptions } from '../../src/core/client.js';
import type { KubeRxError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import { client, differences, ensureNamespace, eventually, freshList } from './support/env.js';

const namespace = 'list-modes';
const COUNT = 120;
const subscriptions: Subscription[] = [];
afterAll(() => {
  for (const s of subscriptions) s.unsubscribe();
});

const configMap = (name: string): V1ConfigMap => ({ metadata: { name, namespace }, data: { name } });

beforeAll(async () => {
  const c = client();
  await ensureNamespace(c, namespace);
  await Promise.all(
    Array.from({ length: COUNT }, (_, i) =>
      c.create(resources.configMaps, configMap(`cm-${i}`), { namespace }),
    ),
  );
});

describe('initial state against the real server', () => {
  it('streams the initial list over one watch with sendInitialEvents, then goes on watching', async () => {
    const c = client();
    const lists: unknown[] = [];
    const watches: WatchOptions[] = [];
    const recording: KubeClient = {
      ...c,
      list: (resource, options, signal) => {
        lists.push(options);
        return c.list(resource, options, signal);
      },
      watch: (resource, options) => {
        watches.push(options);
        return c.watch(resource, options);
      },
    };
    const errors: KubeRxError[] = [];
    const configMaps = informer(recording, resources.configMaps, {
      namespace,
      listMode: 'streaming',
      onError: (error) => errors.push(error),
    });
    subscriptions.push(configMaps.store$.subscribe());
    const synced = await configMaps.synced;

    expect(lists).toEqual([]);
    expect(watches).toHaveLength(1);
    expect(watches[0]).toMatchObject({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' });
    expect(errors).toEqual([]); // no fallback to a paginated list
    expect(synced.size).toBe(COUNT);
    expect(differences(synced.list(), await freshList(c, resources.configMaps, { namespace }))).toEqual([]);

    // The same stream carries live changes after the initial events.
    await c.create(resources.configMaps, configMap('streamed-live'), { namespace });
    await c.delete(resources.configMaps, 'cm-0', { namespace });
    await eventually(
      () =>
        configMaps.snapshot().namespace(namespace).get('streamed-live') !== undefined &&
        configMaps.snapshot().namespace(namespace).get('cm-0') === undefined,
      10_000,
      'live events after the streaming list',
    );
    expect(watches).toHaveLength(1);
    expect(
      differences(configMaps.snapshot().list(), await freshList(c, resources.configMaps, { namespace })),
    ).toEqual([]);
  });

  it('paginates with a small page size, all pages at the first page resourceVersion', async () => {
    const c = client();
    const pages: { items: number; resourceVersion: string; continued: boolean }[] = [];
    let injected = false;
    const recording: KubeClient = {
      ...c,
      list: async (resource, options, signal) => {
        // A write between the first and second page: not part of this list's snapshot.
        if (options.continue && !injected) {
          injected = true;
          await c.create(resources.configMaps, configMap('between-pages'), { namespace });
        }
        const page = await c.list(resource, options, signal);
        pages.push({
          items: page.items.length,
          resourceVersion: page.metadata.resourceVersion,
          continued: Boolean(options.continue),
        });
        return page;
      },
    };
    const expectedBefore = await freshList(c, resources.configMaps, { namespace });
    const pageSize = 7;
    const configMaps = informer(recording, resources.configMaps, { namespace, pageSize });
    const added: string[] = [];
    subscriptions.push(
      configMaps.events$.subscribe((event) => {
        if (event.type === 'add' && !event.isInInitialList) added.push(event.object.metadata?.name ?? '');
      }),
    );
    const synced = await configMaps.synced;

    const n = expectedBefore.size;
    expect(pages).toHaveLength(Math.ceil(n / pageSize));
    expect(pages.slice(0, -1).every((p) => p.items === pageSize)).toBe(true);
    expect(pages.reduce((sum, p) => sum + p.items, 0)).toBe(n);
    expect(new Set(pages.map((p) => p.resourceVersion)).size).toBe(1);
    // The list is the state at the first page: without the object written between pages...
    expect(differences(synced.list(), expectedBefore)).toEqual([]);
    // ...which then arrives through the watch that starts at that resourceVersion.
    await eventually(() => added.includes('between-pages'), 10_000, 'the object written between pages');
    expect(
      differences(configMaps.snapshot().list(), await freshList(c, resources.configMaps, { namespace })),
    ).toEqual([]);
  });
});
