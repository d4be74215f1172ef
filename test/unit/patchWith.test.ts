/**
 * `patchWith` and friends against the fake cluster: the JSON Patch it sends (recorded by a
 * wrapper client), optimistic concurrency through the resourceVersion `test` op, the retry loop
 * on 409 / failed-test 422, the status subresource, finalizer helpers and pointer escaping.
 */
import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import type { Patch } from 'immer';
import { describe, expect, it } from 'vitest';
import { ensureFinalizer, isBeingDeleted, removeFinalizer } from '../../src/api/finalizers.js';
import { patchStatusWith, patchWith, toJsonPatch } from '../../src/api/patchWith.js';
import type { KubeClient, PatchType, WriteOptions } from '../../src/core/client.js';
import { isStatusError, KubeRxError, statusError } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/objects.js';
import { type ResourceType, resources } from '../../src/core/resources.js';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index.js';

interface PatchCall {
  readonly name: string;
  readonly body: unknown;
  readonly type: PatchType;
  readonly options: WriteOptions | undefined;
}

interface Recorder {
  readonly client: KubeClient;
  readonly patches: PatchCall[];
  readonly gets: string[];
  /** Every request, by method name. */
  readonly requests: string[];
}

/**
 * Wraps `inner`, recording requests. `beforePatch` runs before each patch reaches the server
 * (to make a concurrent write); `rejectPatch` may answer a patch with an error instead.
 */
function recorder(
  inner: KubeClient,
  hooks: {
    beforePatch?: (call: number) => Promise<void>;
    rejectPatch?: (call: number) => Error | undefined;
  } = {},
): Recorder {
  const patches: PatchCall[] = [];
  const gets: string[] = [];
  const requests: string[] = [];
  const client: KubeClient = {
    list: (...args) => {
      requests.push('list');
      return inner.list(...args);
    },
    watch: (...args) => {
      requests.push('watch');
      return inner.watch(...args);
    },
    get: (resource, name, options) => {
      requests.push('get');
      gets.push(name);
      return inner.get(resource, name, options);
    },
    create: (resource, object, options) => {
      requests.push('create');
      return inner.create(resource, object, options);
    },
    replace: (resource, object, options) => {
      requests.push('replace');
      return inner.replace(resource, object, options);
    },
    patch: async (resource, name, body, type, options) => {
      requests.push('patch');
      patches.push({ name, body, type, options });
      await hooks.beforePatch?.(patches.length);
      const rejection = hooks.rejectPatch?.(patches.length);
      if (rejection) throw rejection;
      return inner.patch(resource, name, body, type, options);
    },
    delete: (resource, name, options) => {
      requests.push('delete');
      return inner.delete(resource, name, options);
    },
  };
  return { client, patches, gets, requests };
}

const NS = 'default';

function configMap(name: string, data: Record<string, string> = {}): V1ConfigMap {
  return { metadata: { name, namespace: NS }, data };
}

function deployment(name: string, replicas = 1): V1Deployment {
  return {
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'nginx' }] },
      },
    },
  };
}

async function seed<T extends KubeObject>(
  cluster: FakeCluster,
  resource: ResourceType<T>,
  object: T,
): Promise<T> {
  return cluster.admin.create(resource, object, { namespace: NS });
}

/** A concurrent writer: changes `data.other` on the ConfigMap through the admin client. */
function concurrentWriter(cluster: FakeCluster, name: string) {
  let n = 0;
  return async () => {
    n++;
    await cluster.admin.patch(resources.configMaps, name, { data: { other: String(n) } }, 'merge', {
      namespace: NS,
    });
  };
}

describe('patchWith: the JSON Patch it sends', () => {
  it('starts with a test of metadata.resourceVersion, then the recipe’s changes, with escaped keys', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, configMap('cfg', { a: '1' }));
    const rec = recorder(cluster.client);
    const result = await patchWith(rec.client, resources.configMaps, cm, (draft) => {
      draft.metadata!.labels = { 'app.kubernetes.io/name': 'web', 'odd~key': 'x' };
      draft.data!.a = '2';
      delete draft.data!.missing;
    });

    expect(rec.patches).toHaveLength(1);
    const [call] = rec.patches;
    expect(call?.type).toBe('json');
    expect(call?.name).toBe('cfg');
    expect(call?.options?.namespace).toBe(NS);
    expect(call?.options?.subresource).toBeUndefined();
    const ops = call?.body as { op: string; path: string; value?: unknown }[];
    expect(ops[0]).toEqual({
      op: 'test',
      path: '/metadata/resourceVersion',
      value: cm.metadata?.resourceVersion,
    });
    expect(ops.slice(1)).toEqual(
      expect.arrayContaining([
        { op: 'add', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'web', 'odd~key': 'x' } },
        { op: 'replace', path: '/data/a', value: '2' },
      ]),
    );
    expect(ops).toHaveLength(3);
    // The server applied it: the escaped pointer reached the right key.
    expect(result.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'web', 'odd~key': 'x' });
    expect(result.data).toEqual({ a: '2' });
    expect(Number(result.metadata?.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));
    expect(rec.requests).toEqual(['patch']);
  });

  it('escapes ~ and / in label keys when it edits inside an existing map', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, {
      ...configMap('cfg'),
      metadata: { name: 'cfg', namespace: NS, labels: { keep: 'yes' } },
    });
    const rec = recorder(cluster.client);
    const result = await patchWith(rec.client, resources.configMaps, cm, (draft) => {
      draft.metadata!.labels!['app.kubernetes.io/name'] = 'web';
      draft.metadata!.labels!['a~/b'] = 'c';
    });
    const ops = rec.patches[0]?.body as { op: string; path: string }[];
    expect(ops.map((o) => o.path)).toEqual([
      '/metadata/resourceVersion',
      '/metadata/labels/app.kubernetes.io~1name',
      '/metadata/labels/a~0~1b',
    ]);
    expect(result.metadata?.labels).toEqual({ keep: 'yes', 'app.kubernetes.io/name': 'web', 'a~/b': 'c' });
  });

  it('a recipe that changes nothing sends nothing and resolves with the object itself', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, configMap('cfg', { a: '1' }));
    const rec = recorder(cluster.client);
    const result = await patchWith(rec.client, resources.configMaps, cm, (draft) => {
      draft.data!.a = '1';
    });
    expect(result).toBe(cm);
    expect(rec.requests).toEqual([]);
    expect(cluster.resourceVersion).toBe(cm.metadata?.resourceVersion);
  });

  it('an object without a name is refused before any request', async () => {
    const cluster = createFakeCluster();
    const rec = recorder(cluster.client);
    await expect(
      patchWith(rec.client, resources.configMaps, { metadata: { namespace: NS } }, (d) => {
        d.data = { a: '1' };
      }),
    ).rejects.toBeInstanceOf(KubeRxError);
    expect(rec.requests).toEqual([]);
  });
});

describe('patchWith: optimistic concurrency', () => {
  it('a concurrent write fails the test op (422); it re-reads, re-runs the recipe on the fresh object and wins', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, configMap('cfg', { count: '1' }));
    const write = concurrentWriter(cluster, 'cfg');
    const rec = recorder(cluster.client, {
      beforePatch: (call) => (call === 1 ? write() : Promise.resolve()),
    });
    const seen: (string | undefined)[] = [];
    const result = await patchWith(rec.client, resources.configMaps, cm, (draft) => {
      seen.push(draft.data?.other);
      draft.data!.count = String(Number(draft.data!.count) + 1);
    });

    expect(rec.patches).toHaveLength(2);
    expect(rec.gets).toEqual(['cfg']);
    // The recipe ran again on the state that includes the concurrent write, which is kept.
    expect(seen).toEqual([undefined, '1']);
    expect(result.data).toEqual({ count: '2', other: '1' });
    const second = rec.patches[1]?.body as { op: string; value?: unknown }[];
    expect(second[0]).toEqual({
      op: 'test',
      path: '/metadata/resourceVersion',
      value: String(Number(cm.metadata?.resourceVersion) + 1),
    });
  });

  it('a 409 Conflict is retried too', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, configMap('cfg', { a: '1' }));
    const rec = recorder(cluster.client, {
      rejectPatch: (call) =>
        call === 1 ? statusError(409, 'the object has been modified', 'Conflict') : undefined,
    });
    const result = await patchWith(rec.client, resources.configMaps, cm, (draft) => {
      draft.data!.a = '2';
    });
    expect(rec.patches).toHaveLength(2);
    expect(result.data).toEqual({ a: '2' });
  });

  it('gives up after maxAttempts when every attempt loses the race (default 5)', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, configMap('cfg', { a: '1' }));

    const bounded = recorder(cluster.client, { beforePatch: concurrentWriter(cluster, 'cfg') });
    const error = await patchWith(
      bounded.client,
      resources.configMaps,
      cm,
      (draft) => {
        draft.data!.a = `${draft.data!.a}!`;
      },
      { maxAttempts: 3 },
    ).catch((e: unknown) => e);
    expect(isStatusError(error) && error.code).toBe(422);
    expect((error as Error).message).toMatch(/Testing value \/metadata\/resourceVersion failed/);
    expect(bounded.patches).toHaveLength(3);
    expect(bounded.gets).toHaveLength(2);

    const fresh = await cluster.admin.get(resources.configMaps, 'cfg', { namespace: NS });
    const unbounded = recorder(cluster.client, { beforePatch: concurrentWriter(cluster, 'cfg') });
    await expect(
      patchWith(unbounded.client, resources.configMaps, fresh, (draft) => {
        draft.data!.a = 'x';
      }),
    ).rejects.toMatchObject({ code: 422 });
    expect(unbounded.patches).toHaveLength(5);
    // Nothing of the recipe landed.
    expect((await cluster.admin.get(resources.configMaps, 'cfg', { namespace: NS })).data?.a).toBe('1');
  });

  it('a 422 that is a real validation error (resourceVersion unchanged) is not retried', async () => {
    const cluster = createFakeCluster();
    const d = await seed(cluster, resources.deployments, deployment('web'));
    const invalid = statusError(
      422,
      'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'Invalid',
    );
    const rec = recorder(cluster.client, { rejectPatch: () => invalid });
    await expect(
      patchWith(rec.client, resources.deployments, d, (draft) => {
        draft.spec!.replicas = -1;
      }),
    ).rejects.toBe(invalid);
    expect(rec.patches).toHaveLength(1);
    expect(rec.gets).toEqual(['web']);
  });

  it('other errors are not retried', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, configMap('cfg', { a: '1' }));
    const rec = recorder(cluster.client);
    cluster.failNext(1, 500);
    await expect(
      patchWith(rec.client, resources.configMaps, cm, (draft) => {
        draft.data!.a = '2';
      }),
    ).rejects.toMatchObject({ code: 500 });
    expect(rec.requests).toEqual(['patch']);
  });
});

describe('patchStatusWith', () => {
  it('patches the status subresource: status changes, spec edits in the recipe are ignored', async () => {
    const cluster = createFakeCluster();
    const d = await seed(cluster, resources.deployments, deployment('web', 1));
    const rec = recorder(cluster.client);
    const result = await patchStatusWith(rec.client, resources.deployments, d, (draft) => {
      draft.status = { readyReplicas: 1, replicas: 1 };
      draft.spec!.replicas = 9;
    });
    expect(rec.patches[0]?.options?.subresource).toBe('status');
    expect(result.status).toEqual({ readyReplicas: 1, replicas: 1 });
    expect(result.spec?.replicas).toBe(1);
    expect(result.metadata?.generation).toBe(d.metadata?.generation);
    const stored = await cluster.admin.get(resources.deployments, 'web', { namespace: NS });
    expect(stored.spec?.replicas).toBe(1);
    expect(stored.status).toEqual({ readyReplicas: 1, replicas: 1 });
  });

  it('patchWith on the main resource does not touch the status of a kind with a status subresource', async () => {
    const cluster = createFakeCluster();
    const d = await seed(cluster, resources.deployments, deployment('web', 1));
    const result = await patchWith(cluster.client, resources.deployments, d, (draft) => {
      draft.status = { readyReplicas: 5 };
      draft.spec!.replicas = 2;
    });
    expect(result.spec?.replicas).toBe(2);
    expect(result.status).toBeUndefined();
    expect(result.metadata?.generation).toBe(2);
  });
});

describe('finalizers', () => {
  const F = 'example.com/cleanup';

  it('ensureFinalizer adds once; a second call sends nothing; other finalizers are kept', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, {
      ...configMap('cfg'),
      metadata: { name: 'cfg', namespace: NS, finalizers: ['other.io/x'] },
    });
    const rec = recorder(cluster.client);
    const once = await ensureFinalizer(rec.client, resources.configMaps, cm, F);
    expect(once.metadata?.finalizers).toEqual(['other.io/x', F]);
    const twice = await ensureFinalizer(rec.client, resources.configMaps, once, F);
    expect(twice).toBe(once);
    expect(rec.patches).toHaveLength(1);

    const bare = await seed(cluster, resources.configMaps, configMap('bare'));
    const added = await ensureFinalizer(rec.client, resources.configMaps, bare, F);
    expect(added.metadata?.finalizers).toEqual([F]);
  });

  it('ensureFinalizer from a stale cache copy is idempotent: someone added it meanwhile, nothing more is written', async () => {
    const cluster = createFakeCluster();
    const stale = await seed(cluster, resources.configMaps, configMap('cfg'));
    const current = await ensureFinalizer(cluster.admin, resources.configMaps, stale, F);
    const rec = recorder(cluster.client);
    const result = await ensureFinalizer(rec.client, resources.configMaps, stale, F);
    expect(rec.patches).toHaveLength(1); // the stale attempt failed its test op
    expect(result.metadata?.finalizers).toEqual([F]);
    expect(result.metadata?.resourceVersion).toBe(current.metadata?.resourceVersion);
    expect(cluster.resourceVersion).toBe(current.metadata?.resourceVersion);
  });

  it('removeFinalizer removes only its own; a second call sends nothing', async () => {
    const cluster = createFakeCluster();
    const cm = await seed(cluster, resources.configMaps, {
      ...configMap('cfg'),
      metadata: { name: 'cfg', namespace: NS, finalizers: ['other.io/x', F] },
    });
    const rec = recorder(cluster.client);
    const once = await removeFinalizer(rec.client, resources.configMaps, cm, F);
    expect(once.metadata?.finalizers).toEqual(['other.io/x']);
    const twice = await removeFinalizer(rec.client, resources.configMaps, once, F);
    expect(twice).toBe(once);
    expect(rec.patches).toHaveLength(1);
  });

  it('a deletion waits for the finalizer; removing the last one completes it', async () => {
    const cluster = createFakeCluster();
    const d = await seed(cluster, resources.deployments, deployment('web'));
    expect(isBeingDeleted(d)).toBe(false);
    const guarded = await ensureFinalizer(cluster.client, resources.deployments, d, F);
    await cluster.client.delete(resources.deployments, 'web', { namespace: NS });
    const deleting = await cluster.admin.get(resources.deployments, 'web', { namespace: NS });
    expect(isBeingDeleted(deleting)).toBe(true);
    expect(isBeingDeleted(guarded)).toBe(false);
    await removeFinalizer(cluster.client, resources.deployments, deleting, F);
    const gone = await cluster.admin
      .get(resources.deployments, 'web', { namespace: NS })
      .catch((e: unknown) => e);
    expect(isStatusError(gone) && gone.code).toBe(404);
  });
});

describe('toJsonPatch', () => {
  it('turns immer patches into RFC 6902 operations with escaped JSON pointers', () => {
    const patches: Patch[] = [
      { op: 'add', path: ['metadata', 'labels', 'app.kubernetes.io/name'], value: 'web' },
      { op: 'replace', path: ['metadata', 'annotations', 'a~b/c~'], value: 'x' },
      { op: 'remove', path: ['spec', 'template', 'spec', 'containers', 0] },
      { op: 'add', path: ['data', '~1'], value: { nested: true } },
    ];
    expect(toJsonPatch(patches)).toEqual([
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' },
      { op: 'replace', path: '/metadata/annotations/a~0b~1c~0', value: 'x' },
      { op: 'remove', path: '/spec/template/spec/containers/0' },
      { op: 'add', path: '/data/~01', value: { nested: true } },
    ]);
    expect(toJsonPatch([])).toEqual([]);
  });
});
