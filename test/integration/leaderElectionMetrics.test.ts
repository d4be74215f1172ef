/**
 * `leaderElection`'s `metrics` hook and `prometheusLeaderElectionMetrics`, on the fake cluster in
 * virtual time: a candidate says it does not lead at the start, leads once it holds the Lease,
 * and does not lead after it stopped; a standby stays at 0 and takes over at 1. Each Lease name is
 * one series of `leader_election_master_status`.
 */
import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { leaderElection } from '../../src/runtime/leaderElection.js';
import { prometheusLeaderElectionMetrics } from '../../src/runtime/leaderElectionMetrics.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

describe('leader election metrics', () => {
  it('tells not leading, leading, then not leading after the stop; a standby takes over', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    const told: string[] = [];
    const registry = new prom.Registry();
    const gauge = prometheusLeaderElectionMetrics(prom, { registry });
    const candidate = (identity: string) =>
      leaderElection(cluster.client, {
        namespace: 'kube-system',
        name: 'web',
        identity,
        scheduler: clock.scheduler,
        metrics: {
          status: (name, leading) => {
            told.push(`${clock.now()} ${identity} ${name} ${leading ? 1 : 0}`);
            // One process, one candidate per Lease: only `a` is this process's.
            if (identity === 'a') gauge.status(name, leading);
          },
        },
      });
    const status = async () =>
      (await registry.getSingleMetric('leader_election_master_status')?.get())?.values.map((v) => [
        v.labels.name,
        v.value,
      ]);

    const a = candidate('a').subscribe();
    await clock.advanceBy(100);
    const b = candidate('b').subscribe();
    await clock.advanceBy(100);
    expect(await status()).toEqual([['web', 1]]);
    a.unsubscribe();
    await clock.advanceBy(100);
    expect(await status()).toEqual([['web', 0]]);
    await clock.advanceBy(4_900);
    b.unsubscribe();
    await clock.advanceBy(100);
    expect(told).toEqual([
      '0 a web 0',
      '0 a web 1',
      '100 b web 0',
      '200 a web 0',
      '2100 b web 1',
      '5200 b web 0',
    ]);
  });
});
