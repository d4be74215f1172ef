/**
 * The four checks every informer case makes, and `runCase`, which runs a case and makes them:
 * (a) the informer keeps running: its streams neither errored nor completed, unless the case
 *     expects a fatal typed error;
 * (b) the cache equals the server's valid objects, by key and resourceVersion;
 * (c) requests per second, per verb, over the run stay under a stated bound;
 * (d) no form of the bearer token appears in any rendering of any reported or stream error.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdversarialCase, InformerCase, RateBound } from './adversarialCase.js';
import { startHostileServer, type Verb } from './hostileServer.js';
import { type InformerRun, runInformer, versionsByKey } from './runInformer.js';
import { leaks, TOKEN } from './secrets.js';

/**
 * Requests per second allowed by default. The harness backoff (20 ms doubling to 200 ms) allows
 * about 5 retries a second once it saturates; a loop that skips the backoff makes hundreds.
 */
export const DEFAULT_RATE_BOUND: Required<RateBound> = { list: 10, watch: 15, other: 10 };

/**
 * The stated bound under a request storm, per verb, over a 2 s run: 8 requests a second. The
 * harness backoff (20 ms doubling to 200 ms; jitter only adds) starts a retry loop's requests at
 * 0, 20, 60, 140, 300, 500, 700, 900 ms and then every 200 ms at the earliest: at most 13 in 2 s,
 * 6.5 a second. A loop that skips the backoff makes hundreds.
 */
export const STORM_BOUND: RateBound = { list: 8, watch: 8 };

/** (a) No stream error or completion; or, for a fatal case, exactly the expected typed error. */
export function expectKeepsRunning(run: InformerRun, c: InformerCase): void {
  expect(run.completed, 'an informer stream completed').toBe(false);
  if (c.fatal) {
    expect(run.streamErrors.length, 'the case expects a fatal error').toBeGreaterThan(0);
    for (const error of run.streamErrors)
      expect(c.fatal(error), `unexpected fatal error: ${error}`).toBe(true);
    return;
  }
  expect(run.streamErrors.map(String), 'the informer stopped with an error').toEqual([]);
}

/**
 * (b) The cache holds exactly the server's valid objects, at their resourceVersions; a server
 * that never sent a valid list leaves it empty and unsynced.
 */
export function expectCacheEqualsValid(run: InformerRun): void {
  const valid = run.server.valid;
  expect(run.snapshot.synced, valid ? 'the informer never synced' : 'synced without a valid list').toBe(
    valid !== undefined,
  );
  expect(versionsByKey(run.snapshot.list()), 'cache (key -> resourceVersion)').toEqual(
    versionsByKey(valid ?? []),
  );
}

/** Requests of `verb` per second over the run (a run shorter than 1 s counts as 1 s). */
export function requestRate(run: InformerRun, verb: Verb): number {
  return run.server.requestsOf(verb).length / Math.max(run.elapsedMs / 1000, 1);
}

/** (c) Per verb, requests per second stay at or below the bound. */
export function expectRequestRateBelow(run: InformerRun, bound: RateBound = {}): void {
  const limits = { ...DEFAULT_RATE_BOUND, ...bound };
  for (const verb of ['list', 'watch', 'other'] as const) {
    const rate = requestRate(run, verb);
    expect(rate, `${verb} requests per second (bound ${limits[verb]})`).toBeLessThanOrEqual(limits[verb]);
  }
}

/**
 * The event loop was never blocked for `maxMs` or more (default 200 ms; a relist of 4,096 pods
 * blocks it for about 30 ms). For cases about quadratic work; run them with `{ sequential: true }`.
 */
export function expectNoLongStall(run: InformerRun, maxMs = 200): void {
  expect(run.maxEventLoopLagMs, 'longest event-loop stall (ms)').toBeLessThan(maxMs);
}

/** (d) The token reached the server (so the check means something) and no error shows it. */
export function expectNoSecret(run: InformerRun): void {
  expect(run.server.requests.length, 'no request reached the server').toBeGreaterThan(0);
  expect(
    run.server.requests.every((r) => r.token === TOKEN),
    'a request without the bearer token',
  ).toBe(true);
  const errors = [...run.reported.map((r) => r.error), ...run.streamErrors];
  for (const error of errors) expect(leaks(error), `the token leaks from ${String(error)}`).toEqual([]);
}

/** Runs an informer case against a fresh hostile server and makes every check; the server always closes. */
export async function runCase(c: InformerCase): Promise<InformerRun> {
  const server = await startHostileServer(c.server);
  try {
    const run = await runInformer(server, c);
    expect(server.faults, 'the case script failed').toEqual([]);
    expectKeepsRunning(run, c);
    if (!c.fatal) expectCacheEqualsValid(run);
    expectRequestRateBelow(run, c.maxRate);
    expectNoSecret(run);
    c.check?.(run);
    return run;
  } finally {
    await server.close();
  }
}

/** Runs one case of either kind. */
async function run(c: AdversarialCase): Promise<void> {
  if ('run' in c) await c.run();
  else await runCase(c);
}

/**
 * One vitest test per case, named after what it shows. The cases of a call start together
 * (`beforeAll`) and each test awaits its own: a case spends its time waiting on its own server,
 * so a file takes about as long as its longest case (vitest's concurrent tests would run only 5
 * at a time). Cases that measure event-loop stalls must run alone: pass `{ sequential: true }`.
 */
export function describeCases(
  title: string,
  cases: readonly AdversarialCase[],
  options: { sequential?: boolean } = {},
): void {
  describe(title, () => {
    if (options.sequential) {
      for (const c of cases) it(c.name, () => run(c));
      return;
    }
    const started = new Map<AdversarialCase, Promise<void>>();
    beforeAll(() => {
      for (const c of cases) {
        const running = run(c);
        // Awaited by the case's own test; this only keeps an early failure from going unhandled.
        running.catch(() => {});
        started.set(c, running);
      }
    });
    for (const c of cases) it(c.name, () => started.get(c));
  });
}
