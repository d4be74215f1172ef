/**
 * The part of prom-client that kube-rx calls, written as structural types. prom-client is an
 * optional peer dependency: kube-rx's published declarations must not import it, or a consumer
 * without it gets TS2307 (`skipLibCheck: false`) or every kube-rx type silently turned to `any`
 * (`skipLibCheck: true`). prom-client 15's module satisfies these types, so users still pass
 * `import * as prom from 'prom-client'` unchanged.
 */

/** Labels of one series, for example `{ name: 'deployments' }`. */
export type MetricLabels = Record<string, string>;

/** Options common to the metric constructors kube-rx uses; `R` is the module's own registry type. */
export interface MetricConfiguration<R extends PromRegistry> {
  /** The metric's name, e.g. `workqueue_depth`. */
  name: string;
  /** Its help text. */
  help: string;
  /** The label names of its series. */
  labelNames: readonly string[];
  /** The registries it registers in. */
  registers: R[];
}

/** A registry (prom-client's `Registry`): kube-rx reuses a family already registered under a name. */
export interface PromRegistry {
  /** The metric registered under `name`, if any. */
  getSingleMetric(name: string): unknown;
}

/** prom-client's `Counter`, as kube-rx uses it. */
export interface PromCounter {
  /** Adds `value` (default 1) to the series of `labels`. */
  inc(labels: MetricLabels, value?: number): void;
}

/** prom-client's `Gauge`, as kube-rx uses it. */
export interface PromGauge {
  /** Sets the series of `labels` to `value`. */
  set(labels: MetricLabels, value: number): void;
}

/** prom-client's `Histogram`, as kube-rx uses it. */
export interface PromHistogram {
  /** Records one observation in the series of `labels`. */
  observe(labels: MetricLabels, value: number): void;
}

/**
 * The prom-client module (`import * as prom from 'prom-client'`), as kube-rx uses it. Generic in
 * its registry type, so prom-client's own `Registry` flows through unchanged.
 */
export interface PromClientModule<R extends PromRegistry = PromRegistry> {
  /** The default (global) registry. */
  register: R;
  /** The counter class. */
  Counter: new (
    configuration: MetricConfiguration<R>,
  ) => PromCounter;
  /** The gauge class. */
  Gauge: new (
    configuration: MetricConfiguration<R>,
  ) => PromGauge;
  /** The histogram class. */
  Histogram: new (
    configuration: MetricConfiguration<R> & { buckets: number[] },
  ) => PromHistogram;
}

/** Options of the metric builders that need nothing but a registry. */
export interface PrometheusRegistryOptions<R extends PromRegistry = PromRegistry> {
  /** Registry to register in. Default: prom-client's global registry. */
  registry?: R;
}

/**
 * A registry that can be scraped (prom-client's `Registry`): what a manager serves on `/metrics`.
 * Still structural, so prom-client stays an optional peer.
 */
export interface PromScrapeRegistry extends PromRegistry {
  /** Every metric of the registry in the text exposition format. */
  metrics(): Promise<string>;
  /** The exposition format's content type, for the response header. */
  readonly contentType: string;
}
