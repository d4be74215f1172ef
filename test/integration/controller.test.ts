/**
 * `controller` against the fake cluster in virtual time: a Deployment controller that keeps one
 * owned ConfigMap per Deployment (`<name>-config`, `ownerReferences` with `controller: true`,
 * `data.replicas` mirroring the spec) and cleans it up behind a finalizer. Informers come from an
 * `informerFactory` with a 10-minute resync. Also: a controller gated by `leaderElection`, so only
 * the current leader reconciles.
 */
import type { V1ConfigMap, V1Deployment, V1Secret } from '@kubernetes/client-node';
import {
  defer,
  EMPTY,
  from,
  mergeMap,
  type SchedulerLike,
  type Subscription,
  switchMap,
  tap,
  throwError,
  timer,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ensureFinalizer, isBeingDeleted, removeFinalizer } from '../../src/api/finalizers.js';
import { patchWith } from '../../src/api/patchWith.js';
import type { KubeClient } from '../../src/core/client.js';
import { isStatusError, statusError } from '../../src/core/errors.js';
import { splitKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { generationChanged } from '../../src/operators/predicates.js';
import { type ControllerOptions, controller, controllerOwnerKeys } from '../../src/runtime/controller.js';
import type { Informer } from '../../src/runtime/informer.js';
import { informerFactory } from '../../src/runtime/informerFactory.js';
import { leaderElection } from '../../src/runtime/leaderElection.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import {
  createFakeCluster,
  type FakeCluster,
  type VirtualClock,
  virtualClock,
} from '../../src/testing/index.js';
import { exponentialFailure } from '../../src/workqueue/rateLimiters.js';
import type { WorkDroppedError, WorkResult } from '../../src/workqueue/workQueue.js';

const NS = 'default';
const FINALIZER = 'example.com/config-cleanup';
const RESYNC = 10 * 60_000;

function deployment(name: string, replicas = 1, labels: Record<string, string> = {}): V1Deployment {
  return {
    metadata: { name, namespace: NS, labels: { app: name, ...labels } },
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

const configName = (deploymentName: string) => `${deploymentName}-config`;

function ignoreNotFound(error: unknown): void {
  if (!(isStatusError(error) && error.code === 404)) throw error;
}

/**
 * The reconcile under test: finalizer first, then the owned ConfigMap (created, or patched back to
 * the desired data); on deletion, delete the ConfigMap and then drop the finalizer.
 */
async function reconcileDeployment(
  client: KubeClient,
  configMaps: Informer<V1ConfigMap>,
  key: string,
  snapshot: Snapshot<V1Deployment>,
): Promise<void> {
  const found = snapshot.get(key);
  if (!found) return; // gone: nothing left to do
  const { namespace, name } = splitKey(key);
  if (found.metadata?.labels?.fail === 'true') throw new Error(`cannot reconcile ${key}`);
  if (isBeingDeleted(found)) {
    await client.delete(resources.configMaps, configName(name), { namespace }).catch(ignoreNotFound);
    await removeFinalizer(client, resources.deployments, found, FINALIZER);
    return;
  }
  const d = await ensureFinalizer(client, resources.deployments, found, FINALIZER);
  const replicas = String(d.spec?.replicas ?? 1);
  const existing = configMaps.snapshot().get(`${namespace}/${configName(name)}`);
  if (!existing) {
    await client.create(
      resources.configMaps,
      {
        metadata: {
          name: configName(name),
          namespace,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              name,
              uid: d.metadata?.uid as string,
              controller: true,
            },
          ],
        },
        data: { replicas },
      },
      { namespace },
    );
    return;
  }
  await patchWith(client, resources.configMaps, existing, (draft) => {
    if (draft.data?.replicas !== replicas) draft.data = { ...draft.data, replicas };
  });
}

/** Delays the answers of lists of `plural` on the scheduler. */
function delayLists(
  inner: KubeClient,
  scheduler: SchedulerLike,
  plural: string,
  delayMs: number,
): KubeClient {
  return {
    ...inner,
    list: (resource, options, signal) =>
      resource.plural === plural
        ? timer(delayMs, scheduler).pipe(mergeMap(() => from(inner.list(resource, options, signal))))
        : inner.list(resource, options, signal),
  };
}

interface Reconciled {
  readonly key: string;
  readonly t: number;
  /** Whether every informer of the controller had synced when reconcile started. */
  readonly synced: boolean;
}

interface Running {
  readonly clock: VirtualClock;
  readonly cluster: FakeCluster;
  readonly deployments: Informer<V1Deployment>;
  readonly configMaps: Informer<V1ConfigMap>;
  readonly reconciled: Reconciled[];
  readonly results: WorkResult[];
  readonly dropped: WorkDroppedError[];
  readonly subscription: Subscription;
  completed(): boolean;
  /** Reconciles of `key` at or after `since`. */
  count(key: string, since?: number): number;
  getDeployment(name: string): Promise<V1Deployment | undefined>;
  getConfigMap(name: string): Promise<V1ConfigMap | undefined>;
}

interface RunOptions {
  seed?: V1Deployment[];
  seedConfigMaps?: V1ConfigMap[];
  /** Client wrapper (e.g. slow lists). */
  wrap?: (client: KubeClient, clock: VirtualClock) => KubeClient;
  extra?: (factory: ReturnType<typeof informerFactory>) => Partial<
    Omit<ControllerOptions<V1Deployment>, 'for' | 'reconcile'>
  > & {
    informers?: { hasSynced(): boolean }[];
  };
}

async function run(options: RunOptions = {}): Promise<Running> {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler });
  for (const d of options.seed ?? []) await cluster.admin.create(resources.deployments, d, { namespace: NS });
  for (const cm of options.seedConfigMaps ?? [])
    await cluster.admin.create(resources.configMaps, cm, { namespace: NS });
  const client = options.wrap ? options.wrap(cluster.client, clock) : cluster.client;
  const factory = informerFactory(client, { scheduler: clock.scheduler, resyncPeriodMs: RESYNC });
  const deployments = factory.for(resources.deployments);
  const configMaps = factory.for(resources.configMaps);
  const extra = options.extra?.(factory) ?? {};
  const { informers: extraInformers = [], ...extraOptions } = extra;
  const reconciled: Reconciled[] = [];
  const results: WorkResult[] = [];
  const dropped: WorkDroppedError[] = [];
  let completed = false;
  const subscription = controller<V1Deployment>({
    for: deployments,
    owns: [configMaps],
    scheduler: clock.scheduler,
    onError: (error) => dropped.push(error),
    ...extraOptions,
    reconcile: (key, snapshot) => {
      const synced =
        deployments.hasSynced() && configMaps.hasSynced() && extraInformers.every((inf) => inf.hasSynced());
      reconciled.push({ key, t: clock.now(), synced });
      return reconcileDeployment(client, configMaps, key, snapshot);
    },
  }).subscribe({
    next: (r) => results.push(r),
    complete: () => {
      completed = true;
    },
  });
  const get = <T>(p: Promise<T>): Promise<T | undefined> =>
    p.catch((e: unknown) => {
      ignoreNotFound(e);
      return undefined;
    });
  return {
    clock,
    cluster,
    deployments,
    configMaps,
    reconciled,
    results,
    dropped,
    subscription,
    completed: () => completed,
    count: (key, since = 0) => reconciled.filter((r) => r.key === key && r.t >= since).length,
    getDeployment: (name) => get(cluster.admin.get(resources.deployments, name, { namespace: NS })),
    getConfigMap: (name) => get(cluster.admin.get(resources.configMaps, configName(name), { namespace: NS })),
  };
}

/** The ConfigMap is owned by the Deployment (controller reference) and mirrors its replicas. */
async function expectOwnedConfig(r: Running, name: string, replicas: number): Promise<V1ConfigMap> {
  const d = await r.getDeployment(name);
  const cm = await r.getConfigMap(name);
  expect(d?.metadata?.finalizers).toEqual([FINALIZER]);
  expect(cm?.data).toEqual({ replicas: String(replicas) });
  expect(cm?.metadata?.ownerReferences).toEqual([
    { apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d?.metadata?.uid, controller: true },
  ]);
  expect(controllerOwnerKeys(cm as V1ConfigMap, resources.deployments)).toEqual([`${NS}/${name}`]);
  return cm as V1ConfigMap;
}

const SEED = [deployment('web', 1), deployment('api', 2), deployment('db', 3)];

describe('controller: Deployment -> owned ConfigMap, on the fake cluster', () => {
  it('reconciles nothing until every cache synced, then every Deployment', async () => {
    const r = await run({
      seed: SEED,
      // A stale ConfigMap for api already exists: it is patched, not recreated.
      seedConfigMaps: [{ metadata: { name: configName('api'), namespace: NS }, data: { replicas: '0' } }],
      wrap: (client, clock) => delayLists(client, clock.scheduler, 'configmaps', 5_000),
    });
    await r.clock.advanceBy(4_000);
    expect(r.deployments.hasSynced()).toBe(true);
    expect(r.configMaps.hasSynced()).toBe(false);
    expect(r.reconciled).toEqual([]);

    await r.clock.advanceBy(6_000);
    expect(r.reconciled.length).toBeGreaterThanOrEqual(3);
    expect(r.reconciled.every((x) => x.synced && x.t >= 5_000)).toBe(true);
    expect(new Set(r.reconciled.map((x) => x.key))).toEqual(
      new Set(['default/web', 'default/api', 'default/db']),
    );
    await expectOwnedConfig(r, 'web', 1);
    await expectOwnedConfig(r, 'db', 3);
    expect((await r.getConfigMap('api'))?.data).toEqual({ replicas: '2' });
    expect(r.results.every((x) => x.outcome === 'success')).toBe(true);
    expect(r.dropped).toEqual([]);
    r.subscription.unsubscribe();
  });

  it('a change to the owned ConfigMap wakes its owner, which restores it; a deletion is undone', async () => {
    const r = await run({ seed: SEED });
    await r.clock.advanceBy(5_000);
    const original = await expectOwnedConfig(r, 'web', 1);
    const since = r.clock.now();

    await r.cluster.admin.patch(
      resources.configMaps,
      configName('web'),
      { data: { replicas: '7' } },
      'merge',
      {
        namespace: NS,
      },
    );
    await r.clock.advanceBy(1_000);
    expect(r.count('default/web', since)).toBeGreaterThanOrEqual(1);
    expect((await r.getConfigMap('web'))?.data).toEqual({ replicas: '1' });

    await r.cluster.admin.delete(resources.configMaps, configName('web'), { namespace: NS });
    await r.clock.advanceBy(1_000);
    const recreated = await expectOwnedConfig(r, 'web', 1);
    expect(recreated.metadata?.uid).not.toBe(original.metadata?.uid);

    // Only the owner was woken: ConfigMaps of other owners, or of nobody, wake nothing.
    expect(r.count('default/api', since)).toBe(0);
    expect(r.count('default/db', since)).toBe(0);
    const before = r.reconciled.length;
    await r.cluster.admin.create(
      resources.configMaps,
      { metadata: { name: 'loose', namespace: NS } },
      {
        namespace: NS,
      },
    );
    await r.cluster.admin.create(
      resources.configMaps,
      {
        metadata: {
          name: 'rs-owned',
          namespace: NS,
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'x', controller: true },
          ],
        },
      },
      { namespace: NS },
    );
    await r.clock.advanceBy(1_000);
    expect(r.reconciled.length).toBe(before);
    r.subscription.unsubscribe();
  });

  it('deleting a Deployment runs the finalizer: the ConfigMap is deleted, then the Deployment disappears', async () => {
    const r = await run({ seed: SEED });
    await r.clock.advanceBy(5_000);
    await expectOwnedConfig(r, 'web', 1);

    await r.cluster.admin.delete(resources.deployments, 'web', { namespace: NS });
    const deleting = await r.getDeployment('web');
    expect(deleting && isBeingDeleted(deleting)).toBe(true); // held by the finalizer
    await r.clock.advanceBy(1_000);
    expect(await r.getDeployment('web')).toBeUndefined();
    expect(await r.getConfigMap('web')).toBeUndefined();
    expect(r.deployments.snapshot().get('default/web')).toBeUndefined();
    expect(r.results.filter((x) => x.key === 'default/web').every((x) => x.outcome === 'success')).toBe(true);
    // The others are untouched.
    await expectOwnedConfig(r, 'api', 2);
    r.subscription.unsubscribe();
  });

  it('a spec change is mirrored into the ConfigMap; a new Deployment gets one', async () => {
    const r = await run({ seed: SEED });
    await r.clock.advanceBy(5_000);
    const db = (await r.getDeployment('db')) as V1Deployment;
    await patchWith(r.cluster.admin, resources.deployments, db, (draft) => {
      draft.spec!.replicas = 5;
    });
    await r.cluster.admin.create(resources.deployments, deployment('cache', 4), { namespace: NS });
    await r.clock.advanceBy(1_000);
    await expectOwnedConfig(r, 'db', 5);
    await expectOwnedConfig(r, 'cache', 4);
    r.subscription.unsubscribe();
  });

  it('a 10-minute resync runs at once in virtual time and re-reconciles every Deployment, writing nothing', async () => {
    const r = await run({ seed: SEED });
    await r.clock.advanceBy(5_000);
    const steady = r.cluster.resourceVersion;
    const counts = () => SEED.map((d) => r.count(`${NS}/${d.metadata?.name}`));
    const before = counts();
    const wall = Date.now();

    await r.clock.advanceBy(RESYNC - 5_000 - 1);
    expect(counts()).toEqual(before); // nothing happens in between (watch restarts, bookmarks)
    await r.clock.advanceBy(2);
    const after = counts();
    for (let i = 0; i < SEED.length; i++) expect(after[i]).toBeGreaterThan(before[i] as number);
    expect(r.reconciled.filter((x) => x.t > 5_000).every((x) => x.t === RESYNC)).toBe(true);
    // Reconcile is idempotent: the resync changed nothing on the server.
    expect(r.cluster.resourceVersion).toBe(steady);

    await r.clock.advanceBy(RESYNC);
    for (const d of SEED) expect(r.count(`${NS}/${d.metadata?.name}`, 2 * RESYNC)).toBeGreaterThanOrEqual(1);
    expect(Date.now() - wall).toBeLessThan(10_000);
    r.subscription.unsubscribe();
  });

  it('a failing reconcile is retried with backoff, then dropped and reported after maxRetries', async () => {
    const r = await run({
      seed: [...SEED, deployment('broken', 1, { fail: 'true' })],
      extra: () => ({ maxRetries: 3, rateLimiter: exponentialFailure(1_000, 60_000) }),
    });
    await r.clock.advanceBy(60_000);
    const broken = r.results.filter((x) => x.key === 'default/broken');
    expect(broken.map((x) => [x.outcome, x.attempt, x.delayMs])).toEqual([
      ['retry', 1, 1_000],
      ['retry', 2, 2_000],
      ['retry', 3, 4_000],
      ['dropped', 4, undefined],
    ]);
    expect(r.reconciled.filter((x) => x.key === 'default/broken').map((x) => x.t)).toEqual([
      0, 1_000, 3_000, 7_000,
    ]);
    expect(r.dropped).toHaveLength(1);
    expect(r.dropped[0]?.key).toBe('default/broken');
    expect(r.dropped[0]?.attempts).toBe(4);
    expect(r.dropped[0]?.message).toMatch(/cannot reconcile default\/broken/);
    // The others were not held up.
    await expectOwnedConfig(r, 'web', 1);

    // A dropped key is reconciled again on its next event, and succeeds once fixed.
    const fixed = (await r.getDeployment('broken')) as V1Deployment;
    await patchWith(r.cluster.admin, resources.deployments, fixed, (draft) => {
      delete draft.metadata!.labels!.fail;
    });
    await r.clock.advanceBy(1_000);
    await expectOwnedConfig(r, 'broken', 1);
    r.subscription.unsubscribe();
  });

  it('a transient API failure inside reconcile is retried and heals', async () => {
    const r = await run({
      seed: [deployment('web', 1)],
      extra: () => ({ rateLimiter: exponentialFailure(500, 60_000) }),
    });
    await r.clock.advanceBy(5_000);
    const web = (await r.getDeployment('web')) as V1Deployment;
    // The admin client bypasses faults: the reconcile's first request (the ConfigMap patch) fails.
    r.cluster.failNext(1, 500);
    await patchWith(r.cluster.admin, resources.deployments, web, (draft) => {
      draft.spec!.replicas = 2;
    });
    await r.clock.advanceBy(1);
    const last = r.results.filter((x) => x.key === 'default/web').at(-1);
    expect(last?.outcome).toBe('retry');
    expect(last?.delayMs).toBe(500);
    expect(isStatusError(last?.error) && last.error.code).toBe(500);
    expect((await r.getConfigMap('web'))?.data).toEqual({ replicas: '1' });
    await r.clock.advanceBy(1_000);
    await expectOwnedConfig(r, 'web', 2);
    expect(r.results.filter((x) => x.key === 'default/web').at(-1)?.outcome).toBe('success');
    r.subscription.unsubscribe();
  });

  it('watches: a map function turns secondary objects into primary keys (old and new state)', async () => {
    let secrets!: Informer<V1Secret>;
    const r = await run({
      seed: SEED,
      extra: (factory) => {
        secrets = factory.for(resources.secrets);
        return {
          informers: [secrets],
          watches: [
            {
              informer: secrets,
              map: (s) => {
                const target = s.metadata?.annotations?.['example.com/for'];
                return target ? [`${s.metadata?.namespace}/${target}`] : [];
              },
            },
          ],
        };
      },
    });
    await r.clock.advanceBy(5_000);
    const since = r.clock.now();
    await r.cluster.admin.create(
      resources.secrets,
      { metadata: { name: 's', namespace: NS, annotations: { 'example.com/for': 'api' } } },
      { namespace: NS },
    );
    await r.cluster.admin.create(
      resources.secrets,
      { metadata: { name: 'plain', namespace: NS } },
      { namespace: NS },
    );
    await r.clock.advanceBy(1_000);
    expect([
      r.count('default/web', since),
      r.count('default/api', since),
      r.count('default/db', since),
    ]).toEqual([0, 1, 0]);

    const since2 = r.clock.now();
    await r.cluster.admin.patch(
      resources.secrets,
      's',
      { metadata: { annotations: { 'example.com/for': 'db' } } },
      'merge',
      { namespace: NS },
    );
    await r.clock.advanceBy(1_000);
    expect([
      r.count('default/web', since2),
      r.count('default/api', since2),
      r.count('default/db', since2),
    ]).toEqual([0, 1, 1]);
    expect(r.reconciled.every((x) => x.synced)).toBe(true);
    r.subscription.unsubscribe();
  });

  it('forEvents: generationChanged() drops status-only and metadata-only updates of the primary', async () => {
    const r = await run({
      seed: SEED,
      extra: () => ({ forEvents: (events) => events.pipe(generationChanged()) }),
    });
    await r.clock.advanceBy(5_000);
    const since = r.clock.now();

    const web = (await r.getDeployment('web')) as V1Deployment;
    const withStatus = await r.cluster.admin.patch(
      resources.deployments,
      'web',
      { status: { replicas: 1, readyReplicas: 1 } },
      'merge',
      { namespace: NS, subresource: 'status' },
    );
    expect(withStatus.metadata?.resourceVersion).not.toBe(web.metadata?.resourceVersion);
    await r.cluster.admin.patch(
      resources.deployments,
      'web',
      { metadata: { labels: { tier: 'front' } } },
      'merge',
      {
        namespace: NS,
      },
    );
    await r.clock.advanceBy(1_000);
    expect(r.count('default/web', since)).toBe(0);
    expect(r.deployments.snapshot().get('default/web')?.status?.readyReplicas).toBe(1);

    await r.cluster.admin.patch(resources.deployments, 'web', { spec: { replicas: 6 } }, 'merge', {
      namespace: NS,
    });
    await r.clock.advanceBy(1_000);
    // The spec change, then the owned ConfigMap's update it caused.
    expect(r.count('default/web', since)).toBe(2);
    await expectOwnedConfig(r, 'web', 6);

    // Owned objects still wake the owner: the predicate filters primary events only.
    await r.cluster.admin.delete(resources.configMaps, configName('web'), { namespace: NS });
    await r.clock.advanceBy(1_000);
    await expectOwnedConfig(r, 'web', 6);
    r.subscription.unsubscribe();
  });

  it('unsubscribing stops reconciling and closes every watch', async () => {
    const r = await run({ seed: SEED });
    await r.clock.advanceBy(5_000);
    expect(r.cluster.activeWatches).toBe(2);
    r.subscription.unsubscribe();
    expect(r.cluster.activeWatches).toBe(0);
    const before = r.reconciled.length;
    await r.cluster.admin.create(resources.deployments, deployment('late'), { namespace: NS });
    await r.clock.advanceBy(RESYNC);
    expect(r.reconciled.length).toBe(before);
    expect(await r.getConfigMap('late')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Gated by leader election

/** A client that fails every request with 503 while `down` (a crashed or partitioned process). */
interface Partitionable extends KubeClient {
  down: boolean;
  watches: number;
}

function partitionable(inner: KubeClient): Partitionable {
  const fail = () => statusError(503, 'partitioned');
  const client: Partitionable = {
    down: false,
    watches: 0,
    list: (resource, options, signal) =>
      client.down ? throwError(fail) : inner.list(resource, options, signal),
    watch: (resource, options) =>
      defer(() => {
        if (client.down) return throwError(fail);
        client.watches++;
        return inner.watch(resource, options);
      }),
    get: (...args) => (client.down ? Promise.reject(fail()) : inner.get(...args)),
    create: (...args) => (client.down ? Promise.reject(fail()) : inner.create(...args)),
    replace: (...args) => (client.down ? Promise.reject(fail()) : inner.replace(...args)),
    patch: (...args) => (client.down ? Promise.reject(fail()) : inner.patch(...args)),
    delete: (...args) => (client.down ? Promise.reject(fail()) : inner.delete(...args)),
  };
  return client;
}

describe('controller gated by leaderElection', () => {
  it('only the leader reconciles; after a release and a crash the next leader takes over the work', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    for (const d of SEED) await cluster.admin.create(resources.deployments, d, { namespace: NS });

    interface Candidate {
      readonly identity: string;
      readonly client: Partitionable;
      leading: boolean;
      readonly periods: { from: number; to: number }[];
      subscription?: Subscription;
    }
    const calls: { identity: string; key: string; t: number; leading: boolean }[] = [];
    const candidates = ['a', 'b', 'c'].map(
      (identity): Candidate => ({
        identity,
        client: partitionable(cluster.client),
        leading: false,
        periods: [],
      }),
    );
    const start = (c: Candidate) => {
      const factory = informerFactory(c.client, { scheduler: clock.scheduler, resyncPeriodMs: RESYNC });
      const deployments = factory.for(resources.deployments);
      const configMaps = factory.for(resources.configMaps);
      c.subscription = leaderElection(c.client, {
        namespace: 'kube-system',
        name: 'deployment-config-controller',
        identity: c.identity,
        scheduler: clock.scheduler,
      })
        .pipe(
          tap((leading) => {
            if (leading && !c.leading) c.periods.push({ from: clock.now(), to: Number.POSITIVE_INFINITY });
            if (!leading && c.leading) (c.periods.at(-1) as { to: number }).to = clock.now();
            c.leading = leading;
          }),
          switchMap((leading) =>
            leading
              ? controller<V1Deployment>({
                  for: deployments,
                  owns: [configMaps],
                  scheduler: clock.scheduler,
                  reconcile: (key, snapshot) => {
                    calls.push({ identity: c.identity, key, t: clock.now(), leading: c.leading });
                    return reconcileDeployment(c.client, configMaps, key, snapshot);
                  },
                })
              : EMPTY,
          ),
        )
        .subscribe();
    };
    const stop = (c: Candidate) => {
      c.subscription?.unsubscribe();
      if (c.leading) (c.periods.at(-1) as { to: number }).to = clock.now();
      c.leading = false;
    };
    const [a, b, c] = candidates as [Candidate, Candidate, Candidate];
    const keysBy = (identity: string, since = 0) =>
      new Set(calls.filter((x) => x.identity === identity && x.t >= since).map((x) => x.key));
    const all = new Set(SEED.map((d) => `${NS}/${d.metadata?.name}`));

    start(a);
    await clock.advanceBy(700);
    start(b);
    await clock.advanceBy(600);
    start(c);
    await clock.advanceBy(30_000);
    expect([a.leading, b.leading, c.leading]).toEqual([true, false, false]);
    expect(keysBy('a')).toEqual(all);
    expect(keysBy('b').size + keysBy('c').size).toBe(0);
    // Followers do not even run informers.
    expect(b.client.watches + c.client.watches).toBe(0);
    await cluster.admin.create(resources.deployments, deployment('cache', 4), { namespace: NS });
    await clock.advanceBy(1_000);
    expect(calls.filter((x) => x.key === 'default/cache').map((x) => x.identity)).toEqual(['a', 'a']);
    all.add('default/cache');

    // Release: a successor reconciles everything (its informers replay the cache).
    const released = clock.now();
    stop(a);
    await clock.advanceBy(5_000);
    const second = [b, c].find((x) => x.leading) as Candidate;
    expect(second).toBeDefined();
    expect(second.periods[0]?.from).toBeLessThanOrEqual(released + 2_000);
    expect(keysBy(second.identity)).toEqual(all);

    // Crash: the successor's process loses the API server; the third candidate takes over.
    const crashed = second;
    crashed.client.down = true;
    await clock.advanceBy(30_000);
    const third = candidates.find((x) => x.leading) as Candidate;
    expect(third).toBeDefined();
    expect(third.identity).not.toBe(crashed.identity);
    expect(crashed.leading).toBe(false);
    const handover = third.periods.at(-1)?.from as number;
    await cluster.admin.delete(resources.configMaps, configName('web'), { namespace: NS });
    await clock.advanceBy(2_000);
    expect(keysBy(third.identity, handover)).toEqual(all);
    expect(
      (await cluster.admin.get(resources.configMaps, configName('web'), { namespace: NS })).data,
    ).toEqual({
      replicas: '1',
    });

    // Every reconcile ran while its candidate led, and leaders never overlapped.
    expect(calls.every((x) => x.leading)).toBe(true);
    for (const x of calls) {
      const cand = candidates.find((k) => k.identity === x.identity) as Candidate;
      expect(cand.periods.some((p) => p.from <= x.t && x.t < p.to)).toBe(true);
    }
    const periods = candidates.flatMap((k) => k.periods).sort((p, q) => p.from - q.from);
    for (let i = 1; i < periods.length; i++)
      expect(periods[i]?.from).toBeGreaterThanOrEqual(periods[i - 1]?.to as number);
    for (const k of candidates) stop(k);
  });
});

describe('controllerOwnerKeys on malformed owner references (issue 14)', () => {
  const withRefs = (ownerReferences: unknown) =>
    ({ metadata: { namespace: NS, name: 'cm', ownerReferences } }) as unknown as V1ConfigMap;
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u1', controller: true };

  it('ownerReferences that is {}, null or a string names no owner, and does not throw', () => {
    for (const refs of [{}, null, 'web', 5, { 0: ref }])
      expect(controllerOwnerKeys(withRefs(refs), resources.deployments)).toEqual([]);
  });

  it('entries that are null, not objects or lack string fields are skipped; a valid one beside them counts', () => {
    const entries = [
      null,
      'web',
      [ref],
      { ...ref, name: 5 },
      { ...ref, kind: undefined },
      { ...ref, uid: null },
      ref,
    ];
    expect(controllerOwnerKeys(withRefs(entries), resources.deployments)).toEqual([`${NS}/web`]);
  });

  it('an owner name that is empty or contains "/" is no key', () => {
    const entries = [
      { ...ref, name: '' },
      { ...ref, name: 'a/b' },
    ];
    expect(controllerOwnerKeys(withRefs(entries), resources.deployments)).toEqual([]);
  });

  it('controller must be exactly true', () => {
    const entries = [
      { ...ref, controller: 'true' },
      { ...ref, controller: 1 },
      { ...ref, controller: undefined },
    ];
    expect(controllerOwnerKeys(withRefs(entries), resources.deployments)).toEqual([]);
  });
});
