/**
 * The reconcile contract and controller-runtime's metrics through `controller` on the fake
 * cluster, in virtual time: a scripted run where each Deployment's reconcile does one thing
 * (succeed, fail once, throw a TerminalError, ask for requeueAfter, ask for requeue, time out
 * once), with the metrics scraped from a prom-client Registry as Prometheus text and parsed; and a
 * drain through a `workQueueHandle` that aborts a running reconcile and completes the controller.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import * as prom from 'prom-client';
import { firstValueFrom, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { controller } from '../../src/runtime/controller.js';
import { informerFactory } from '../../src/runtime/informerFactory.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';
import { prometheusControllerMetrics } from '../../src/workqueue/controllerMetrics.js';
import { prometheusWorkQueueMetrics } from '../../src/workqueue/metrics.js';
import { exponentialFailure } from '../../src/workqueue/rateLimiters.js';
import type { ReconcileContext } from '../../src/workqueue/reconcileContext.js';
import { TerminalError } from '../../src/workqueue/reconcileErrors.js';
import type { DrainReport, WorkResult } from '../../src/workqueue/workQueue.js';
import { workQueueHandle } from '../../src/workqueue/workQueueHandle.js';

const NS = 'default';

function deployment(name: string): V1Deployment {
  return {
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  };
}

/** One sample of the Prometheus text format: `name{labels} value`. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses Prometheus text exposition: samples plus each family's HELP and TYPE. */
function parseExposition(text: string) {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2] as string, meta[3] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[k as string] = v as string;
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  return {
    help,
    type,
    /** The value of the one sample of `name` whose labels are exactly `labels`. */
    value(name: string, labels: Record<string, string>): number | undefined {
      const found = samples.filter(
        (s) =>
          s.name === name &&
          Object.keys(s.labels).length === Object.keys(labels).length &&
          Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
    /** Every sample of `name`. */
    all: (name: string) => samples.filter((s) => s.name === name),
  };
}

/** What each Deployment's reconcile does, by name, per call (1-based). Each call takes 100 ms unless it hangs. */
const SCRIPT: Record<
  string,
  (call: number) => 'ok' | 'fail' | 'terminal' | 'requeueAfter' | 'requeue' | 'hang'
> = {
  ok: () => 'ok',
  flaky: (call) => (call === 1 ? 'fail' : 'ok'),
  invalid: () => 'terminal',
  later: (call) => (call === 1 ? 'requeueAfter' : 'ok'),
  again: (call) => (call === 1 ? 'requeue' : 'ok'),
  slow: (call) => (call <= 2 ? 'hang' : 'ok'),
};

describe("controller: controller-runtime's reconcile metrics, scraped from a prom-client Registry", () => {
  it('every metric is present with the controller label and the values of a scripted run', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    for (const name of Object.keys(SCRIPT))
      await cluster.admin.create(resources.deployments, deployment(name), { namespace: NS });
    const registry = new prom.Registry();
    const factory = informerFactory(cluster.client, { scheduler: clock.scheduler });
    const calls = new Map<string, number>();
    const aborted: string[] = [];
    const results: WorkResult[] = [];
    const reconcile = async (key: string, _snapshot: unknown, { signal }: ReconcileContext) => {
      const name = key.split('/')[1] as string;
      const call = (calls.get(name) ?? 0) + 1;
      calls.set(name, call);
      const step = SCRIPT[name]?.(call) ?? 'ok';
      signal.addEventListener('abort', () => aborted.push(`${clock.now()} ${name} ${signal.reason?.name}`));
      await firstValueFrom(timer(step === 'hang' ? 60_000 : 100, clock.scheduler));
      switch (step) {
        case 'fail':
          throw new Error(`${name} failed`);
        case 'terminal':
          throw new TerminalError(`${name} can never work`);
        case 'requeueAfter':
          return { requeueAfter: 5_000 };
        case 'requeue':
          return { requeue: true };
        default:
          return undefined;
      }
    };
    const subscription = controller<V1Deployment>({
      for: factory.for(resources.deployments),
      reconcile,
      concurrency: 2,
      timeoutMs: 2_000,
      rateLimiter: exponentialFailure(1_000, 60_000),
      scheduler: clock.scheduler,
      metrics: prometheusWorkQueueMetrics(prom, { name: 'deployment', registry, scheduler: clock.scheduler }),
      reconcileMetrics: prometheusControllerMetrics(prom, { name: 'deployment', registry }),
    }).subscribe((r) => results.push(r));

    await clock.advanceBy(50);
    const during = parseExposition(await registry.metrics());
    const controllerLabel = { controller: 'deployment' };
    expect(during.value('controller_runtime_active_workers', controllerLabel)).toBe(2);
    expect(during.value('controller_runtime_max_concurrent_reconciles', controllerLabel)).toBe(2);

    await clock.advanceBy(30_000);
    const metrics = parseExposition(await registry.metrics());
    const total = (result: string) =>
      metrics.value('controller_runtime_reconcile_total', { ...controllerLabel, result });
    // success: ok, flaky#2, later#2, again#2, slow#3; error: flaky#1, invalid (terminal), slow#1 and
    // slow#2 (timeouts)
    expect({
      success: total('success'),
      error: total('error'),
      requeue: total('requeue'),
      requeue_after: total('requeue_after'),
    }).toEqual({ success: 5, error: 4, requeue: 1, requeue_after: 1 });
    expect(metrics.all('controller_runtime_reconcile_total')).toHaveLength(4);
    expect(metrics.value('controller_runtime_reconcile_errors_total', controllerLabel)).toBe(4);
    expect(metrics.value('controller_runtime_terminal_reconcile_errors_total', controllerLabel)).toBe(1);
    expect(metrics.value('controller_runtime_reconcile_timeouts_total', controllerLabel)).toBe(2);
    expect(metrics.value('controller_runtime_max_concurrent_reconciles', controllerLabel)).toBe(2);
    expect(metrics.value('controller_runtime_active_workers', controllerLabel)).toBe(0);
    // eleven attempts: nine of 100 ms and two cut by the 2 s timeout
    expect(metrics.value('controller_runtime_reconcile_time_seconds_count', controllerLabel)).toBe(11);
    expect(metrics.value('controller_runtime_reconcile_time_seconds_sum', controllerLabel)).toBeCloseTo(
      4.9,
      6,
    );
    const bucket = (le: string) =>
      metrics.value('controller_runtime_reconcile_time_seconds_bucket', { ...controllerLabel, le });
    expect([
      bucket('0.05'),
      bucket('0.1'),
      bucket('1.75'),
      bucket('2'),
      bucket('60'),
      bucket('+Inf'),
    ]).toEqual([0, 9, 9, 11, 11, 11]);
    expect(metrics.all('controller_runtime_reconcile_time_seconds_bucket')).toHaveLength(41);

    // controller-runtime's help texts and types
    expect(
      Object.fromEntries([...metrics.help].filter(([name]) => name.startsWith('controller_runtime_'))),
    ).toEqual({
      controller_runtime_reconcile_total: 'Total number of reconciliations per controller',
      controller_runtime_reconcile_errors_total: 'Total number of reconciliation errors per controller',
      controller_runtime_terminal_reconcile_errors_total:
        'Total number of terminal reconciliation errors per controller',
      controller_runtime_reconcile_timeouts_total: 'Total number of reconciliation timeouts per controller',
      controller_runtime_reconcile_time_seconds: 'Length of time per reconciliation per controller',
      controller_runtime_max_concurrent_reconciles: 'Maximum number of concurrent reconciles per controller',
      controller_runtime_active_workers: 'Number of currently used workers per controller',
    });
    expect(metrics.type.get('controller_runtime_reconcile_time_seconds')).toBe('histogram');
    expect(metrics.type.get('controller_runtime_active_workers')).toBe('gauge');
    expect(metrics.type.get('controller_runtime_reconcile_total')).toBe('counter');

    // the work queue's own metrics stay beside them: three failures retried (flaky once, slow twice)
    expect(metrics.value('workqueue_retries_total', { name: 'deployment' })).toBe(3);
    expect(metrics.value('workqueue_depth', { name: 'deployment' })).toBe(0);

    // what the run did, as the results say it
    expect(aborted).toEqual([
      expect.stringMatching(/^\d+ slow ReconcileTimeoutError$/),
      expect.stringMatching(/^\d+ slow ReconcileTimeoutError$/),
    ]);
    const outcomes = results.map((r) => `${r.key.split('/')[1]} ${r.outcome}#${r.attempt}`).sort();
    expect(outcomes).toEqual(
      [
        'again requeued#1',
        'again success#2',
        'flaky retry#1',
        'flaky success#2',
        'invalid dropped#1',
        'later requeued#1',
        'later success#1',
        'ok success#1',
        'slow retry#1',
        'slow retry#2',
        'slow success#3',
      ].sort(),
    );
    subscription.unsubscribe();
  });

  it('two controllers in one registry: one family per metric, one series per controller', async () => {
    const registry = new prom.Registry();
    const a = prometheusControllerMetrics(prom, { name: 'a', registry });
    const b = prometheusControllerMetrics(prom, { name: 'b', registry });
    a.reconciled({ key: 'x', result: 'success', terminal: false, timedOut: false, durationMs: 10 });
    b.workers(4);
    const metrics = parseExposition(await registry.metrics());
    expect(metrics.value('controller_runtime_reconcile_total', { controller: 'a', result: 'success' })).toBe(
      1,
    );
    expect(metrics.value('controller_runtime_reconcile_total', { controller: 'b', result: 'success' })).toBe(
      0,
    );
    expect(metrics.value('controller_runtime_max_concurrent_reconciles', { controller: 'b' })).toBe(4);
    expect(metrics.all('controller_runtime_reconcile_total')).toHaveLength(8);
  });
});

describe('controller: drain through a workQueueHandle', () => {
  it('aborts the running reconcile, takes no new key, resolves with the report and completes the controller', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    for (const name of ['a', 'b', 'c'])
      await cluster.admin.create(resources.deployments, deployment(name), { namespace: NS });
    const factory = informerFactory(cluster.client, { scheduler: clock.scheduler });
    const handle = workQueueHandle();
    const started: string[] = [];
    let completedAt: number | undefined;
    controller<V1Deployment>({
      for: factory.for(resources.deployments),
      scheduler: clock.scheduler,
      handle,
      // a honours its signal, b does not
      reconcile: (key, _snapshot, { signal }) =>
        new Promise<void>((resolve, reject) => {
          started.push(`${clock.now()} ${key}`);
          const done = timer(10_000, clock.scheduler).subscribe(() => resolve());
          if (key.endsWith('/a'))
            signal.addEventListener('abort', () => {
              done.unsubscribe();
              reject(signal.reason);
            });
        }),
      concurrency: 2,
    }).subscribe({ complete: () => (completedAt = clock.now()) });
    await clock.advanceBy(1_000);
    expect(handle.running).toBe(1);
    let report: DrainReport | undefined;
    const draining = handle.drain({ deadlineMs: 3_000 }).then((r) => {
      report = r;
    });
    await clock.advanceBy(2_999);
    expect(report).toBeUndefined(); // b still runs
    expect(completedAt).toBeUndefined();
    await cluster.admin.create(resources.deployments, deployment('d'), { namespace: NS });
    await clock.advanceBy(1);
    await draining;
    expect(report).toEqual({ ended: 'deadline', abandoned: [`${NS}/b`], pending: [`${NS}/c`] });
    expect(completedAt).toBe(4_000);
    expect(started.map((s) => s.split(' ')[1])).toEqual([`${NS}/a`, `${NS}/b`]); // neither c nor d started
    expect(handle.running).toBe(0);
  });
});

describe('controller: the context a reconcile is handed', () => {
  it('counts attempts, aborts the signal it handed out, and spreads like a plain record', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    await cluster.admin.create(resources.deployments, deployment('a'), { namespace: NS });
    const factory = informerFactory(cluster.client, { scheduler: clock.scheduler });
    const seen: { attempt: number; spread: string[] }[] = [];
    const signals: AbortSignal[] = [];
    const subscription = controller<V1Deployment>({
      for: factory.for(resources.deployments),
      scheduler: clock.scheduler,
      rateLimiter: exponentialFailure(1_000, 60_000),
      timeoutMs: 5_000,
      reconcile: (_key, _snapshot, context) => {
        seen.push({ attempt: context.attempt, spread: Object.keys({ ...context }).sort() });
        signals.push(context.signal);
        if (context.attempt === 1) throw new Error('first attempt fails');
        return new Promise<void>(() => {}); // outlives its timeout
      },
    }).subscribe();
    await clock.advanceBy(1_000);
    expect(seen).toEqual([
      { attempt: 1, spread: ['attempt', 'signal', 'wrote'] },
      { attempt: 2, spread: ['attempt', 'signal', 'wrote'] },
    ]);
    expect(signals.map((s) => s.aborted)).toEqual([false, false]);
    await clock.advanceBy(5_000);
    expect(signals[1]?.aborted).toBe(true);
    expect(signals[1]?.reason).toMatchObject({ name: 'ReconcileTimeoutError' });
    await clock.advanceBy(2_000); // retried 2 s after the timeout
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    subscription.unsubscribe();
  });
});
