/**
 * client-go's REST client metrics for Prometheus, fed by the transport's request reports
 * (`onRequest` / `observeRequests`), under client-go's names and labels so dashboards written for
 * Go controllers (component-base's `restclient` metrics) read a kube-rx process unchanged:
 *
 * - `rest_client_requests_total{code,method,host}`: every request, `code` the HTTP status or
 *   `<error>` when no response came;
 * - `rest_client_request_duration_seconds{verb,host}`: a histogram of request durations, with
 *   client-go's buckets (5 ms to 60 s). `verb` is the HTTP method, as in client-go.
 *
 * One difference: client-go counts a request once, with its final answer, and its retries in
 * `rest_client_request_retries_total`; here every attempt counts, retries included. A watch is
 * timed to its response headers (its stream lasts minutes).
 */
import type { RequestObserver } from '../core/requestReport.js';
import type {
  PromClientModule,
  PrometheusRegistryOptions,
  PromRegistry,
} from '../workqueue/promClientShape.js';
import { family } from '../workqueue/promFamily.js';

/** client-go's buckets for `rest_client_request_duration_seconds` (since Kubernetes 1.24). */
const REQUEST_DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/**
 * A request observer that records `rest_client_*` in prom-client, for `kubeClient`'s `onRequest`
 * or `observeRequests` (a manager with `metrics.prom` wires it itself).
 *
 * @example
 * ```ts
 * import * as prom from 'prom-client';
 * const registry = new prom.Registry();
 * const client = kubeClient(undefined, { onRequest: prometheusRestClientMetrics(prom, { registry }) });
 * ```
 */
export function prometheusRestClientMetrics<R extends PromRegistry>(
  prom: PromClientModule<R>,
  options: PrometheusRegistryOptions<R> = {},
): RequestObserver {
  const registry = options.registry ?? prom.register;
  const registers = [registry];
  const requests = family(
    registry,
    'rest_client_requests_total',
    () =>
      new prom.Counter({
        name: 'rest_client_requests_total',
        help: 'HTTP requests to the API server, by status code (<error> without a response), method and host.',
        labelNames: ['code', 'method', 'host'],
        registers,
      }),
  );
  const duration = family(
    registry,
    'rest_client_request_duration_seconds',
    () =>
      new prom.Histogram({
        name: 'rest_client_request_duration_seconds',
        help: 'Latency of requests to the API server in seconds, by verb and host.',
        labelNames: ['verb', 'host'],
        buckets: REQUEST_DURATION_BUCKETS,
        registers,
      }),
  );
  return (report) => {
    requests.inc({ code: report.code, method: report.method, host: report.host });
    duration.observe({ verb: report.method, host: report.host }, report.durationMs / 1000);
  };
}
