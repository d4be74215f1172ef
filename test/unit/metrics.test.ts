import * as prom from 'prom-client';
import { map, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { exponentialFailure, prometheusWorkQueueMetrics, workQueue } from '../../src/index.js';

/** One metric's values by name label, from the registry's JSON. */
async function values(registry: prom.Registry, name: string) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return metric.values.map((v) => ({
    labels: v.labels,
    value: v.value,
    metricName: (v as { metricName?: string }).metricName,
  }));
}

describe('prometheusWorkQueueMetrics', () => {
  it("exposes client-go's workqueue metrics, labelled by queue name", async () => {
    const registry = new prom.Registry();
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    ts.run(({ cold, flush }) => {
      let failures = 1;
      const metrics = prometheusWorkQueueMetrics(prom, { name: 'pods', registry, scheduler: ts });
      cold('a-a-b 100ms |')
        .pipe(
          workQueue(
            (key) =>
              key === 'b' && failures-- > 0
                ? timer(5).pipe(
                    map(() => {
                      throw new Error('x');
                    }),
                  )
                : timer(10).pipe(map(() => undefined)),
            { metrics, rateLimiter: exponentialFailure(20, 1000), scheduler: ts },
          ),
        )
        .subscribe();
      flush();
    });
    // a (deduped once while running: re-added, so two runs), b fails once then succeeds.
    expect(await values(registry, 'workqueue_adds_total')).toEqual([
      { labels: { name: 'pods' }, value: 4, metricName: undefined },
    ]);
    expect(await values(registry, 'workqueue_retries_total')).toEqual([
      { labels: { name: 'pods' }, value: 1, metricName: undefined },
    ]);
    expect(await values(registry, 'workqueue_depth')).toEqual([
      { labels: { name: 'pods' }, value: 0, metricName: undefined },
    ]);
    const work = await values(registry, 'workqueue_work_duration_seconds');
    const count = work.find((v) => v.metricName === 'workqueue_work_duration_seconds_count');
    const sum = work.find((v) => v.metricName === 'workqueue_work_duration_seconds_sum');
    expect(count?.value).toBe(4); // a, a, b (failed), b
    expect(sum?.value).toBeCloseTo(0.01 + 0.01 + 0.005 + 0.01, 6);
    const latency = await values(registry, 'workqueue_queue_duration_seconds');
    expect(latency.find((v) => v.metricName === 'workqueue_queue_duration_seconds_count')?.value).toBe(4);
    expect(await values(registry, 'workqueue_unfinished_work_seconds')).toEqual([
      { labels: { name: 'pods' }, value: 0, metricName: undefined },
    ]);
    expect(await values(registry, 'workqueue_longest_running_processor_seconds')).toEqual([
      { labels: { name: 'pods' }, value: 0, metricName: undefined },
    ]);
  });

  it('two queues share the metric families in one registry, one label each', async () => {
    const registry = new prom.Registry();
    const a = prometheusWorkQueueMetrics(prom, { name: 'a', registry });
    const b = prometheusWorkQueueMetrics(prom, { name: 'b', registry });
    a.added('k');
    b.added('k');
    b.added('j');
    expect(await values(registry, 'workqueue_adds_total')).toEqual([
      { labels: { name: 'a' }, value: 1, metricName: undefined },
      { labels: { name: 'b' }, value: 2, metricName: undefined },
    ]);
  });

  it('reports in-flight work while a reconcile runs', async () => {
    const registry = new prom.Registry();
    let now = 1_000;
    const metrics = prometheusWorkQueueMetrics(prom, {
      name: 'q',
      registry,
      scheduler: {
        now: () => now,
        schedule: () => {
          throw new Error('unused');
        },
      },
    });
    metrics.processing(
      new Map([
        ['x', 0],
        ['y', 500],
      ]),
    );
    expect((await values(registry, 'workqueue_unfinished_work_seconds'))[0]?.value).toBeCloseTo(1.5);
    expect((await values(registry, 'workqueue_longest_running_processor_seconds'))[0]?.value).toBeCloseTo(1);
    now = 2_000;
    metrics.processing(new Map([['y', 500]]));
    expect((await values(registry, 'workqueue_longest_running_processor_seconds'))[0]?.value).toBeCloseTo(
      1.5,
    );
  });
});
