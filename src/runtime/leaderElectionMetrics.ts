/**
 * client-go's leader election metric for Prometheus: `leader_election_master_status{name}`, 1
 * while this process holds the Lease `name`, 0 while it stands by (and after it stopped), so an
 * alert on `sum by (name) (leader_election_master_status) != 1` written for Go controllers works.
 */
import type {
  PromClientModule,
  PrometheusRegistryOptions,
  PromRegistry,
} from '../workqueue/promClientShape.js';
import { family } from '../workqueue/promFamily.js';
import type { LeaderElectionMetrics } from './leaderElection.js';

/**
 * {@link LeaderElectionMetrics} backed by prom-client, for `leaderElection`'s `metrics` option (a
 * manager with `metrics.prom` wires it itself).
 *
 * @example
 * ```ts
 * import * as prom from 'prom-client';
 * leaderElection(client, { namespace: 'ops', name: 'web', identity, metrics: prometheusLeaderElectionMetrics(prom) });
 * ```
 */
export function prometheusLeaderElectionMetrics<R extends PromRegistry>(
  prom: PromClientModule<R>,
  options: PrometheusRegistryOptions<R> = {},
): LeaderElectionMetrics {
  const registry = options.registry ?? prom.register;
  const status = family(
    registry,
    'leader_election_master_status',
    () =>
      new prom.Gauge({
        name: 'leader_election_master_status',
        help: 'Whether this process leads on the Lease name: 1 leading, 0 standing by.',
        labelNames: ['name'],
        registers: [registry],
      }),
  );
  return { status: (name, leading) => status.set({ name }, leading ? 1 : 0) };
}
