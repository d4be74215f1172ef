/**
 * Semantics of the fake cluster through its in-process clients (`cluster.client` and
 * `cluster.admin`): the API server rules it claims to follow (resourceVersion, uid, generation,
 * optimistic concurrency, finalizers, status subresource, selectors, pagination, watch replay,
 * 410 Gone, streaming lists, bookmarks) and its fault injection. Timers run in virtual time.
 */
import type { V1ConfigMap, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from, map, type Subscription, VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type {
  KubeClient,
  ListOptions,
  ListResult,
  RawWatchEvent,
  WatchOptions,
} from '../../src/core/client.js';
import { StatusError, WatchProtocolError } from '../../src/core/errors.js';
import type { KubeObject } from '../../src/core/objects.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../../src/core/protocol.js';
import { defineResource, type ResourceType, resources } from '../../src/core/resources.js';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A running in-process watch: the events so far and how it ended. */
interface Recorder {
  readonly events: RawWatchEvent[];
  readonly completed: boolean;
  readonly error: unknown;
  readonly subscription: Subscription;
  /** `TYPE name` per event (`BOOKMARK rv`, `ERROR code`), for compact assertions. */
  summary(): string[];
}

function summarize(event: RawWatchEvent): string {
  const object = event.object as KubeObject & { code?: number };
  if (event.type === 'BOOKMARK') return `BOOKMARK ${object.metadata?.resourceVersion}`;
  if (event.type === 'ERROR') return `ERROR ${object.code}`;
  return `${event.type} ${object.metadata?.name}`;
}

function record(client: KubeClient, resource: ResourceType, options: WatchOptions = {}): Recorder {
  const events: RawWatchEvent[] = [];
  let completed = false;
  let error: unknown;
  const subscription = client.watch(resource, options).subscribe({
    next: (event) => events.push(event),
    complete: () => {
      completed = true;
    },
    error: (e: unknown) => {
      error = e;
    },
  });
  return {
    events,
    subscription,
    get completed() {
      return completed;
    },
    get error() {
      return error;
    },
    summary: () => events.map(summarize),
  };
}

function list(client: KubeClient, resource: ResourceType, options: ListOptions = {}): Promise<ListResult> {
  return firstValueFrom(from(client.list(resource, options)));
}

async function names(client: KubeClient, resource: ResourceType, options: ListOptions = {}) {
  return (await list(client, resource, options)).items.map((o) => (o as KubeObject).metadata?.name);
}

/** The StatusError a promise rejects with; fails the test if it resolves or rejects otherwise. */
async function rejection(promise: PromiseLike<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StatusError);
    return error as StatusError;
  }
  throw new Error('expected a rejection');
}

/** Runs every action due up to `now + ms` and leaves the virtual clock exactly there. */
function advance(scheduler: VirtualTimeScheduler, ms: number): void {
  const target = scheduler.now() + ms;
  scheduler.schedule(() => undefined, ms);
  scheduler.maxFrames = target;
  scheduler.flush();
  expect(scheduler.now()).toBe(target);
}

function pod(
  name: string,
  options: {
    namespace?: string;
    labels?: Record<string, string>;
    nodeName?: string;
    finalizers?: string[];
  } = {},
): V1Pod {
  return {
    metadata: {
      name,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.finalizers ? { finalizers: options.finalizers } : {}),
    },
    spec: {
      containers: [{ name: 'main', image: 'nginx:1' }],
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
    },
  };
}

function configMap(name: string, data: Record<string, string> = {}): V1ConfigMap {
  return { metadata: { name, namespace: 'default' }, data };
}

function deployment(name: string, replicas = 1): V1Deployment {
  return {
    metadata: { name, namespace: 'default', labels: { app: name } },
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

/** A deep, mutable copy of a stored (frozen) object, as a client would edit it. */
function edit<T>(object: T): T {
  return structuredClone(object);
}

const rvOf = (object: KubeObject) => Number(object.metadata?.resourceVersion);

// ---------------------------------------------------------------------------------------------

describe('writes', () => {
  it('one resourceVersion counter spans every resource, and lists report the global value', async () => {
    const cluster = createFakeCluster();
    expect(cluster.resourceVersion).toBe('0');
    const a = await cluster.admin.create(resources.pods, pod('a'));
    const cm = await cluster.admin.create(resources.configMaps, configMap('cfg'));
    const d = await cluster.admin.create(resources.deployments, deployment('web'));
    const a2 = await cluster.admin.replace(resources.pods, {
      ...edit(a),
      metadata: { ...edit(a.metadata), labels: { x: 'y' } },
    });
    await cluster.admin.delete(resources.configMaps, 'cfg', { namespace: 'default' });
    expect([a, cm, d, a2].map(rvOf)).toEqual([1, 2, 3, 4]);
    expect(cluster.resourceVersion).toBe('5');
    // A pod list's resourceVersion includes the writes to other resources.
    expect((await list(cluster.client, resources.pods)).metadata.resourceVersion).toBe('5');
    expect((await list(cluster.client, resources.namespaces)).metadata.resourceVersion).toBe('5');
  });

  it('create sets uid, creationTimestamp (scheduler time), generation 1, apiVersion/kind and the namespace', async () => {
    const scheduler = new VirtualTimeScheduler();
    const cluster = createFakeCluster({ scheduler });
    advance(scheduler, 5_000);
    const body = pod('a') as V1Pod & { metadata: Record<string, unknown> };
    body.metadata.uid = 'client-chosen';
    body.metadata.generation = 42;
    body.metadata.resourceVersion = '99';
    const a = await cluster.admin.create(resources.pods, body);
    expect(a).toMatchObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'a',
        namespace: 'default',
        generation: 1,
        resourceVersion: '1',
        creationTimestamp: '1970-01-01T00:00:05.000Z',
      },
    });
    expect(a.metadata?.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a.metadata?.uid).not.toBe('client-chosen');
    // The request body is not retained or mutated.
    expect(body.metadata.uid).toBe('client-chosen');

    advance(scheduler, 1_000);
    const b = await cluster.admin.create(resources.pods, pod('b', { namespace: 'other' }));
    expect(b.metadata?.namespace).toBe('other');
    expect(b.metadata?.uid).not.toBe(a.metadata?.uid);
    expect(String(b.metadata?.creationTimestamp)).toBe('1970-01-01T00:00:06.000Z');

    const d = await cluster.admin.create(resources.deployments, deployment('web'));
    expect([d.apiVersion, d.kind, d.metadata?.generation]).toEqual(['apps/v1', 'Deployment', 1]);
    // Cluster-scoped objects lose any namespace.
    const ns = await cluster.admin.create(resources.namespaces, {
      metadata: { name: 'team', namespace: 'x' },
    });
    expect(ns.metadata?.namespace).toBeUndefined();
    expect(await cluster.admin.get(resources.namespaces, 'team')).toEqual(ns);
  });

  it('stored objects are frozen: what a client gets cannot change the cluster', async () => {
    const cluster = createFakeCluster();
    const a = await cluster.admin.create(resources.pods, pod('a', { labels: { app: 'web' } }));
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a.metadata?.labels as Record<string, string>).app = 'hacked';
    }).toThrow(TypeError);
    const fetched = await cluster.admin.get(resources.pods, 'a', { namespace: 'default' });
    expect(fetched.metadata?.labels).toEqual({ app: 'web' });
  });

  it('generateName appends a unique suffix; a missing name is 422; a namespace mismatch is 400', async () => {
    const cluster = createFakeCluster();
    const x = await cluster.admin.create(resources.pods, { metadata: { generateName: 'web-' } });
    const y = await cluster.admin.create(resources.pods, { metadata: { generateName: 'web-' } });
    expect(x.metadata?.name).toMatch(/^web-.+/);
    expect(y.metadata?.name).toMatch(/^web-.+/);
    expect(x.metadata?.name).not.toBe(y.metadata?.name);
    expect((await rejection(cluster.admin.create(resources.pods, { metadata: {} }))).code).toBe(422);
    const mismatch = await rejection(
      cluster.admin.create(resources.pods, pod('a', { namespace: 'one' }), { namespace: 'two' }),
    );
    expect(mismatch.code).toBe(400);
    expect(cluster.resourceVersion).toBe('2');
  });

  it('creating an existing object is 409 AlreadyExists; the same name in another namespace is fine', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('a'));
    const error = await rejection(cluster.admin.create(resources.pods, pod('a')));
    expect([error.code, error.reason]).toEqual([409, 'AlreadyExists']);
    expect(error.status).toMatchObject({ kind: 'Status', status: 'Failure', code: 409 });
    await cluster.admin.create(resources.pods, pod('a', { namespace: 'other' }));
    expect(await names(cluster.admin, resources.pods)).toEqual(['a', 'a']);
    expect(cluster.resourceVersion).toBe('2');
  });

  it('get of a missing object is 404 NotFound', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('a'));
    // Like the other verbs, get defaults to the 'default' namespace.
    expect((await cluster.admin.get(resources.pods, 'a')).metadata?.namespace).toBe('default');
    const error = await rejection(cluster.admin.get(resources.pods, 'a', { namespace: 'other' }));
    expect([error.code, error.reason]).toEqual([404, 'NotFound']);
    expect((await rejection(cluster.admin.delete(resources.pods, 'b', { namespace: 'default' }))).code).toBe(
      404,
    );
    expect((await rejection(cluster.admin.replace(resources.pods, pod('b')))).code).toBe(404);
  });

  it('replace with a stale metadata.resourceVersion is 409 Conflict; current or absent succeeds', async () => {
    const cluster = createFakeCluster();
    const v1 = await cluster.admin.create(resources.configMaps, configMap('cfg', { a: '1' }));
    const v2 = await cluster.admin.replace(resources.configMaps, { ...edit(v1), data: { a: '2' } });
    expect(rvOf(v2)).toBeGreaterThan(rvOf(v1));

    const stale = await rejection(
      cluster.admin.replace(resources.configMaps, { ...edit(v1), data: { a: 'lost' } }),
    );
    expect(stale).toBeInstanceOf(StatusError);
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
    expect((await cluster.admin.get(resources.configMaps, 'cfg', { namespace: 'default' })).data).toEqual({
      a: '2',
    });

    const unconditional = edit(v1);
    delete unconditional.metadata?.resourceVersion;
    const v3 = await cluster.admin.replace(resources.configMaps, { ...unconditional, data: { a: '3' } });
    expect(v3.data).toEqual({ a: '3' });
    expect(rvOf(v3)).toBe(rvOf(v2) + 1);
  });

  it('replace keeps the server-owned metadata (uid, creationTimestamp, generation)', async () => {
    const cluster = createFakeCluster();
    const a = await cluster.admin.create(resources.pods, pod('a'));
    const changed = edit(a);
    const meta = changed.metadata as Record<string, unknown>;
    meta.uid = 'other';
    meta.creationTimestamp = '2000-01-01T00:00:00Z';
    meta.generation = 17;
    const b = await cluster.admin.replace(resources.pods, changed);
    expect(b.metadata?.uid).toBe(a.metadata?.uid);
    expect(b.metadata?.creationTimestamp).toBe(a.metadata?.creationTimestamp);
    expect(b.metadata?.generation).toBe(1);
  });

  it('generation is bumped by spec changes only, not by metadata or status changes', async () => {
    const cluster = createFakeCluster();
    const d1 = await cluster.admin.create(resources.deployments, deployment('web', 1));
    const labelled = await cluster.admin.replace(resources.deployments, {
      ...edit(d1),
      metadata: { ...edit(d1.metadata), labels: { app: 'web', tier: 'front' }, annotations: { a: 'b' } },
    });
    expect(labelled.metadata?.generation).toBe(1);
    expect(rvOf(labelled)).toBeGreaterThan(rvOf(d1));

    const status = await cluster.admin.replace(
      resources.deployments,
      { ...edit(labelled), status: { replicas: 1, readyReplicas: 1 } },
      { subresource: 'status' },
    );
    expect(status.metadata?.generation).toBe(1);

    const scaled = await cluster.admin.replace(resources.deployments, {
      ...edit(status),
      spec: { ...edit(status.spec), replicas: 3 } as V1Deployment['spec'],
    });
    expect(scaled.metadata?.generation).toBe(2);

    const same = await cluster.admin.replace(resources.deployments, edit(scaled));
    expect(same.metadata?.generation).toBe(2);

    const patched = await cluster.admin.patch(
      resources.deployments,
      'web',
      { spec: { replicas: 5 } },
      'merge',
      { namespace: 'default' },
    );
    expect(patched.metadata?.generation).toBe(3);
    const labelPatch = await cluster.admin.patch(
      resources.deployments,
      'web',
      { metadata: { labels: { extra: 'yes' } } },
      'merge',
      { namespace: 'default' },
    );
    expect(labelPatch.metadata?.generation).toBe(3);
  });

  it('generation compares specs semantically: key order, apiVersion and kind do not count', async () => {
    const cluster = createFakeCluster();
    const d1 = await cluster.admin.create(resources.deployments, deployment('web', 1));
    const spec = d1.spec as NonNullable<V1Deployment['spec']>;
    const reordered = await cluster.admin.replace(resources.deployments, {
      metadata: edit(d1.metadata),
      spec: { template: edit(spec.template), selector: edit(spec.selector), replicas: spec.replicas },
    });
    expect(rvOf(reordered)).toBeGreaterThan(rvOf(d1));
    expect(reordered.metadata?.generation).toBe(1);
    // Objects without a spec (ConfigMaps, many CRs): everything but metadata and status counts.
    const cm = await cluster.admin.create(resources.configMaps, configMap('cfg', { a: '1' }));
    const relabelled = await cluster.admin.replace(resources.configMaps, {
      metadata: { ...edit(cm.metadata), labels: { x: 'y' } },
      data: { a: '1' },
    });
    expect(relabelled.metadata?.generation).toBe(1);
    const changed = await cluster.admin.replace(resources.configMaps, {
      metadata: edit(relabelled.metadata),
      data: { a: '2' },
    });
    expect(changed.metadata?.generation).toBe(2);
  });

  it('the main resource ignores status for Pods and Deployments; the status subresource changes only status', async () => {
    const cluster = createFakeCluster();
    const p1 = await cluster.admin.create(resources.pods, pod('a'));
    const p2 = await cluster.admin.replace(resources.pods, {
      ...edit(p1),
      metadata: { ...edit(p1.metadata), labels: { l: '1' } },
      status: { phase: 'Failed' },
    });
    expect(p2.status).toBeUndefined();
    expect(p2.metadata?.labels).toEqual({ l: '1' });

    const p3 = await cluster.admin.replace(
      resources.pods,
      {
        ...edit(p2),
        metadata: { ...edit(p2.metadata), labels: { l: 'ignored' } },
        spec: { containers: [{ name: 'ignored', image: 'ignored' }] },
        status: { phase: 'Running', podIP: '10.0.0.1' },
      },
      { subresource: 'status' },
    );
    expect(p3.status).toEqual({ phase: 'Running', podIP: '10.0.0.1' });
    expect(p3.spec).toEqual(p2.spec);
    expect(p3.metadata?.labels).toEqual({ l: '1' });
    expect(rvOf(p3)).toBe(rvOf(p2) + 1);

    // A later main-resource write keeps the status it cannot set.
    const p4 = await cluster.admin.replace(resources.pods, { ...edit(p3), status: { phase: 'Unknown' } });
    expect(p4.status).toEqual({ phase: 'Running', podIP: '10.0.0.1' });

    const d1 = await cluster.admin.create(resources.deployments, deployment('web'));
    const d2 = await cluster.admin.patch(
      resources.deployments,
      'web',
      { status: { availableReplicas: 1 }, spec: { replicas: 9 } },
      'merge',
      { namespace: 'default', subresource: 'status' },
    );
    expect(d2.status).toEqual({ availableReplicas: 1 });
    expect(d2.spec?.replicas).toBe(d1.spec?.replicas);
    const d3 = await cluster.admin.patch(
      resources.deployments,
      'web',
      { status: { availableReplicas: 7 } },
      'merge',
      {
        namespace: 'default',
      },
    );
    expect(d3.status).toEqual({ availableReplicas: 1 });

    // The status subresource also checks optimistic concurrency.
    const conflict = await rejection(
      cluster.admin.replace(
        resources.deployments,
        { ...edit(d1), status: { replicas: 3 } },
        { subresource: 'status' },
      ),
    );
    expect(conflict.code).toBe(409);
  });

  it('finalizers: delete sets deletionTimestamp and keeps the object; removing the last finalizer deletes it', async () => {
    const scheduler = new VirtualTimeScheduler();
    const cluster = createFakeCluster({ scheduler });
    const created = await cluster.admin.create(
      resources.pods,
      pod('a', { finalizers: ['x.io/a', 'x.io/b'] }),
    );
    const watch = record(cluster.client, resources.pods, {
      resourceVersion: created.metadata?.resourceVersion,
    });
    advance(scheduler, 2_000);

    const marked = (await cluster.admin.delete(resources.pods, 'a', { namespace: 'default' })) as V1Pod;
    expect(marked.metadata?.deletionTimestamp).toBe('1970-01-01T00:00:02.000Z');
    const stored = await cluster.admin.get(resources.pods, 'a', { namespace: 'default' });
    expect(stored).toEqual(marked);
    expect(watch.summary()).toEqual(['MODIFIED a']);

    // Deleting again changes nothing.
    await cluster.admin.delete(resources.pods, 'a', { namespace: 'default' });
    expect(cluster.resourceVersion).toBe(marked.metadata?.resourceVersion);

    // A client cannot clear deletionTimestamp; removing one of two finalizers keeps the object.
    const one = await cluster.admin.replace(resources.pods, {
      ...edit(stored),
      metadata: { ...edit(stored.metadata), finalizers: ['x.io/b'], deletionTimestamp: undefined },
    });
    expect(one.metadata?.deletionTimestamp).toBe('1970-01-01T00:00:02.000Z');
    expect(watch.summary()).toEqual(['MODIFIED a', 'MODIFIED a']);

    await cluster.admin.patch(
      resources.pods,
      'a',
      [{ op: 'remove', path: '/metadata/finalizers/0' }],
      'json',
      {
        namespace: 'default',
      },
    );
    expect(watch.summary()).toEqual(['MODIFIED a', 'MODIFIED a', 'DELETED a']);
    const deleted = watch.events[2]?.object as V1Pod;
    expect(deleted.metadata?.resourceVersion).toBe(cluster.resourceVersion);
    expect((await rejection(cluster.admin.get(resources.pods, 'a', { namespace: 'default' }))).code).toBe(
      404,
    );
    // In-process lists answer on the cluster's scheduler.
    const listed = names(cluster.admin, resources.pods);
    advance(scheduler, 0);
    expect(await listed).toEqual([]);
  });

  it('delete without finalizers removes the object with a DELETED event at a new resourceVersion', async () => {
    const cluster = createFakeCluster();
    const a = await cluster.admin.create(resources.pods, pod('a'));
    const watch = record(cluster.client, resources.pods, { resourceVersion: cluster.resourceVersion });
    await cluster.admin.delete(resources.pods, 'a', { namespace: 'default' });
    expect(watch.summary()).toEqual(['DELETED a']);
    expect(rvOf(watch.events[0]?.object as V1Pod)).toBe(rvOf(a) + 1);
    expect(await names(cluster.admin, resources.pods)).toEqual([]);
  });

  it('dryRun validates without storing', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('a'), { dryRun: true });
    expect(cluster.resourceVersion).toBe('0');
    expect(await names(cluster.admin, resources.pods)).toEqual([]);
    await cluster.admin.create(resources.pods, pod('a'));
    expect((await rejection(cluster.admin.create(resources.pods, pod('a'), { dryRun: true }))).code).toBe(
      409,
    );
  });
});

describe('patch', () => {
  it('JSON patch with a resourceVersion test op applies when current and fails with 422 when stale', async () => {
    const cluster = createFakeCluster();
    const a = await cluster.admin.create(resources.pods, pod('a', { labels: { app: 'web' } }));
    const ok = await cluster.client.patch(
      resources.pods,
      'a',
      [
        { op: 'test', path: '/metadata/resourceVersion', value: a.metadata?.resourceVersion },
        { op: 'add', path: '/metadata/labels/tier', value: 'front' },
        { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
      ],
      'json',
      { namespace: 'default' },
    );
    expect(ok.metadata?.labels).toEqual({ app: 'web', tier: 'front' });
    expect(ok.spec?.containers[0]?.image).toBe('nginx:2');
    expect(ok.metadata?.generation).toBe(2);

    const failed = await rejection(
      cluster.client.patch(
        resources.pods,
        'a',
        [
          { op: 'test', path: '/metadata/resourceVersion', value: a.metadata?.resourceVersion },
          { op: 'add', path: '/metadata/labels/tier', value: 'back' },
        ],
        'json',
        { namespace: 'default' },
      ),
    );
    expect(failed.code).toBe(422);
    const current = await cluster.admin.get(resources.pods, 'a', { namespace: 'default' });
    expect(current).toEqual(ok);
    expect(cluster.resourceVersion).toBe(ok.metadata?.resourceVersion);
  });

  it('merge patch deletes with null and checks a resourceVersion it carries', async () => {
    const cluster = createFakeCluster();
    const v1 = await cluster.admin.create(resources.configMaps, configMap('cfg', { a: '1', b: '2' }));
    const v2 = await cluster.admin.patch(
      resources.configMaps,
      'cfg',
      { metadata: { labels: { x: 'y' } }, data: { a: null, c: '3' } },
      'merge',
      { namespace: 'default' },
    );
    expect(v2.data).toEqual({ b: '2', c: '3' });
    expect(v2.metadata?.labels).toEqual({ x: 'y' });
    const v3 = await cluster.admin.patch(
      resources.configMaps,
      'cfg',
      { metadata: { labels: null } },
      'merge',
      {
        namespace: 'default',
      },
    );
    expect(v3.metadata?.labels).toBeUndefined();
    const conflict = await rejection(
      cluster.admin.patch(
        resources.configMaps,
        'cfg',
        { metadata: { resourceVersion: v1.metadata?.resourceVersion }, data: { z: '1' } },
        'merge',
        { namespace: 'default' },
      ),
    );
    expect([conflict.code, conflict.reason]).toEqual([409, 'Conflict']);
  });

  it('patching a missing object is 404; a JSON patch that is not an array is 400', async () => {
    const cluster = createFakeCluster();
    const missing = await rejection(
      cluster.admin.patch(resources.pods, 'ghost', { metadata: { labels: { a: 'b' } } }, 'merge', {
        namespace: 'default',
      }),
    );
    expect(missing.code).toBe(404);
    await cluster.admin.create(resources.pods, pod('a'));
    const bad = await rejection(
      cluster.admin.patch(resources.pods, 'a', { op: 'add' }, 'json', { namespace: 'default' }),
    );
    expect(bad.code).toBe(400);
  });
});

describe('selectors', () => {
  async function seed(cluster: FakeCluster): Promise<void> {
    await cluster.admin.create(resources.pods, {
      ...pod('a', { labels: { app: 'web', tier: 'front' }, nodeName: 'n1' }),
      status: {},
    });
    await cluster.admin.create(resources.pods, pod('b', { labels: { app: 'api' }, nodeName: 'n2' }));
    await cluster.admin.create(resources.pods, pod('c', { nodeName: 'n1' }));
    await cluster.admin.create(resources.pods, pod('d', { namespace: 'other', labels: { app: 'web' } }));
  }

  it('filters lists by label selector, field selector and namespace', async () => {
    const cluster = createFakeCluster();
    await seed(cluster);
    const podNames = (options: ListOptions) => names(cluster.client, resources.pods, options);
    expect(await podNames({})).toEqual(['a', 'b', 'c', 'd']);
    expect(await podNames({ namespace: 'default' })).toEqual(['a', 'b', 'c']);
    expect(await podNames({ namespace: 'other' })).toEqual(['d']);
    expect(await podNames({ labelSelector: 'app=web' })).toEqual(['a', 'd']);
    expect(await podNames({ labelSelector: 'app=web', namespace: 'default' })).toEqual(['a']);
    expect(await podNames({ labelSelector: 'app in (web,api)' })).toEqual(['a', 'b', 'd']);
    expect(await podNames({ labelSelector: '!app' })).toEqual(['c']);
    expect(await podNames({ labelSelector: 'tier!=front' })).toEqual(['b', 'c', 'd']);
    expect(await podNames({ labelSelector: 'app,tier' })).toEqual(['a']);
    expect(await podNames({ fieldSelector: 'spec.nodeName=n1' })).toEqual(['a', 'c']);
    expect(await podNames({ fieldSelector: 'spec.nodeName==n2' })).toEqual(['b']);
    expect(await podNames({ fieldSelector: 'metadata.name=b' })).toEqual(['b']);
    expect(await podNames({ fieldSelector: 'metadata.namespace!=default' })).toEqual(['d']);
    expect(await podNames({ fieldSelector: 'spec.nodeName=n1,metadata.name!=a' })).toEqual(['c']);
    expect(await podNames({ fieldSelector: 'spec.nodeName=', labelSelector: 'app' })).toEqual(['d']);
    expect(await podNames({ fieldSelector: 'spec.nodeName=n1', labelSelector: 'app=web' })).toEqual(['a']);
  });

  it('rejects unparseable selectors with 400', async () => {
    const cluster = createFakeCluster();
    await expect(list(cluster.client, resources.pods, { labelSelector: 'app in (' })).rejects.toMatchObject({
      code: 400,
    });
    await expect(
      list(cluster.client, resources.pods, { fieldSelector: 'no operator' }),
    ).rejects.toMatchObject({
      code: 400,
    });
    const watch = record(cluster.client, resources.pods, { labelSelector: '=x' });
    expect((watch.error as StatusError).code).toBe(400);
    expect(cluster.activeWatches).toBe(0);
  });

  it('a watch with a label selector sees objects move into (ADDED) and out of (DELETED) the selection', async () => {
    const cluster = createFakeCluster();
    await seed(cluster);
    const watch = record(cluster.client, resources.pods, {
      labelSelector: 'app=web',
      namespace: 'default',
      resourceVersion: cluster.resourceVersion,
    });
    const relabel = (name: string, labels: Record<string, string> | null, namespace = 'default') =>
      cluster.admin.patch(resources.pods, name, { metadata: { labels } }, 'merge', { namespace });

    await relabel('a', { app: 'web', extra: '1' }); // stays in: MODIFIED
    await relabel('b', { app: 'web' }); // moves in: ADDED
    await relabel('a', { app: 'db' }); // moves out: DELETED
    await relabel('a', { app: 'other' }); // still out: nothing
    await relabel('d', { app: 'api' }, 'other'); // other namespace: nothing
    await cluster.admin.create(resources.pods, pod('e', { labels: { app: 'db' } })); // out: nothing
    await cluster.admin.create(resources.pods, pod('f', { labels: { app: 'web' } })); // in: ADDED
    await cluster.admin.delete(resources.pods, 'c', { namespace: 'default' }); // out: nothing
    await cluster.admin.delete(resources.pods, 'f', { namespace: 'default' }); // in: DELETED
    await cluster.admin.create(resources.configMaps, configMap('cfg')); // other resource: nothing
    expect(watch.summary()).toEqual(['MODIFIED a', 'ADDED b', 'DELETED a', 'ADDED f', 'DELETED f']);
    // The DELETED of an object that left the selection carries its new state.
    expect((watch.events[2]!.object as V1Pod).metadata?.labels?.app).toBe('db');
  });

  it('a watch with a field selector follows spec.nodeName transitions, also when replayed', async () => {
    const cluster = createFakeCluster();
    await seed(cluster);
    const from = cluster.resourceVersion;
    const move = (name: string, nodeName: string) =>
      cluster.admin.patch(resources.pods, name, { spec: { nodeName } }, 'merge', { namespace: 'default' });
    const live = record(cluster.client, resources.pods, {
      fieldSelector: 'spec.nodeName=n1',
      resourceVersion: from,
    });
    await move('b', 'n1');
    await move('a', 'n2');
    await move('c', 'n1');
    const expected = ['ADDED b', 'DELETED a', 'MODIFIED c'];
    expect(live.summary()).toEqual(expected);
    const replayed = record(cluster.client, resources.pods, {
      fieldSelector: 'spec.nodeName=n1',
      resourceVersion: from,
    });
    expect(replayed.summary()).toEqual(expected);
    const initial = record(cluster.client, resources.pods, { fieldSelector: 'spec.nodeName=n1' });
    expect(initial.summary()).toEqual(['ADDED b', 'ADDED c']);
  });
});

describe('pagination', () => {
  async function seed(cluster: FakeCluster, count: number): Promise<void> {
    for (let i = 0; i < count; i++)
      await cluster.admin.create(resources.configMaps, configMap(`cm-${String(i).padStart(2, '0')}`));
  }

  it('pages are a consistent snapshot at the first page resourceVersion', async () => {
    const cluster = createFakeCluster();
    await seed(cluster, 5);
    const first = await list(cluster.client, resources.configMaps, { limit: 2 });
    const rv = first.metadata.resourceVersion;
    expect(rv).toBe('5');
    expect(first.metadata.remainingItemCount).toBe(3);
    expect(first.metadata.continue).toEqual(expect.any(String));

    // Writes between pages: a new object sorting first and last, a delete and an update.
    await cluster.admin.create(resources.configMaps, configMap('cm-00a'));
    await cluster.admin.create(resources.configMaps, configMap('cm-99'));
    await cluster.admin.delete(resources.configMaps, 'cm-03', { namespace: 'default' });
    await cluster.admin.patch(resources.configMaps, 'cm-04', { data: { changed: 'yes' } }, 'merge', {
      namespace: 'default',
    });

    const second = await list(cluster.client, resources.configMaps, {
      limit: 2,
      continue: first.metadata.continue,
    });
    const third = await list(cluster.client, resources.configMaps, {
      limit: 2,
      continue: second.metadata.continue,
    });
    expect([second.metadata.resourceVersion, third.metadata.resourceVersion]).toEqual([rv, rv]);
    expect(third.metadata.continue).toBeUndefined();
    const all = [...first.items, ...second.items, ...third.items] as V1ConfigMap[];
    expect(all.map((o) => o.metadata?.name)).toEqual(['cm-00', 'cm-01', 'cm-02', 'cm-03', 'cm-04']);
    expect(all.find((o) => o.metadata?.name === 'cm-04')?.data).toEqual({});
    expect(all.every((o) => rvOf(o) <= Number(rv))).toBe(true);

    // A fresh list sees the writes.
    expect(await names(cluster.client, resources.configMaps)).toEqual([
      'cm-00',
      'cm-00a',
      'cm-01',
      'cm-02',
      'cm-04',
      'cm-99',
    ]);
  });

  it('a continue token expires after continueTokenTtlMs on the scheduler (410)', async () => {
    const scheduler = new VirtualTimeScheduler();
    const cluster = createFakeCluster({ scheduler, continueTokenTtlMs: 1_000 });
    await seed(cluster, 5);
    const listNow = (options: ListOptions) => {
      const result = list(cluster.client, resources.configMaps, options);
      scheduler.flush();
      return result;
    };
    const first = await listNow({ limit: 2 });
    advance(scheduler, 600);
    const second = await listNow({ limit: 2, continue: first.metadata.continue });
    expect(second.items).toHaveLength(2);
    advance(scheduler, 600); // 1200 ms after the first page
    const expired = await rejection(listNow({ limit: 2, continue: second.metadata.continue }));
    expect([expired.code, expired.reason]).toEqual([410, 'Expired']);
    // A fresh list works and starts a new token.
    const again = await listNow({ limit: 2 });
    expect(again.items).toHaveLength(2);
    advance(scheduler, 900);
    expect((await listNow({ limit: 10, continue: again.metadata.continue })).items).toHaveLength(3);
  });

  it('compact() expires continue tokens of lists older than the compaction (410)', async () => {
    const cluster = createFakeCluster();
    await seed(cluster, 4);
    const first = await list(cluster.client, resources.configMaps, { limit: 2 });
    await cluster.admin.create(resources.pods, pod('a'));
    // Without compaction the token survives writes.
    const ok = await list(cluster.client, resources.configMaps, {
      limit: 1,
      continue: first.metadata.continue,
    });
    expect(ok.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    cluster.compact();
    const error = await rejection(
      list(cluster.client, resources.configMaps, { limit: 1, continue: ok.metadata.continue }),
    );
    expect(error.code).toBe(410);
    // The token stays dead.
    expect(
      (await rejection(list(cluster.client, resources.configMaps, { continue: ok.metadata.continue }))).code,
    ).toBe(410);
  });

  it('rejects a malformed continue token (400) and checks a list resourceVersion', async () => {
    const cluster = createFakeCluster();
    await seed(cluster, 2);
    expect((await rejection(list(cluster.client, resources.configMaps, { continue: 'garbage!' }))).code).toBe(
      400,
    );
    expect(
      (await rejection(list(cluster.client, resources.configMaps, { resourceVersion: '99' }))).code,
    ).toBe(504);
    const exact = await rejection(
      list(cluster.client, resources.configMaps, { resourceVersion: '1', resourceVersionMatch: 'Exact' }),
    );
    expect(exact.code).toBe(410);
    const current = await list(cluster.client, resources.configMaps, {
      resourceVersion: '1',
      resourceVersionMatch: 'NotOlderThan',
    });
    expect(current.metadata.resourceVersion).toBe('2');
  });
});

describe('watch', () => {
  it('from a resourceVersion replays the later events of that resource, then goes live', async () => {
    const cluster = createFakeCluster();
    const a = await cluster.admin.create(resources.pods, pod('a'));
    await cluster.admin.create(resources.pods, pod('b'));
    await cluster.admin.create(resources.configMaps, configMap('cfg'));
    await cluster.admin.patch(resources.pods, 'a', { metadata: { labels: { x: '1' } } }, 'merge', {
      namespace: 'default',
    });
    await cluster.admin.delete(resources.pods, 'b', { namespace: 'default' });
    const watch = record(cluster.client, resources.pods, { resourceVersion: a.metadata?.resourceVersion });
    expect(watch.summary()).toEqual(['ADDED b', 'MODIFIED a', 'DELETED b']);
    expect(watch.events.map((e) => rvOf(e.object as KubeObject))).toEqual([2, 4, 5]);
    await cluster.admin.create(resources.pods, pod('c'));
    expect(watch.summary()).toEqual(['ADDED b', 'MODIFIED a', 'DELETED b', 'ADDED c']);
    expect(watch.completed).toBe(false);
    expect(cluster.activeWatches).toBe(1);
    watch.subscription.unsubscribe();
    expect(cluster.activeWatches).toBe(0);
    await cluster.admin.create(resources.pods, pod('d'));
    expect(watch.events).toHaveLength(4);
  });

  it('without a resourceVersion (or "0") starts with ADDED for the current objects', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('b'));
    await cluster.admin.create(resources.pods, pod('a'));
    await cluster.admin.delete(resources.pods, 'b', { namespace: 'default' });
    expect(record(cluster.client, resources.pods).summary()).toEqual(['ADDED a']);
    expect(record(cluster.client, resources.pods, { resourceVersion: '0' }).summary()).toEqual(['ADDED a']);
  });

  it('from a resourceVersion older than the event window gets an in-stream ERROR 410 and closes', async () => {
    const cluster = createFakeCluster({ eventWindow: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await cluster.admin.create(resources.pods, pod(name));
    // The window holds rv 3..5: a watch from 2 needs only 3..5 and is served.
    const served = record(cluster.client, resources.pods, { resourceVersion: '2' });
    expect(served.summary()).toEqual(['ADDED c', 'ADDED d', 'ADDED e']);
    served.subscription.unsubscribe();
    const tooOld = record(cluster.client, resources.pods, { resourceVersion: '1' });
    expect(tooOld.summary()).toEqual(['ERROR 410']);
    expect(tooOld.events[0]?.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(tooOld.completed).toBe(true);
    expect(tooOld.error).toBeUndefined();
    expect(cluster.activeWatches).toBe(0);
  });

  it('after compact() a watch from an older resourceVersion gets ERROR 410; from the current one it works', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('a'));
    await cluster.admin.create(resources.pods, pod('b'));
    cluster.compact();
    const old = record(cluster.client, resources.pods, { resourceVersion: '1' });
    expect(old.summary()).toEqual(['ERROR 410']);
    expect(old.completed).toBe(true);
    const current = record(cluster.client, resources.pods, { resourceVersion: cluster.resourceVersion });
    expect(current.summary()).toEqual([]);
    await cluster.admin.create(resources.pods, pod('c'));
    expect(current.summary()).toEqual(['ADDED c']);
    expect(current.completed).toBe(false);
  });

  it('sendInitialEvents sends ADDED for everything, then the initial-events-end BOOKMARK, then live events', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('a'));
    await cluster.admin.create(resources.pods, pod('b', { namespace: 'other' }));
    await cluster.admin.create(resources.configMaps, configMap('cfg'));
    const watch = record(cluster.client, resources.pods, {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
    });
    expect(watch.summary()).toEqual(['ADDED a', 'ADDED b', 'BOOKMARK 3']);
    expect(watch.events[2]?.object).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { resourceVersion: '3', annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } },
    });
    await cluster.admin.create(resources.pods, pod('c'));
    expect(watch.summary()).toEqual(['ADDED a', 'ADDED b', 'BOOKMARK 3', 'ADDED c']);

    const scoped = record(cluster.client, resources.pods, {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
      namespace: 'other',
    });
    expect(scoped.summary()).toEqual(['ADDED b', 'BOOKMARK 4']);
  });

  it('rejects sendInitialEvents without its companion parameters, or when unsupported, with 422', () => {
    const cluster = createFakeCluster();
    const code = (c: FakeCluster, options: WatchOptions) => {
      const watch = record(c.client, resources.pods, options);
      expect(watch.events).toEqual([]);
      return (watch.error as StatusError | undefined)?.code;
    };
    expect(code(cluster, { sendInitialEvents: true, allowWatchBookmarks: true })).toBe(422);
    expect(code(cluster, { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' })).toBe(422);
    expect(
      code(cluster, { sendInitialEvents: true, resourceVersionMatch: 'Exact', allowWatchBookmarks: true }),
    ).toBe(422);
    expect(code(cluster, { resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true })).toBe(422);
    const valid = record(cluster.client, resources.pods, {
      sendInitialEvents: true,
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: true,
    });
    expect([valid.summary(), valid.error]).toEqual([['BOOKMARK 0'], undefined]);
    const old = createFakeCluster({ supportsStreamingLists: false });
    expect(
      code(old, { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true }),
    ).toBe(422);
    expect(old.activeWatches).toBe(0);
  });

  it('sends a BOOKMARK with the global resourceVersion every bookmarkIntervalMs and closes at timeoutSeconds', () => {
    const testScheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    testScheduler.run(({ expectObservable }) => {
      const cluster = createFakeCluster({ scheduler: testScheduler, bookmarkIntervalMs: 100 });
      testScheduler.schedule(() => void cluster.admin.create(resources.configMaps, configMap('x')), 150);
      testScheduler.schedule(() => void cluster.admin.create(resources.pods, pod('p')), 250);
      const watch = (options: WatchOptions) =>
        cluster.client.watch(resources.pods, options).pipe(map(summarize));
      expectObservable(watch({ allowWatchBookmarks: true, timeoutSeconds: 0.35 })).toBe(
        '100ms a 99ms b 49ms c 49ms d 49ms |',
        { a: 'BOOKMARK 0', b: 'BOOKMARK 1', c: 'ADDED p', d: 'BOOKMARK 2' },
      );
      // Without allowWatchBookmarks: no bookmarks.
      expectObservable(watch({ timeoutSeconds: 0.3 })).toBe('250ms c 49ms |', { c: 'ADDED p' });
      // No timeout: open until unsubscribed.
      expectObservable(watch({ allowWatchBookmarks: true }), '^ 500ms !').toBe(
        '100ms a 99ms b 49ms c 49ms d 99ms d 99ms d',
        { a: 'BOOKMARK 0', b: 'BOOKMARK 1', c: 'ADDED p', d: 'BOOKMARK 2' },
      );
    });
  });

  it('bookmarkIntervalMs: 0 disables bookmarks; the closed watch stops its timers', () => {
    const scheduler = new VirtualTimeScheduler();
    const cluster = createFakeCluster({ scheduler, bookmarkIntervalMs: 0 });
    const watch = record(cluster.client, resources.pods, { allowWatchBookmarks: true, timeoutSeconds: 10 });
    advance(scheduler, 9_999);
    expect([watch.events.length, watch.completed]).toEqual([0, false]);
    advance(scheduler, 1);
    expect(watch.completed).toBe(true);
    expect(cluster.activeWatches).toBe(0);

    const withBookmarks = createFakeCluster({ scheduler, bookmarkIntervalMs: 1_000 });
    const closed = record(withBookmarks.client, resources.pods, {
      allowWatchBookmarks: true,
      timeoutSeconds: 2.5,
    });
    advance(scheduler, 10_000);
    expect(closed.summary()).toEqual(['BOOKMARK 0', 'BOOKMARK 0']);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('lists and watches of an unknown resource fail with 404', async () => {
    const cluster = createFakeCluster();
    const widgets = defineResource({
      group: 'x.io',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
    });
    expect((await rejection(list(cluster.client, widgets))).code).toBe(404);
    expect((record(cluster.client, widgets).error as StatusError).code).toBe(404);
    expect((await rejection(cluster.admin.create(widgets, { metadata: { name: 'w' } }))).code).toBe(404);
  });
});

describe('CustomResourceDefinitions', () => {
  it('creating a CRD registers its served versions; cluster.registerResource does the same', async () => {
    const cluster = createFakeCluster();
    const widgets = (version: string) =>
      defineResource({ group: 'example.com', version, plural: 'widgets', kind: 'Widget', namespaced: true });
    expect((await rejection(list(cluster.client, widgets('v1')))).code).toBe(404);
    await cluster.admin.create(resources.customResourceDefinitions, {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          { name: 'v1', served: true, storage: true },
          { name: 'v2', served: true, storage: false },
          { name: 'v0', served: false, storage: false },
        ],
      },
    });
    expect((await list(cluster.client, widgets('v1'))).items).toEqual([]);
    const w = await cluster.client.create(widgets('v1'), { metadata: { name: 'w1' } });
    expect(w).toMatchObject({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { namespace: 'default' },
    });
    expect(await names(cluster.client, widgets('v1'))).toEqual(['w1']);
    expect((await list(cluster.client, widgets('v2'))).metadata.resourceVersion).toBe(
      cluster.resourceVersion,
    );
    expect((await rejection(list(cluster.client, widgets('v0')))).code).toBe(404);

    const gadgets = defineResource({
      group: 'example.com',
      version: 'v1',
      plural: 'gadgets',
      kind: 'Gadget',
      namespaced: false,
    });
    expect((await rejection(list(cluster.client, gadgets))).code).toBe(404);
    cluster.registerResource(gadgets);
    const g = await cluster.client.create(gadgets, { metadata: { name: 'g', namespace: 'ignored' } });
    expect(g.metadata?.namespace).toBeUndefined();
  });

  it('a cluster-scoped CRD yields a cluster-scoped resource', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.customResourceDefinitions, {
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'things', kind: 'Thing' },
        scope: 'Cluster',
        versions: [{ name: 'v1alpha1', served: true, storage: true }],
      },
    });
    const things = defineResource({
      group: 'example.com',
      version: 'v1alpha1',
      plural: 'things',
      kind: 'Thing',
      namespaced: false,
    });
    const t = await cluster.admin.create(things, { metadata: { name: 't', namespace: 'x' } });
    expect(t.metadata?.namespace).toBeUndefined();
    expect(await cluster.admin.get(things, 't')).toEqual(t);
  });
});

describe('fault injection', () => {
  it('failNext(n, code) fails the next n requests of the client, then recovers; admin is exempt', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, pod('a'));
    cluster.failNext(3, 503);
    // The admin client neither fails nor consumes the failures.
    expect(await names(cluster.admin, resources.pods)).toEqual(['a']);
    const first = await rejection(list(cluster.client, resources.pods));
    expect([first.code, first.reason]).toEqual([503, 'ServiceUnavailable']);
    expect((await rejection(cluster.client.get(resources.pods, 'a', { namespace: 'default' }))).code).toBe(
      503,
    );
    const watch = record(cluster.client, resources.pods);
    expect((watch.error as StatusError).code).toBe(503);
    expect(cluster.activeWatches).toBe(0);
    expect(await names(cluster.client, resources.pods)).toEqual(['a']);
    expect(record(cluster.client, resources.pods).summary()).toEqual(['ADDED a']);
  });

  it('failNext defaults to 500 and accepts a full Status; a failed write changes nothing', async () => {
    const cluster = createFakeCluster();
    cluster.failNext(1);
    expect((await rejection(cluster.client.create(resources.pods, pod('a')))).code).toBe(500);
    expect(cluster.resourceVersion).toBe('0');
    cluster.failNext(1, {
      code: 429,
      reason: 'TooManyRequests',
      message: 'slow down',
      details: { retryAfterSeconds: 2 },
    });
    const throttled = await rejection(cluster.client.create(resources.pods, pod('a')));
    expect([throttled.code, throttled.reason, throttled.status.details?.retryAfterSeconds]).toEqual([
      429,
      'TooManyRequests',
      2,
    ]);
    await cluster.client.create(resources.pods, pod('a'));
    expect(cluster.resourceVersion).toBe('1');
  });

  it('dropWatches() completes every open watch', async () => {
    const cluster = createFakeCluster();
    const pods = record(cluster.client, resources.pods);
    const cms = record(cluster.admin, resources.configMaps);
    expect(cluster.activeWatches).toBe(2);
    cluster.dropWatches();
    expect([pods.completed, cms.completed, cluster.activeWatches]).toEqual([true, true, 0]);
    await cluster.admin.create(resources.pods, pod('a'));
    expect(pods.events).toEqual([]);
  });

  it('injectRawLine: JSON becomes an event; garbage errors the watch with WatchProtocolError', () => {
    const cluster = createFakeCluster();
    const watch = record(cluster.client, resources.pods);
    const other = record(cluster.client, resources.configMaps);
    const event = { type: 'ADDED', object: { metadata: { name: 'injected', resourceVersion: '77' } } };
    cluster.injectRawLine(JSON.stringify(event));
    expect(watch.events).toEqual([event]);
    expect(other.events).toEqual([event]);
    cluster.injectRawLine('{not json');
    expect(watch.error).toBeInstanceOf(WatchProtocolError);
    expect(other.error).toBeInstanceOf(WatchProtocolError);
    expect(cluster.activeWatches).toBe(0);
    // A JSON value that is not an event is malformed too.
    const third = record(cluster.client, resources.pods);
    cluster.injectRawLine('[1,2]');
    expect(third.error).toBeInstanceOf(WatchProtocolError);
  });

  it('setLatency delays list answers and watch starts of the client (not admin) in virtual time', async () => {
    const scheduler = new VirtualTimeScheduler();
    const cluster = createFakeCluster({ scheduler, latencyMs: 50 });
    await cluster.admin.create(resources.pods, pod('a'));
    cluster.setLatency(200);
    let answer: ListResult | undefined;
    from(cluster.client.list(resources.pods, {})).subscribe((result) => {
      answer = result;
    });
    let adminAnswer: ListResult | undefined;
    from(cluster.admin.list(resources.pods, {})).subscribe((result) => {
      adminAnswer = result;
    });
    const watch = record(cluster.client, resources.pods);
    advance(scheduler, 0);
    expect(adminAnswer?.items).toHaveLength(1);
    advance(scheduler, 199);
    expect(answer).toBeUndefined();
    expect(watch.events).toEqual([]);
    expect(cluster.activeWatches).toBe(0);
    advance(scheduler, 1);
    expect(answer?.items).toHaveLength(1);
    expect(watch.summary()).toEqual(['ADDED a']);
    expect(cluster.activeWatches).toBe(1);

    // Unsubscribing before the delay ends never opens the watch.
    const cancelled = record(cluster.client, resources.pods);
    cancelled.subscription.unsubscribe();
    advance(scheduler, 500);
    expect(cluster.activeWatches).toBe(1);
    cluster.setLatency(0);
    const immediate = record(cluster.client, resources.pods);
    expect(immediate.summary()).toEqual(['ADDED a']);
  });
});
