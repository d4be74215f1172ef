/**
 * Work queue metrics for Prometheus with client-go's names (`workqueue_depth`,
 * `workqueue_adds_total`, `workqueue_queue_duration_seconds`, `workqueue_work_duration_seconds`,
 * `workqueue_retries_total`, `workqueue_unfinished_work_seconds`,
 * `workqueue_longest_running_processor_seconds`), labelled by queue `name`, so existing
 * dashboards for Go controllers work unchanged. prom-client is an optional peer dependency: pass
 * the module in, kube-rx never imports it.
 */
import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import type { PromClientModule, PromRegistry } from './promClientShape.js';
import { family } from './promFamily.js';
import type { WorkQueueMetrics } from './workQueue.js';

/** Options of {@link prometheusWorkQueueMetrics}. */
export interface PrometheusMetricsOptions<R extends PromRegistry = PromRegistry> {
  /** The queue's name label (client-go: the controller name). */
  name: string;
  /** Registry to register in. Default: prom-client's global registry. */
  registry?: R;
  /** Clock for unfinished-work gauges. Default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

const BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10];

/**
 * Builds {@link WorkQueueMetrics} backed by prom-client.
 *
 * @example
 * ```ts
 * import * as prom from 'prom-client';
 * keys$.pipe(workQueue(reconcile, { metrics: prometheusWorkQueueMetrics(prom, { name: 'deployments' }) }));
 * ```
 */
export function prometheusWorkQueueMetrics<R extends PromRegistry>(
  prom: PromClientModule<R>,
  options: PrometheusMetricsOptions<R>,
): WorkQueueMetrics {
  const registry = options.registry ?? prom.register;
  const registers = [registry];
  const labelNames = ['name'] as const;
  const scheduler = options.scheduler ?? asyncScheduler;
  const labels = { name: options.name };
  const depth = family(
    registry,
    'workqueue_depth',
    () =>
      new prom.Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames, registers }),
  );
  const adds = family(
    registry,
    'workqueue_adds_total',
    () =>
      new prom.Counter({
        name: 'workqueue_adds_total',
        help: 'Total number of adds handled by workqueue',
        labelNames,
        registers,
      }),
  );
  const latency = family(
    registry,
    'workqueue_queue_duration_seconds',
    () =>
      new prom.Histogram({
        name: 'workqueue_queue_duration_seconds',
        help: 'How long in seconds an item stays in workqueue before being requested',
        labelNames,
        buckets: BUCKETS,
        registers,
      }),
  );
  const work = family(
    registry,
    'workqueue_work_duration_seconds',
    () =>
      new prom.Histogram({
        name: 'workqueue_work_duration_seconds',
        help: 'How long in seconds processing an item from workqueue takes',
        labelNames,
        buckets: BUCKETS,
        registers,
      }),
  );
  const retries = family(
    registry,
    'workqueue_retries_total',
    () =>
      new prom.Counter({
        name: 'workqueue_retries_total',
        help: 'Total number of retries handled by workqueue',
        labelNames,
        registers,
      }),
  );
  let inFlight: ReadonlyMap<string, number> = new Map();
  const ages = () => [...inFlight.values()].map((start) => (scheduler.now() - start) / 1000);
  const unfinished = family(
    registry,
    'workqueue_unfinished_work_seconds',
    () =>
      new prom.Gauge({
        name: 'workqueue_unfinished_work_seconds',
        help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration',
        labelNames,
        registers,
      }),
  );
  const longest = family(
    registry,
    'workqueue_longest_running_processor_seconds',
    () =>
      new prom.Gauge({
        name: 'workqueue_longest_running_processor_seconds',
        help: 'How many seconds has the longest running processor for workqueue been running',
        labelNames,
        registers,
      }),
  );
  const refreshInFlight = () => {
    const a = ages();
    unfinished.set(
      labels,
      a.reduce((sum, x) => sum + x, 0),
    );
    longest.set(labels, a.length === 0 ? 0 : Math.max(...a));
  };
  return {
    added: () => adds.inc(labels),
    depth: (n) => depth.set(labels, n),
    queueLatency: (seconds) => latency.observe(labels, seconds),
    workDuration: (seconds) => work.observe(labels, seconds),
    retried: () => retries.inc(labels),
    processing: (startTimes) => {
      inFlight = new Map(startTimes);
      refreshInFlight();
    },
  };
}
