/**
 * P3 initial list: from the fake cluster over HTTP (another process) to a synced, indexed
 * snapshot, against a raw loop that fetches and parses the same pages.
 *
 * Subject: `informer(kubeClient(kc), resources.pods, { pageSize: 500, indexers })` until `synced`
 * (paginated list with `limit`/`continue`, each page parsed, every object deep-frozen, one REPLACE
 * batch, one snapshot with the namespace and node indexes). Baseline: `http.get` of the same
 * pages with the same bearer token, following `continue`, `JSON.parse` of each page, items kept.
 * A third loop only fetches (no parse): the server's and the network's share of both.
 *
 * Target: subject time <= 2x the baseline's.
 */
import * as http from 'node:http';
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { byField, byNamespace, informer, kubeClient, resources } from '../src/index.js';
import { emitResult, startDaemon } from './lib/child.js';
import type { ServerInfo } from './lib/fakeServer.js';
import { interleave, scale, type Timing } from './lib/harness.js';
import { type Frame, profile } from './lib/profile.js';

export interface P3Result {
  readonly n: number;
  readonly pages: number;
  readonly timings: Record<string, Timing>;
  /** Subject time / baseline time. */
  readonly ratio: number;
  readonly profile?: Frame[];
}

const N = scale(100_000, 10_000);
const PAGE = 500;
const ROUNDS = scale(5, 5);

export const BASELINE = 'http.get + JSON.parse (baseline)';
export const SUBJECT = 'kube-rx informer to synced snapshot';
export const FETCH_ONLY = 'http.get only (server + transfer)';

/** GETs one page; resolves with the body text. */
function get(info: ServerInfo, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${info.url}${path}`,
      { headers: { Authorization: `Bearer ${info.token}`, Accept: 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode !== 200) reject(new Error(`${response.statusCode}: ${body.slice(0, 200)}`));
          else resolve(body);
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
}

/** Pages through the pod list like client-go's pager; `parse` false only extracts the token. */
async function rawList(info: ServerInfo, parse: boolean): Promise<number> {
  const items: unknown[] = [];
  let pages = 0;
  let token: string | undefined;
  do {
    const query = `limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
    const body = await get(info, `/api/v1/pods?${query}`);
    pages++;
    if (parse) {
      const list = JSON.parse(body) as { items: unknown[]; metadata: { continue?: string } };
      for (const item of list.items) items.push(item);
      token = list.metadata.continue;
    } else {
      // The token is in the list's metadata, after the items: found without a parse.
      token = /"continue":"([^"]+)"/.exec(body.slice(-2000))?.[1];
    }
  } while (token);
  if (parse && items.length !== N) throw new Error(`listed ${items.length} pods, expected ${N}`);
  if (pages !== Math.ceil(N / PAGE)) throw new Error(`fetched ${pages} pages`);
  return pages;
}

async function main(): Promise<void> {
  const server = await startDaemon<ServerInfo>('bench/lib/fakeServer.ts', [`--pods=${N}`]);
  try {
    const info = server.info;
    const kc = new KubeConfig();
    kc.loadFromString(info.kubeConfigYaml);
    // client-node's informer has no client-side rate limit: compare like with like.
    const client = kubeClient(kc, { rateLimit: false });
    const indexers = { namespace: byNamespace, node: byField('spec.nodeName') };
    const tasks = {
      [BASELINE]: { run: () => rawList(info, true) },
      [SUBJECT]: {
        run: async () => {
          const pods = informer<V1Pod>(client, resources.pods, { pageSize: PAGE, indexers });
          const subscription = pods.store$.subscribe();
          const snapshot = await pods.synced;
          subscription.unsubscribe();
          if (snapshot.size !== N) throw new Error(`synced ${snapshot.size} pods, expected ${N}`);
        },
      },
      [FETCH_ONLY]: { run: () => rawList(info, false) },
    };
    const timings = await interleave(tasks, ROUNDS);
    const frames = process.argv.includes('--profile')
      ? await profile('p3-initial-list', tasks[SUBJECT].run)
      : undefined;
    emitResult({
      n: N,
      pages: Math.ceil(N / PAGE),
      timings,
      ratio: timings[SUBJECT].ms / timings[BASELINE].ms,
      ...(frames ? { profile: frames } : {}),
    } satisfies P3Result);
  } finally {
    await server.stop();
  }
}

await main();
