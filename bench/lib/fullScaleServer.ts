/**
 * P9's API server in its own process: the fake cluster served over HTTP, live (not P4's replaying
 * front: at full scale the informer meets the server's own pace, as it would a real API server),
 * seeded with `--pods=N` fixture pods through the cluster's create path, so each stored pod has
 * its uid, resourceVersion and the managedFields a real server records.
 *
 * Beside the API it serves a control endpoint on another loopback port:
 * `POST /churn?perSecond=1000&seconds=30` runs a status churn (statusChurn.ts) and answers with
 * its report when the window ends, so a client process can start the churn once it has synced
 * and measure itself under it. Prints `BENCH_READY <json>` and serves until its stdin closes.
 */
import { createServer } from 'node:http';
import type { V1Pod } from '@kubernetes/client-node';
import { resources } from '../../src/index.js';
import { createFakeCluster } from '../../src/testing/index.js';
import { seededRandom } from '../../src/testing/random.js';
import { makePod } from '../fixtures/pods.js';
import { statusChurn } from './statusChurn.js';

export interface FullScaleServerInfo {
  readonly url: string;
  readonly kubeConfigYaml: string;
  /** Base URL of the control endpoint (`/churn`). */
  readonly controlUrl: string;
  readonly pods: number;
  readonly seedMs: number;
  /** Server RSS once seeded (bytes). */
  readonly seededRss: number;
  /** JSON of one stored pod (the first), whole and its managedFields alone (bytes). */
  readonly podBytes: number;
  readonly managedFieldsBytes: number;
}

const pods = Number(process.argv.find((a) => a.startsWith('--pods='))?.slice('--pods='.length) ?? 10_000);

const start = performance.now();
// The log keeps every event (no per-write trim of a full window while seeding); a client's watch
// starts at its list's resourceVersion, after the seeding, and reads only live changes.
const cluster = createFakeCluster({ eventWindow: 1_000_000 });
const stored: V1Pod[] = new Array(pods);
for (let i = 0; i < pods; i++) stored[i] = await cluster.admin.create(resources.pods, makePod(i));
const seedMs = performance.now() - start;

const server = await cluster.listen({ token: 'bench-token' });
const random = seededRandom(9);
let churning = false;
const control = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  if (req.method !== 'POST' || url.pathname !== '/churn' || churning) {
    res.writeHead(churning ? 409 : 404).end();
    return;
  }
  churning = true;
  statusChurn(cluster, stored, random, {
    perSecond: Number(url.searchParams.get('perSecond') ?? 1000),
    seconds: Number(url.searchParams.get('seconds') ?? 30),
  })
    .then(
      (report) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(report)),
      (error: unknown) => res.writeHead(500).end(String(error)),
    )
    .finally(() => {
      churning = false;
    });
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const address = control.address();
const info: FullScaleServerInfo = {
  url: server.url,
  kubeConfigYaml: server.kubeConfigYaml,
  controlUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
  pods,
  seedMs: Math.round(seedMs),
  seededRss: process.memoryUsage().rss,
  podBytes: JSON.stringify(stored[0] ?? {}).length,
  managedFieldsBytes: JSON.stringify(stored[0]?.metadata?.managedFields ?? []).length,
};
process.stderr.write(`P9 server: ${pods} pods seeded in ${(seedMs / 1000).toFixed(1)} s\n`);
process.stdout.write(`BENCH_READY ${JSON.stringify(info)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  control.close();
  server.close().then(() => process.exit(0));
});
