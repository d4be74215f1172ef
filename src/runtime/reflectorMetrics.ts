/**
 * Reflector metrics for Prometheus, fed by the reflector's lifecycle (`onLifecycle`). client-go
 * once had `reflector_*` metrics and removed them (their per-reflector names leaked memory); these
 * use kube-rx names, labelled by `resource` (`describeResource`: `pods.v1`, `deployments.v1.apps`),
 * so the series stay few:
 *
 * - `kube_rx_reflector_lists_total{resource}`: lists started (paginated, unpaginated, streaming);
 * - `kube_rx_reflector_watches_total{resource}`: watches started;
 * - `kube_rx_reflector_relists_total{resource,reason}`: relists, by `RelistReason`;
 * - `kube_rx_reflector_events_total{resource,type}`: watch events, `ADDED`, `MODIFIED`,
 *   `DELETED` and `BOOKMARK`;
 * - `kube_rx_reflector_errors_total{resource}`: errors reported (those about one object too);
 * - `kube_rx_reflector_last_resource_version{resource}`: the last resourceVersion, when it is a
 *   number (kube-apiserver's are; the protocol says they are opaque, so others are skipped);
 * - `kube_rx_reflector_last_event_timestamp_seconds{resource}`: when the last list, event or
 *   bookmark arrived, on the scheduler's clock (`time() - ...` is the age of the cache's news).
 *
 * Informers of the same resource (other namespaces or selectors) share its series.
 */
import type { LifecycleObserver } from '../sources/reflectorEvents.js';
import type {
  MetricLabels,
  PromClientModule,
  PrometheusRegistryOptions,
  PromRegistry,
} from '../workqueue/promClientShape.js';
import { family } from '../workqueue/promFamily.js';

const NUMERIC = /^\d{1,15}$/;

/**
 * A lifecycle observer that records `kube_rx_reflector_*` in prom-client, for the `onLifecycle`
 * option of `listWatch` or `informer` (a manager with `metrics.prom` wires it itself).
 *
 * @example
 * ```ts
 * import * as prom from 'prom-client';
 * const registry = new prom.Registry();
 * informer(kubeClient(), resources.pods, { onLifecycle: prometheusReflectorMetrics(prom, { registry }) });
 * ```
 */
export function prometheusReflectorMetrics<R extends PromRegistry>(
  prom: PromClientModule<R>,
  options: PrometheusRegistryOptions<R> = {},
): LifecycleObserver {
  const registry = options.registry ?? prom.register;
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: readonly string[] = ['resource']) =>
    family(registry, name, () => new prom.Counter({ name, help, labelNames, registers }));
  const gauge = (name: string, help: string) =>
    family(registry, name, () => new prom.Gauge({ name, help, labelNames: ['resource'], registers }));

  const lists = counter('kube_rx_reflector_lists_total', 'Lists the reflector started, by resource.');
  const watches = counter('kube_rx_reflector_watches_total', 'Watches the reflector started, by resource.');
  const relists = counter(
    'kube_rx_reflector_relists_total',
    'Relists of the reflector, by resource and reason.',
    ['resource', 'reason'],
  );
  const events = counter(
    'kube_rx_reflector_events_total',
    'Watch events the reflector received, by resource and type (ADDED, MODIFIED, DELETED, BOOKMARK).',
    ['resource', 'type'],
  );
  const errors = counter('kube_rx_reflector_errors_total', 'Errors the reflector reported, by resource.');
  const lastVersion = gauge(
    'kube_rx_reflector_last_resource_version',
    'The last resourceVersion the reflector saw, when it is numeric, by resource.',
  );
  const lastEvent = gauge(
    'kube_rx_reflector_last_event_timestamp_seconds',
    'When the reflector last received a list, an event or a bookmark (Unix seconds), by resource.',
  );

  const seen = new Set<string>();
  return (event, status) => {
    const labels: MetricLabels = { resource: event.resource };
    if (!seen.has(event.resource)) {
      // Every counter of a resource starts at 0, so a rate over one that never moved is 0.
      seen.add(event.resource);
      for (const c of [lists, watches, errors]) c.inc(labels, 0);
    }
    switch (event.type) {
      case 'listStarted':
        lists.inc(labels);
        return;
      case 'watchStarted':
        watches.inc(labels);
        return;
      case 'relist':
        relists.inc({ ...labels, reason: event.reason });
        return;
      case 'error':
        errors.inc(labels);
        return;
      case 'event':
      case 'bookmark':
        events.inc({ ...labels, type: event.type === 'event' ? event.eventType : 'BOOKMARK' });
        break;
      case 'listFinished':
        break;
      default:
        return;
    }
    if (NUMERIC.test(status.resourceVersion)) lastVersion.set(labels, Number(status.resourceVersion));
    if (status.lastEventAt !== undefined) lastEvent.set(labels, status.lastEventAt / 1000);
  };
}
