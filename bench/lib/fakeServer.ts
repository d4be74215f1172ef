/**
 * A benchmark API server in its own process: the fake cluster (`createFakeCluster().listen()`)
 * seeded with `--pods=N` pods from the fixture and then `--modify=M` status updates of random
 * pods (MODIFIED events), all kept in the event log. A ConfigMap is created first, at
 * resourceVersion 1, so a watch from resourceVersion 1 replays every pod event: the same HTTP
 * stream for every client. Prints `BENCH_READY <json>` and serves until its stdin closes.
 * With `--replay`, clients talk to a front that replays recorded responses (see replayFront.ts).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { resources } from '../../src/index.js';
import { createFakeCluster } from '../../src/testing/index.js';
import { seededRandom } from '../../src/testing/random.js';
import { makePod, modifyPod } from '../fixtures/pods.js';
import { recordWatch, startReplayFront } from './replayFront.js';

export interface ServerInfo {
  readonly url: string;
  readonly token: string;
  readonly kubeConfigYaml: string;
  readonly pods: number;
  readonly modifications: number;
  /** resourceVersion of the last pod event. */
  readonly resourceVersion: string;
  readonly seedMs: number;
}

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);

const pods = arg('pods', 10_000);
const modifications = arg('modify', 0);

const start = performance.now();
const cluster = createFakeCluster({ eventWindow: pods + modifications + 10, bookmarkIntervalMs: 0 });
await cluster.admin.create(resources.configMaps, { metadata: { name: 'bench', namespace: 'default' } });
const created: V1Pod[] = [];
for (let i = 0; i < pods; i++) created.push(await cluster.admin.create(resources.pods, makePod(i)));
const random = seededRandom(7);
for (let step = 0; step < modifications; step++) {
  const index = Math.floor(random() * pods);
  const current = created[index] as V1Pod;
  const next = modifyPod(current, current.metadata?.resourceVersion ?? '', step + 1);
  created[index] = await cluster.admin.replace(resources.pods, next, {
    namespace: current.metadata?.namespace,
    subresource: 'status',
  });
}
const server = await cluster.listen({ token: 'bench-token' });
const watchPath = '/api/v1/pods?watch=true&resourceVersion=1';
const front = process.argv.includes('--replay')
  ? await startReplayFront(
      server.url,
      await recordWatch(server.url, watchPath, 'bench-token', pods + modifications),
      (url) =>
        url.pathname === '/api/v1/pods' &&
        ['true', '1'].includes(url.searchParams.get('watch') ?? '') &&
        url.searchParams.get('resourceVersion') === '1',
    )
  : undefined;
const url = front?.url ?? server.url;
const info: ServerInfo = {
  url,
  token: 'bench-token',
  kubeConfigYaml: server.kubeConfigYaml.replace(server.url, url),
  pods,
  modifications,
  resourceVersion: cluster.resourceVersion,
  seedMs: Math.round(performance.now() - start),
};
process.stdout.write(`BENCH_READY ${JSON.stringify(info)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  Promise.all([server.close(), front?.close()]).then(() => process.exit(0));
});
