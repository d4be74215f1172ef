/**
 * Every example program runs against the embedded fake cluster and its output is asserted, so
 * the examples in the docs cannot rot.
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { runDeploymentInformer } from '../../examples/deploymentInformer.js';
import { podController } from '../../examples/podController.js';
import { podsByNamespaceAndNode } from '../../examples/podIndexer.js';
import { runTwoConsumers } from '../../examples/sharedFactory.js';
import { resources } from '../../src/index.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';

describe('examples', () => {
  it('deploymentInformer: events, then a lister read on every 1-minute resync, in virtual time', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler, bookmarkIntervalMs: 0 });
    await cluster.admin.create(resources.deployments, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 1 },
    } as V1Deployment);
    const lines: string[] = [];
    const subscription = runDeploymentInformer({
      client: cluster.client,
      log: (l) => lines.push(`${clock.now()} ${l}`),
      scheduler: clock.scheduler,
    });
    await clock.advanceBy(1_000);
    await cluster.admin.patch(resources.deployments, 'web', { spec: { replicas: 3 } }, 'merge', {
      namespace: 'default',
    });
    await clock.advanceBy(1_000);
    await cluster.admin.delete(resources.deployments, 'web', { namespace: 'default' });
    await cluster.admin.create(resources.deployments, {
      metadata: { name: 'api', namespace: 'default' },
      spec: { replicas: 1 },
    } as V1Deployment);
    await clock.advanceBy(119_000);
    subscription.unsubscribe();
    expect(lines).toEqual([
      '0 add default/web',
      '1000 update default/web replicas=3',
      '2000 delete default/web',
      '2000 add default/api',
      '60000 resync default/api (lister: 1 in namespace)',
      '120000 resync default/api (lister: 1 in namespace)',
    ]);
  });

  it('podController: rate-limited retries, 5 retries then drop, and cleanup of a warm-up pod deleted while down', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler, bookmarkIntervalMs: 0 });
    await cluster.admin.create(resources.pods, { metadata: { name: 'ok', namespace: 'default' } } as V1Pod);
    await cluster.admin.create(resources.pods, {
      metadata: { name: 'broken', namespace: 'default', labels: { fail: 'true' } },
    } as V1Pod);
    const remembered: V1Pod[] = [{ metadata: { name: 'gone', namespace: 'default', resourceVersion: '1' } }];
    const lines: string[] = [];
    const results: string[] = [];
    const subscription = podController({
      client: cluster.client,
      log: (l) => lines.push(l),
      remembered,
      scheduler: clock.scheduler,
    }).subscribe((r) => results.push(`${clock.now()} ${r.key} ${r.outcome} ${r.attempt}`));
    await clock.advanceBy(10_000);
    subscription.unsubscribe();
    expect(lines.sort()).toEqual([
      'cleanup default/gone (pod is gone)',
      'dropped default/broken after 6 attempts',
      'synced default/ok phase=Unknown',
    ]);
    // defaultControllerRateLimiter: 5, 10, 20, 40, 80 ms between attempts of the failing key.
    expect(results.filter((r) => r.includes('broken'))).toEqual([
      '0 default/broken retry 1',
      '5 default/broken retry 2',
      '15 default/broken retry 3',
      '35 default/broken retry 4',
      '75 default/broken retry 5',
      '155 default/broken dropped 6',
    ]);
  });

  it('podIndexer: pods by namespace and by node from the indexes', async () => {
    const cluster = createFakeCluster();
    const pods: [string, string, string][] = [
      ['default', 'a', 'n1'],
      ['default', 'b', 'n2'],
      ['kube-system', 'dns', 'n1'],
    ];
    for (const [namespace, name, nodeName] of pods) {
      await cluster.admin.create(resources.pods, {
        metadata: { name, namespace },
        spec: { nodeName, containers: [] },
      } as V1Pod);
    }
    const { byNamespace, byNode } = await podsByNamespaceAndNode(cluster.client);
    expect(byNamespace).toEqual({ default: ['a', 'b'], 'kube-system': ['dns'] });
    expect(byNode).toEqual({ n1: ['a', 'dns'], n2: ['b'] });
  });

  it('sharedFactory: two consumers share one watch', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, {
      metadata: { name: 'p', namespace: 'default' },
      status: { phase: 'Pending' },
    } as V1Pod);
    const lines: string[] = [];
    const { shutdown } = runTwoConsumers(cluster.client, (l) => lines.push(l));
    for (let i = 0; i < 200 && lines.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(cluster.activeWatches).toBe(1);
    await cluster.admin.create(resources.pods, {
      metadata: { name: 'q', namespace: 'default' },
      status: { phase: 'Running' },
    } as V1Pod);
    shutdown();
    expect(cluster.activeWatches).toBe(0);
    expect(lines).toEqual([
      'logger: add p',
      'counter: 1 pending of 1',
      'logger: add q',
      'counter: 1 pending of 2',
    ]);
  });
});
