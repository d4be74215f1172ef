/**
 * Property 1 over a real network (issue 14): an informer reading the fake cluster through
 * `kubeClient` and a loopback TCP fault proxy converges to the server's state, whatever the proxy
 * does to its connections. The reflector property (`reflector.property.test.ts`) drives the same
 * claim in virtual time against a scripted client; here the faults are bytes on real sockets
 * (`test/support/faultProxy.ts`): responses fragmented down to single bytes with small delays
 * (cut inside UTF-8 characters, JSON tokens and HTTP chunk headers), RST or FIN after n bytes or
 * t ms, half-open freezes of one or both directions (for good, or thawing later), plus etcd
 * compactions between writes (a re-watch gets 410 and relists). Timers, backoff jitter and watch
 * timeouts are real (no injected `random`), with short bounds so a run takes a few hundred ms:
 * a 200 ms idle timeout on watches and requests (bookmarks every 50 ms keep a healthy watch
 * alive) and a 10 ms to 100 ms backoff.
 *
 * Each run writes while the informer lists and watches; the plan's faulty connections come first
 * and every later connection is clean, so once the writes stop the informer must, within
 * {@link CONVERGE_WITHIN_MS}: hold exactly the server's objects (deep-equal, so every key and
 * resourceVersion) at the server's resourceVersion; have emitted events that replay, from an
 * empty cache, to that snapshot with no update or delete of an unknown key; never have errored;
 * and have sent at most {@link MAX_REQUESTS_PER_SECOND} requests in any second. Every socket,
 * watch and subscription is closed after each run, and the process holds no more handles at the
 * end than at the start.
 *
 * Runs: 300 in CI (`CI` set, as `npm test` runs there), 40 locally to keep `npm test` quick; set
 * `HTTP_FAULT_RUNS` to choose. A failure prints fast-check's seed and path (replay with
 * `{ seed, path }`), the scenario, and the fault plan one connection per line. Timing is real, so
 * a replay repeats the plan and the writes, not the exact interleaving. Shrinking is off
 * (`endOnFailure`): every run costs real time, and the first failing scenario is the report.
 */
import { isDeepStrictEqual } from 'node:util';
import { fc } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type DeepReadonly, objectKey } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import { createFakeCluster, type FakeCluster } from '../../src/testing/index.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { EventReplay } from '../support/eventReplay.js';
import { describeFaultPlan } from '../support/faultPlan.js';
import { faultProxy } from '../support/faultProxy.js';
import { kubeConfigVia } from '../support/kubeConfigVia.js';
import { mostInWindow, timedClient } from '../support/requestTimes.js';
import {
  type HttpFaultScenario,
  httpFaultScenarioArb,
  playWrites,
  seedCluster,
  type Write,
} from './httpFaultScenario.js';

const IN_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const NUM_RUNS = Number(process.env.HTTP_FAULT_RUNS ?? (IN_CI ? 300 : 40));
/** Watch and request idle timeout: how soon a frozen connection is given up. */
const IDLE_TIMEOUT_MS = 200;
const BOOKMARK_INTERVAL_MS = 50;
/**
 * After the writes stop: at most 5 faulty connections left, each costing at most an idle timeout
 * (200 ms) and a backoff (at most 200 ms with jitter), plus relists after compactions; 5 s leaves
 * room for a loaded machine.
 */
const CONVERGE_WITHIN_MS = 5_000;
/**
 * A run sends about 2 requests per fault (the failed one, its retry) and 2 per relist, and a
 * failing request waits a backoff of 10 ms doubling to 100 ms; a storm (relist or re-watch without
 * backoff) sends hundreds a second.
 */
const MAX_REQUESTS_PER_SECOND = 40;

/** Written once the cache has converged: it reaches the cache only through a watch that is alive. */
const PROBE: Write = { kind: 'put', pick: 0, note: 'probe', gapMs: 0 };

type Pod = DeepReadonly<V1Pod>;

function byKey(objects: Iterable<Pod>): Map<string, Pod> {
  return new Map([...objects].map((object) => [objectKey(object) as string, object]));
}

/** What still differs between the server and the informer (its snapshot and its event replay). */
async function differences(
  cluster: FakeCluster,
  snapshot: Map<string, Pod>,
  snapshotRv: string,
  replayed: Map<string, Pod>,
): Promise<string[]> {
  const list = await firstValueFrom(from(cluster.admin.list(resources.pods, {})));
  const server = byKey(list.items as Pod[]);
  const found: string[] = [];
  for (const [key, object] of server) {
    const cached = snapshot.get(key);
    if (cached === undefined) found.push(`${key} missing from the cache`);
    else if (!isDeepStrictEqual(cached, object))
      found.push(
        `${key} differs: cache rv ${cached.metadata?.resourceVersion}, server rv ${object.metadata?.resourceVersion}`,
      );
  }
  for (const key of snapshot.keys()) if (!server.has(key)) found.push(`${key} cached, not on the server`);
  if (snapshotRv !== list.metadata.resourceVersion)
    found.push(`snapshot at rv ${snapshotRv}, server at ${list.metadata.resourceVersion}`);
  const keys = new Set([...replayed.keys(), ...snapshot.keys()]);
  for (const key of keys)
    if (!isDeepStrictEqual(replayed.get(key), snapshot.get(key)))
      found.push(`${key}: the events replay to another object than the snapshot holds`);
  return found;
}

async function checkScenario(scenario: HttpFaultScenario): Promise<void> {
  const cluster = createFakeCluster({ bookmarkIntervalMs: BOOKMARK_INTERVAL_MS });
  await seedCluster(cluster, scenario);
  const server = await cluster.listen();
  const proxy = await faultProxy(server.port, scenario.plan);
  const { client, times } = timedClient(
    kubeClient(kubeConfigVia(server.kubeConfig, proxy.url), {
      rateLimit: false,
      watchIdleTimeoutMs: IDLE_TIMEOUT_MS,
      requestIdleTimeoutMs: IDLE_TIMEOUT_MS,
    }),
  );
  const reports: string[] = [];
  const pods = informer<V1Pod>(client, resources.pods, {
    listMode: scenario.listMode,
    pageSize: scenario.pageSize,
    backoff: { initialMs: 10, maxMs: 100 },
    minWatchDurationMs: 100,
    onError: (error, context) =>
      reports.push(`${context.phase}${context.relist ? ' (relist)' : ''}: ${error.name}: ${error.message}`),
  });
  const replay = new EventReplay<V1Pod>();
  let fatal: unknown;
  const subscription = pods.events$.subscribe({
    next: (event) => replay.apply(event),
    error: (e) => (fatal = e),
  });
  subscription.add(pods.store$.subscribe({ error: (e) => (fatal = e) }));
  const context = () =>
    [
      describeFaultPlan(scenario.plan),
      `list mode ${scenario.listMode}, page size ${scenario.pageSize}, ${scenario.writes.length} writes`,
      `connections accepted: ${proxy.accepted()}, requests: ${times.length}`,
      `reports (${reports.length}, last 10):`,
      ...reports.slice(-10).map((line) => `  ${line}`),
    ].join('\n');
  try {
    const converged = async (after: string) => {
      const deadline = performance.now() + CONVERGE_WITHIN_MS;
      for (;;) {
        if (fatal !== undefined) throw new Error(`the informer errored: ${String(fatal)}\n${context()}`);
        const snapshot = pods.snapshot();
        const left = await differences(
          cluster,
          byKey(snapshot.list()),
          snapshot.resourceVersion,
          replay.view,
        );
        if (left.length === 0) return;
        if (performance.now() > deadline)
          throw new Error(
            `not converged ${CONVERGE_WITHIN_MS} ms after ${after}:\n  ${left.join('\n  ')}\n${context()}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await playWrites(cluster, scenario.writes);
    await converged('the writes');
    // A cache can equal the server while its watch is frozen: one more write must still arrive.
    await playWrites(cluster, [PROBE]);
    await converged('the probe write');
    expect(replay.violations, context()).toEqual([]);
    expect(mostInWindow(times, 1000), context()).toBeLessThanOrEqual(MAX_REQUESTS_PER_SECOND);
  } finally {
    subscription.unsubscribe();
    await proxy.close();
    await server.close();
  }
  expect(proxy.openSockets()).toBe(0);
  expect(cluster.activeWatches).toBe(0);
}

/** Counts of the process's open handles by type (sockets, servers, timers). */
function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

describe('HTTP fault property: an informer behind a faulty TCP proxy converges', () => {
  it(`converges through fragmentation, resets, half-open freezes and compactions (${NUM_RUNS} runs)`, async () => {
    const before = handleCounts();
    await fc.assert(fc.asyncProperty(httpFaultScenarioArb, checkScenario), {
      numRuns: NUM_RUNS,
      endOnFailure: true,
    });
    // Client sockets learn of the proxy's teardown a turn or two later.
    await expect.poll(handleCounts, { timeout: 2_000, interval: 20 }).toEqual(before);
  }, 240_000);
});
