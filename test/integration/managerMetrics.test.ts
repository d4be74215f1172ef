/**
 * Every metric family a manager wires with `metrics: { registry, prom }`, scraped over HTTP after a
 * scripted run: a manager with leader election on the fake cluster, read through `kubeClient` over
 * real HTTP (so the transport reports its requests), in real time. The run: two ConfigMaps listed,
 * one reconcile failing once, a ConfigMap created and one modified while watching, bookmarks, then
 * the API server restarting after a write and a compaction (requests without an answer, a 410, a
 * relist). Then `/metrics` holds client-go's
 * `rest_client_*`, `leader_election_master_status`, kube-rx's `kube_rx_reflector_*`, and the
 * `workqueue_*` and `controller_runtime_*` families, with the right labels and values; after the
 * stop the leader status is 0.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import * as prom from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { type Manager, manager } from '../../src/runtime/manager.js';
import type { StopResult } from '../../src/runtime/shutdown.js';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { parseSamples, type Sample, samplesOf, sampleValue, typesOf } from '../support/prometheusText.js';

const NS = 'default';
const LEASE = 'configmap-operator';
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function configMap(cluster: FakeCluster, name: string, data: Record<string, string> = {}) {
  await cluster.admin.create<V1ConfigMap>(resources.configMaps, { metadata: { name, namespace: NS }, data });
}

async function scrape(url: string): Promise<{ samples: Sample[]; types: Map<string, string> }> {
  const answer = await fetch(`${url}/metrics`);
  expect(answer.status).toBe(200);
  const text = await answer.text();
  return { samples: parseSamples(text), types: typesOf(text) };
}

describe('manager metrics over HTTP', () => {
  it('serves rest_client_*, leader_election_master_status and kube_rx_reflector_* after a scripted run', async () => {
    const cluster = createFakeCluster({ bookmarkIntervalMs: 50 });
    await configMap(cluster, 'a');
    await configMap(cluster, 'b', { failOnce: 'true' });
    const server = await cluster.listen();
    cleanup.push(() => server.close());
    const client = kubeClient(server.kubeConfig, { rateLimit: false });
    const registry = new prom.Registry();
    const stop = new AbortController();
    const reconciled: string[] = [];
    const failed = new Set<string>();
    const mgr: Manager = manager({
      client,
      leaderElection: { namespace: NS, name: LEASE, identity: 'me', retryPeriodMs: 200 },
      server: { port: 0, host: '127.0.0.1' },
      metrics: { registry, prom },
      signal: stop.signal,
      // Quick retries; and never a relist for refused watches, so the only relist is the 410's.
      informerDefaults: { backoff: { initialMs: 20, maxMs: 100 }, watchFailuresBeforeRelist: 1_000 },
    });
    mgr.controller('configmap', {
      for: mgr.informers.for(resources.configMaps, { namespace: NS }),
      reconcile: (key, snapshot) => {
        if (snapshot.get(key)?.data?.failOnce === 'true' && !failed.has(key)) {
          failed.add(key);
          throw new Error(`first attempt of ${key} fails`);
        }
        reconciled.push(key);
      },
      rateLimiter: { when: () => 10, forget: () => undefined, numRequeues: () => 0 },
    });
    let stopped: StopResult | undefined;
    void mgr.start().then((result) => {
      stopped = result;
    });
    const address = await mgr.listening;
    if (!address) throw new Error('the manager does not listen');

    await until(
      () => reconciled.includes('default/a') && reconciled.includes('default/b'),
      'the first reconciles',
    );
    await configMap(cluster, 'c');
    await cluster.admin.patch(resources.configMaps, 'a', { data: { x: '1' } }, 'merge', { namespace: NS });
    await until(() => reconciled.filter((k) => k === 'default/a').length === 2, 'the modified ConfigMap');
    // The API server goes away; a write and a compaction happen meanwhile, so the re-watch from
    // the reflector's resourceVersion gets 410 and it relists.
    await server.close();
    const metric = async (name: string, labels: Record<string, string>) =>
      sampleValue((await scrape(address.url)).samples, name, labels) ?? 0;
    await until(
      async () => (await metric('rest_client_requests_total', { code: '<error>' })) > 0,
      'a refused request',
    );
    await configMap(cluster, 'd');
    cluster.compact();
    const restarted = await cluster.listen({ port: server.port });
    cleanup.push(() => restarted.close());
    await until(
      async () => (await metric('kube_rx_reflector_relists_total', { reason: 'expired' })) === 1,
      'the relist',
    );
    await until(
      async () => (await metric('kube_rx_reflector_events_total', { type: 'BOOKMARK' })) > 0,
      'a bookmark',
    );
    await until(
      async () => (await metric('rest_client_requests_total', { method: 'PUT', code: '200' })) > 0,
      'a renewal',
    );

    const { samples, types } = await scrape(address.url);
    const host = new URL(server.url).host;
    const resource = { resource: 'configmaps.v1' };

    // client-go's REST client metrics: every request, by code, method and host.
    expect(types.get('rest_client_requests_total')).toBe('counter');
    expect(types.get('rest_client_request_duration_seconds')).toBe('histogram');
    for (const s of samplesOf(samples, 'rest_client_requests_total'))
      expect(Object.keys(s.labels).sort()).toEqual(['code', 'host', 'method']);
    expect(
      sampleValue(samples, 'rest_client_requests_total', { code: '200', method: 'GET', host }),
    ).toBeGreaterThanOrEqual(4);
    expect(
      sampleValue(samples, 'rest_client_requests_total', { code: '201', method: 'POST', host }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(samples, 'rest_client_requests_total', { code: '200', method: 'PUT', host }),
    ).toBeGreaterThanOrEqual(1);
    // Requests while the server was down had no answer.
    expect(
      sampleValue(samples, 'rest_client_requests_total', { code: '<error>', host }),
    ).toBeGreaterThanOrEqual(1);
    const durationCount = sampleValue(samples, 'rest_client_request_duration_seconds_count', {
      verb: 'GET',
      host,
    });
    expect(durationCount).toBe(sampleValue(samples, 'rest_client_requests_total', { method: 'GET', host }));
    expect(
      samplesOf(samples, 'rest_client_request_duration_seconds_bucket', { verb: 'GET', host }).map(
        (s) => s.labels.le,
      ),
    ).toEqual(['0.005', '0.025', '0.1', '0.25', '0.5', '1', '2', '4', '8', '15', '30', '60', '+Inf']);

    // client-go's leader election metric.
    expect(types.get('leader_election_master_status')).toBe('gauge');
    expect(samplesOf(samples, 'leader_election_master_status')).toEqual([
      { name: 'leader_election_master_status', labels: { name: LEASE }, value: 1 },
    ]);

    // kube-rx's reflector metrics: one list and its relist, watches, events by type, the relist's reason.
    expect(types.get('kube_rx_reflector_lists_total')).toBe('counter');
    expect(sampleValue(samples, 'kube_rx_reflector_lists_total', resource)).toBe(2);
    expect(sampleValue(samples, 'kube_rx_reflector_watches_total', resource)).toBeGreaterThanOrEqual(3);
    expect(samplesOf(samples, 'kube_rx_reflector_relists_total')).toEqual([
      { name: 'kube_rx_reflector_relists_total', labels: { ...resource, reason: 'expired' }, value: 1 },
    ]);
    expect(sampleValue(samples, 'kube_rx_reflector_events_total', { ...resource, type: 'ADDED' })).toBe(1);
    expect(sampleValue(samples, 'kube_rx_reflector_events_total', { ...resource, type: 'MODIFIED' })).toBe(1);
    expect(sampleValue(samples, 'kube_rx_reflector_errors_total', resource)).toBeGreaterThanOrEqual(1);
    // At least the last write the reflector listed, at most the cluster's (bookmarks move it there).
    const lastWrite = await cluster.admin.get<V1ConfigMap>(resources.configMaps, 'd', { namespace: NS });
    const lastVersion = sampleValue(samples, 'kube_rx_reflector_last_resource_version', resource) ?? 0;
    expect(lastVersion).toBeGreaterThanOrEqual(Number(lastWrite.metadata?.resourceVersion));
    expect(lastVersion).toBeLessThanOrEqual(Number(cluster.resourceVersion));
    const lastEvent = sampleValue(samples, 'kube_rx_reflector_last_event_timestamp_seconds', resource) ?? 0;
    expect(Math.abs(lastEvent - Date.now() / 1000)).toBeLessThan(5);
    expect(types.get('kube_rx_reflector_last_event_timestamp_seconds')).toBe('gauge');

    // The controller families are still there, named after the controller.
    expect(
      sampleValue(samples, 'controller_runtime_reconcile_total', {
        controller: 'configmap',
        result: 'error',
      }),
    ).toBe(1);
    expect(sampleValue(samples, 'workqueue_adds_total', { name: 'configmap' })).toBeGreaterThanOrEqual(4);

    stop.abort();
    await until(() => stopped !== undefined, 'the stop');
    expect(stopped?.leaseReleased).toBe(true);
    const after = parseSamples(await registry.metrics());
    expect(sampleValue(after, 'leader_election_master_status', { name: LEASE })).toBe(0);
  });
});
