/**
 * Reconcile metrics for Prometheus under controller-runtime's names and labels, so dashboards and
 * alerts written for Go operators (controller-runtime's `pkg/internal/controller/metrics`) read a
 * kube-rx controller unchanged:
 *
 * - `controller_runtime_reconcile_total{controller,result}`: result `success`, `error`, `requeue`
 *   (`{ requeue: true }`), `requeue_after` (`{ requeueAfter }`);
 * - `controller_runtime_reconcile_errors_total{controller}`: every failed attempt (retried,
 *   dropped, terminal or timed out);
 * - `controller_runtime_terminal_reconcile_errors_total{controller}`: `TerminalError`s;
 * - `controller_runtime_reconcile_time_seconds{controller}`: histogram of attempt durations;
 * - `controller_runtime_reconcile_timeouts_total{controller}`: attempts ended by `timeoutMs`;
 * - `controller_runtime_max_concurrent_reconciles{controller}`: the queue's `concurrency`;
 * - `controller_runtime_active_workers{controller}`: reconciles running now.
 *
 * Like controller-runtime, every series of the controller starts at 0 when the metrics are made,
 * so a rate over a counter that never moved is 0, not absent. The work queue's own metrics
 * (`workqueue_*`) come from `prometheusWorkQueueMetrics`; pass both. prom-client is an optional
 * peer dependency: pass the module in, kube-rx never imports it.
 */
import type { PromClientModule, PromRegistry } from './promClientShape.js';
import { family } from './promFamily.js';
import type { ReconcileMetrics, ReconcileReport } from './queueState.js';

/** Options of {@link prometheusControllerMetrics}. */
export interface PrometheusControllerMetricsOptions<R extends PromRegistry = PromRegistry> {
  /** The `controller` label: the controller's name (controller-runtime: the lower-cased kind by default). */
  name: string;
  /** Registry to register in. Default: prom-client's global registry. */
  registry?: R;
}

/** controller-runtime's buckets for `reconcile_time_seconds`: 5 ms to 60 s. */
const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

const RESULTS: readonly ReconcileReport['result'][] = ['success', 'error', 'requeue', 'requeue_after'];

/**
 * Builds {@link ReconcileMetrics} backed by prom-client, for the `reconcileMetrics` option of
 * `workQueue` or `controller`.
 *
 * @example
 * ```ts
 * import * as prom from 'prom-client';
 * const registry = new prom.Registry();
 * controller({
 *   for: deployments,
 *   reconcile,
 *   metrics: prometheusWorkQueueMetrics(prom, { name: 'deployment', registry }),
 *   reconcileMetrics: prometheusControllerMetrics(prom, { name: 'deployment', registry }),
 * });
 * ```
 */
export function prometheusControllerMetrics<R extends PromRegistry>(
  prom: PromClientModule<R>,
  options: PrometheusControllerMetricsOptions<R>,
): ReconcileMetrics {
  const registry = options.registry ?? prom.register;
  const registers = [registry];
  const labelNames = ['controller'] as const;
  const labels = { controller: options.name };
  const counter = (name: string, help: string, names: readonly string[] = labelNames) =>
    family(registry, name, () => new prom.Counter({ name, help, labelNames: names, registers }));
  const gauge = (name: string, help: string) =>
    family(registry, name, () => new prom.Gauge({ name, help, labelNames, registers }));

  const total = counter(
    'controller_runtime_reconcile_total',
    'Total number of reconciliations per controller',
    ['controller', 'result'],
  );
  const errors = counter(
    'controller_runtime_reconcile_errors_total',
    'Total number of reconciliation errors per controller',
  );
  const terminal = counter(
    'controller_runtime_terminal_reconcile_errors_total',
    'Total number of terminal reconciliation errors per controller',
  );
  const timeouts = counter(
    'controller_runtime_reconcile_timeouts_total',
    'Total number of reconciliation timeouts per controller',
  );
  const time = family(
    registry,
    'controller_runtime_reconcile_time_seconds',
    () =>
      new prom.Histogram({
        name: 'controller_runtime_reconcile_time_seconds',
        help: 'Length of time per reconciliation per controller',
        labelNames,
        buckets: RECONCILE_TIME_BUCKETS,
        registers,
      }),
  );
  const workers = gauge(
    'controller_runtime_max_concurrent_reconciles',
    'Maximum number of concurrent reconciles per controller',
  );
  const active = gauge(
    'controller_runtime_active_workers',
    'Number of currently used workers per controller',
  );

  for (const result of RESULTS) total.inc({ ...labels, result }, 0);
  for (const c of [errors, terminal, timeouts]) c.inc(labels, 0);
  active.set(labels, 0);

  return {
    workers: (concurrency) => workers.set(labels, concurrency),
    activeWorkers: (count) => active.set(labels, count),
    reconciled: (report) => {
      total.inc({ ...labels, result: report.result });
      if (report.result === 'error') errors.inc(labels);
      if (report.terminal) terminal.inc(labels);
      if (report.timedOut) timeouts.inc(labels);
      time.observe(labels, report.durationMs / 1000);
    },
  };
}
