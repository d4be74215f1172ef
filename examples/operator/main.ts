/**
 * The Website operator's process: a kube-rx manager with leader election, probes and metrics on
 * one port and an event recorder, stopped by SIGTERM (the kubelet) or Ctrl-C with a drain, the
 * last events written, the Lease released.
 *
 *   npx tsx examples/operator/main.ts                       # an embedded fake cluster, seeded
 *   npx tsx examples/operator/main.ts --kubeconfig ~/.kube/config
 *   node --import tsx examples/operator/main.ts --in-cluster   # in a pod (the Dockerfile)
 *
 * Options: --port (8081; 0 picks one), --namespace (watch one), --lease-namespace (POD_NAMESPACE
 * or default), --identity (POD_NAME or host-pid), --drain-seconds (30), --duration (stop after N
 * seconds). It prints one line per change, then how it stopped, and exits 0 after a clean drain.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import * as prom from 'prom-client';
import { eventRecorder, type KubeClient, kubeClient, resources, runManager } from '../../src/index.js';
import { createFakeCluster } from '../../src/testing/index.js';
import { setupWebsiteOperator } from './operator.js';
import { type Website, websiteCrd, websites } from './website.js';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    'in-cluster': { type: 'boolean', default: false },
    port: { type: 'string', default: '8081' },
    namespace: { type: 'string' },
    'lease-namespace': { type: 'string' },
    identity: { type: 'string' },
    'drain-seconds': { type: 'string', default: '30' },
    duration: { type: 'string' },
  },
});
const log = (line: string) => console.log(line);

/** The API server of `--kubeconfig` or the pod, or an embedded fake cluster with the CRD and one Website. */
async function connect(): Promise<KubeClient> {
  if (values['in-cluster']) return kubeClient(); // the service account's token and CA
  if (values.kubeconfig) {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromFile(values.kubeconfig);
    return kubeClient(kc);
  }
  const cluster = createFakeCluster();
  await cluster.admin.create(resources.customResourceDefinitions, websiteCrd);
  await cluster.admin.create<Website>(websites, {
    apiVersion: 'web.kube-rx.example/v1',
    kind: 'Website',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { html: '<h1>Hello from kube-rx</h1>', replicas: 2 },
  });
  log('embedded fake cluster (no --kubeconfig): created Website default/hello');
  return cluster.client;
}

const client = await connect();
const identity = values.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`;
const registry = new prom.Registry();
prom.collectDefaultMetrics({ register: registry });
const events = eventRecorder(client, {
  controller: 'web.kube-rx.example/website-operator',
  instance: identity,
  onError: (error) => log(`event not written: ${(error as Error).message}`),
});

await runManager(
  {
    client,
    leaderElection: {
      namespace: values['lease-namespace'] ?? process.env.POD_NAMESPACE ?? 'default',
      name: 'website-operator',
      identity,
    },
    server: { port: Number(values.port) },
    metrics: { registry, prom },
    drainDeadlineMs: Number(values['drain-seconds']) * 1000,
    eventRecorders: [events],
    ...(values.duration ? { signal: AbortSignal.timeout(Number(values.duration) * 1000) } : {}),
    log,
  },
  (mgr) => {
    setupWebsiteOperator(mgr, { events, namespace: values.namespace, log });
    void mgr.listening.then((address) => {
      if (address) log(`${identity}: /healthz, /readyz and /metrics on ${address.url}`);
    });
  },
);
