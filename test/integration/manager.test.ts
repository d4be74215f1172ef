/**
 * `manager` on the fake cluster in virtual time: caches before the campaign, a warm standby that
 * takes over when the leader stops, SIGTERM during in-flight reconciles (signals aborted, the
 * drain deadline honoured, the Lease released, no watch left open), readiness that flips when a
 * watch dies and recovers, a fatal error, and `/metrics` and `/readyz` scraped over HTTP.
 *
 * Reconciles here are driven by their ConfigMap's data: `workMs` (how long one takes, on the
 * virtual clock), `honour: 'false'` (it ignores its signal), `failOnce: 'true'` (its first attempt
 * throws). An honouring reconcile needs 1 s to clean up after its signal aborts.
 */
import { EventEmitter } from 'node:events';
import type { V1ConfigMap, V1Lease } from '@kubernetes/client-node';
import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/core/client.js';
import { isStatusError, statusError } from '../../src/core/errors.js';
import { defineResource, resources } from '../../src/core/resources.js';
import type { ReconcileContext } from '../../src/index.js';
import { type Manager, type ManagerOptions, manager } from '../../src/runtime/manager.js';
import { runManager } from '../../src/runtime/runManager.js';
import { describeStop, exitCodeOf, type StopResult } from '../../src/runtime/shutdown.js';
import type { Snapshot } from '../../src/store/snapshot.js';
import {
  createFakeCluster,
  type FakeCluster,
  type VirtualClock,
  virtualClock,
} from '../../src/testing/index.js';
import type { PromScrapeRegistry } from '../../src/workqueue/promClientShape.js';

const NS = 'default';
const LEASE = { namespace: 'kube-system', name: 'configmap-operator' };
const CLEANUP_MS = 1_000;

interface World {
  readonly clock: VirtualClock;
  readonly cluster: FakeCluster;
  readonly log: string[];
}

function world(): World {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler, bookmarkIntervalMs: 0 });
  return { clock, cluster, log: [] };
}

async function configMap(cluster: FakeCluster, name: string, data: Record<string, string> = {}) {
  await cluster.admin.create<V1ConfigMap>(resources.configMaps, { metadata: { name, namespace: NS }, data });
}

/** The reconcile described in the header, logging `<time> <what> <key>`. */
function scriptedReconcile({ clock, log }: World, who = '') {
  const failed = new Set<string>();
  return (key: string, snapshot: Snapshot<V1ConfigMap>, { signal }: ReconcileContext) => {
    const data = snapshot.get(key)?.data ?? {};
    const at = () => `${clock.now()}${who}`;
    log.push(`${at()} start ${key}`);
    if (data.failOnce === 'true' && !failed.has(key)) {
      failed.add(key);
      throw new Error(`first attempt of ${key} fails`);
    }
    return new Promise<void>((resolve, reject) => {
      const work = clock.scheduler.schedule(
        () => {
          log.push(`${at()} done ${key}`);
          resolve();
        },
        Number(data.workMs ?? 0),
      );
      signal.addEventListener('abort', () => {
        log.push(`${at()} aborted ${key} (${(signal.reason as Error).name})`);
        if (data.honour === 'false') return;
        work.unsubscribe();
        clock.scheduler.schedule(() => {
          log.push(`${at()} cleaned up ${key}`);
          reject(signal.reason);
        }, CLEANUP_MS);
      });
    });
  };
}

function configMapManager<R extends PromScrapeRegistry>(
  w: World,
  options: Partial<ManagerOptions<R>> = {},
  who = '',
): Manager {
  const mgr = manager<R>({ client: w.cluster.client, scheduler: w.clock.scheduler, ...options });
  mgr.controller('configmap', {
    for: mgr.informers.for(resources.configMaps, { namespace: NS }),
    reconcile: scriptedReconcile(w, who),
    concurrency: 3,
    rateLimiter: { when: () => 100, forget: () => undefined, numRequeues: () => 0 },
  });
  return mgr;
}

/** Starts a manager and records when and how it stopped. */
function run(w: World, mgr: Manager) {
  const outcome: { result?: StopResult; at?: number } = {};
  void mgr.start().then((result) => {
    outcome.result = result;
    outcome.at = w.clock.now();
  });
  return outcome;
}

async function lease(cluster: FakeCluster): Promise<V1Lease | undefined> {
  try {
    return await cluster.admin.get<V1Lease>(resources.leases, LEASE.name, { namespace: LEASE.namespace });
  } catch (error) {
    if (isStatusError(error) && error.code === 404) return undefined;
    throw error;
  }
}

/** Advances in steps until `/readyz` answers `status` (probes are async, so advanceUntil cannot ask). */
async function advanceUntilReadyz(w: World, mgr: Manager, status: number, limitMs = 120_000) {
  const end = w.clock.now() + limitMs;
  for (;;) {
    const answer = await mgr.probes.answerUrl('/readyz?verbose');
    if (answer?.status === status) return answer;
    if (w.clock.now() >= end) throw new Error(`readyz still ${answer?.status}: ${answer?.body}`);
    await w.clock.advanceBy(100);
  }
}

describe('manager lifecycle', () => {
  it('syncs caches before campaigning, leads, reconciles, and lists every readiness check', async () => {
    const w = world();
    await configMap(w.cluster, 'a');
    const mgr = configMapManager(w, { leaderElection: { ...LEASE, identity: 'one' } });
    expect((await mgr.probes.answerUrl('/readyz'))?.body).toContain(
      '[-]informer-sync failed: waiting for the first list of configmaps.v1 -n default',
    );
    const outcome = run(w, mgr);
    await w.clock.advanceUntil(() => w.log.includes('0 done default/a'), 10_000);
    expect(mgr.leading).toBe(true);
    expect((await lease(w.cluster))?.spec?.holderIdentity).toBe('one');
    expect(await mgr.probes.answerUrl('/readyz?verbose')).toEqual({
      status: 200,
      body:
        '[+]ping ok\n[+]informer-sync ok\n[+]watches ok\n[+]leader-election ok\n[+]shutdown ok\n' +
        'readyz check passed\n',
    });
    expect(await mgr.probes.answerUrl('/healthz')).toEqual({ status: 200, body: 'ok' });
    expect(() =>
      mgr.controller('late', { for: mgr.informers.for(resources.pods), reconcile: () => undefined }),
    ).toThrow(/added after start/);
    expect(outcome.result).toBeUndefined();
  });

  it('keeps a warm standby that takes over within a retry period when the leader is stopped', async () => {
    const w = world();
    await configMap(w.cluster, 'a');
    const election = { ...LEASE, retryPeriodMs: 2_000 };
    const stopLeader = new AbortController();
    const leader = configMapManager(
      w,
      { leaderElection: { ...election, identity: 'one' }, signal: stopLeader.signal },
      ' one',
    );
    const standby = configMapManager(w, { leaderElection: { ...election, identity: 'two' } }, ' two');
    const leaderRun = run(w, leader);
    await w.clock.advanceUntil(() => leader.leading, 10_000);
    run(w, standby);
    await advanceUntilReadyz(w, standby, 200);
    // Ready and synced while not leading: both managers watch, only the leader reconciled.
    expect(standby.leading).toBe(false);
    expect(w.cluster.activeWatches).toBe(2);
    await w.clock.advanceBy(10_000);
    expect(w.log.filter((l) => l.includes(' two '))).toEqual([]);

    const stoppedAt = w.clock.now();
    stopLeader.abort();
    await w.clock.advanceUntil(() => leaderRun.result !== undefined, 60_000);
    expect(leaderRun.result).toEqual({
      reason: 'abort',
      drained: true,
      abandoned: [],
      pending: [],
      heldLease: true,
      leaseReleased: true,
    });
    expect(w.cluster.activeWatches).toBe(1);
    await w.clock.advanceUntil(() => standby.leading, 10_000);
    expect(w.clock.now() - stoppedAt).toBeLessThanOrEqual(election.retryPeriodMs);
    // The new leader's cache was warm: it reconciles as soon as it leads.
    await w.clock.advanceBy(1);
    expect(w.log.filter((l) => l.includes(' two '))).toEqual([
      `${w.clock.now() - 1} two start default/a`,
      `${w.clock.now() - 1} two done default/a`,
    ]);
  });

  it('says so when the Lease could not be released (the successor then waits for it to expire)', async () => {
    const w = world();
    const inner = w.cluster.client;
    let leaseWritesFail = false;
    const client: KubeClient = {
      list: (resource, options, signal) => inner.list(resource, options, signal),
      watch: (resource, options) => inner.watch(resource, options),
      get: (resource, name, options) => inner.get(resource, name, options),
      create: (resource, object, options) => inner.create(resource, object, options),
      replace: (resource, object, options) =>
        leaseWritesFail && resource.kind === 'Lease'
          ? Promise.reject(statusError(503, 'the API server is shutting down'))
          : inner.replace(resource, object, options),
      patch: (resource, name, body, type, options) => inner.patch(resource, name, body, type, options),
      delete: (resource, name, options) => inner.delete(resource, name, options),
    };
    const stop = new AbortController();
    const errors: string[] = [];
    const mgr = manager({
      client,
      scheduler: w.clock.scheduler,
      leaderElection: { ...LEASE, identity: 'one', onError: (error) => errors.push(error.message) },
      signal: stop.signal,
    });
    const outcome = run(w, mgr);
    await w.clock.advanceUntil(() => mgr.leading, 10_000);
    leaseWritesFail = true;
    stop.abort();
    await w.clock.advanceUntil(() => outcome.result !== undefined, 60_000);
    expect(outcome.result).toMatchObject({ reason: 'abort', heldLease: true, leaseReleased: false });
    expect(describeStop(outcome.result as StopResult)).toBe(
      'stopped on abort: drained, Lease NOT released (a successor waits for it to expire)',
    );
    expect(errors).toEqual([expect.stringContaining('the API server is shutting down')]);
    expect((await lease(w.cluster))?.spec?.holderIdentity).toBe('one');
  });

  it('stops at once when the AbortSignal is already aborted, opening nothing', async () => {
    const w = world();
    const mgr = configMapManager(w, {
      signal: AbortSignal.abort(),
      leaderElection: { ...LEASE, identity: 'one' },
      server: { port: 0, host: '127.0.0.1' },
    });
    const result = await mgr.start();
    expect(result).toEqual({
      reason: 'abort',
      drained: true,
      abandoned: [],
      pending: [],
      heldLease: false,
      leaseReleased: false,
    });
    expect(await mgr.listening).toBeUndefined();
    expect(w.cluster.activeWatches).toBe(0);
    expect(await lease(w.cluster)).toBeUndefined();
    expect(await mgr.start()).toBe(result);
  });

  it('stops with reason error when an informer fails for good, and closes every watch', async () => {
    const w = world();
    await configMap(w.cluster, 'a');
    const widgets = defineResource({
      group: 'example.com',
      version: 'v1',
      plural: 'widgets',
      kind: 'Widget',
      namespaced: true,
    });
    const mgr = configMapManager(w);
    mgr.controller('widget', { for: mgr.informers.for(widgets), reconcile: () => undefined });
    const outcome = run(w, mgr);
    await w.clock.advanceUntil(() => outcome.result !== undefined, 120_000);
    const result = outcome.result as StopResult;
    expect(result.reason).toBe('error');
    expect(isStatusError(result.error) && result.error.code).toBe(404);
    expect(exitCodeOf(result)).toBe(1);
    expect(w.cluster.activeWatches).toBe(0);
  });
});

describe('manager shutdown on SIGTERM during in-flight reconciles', () => {
  async function startBusy(data: Record<string, Record<string, string>>, drainDeadlineMs: number) {
    const w = world();
    for (const [name, d] of Object.entries(data)) await configMap(w.cluster, name, d);
    const signals = new EventEmitter();
    const mgr = configMapManager(w, {
      leaderElection: { ...LEASE, identity: 'one' },
      handleSignals: true,
      signalSource: signals,
      drainDeadlineMs,
    });
    const outcome = run(w, mgr);
    await w.clock.advanceUntil(() => w.log.filter((l) => l.includes(' start ')).length === 3, 10_000);
    await w.clock.advanceBy(1_000);
    return { w, mgr, signals, outcome };
  }

  it('aborts every signal, waits for the reconciles that honour it, releases the Lease, closes the watches', async () => {
    const { w, mgr, signals, outcome } = await startBusy(
      { a: { workMs: '60000' }, b: { workMs: '60000' }, c: { workMs: '60000' } },
      30_000,
    );
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    const t = w.clock.now();
    signals.emit('SIGTERM');
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
    expect(await mgr.probes.answerUrl('/readyz/shutdown')).toEqual({
      status: 500,
      body: 'internal server error: stopping (SIGTERM)\n',
    });
    await w.clock.advanceUntil(() => outcome.result !== undefined, 60_000);
    expect(outcome.result).toEqual({
      reason: 'signal',
      signal: 'SIGTERM',
      drained: true,
      abandoned: [],
      pending: [],
      heldLease: true,
      leaseReleased: true,
    });
    expect(outcome.at).toBe(t + CLEANUP_MS);
    expect(w.log.filter((l) => !l.includes(' start '))).toEqual(
      ['a', 'b', 'c']
        .flatMap((k) => [
          `${t} aborted default/${k} (WorkQueueShutdownError)`,
          `${t + CLEANUP_MS} cleaned up default/${k}`,
        ])
        .sort(),
    );
    expect((await lease(w.cluster))?.spec?.holderIdentity).toBe('');
    expect(w.cluster.activeWatches).toBe(0);
    expect(exitCodeOf(outcome.result as StopResult)).toBe(0);
  });

  it('honours the drain deadline: a reconcile ignoring its signal is abandoned, queued keys reported', async () => {
    const { w, signals, outcome } = await startBusy(
      { a: { workMs: '60000' }, b: { workMs: '600000', honour: 'false' }, c: { workMs: '60000' } },
      5_000,
    );
    await configMap(w.cluster, 'd');
    await w.clock.advanceBy(1);
    const t = w.clock.now();
    signals.emit('SIGTERM');
    await w.clock.advanceUntil(() => outcome.result !== undefined, 60_000);
    expect(outcome.at).toBe(t + 5_000);
    expect(outcome.result).toEqual({
      reason: 'signal',
      signal: 'SIGTERM',
      drained: false,
      abandoned: ['default/b'],
      pending: ['default/d'],
      heldLease: true,
      leaseReleased: true,
    });
    expect(w.log).toContain(`${t} aborted default/b (WorkQueueShutdownError)`);
    expect(w.log.some((l) => l.includes('default/d'))).toBe(false);
    expect((await lease(w.cluster))?.spec?.holderIdentity).toBe('');
    expect(w.cluster.activeWatches).toBe(0);
    expect(exitCodeOf(outcome.result as StopResult)).toBe(1);
  });
});

describe('runManager', () => {
  it('listens for SIGINT by default, prints how it stopped and exits with its code', async () => {
    const w = world();
    await configMap(w.cluster, 'a', { workMs: '60000', honour: 'false' });
    const signals = new EventEmitter();
    const lines: string[] = [];
    const exits: number[] = [];
    const done = runManager(
      {
        client: w.cluster.client,
        scheduler: w.clock.scheduler,
        signalSource: signals,
        drainDeadlineMs: 2_000,
        exit: (code) => exits.push(code),
        log: (line) => lines.push(line),
      },
      (mgr) => {
        mgr.controller('configmap', {
          for: mgr.informers.for(resources.configMaps, { namespace: NS }),
          reconcile: scriptedReconcile(w),
        });
      },
    );
    await w.clock.advanceUntil(() => w.log.length === 1, 10_000);
    signals.emit('SIGINT');
    let result: StopResult | undefined;
    void done.then((r) => {
      result = r;
    });
    await w.clock.advanceUntil(() => result !== undefined, 10_000);
    expect(lines).toEqual([
      'stopped on SIGINT: drain deadline passed with 1 reconcile(s) running (default/a)',
    ]);
    expect(exits).toEqual([1]);
  });

  it('exits 1 when setup throws, without starting anything', async () => {
    const w = world();
    const exits: number[] = [];
    const result = await runManager(
      { client: w.cluster.client, exit: (code) => exits.push(code), log: () => undefined },
      () => {
        throw new Error('no CRD');
      },
    );
    expect(describeStop(result)).toBe('stopped after an error: no CRD: drained');
    expect(exits).toEqual([1]);
    expect(w.cluster.activeWatches).toBe(0);
  });
});

describe('manager readiness follows the watches', () => {
  async function ready() {
    const w = world();
    await configMap(w.cluster, 'a');
    // random: 0 makes the backoff exact: 800 ms, then 1.6 s, 3.2 s, ...
    const mgr = configMapManager(w, { informerDefaults: { random: () => 0 }, watchRecoveryGraceMs: 10_000 });
    run(w, mgr);
    await advanceUntilReadyz(w, mgr, 200);
    // A watch that has lived a while: its end is a dropped connection, not a short watch.
    await w.clock.advanceBy(60_000);
    return { w, mgr };
  }

  it('flips to not ready when a watch dies, and back once its retries succeed and the grace passes', async () => {
    const { w, mgr } = await ready();
    w.cluster.failNext(3, 503);
    w.cluster.dropWatches();
    await w.clock.advanceBy(1);
    const failing = await mgr.probes.answerUrl('/readyz');
    expect(failing?.status).toBe(500);
    expect(failing?.body).toMatch(/^\[-\]watches failed: failing: configmaps\.v1 -n default \(watch: .*503/m);
    expect(failing?.body).toContain('[+]informer-sync ok');
    expect((await mgr.probes.answerUrl('/healthz'))?.status).toBe(200);
    const diedAt = w.clock.now();
    // Three failed attempts, then a watch that works: 0.8 + 1.6 + 3.2 s of backoff, then the grace.
    await w.clock.advanceBy(5_000);
    expect((await mgr.probes.answerUrl('/readyz/watches'))?.status).toBe(500);
    const back = await advanceUntilReadyz(w, mgr, 200, 60_000);
    expect(back.body).toContain('[+]watches ok');
    const notReadyMs = w.clock.now() - diedAt;
    expect(notReadyMs).toBeGreaterThanOrEqual(800 + 1_600 + 3_200 + 10_000 - 100);
    expect(notReadyMs).toBeLessThanOrEqual(800 + 1_600 + 3_200 + 10_000 + 1_000);
    // The informer is back: a new object reaches the reconcile.
    await configMap(w.cluster, 'b');
    await w.clock.advanceBy(1);
    expect(w.log.some((l) => l.endsWith('done default/b'))).toBe(true);
  });

  it('is ready again as soon as the informer gets an event through', async () => {
    const { w, mgr } = await ready();
    w.cluster.failNext(1, 500);
    w.cluster.dropWatches();
    await w.clock.advanceBy(1);
    expect((await mgr.probes.answerUrl('/readyz'))?.status).toBe(500);
    await configMap(w.cluster, 'b');
    await w.clock.advanceBy(1_000);
    expect(await mgr.probes.answerUrl('/readyz')).toEqual({ status: 200, body: 'ok' });
  });
});

/** Prometheus text format: `name{labels} value` lines by series, labels sorted. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    series.set(`${match[1]}{${labels.join(',')}}`, Number(match[3]));
  }
  return series;
}

describe('manager over HTTP', () => {
  it('serves /readyz and /metrics with the controllers metrics, and closes the port on stop', async () => {
    const w = world();
    await configMap(w.cluster, 'a');
    await configMap(w.cluster, 'b', { failOnce: 'true' });
    const registry = new prom.Registry();
    const stop = new AbortController();
    const mgr = configMapManager(w, {
      server: { port: 0, host: '127.0.0.1' },
      metrics: { registry, prom },
      signal: stop.signal,
    });
    const outcome = run(w, mgr);
    const address = await mgr.listening;
    if (!address) throw new Error('the manager does not listen');
    await w.clock.advanceUntil(() => w.log.filter((l) => l.endsWith(' done default/b')).length === 1, 10_000);

    const readyz = await fetch(`${address.url}/readyz?verbose`);
    expect(readyz.status).toBe(200);
    expect(await readyz.text()).toBe(
      '[+]ping ok\n[+]informer-sync ok\n[+]watches ok\n[+]shutdown ok\nreadyz check passed\n',
    );
    const scrape = await fetch(`${address.url}/metrics`);
    expect(scrape.headers.get('content-type')).toBe(registry.contentType);
    const metrics = parseMetrics(await scrape.text());
    const c = 'controller="configmap"';
    expect(metrics.get(`controller_runtime_reconcile_total{${c},result="success"}`)).toBe(2);
    expect(metrics.get(`controller_runtime_reconcile_total{${c},result="error"}`)).toBe(1);
    expect(metrics.get(`controller_runtime_reconcile_total{${c},result="requeue"}`)).toBe(0);
    expect(metrics.get(`controller_runtime_reconcile_errors_total{${c}}`)).toBe(1);
    expect(metrics.get(`controller_runtime_terminal_reconcile_errors_total{${c}}`)).toBe(0);
    expect(metrics.get(`controller_runtime_max_concurrent_reconciles{${c}}`)).toBe(3);
    expect(metrics.get(`controller_runtime_active_workers{${c}}`)).toBe(0);
    expect(metrics.get(`controller_runtime_reconcile_time_seconds_count{${c}}`)).toBe(3);
    expect(metrics.get('workqueue_adds_total{name="configmap"}')).toBe(3);
    expect(metrics.get('workqueue_retries_total{name="configmap"}')).toBe(1);
    expect(metrics.get('workqueue_depth{name="configmap"}')).toBe(0);

    stop.abort();
    await w.clock.advanceUntil(() => outcome.result !== undefined, 60_000);
    expect(outcome.result?.reason).toBe('abort');
    await expect(fetch(`${address.url}/healthz`)).rejects.toThrow();
  });

  it('stops with reason error when the port is taken', async () => {
    const w = world();
    const stopFirst = new AbortController();
    const first = configMapManager(w, { server: { port: 0, host: '127.0.0.1' }, signal: stopFirst.signal });
    const firstRun = run(w, first);
    const taken = await first.listening;
    const second = configMapManager(w, { server: { port: taken?.port ?? 1, host: '127.0.0.1' } });
    const result = await second.start();
    expect(result.reason).toBe('error');
    expect(String(result.error)).toMatch(/EADDRINUSE/);
    expect(firstRun.result).toBeUndefined();
    stopFirst.abort();
    await w.clock.advanceUntil(() => firstRun.result !== undefined, 60_000);
  });
});
