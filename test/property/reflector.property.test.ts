/**
 * Property 1: whatever the server does (writes, bookmarks, timeouts, 500s, 410s with compaction
 * while disconnected, failing and paginated lists, streaming lists), once the client has caught
 * up its cache equals the server's state — through `listWatch -> deltaFifo -> indexer` and through
 * `informer`. Hostile servers too (issue 14): lists answered 200 with something that is not a list,
 * repeated continue tokens, streaming lists cut short, watched objects whose resourceVersion is not
 * a string, 503s with Retry-After, and runs of failed or short watches that must end in a relist
 * (`watchFailuresBeforeRelist` drawn from 1, 2, 3, 8). The scenarios and the server model live in
 * `serverModel.ts`; it predicts every request, so a reflector that relists, re-watches or falls
 * back where it should not fails the run.
 */
import { fc } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  byField,
  byLabel,
  byOwner,
  deltaFifo,
  indexer,
  informer,
  listWatch,
  resources,
  resync,
} from '../../src/index.js';
import {
  expectScriptServed,
  expectSnapshotEqualsServer,
  expectSnapshotsConsistent,
  playScenario,
  relistingScenarioArb,
  type Scenario,
} from './serverModel.js';

const INDEXERS = { node: byField('spec.nodeName'), app: byLabel('app'), owner: byOwner };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

function checkPipeline(scenario: Scenario, resyncPeriodMs: number): void {
  newScheduler().run(({ flush }) => {
    const run = playScenario(scenario, flush, (script) =>
      listWatch<V1Pod>(script.client, resources.pods, {
        random: () => 0,
        pageSize: scenario.pageSize,
        listMode: scenario.listMode,
        watchFailuresBeforeRelist: scenario.watchFailuresBeforeRelist,
        onError: () => undefined,
      }).pipe(resync(resyncPeriodMs), deltaFifo<V1Pod>(), indexer<V1Pod>(INDEXERS)),
    );
    expectScriptServed(run);
    expectSnapshotEqualsServer(run.values.at(-1), run.script);
    expectSnapshotsConsistent(run.values, run.script);
  });
}

function checkInformer(scenario: Scenario, resyncPeriodMs: number): void {
  newScheduler().run(({ flush }) => {
    const run = playScenario(
      scenario,
      flush,
      (script) =>
        informer<V1Pod>(script.client, resources.pods, {
          random: () => 0,
          pageSize: scenario.pageSize,
          listMode: scenario.listMode,
          watchFailuresBeforeRelist: scenario.watchFailuresBeforeRelist,
          indexers: INDEXERS,
          resyncPeriodMs,
          onError: () => undefined,
        }).store$,
    );
    expectScriptServed(run);
    expectSnapshotEqualsServer(run.values.at(-1), run.script);
    expectSnapshotsConsistent(run.values, run.script);
  });
}

const resyncArb = fc.oneof(fc.constant(0), fc.integer({ min: 5_000, max: 120_000 }));

/** Always-run examples: compaction while disconnected (tombstones, updates, a recreated key). */
const compaction = (
  listMode: Scenario['listMode'],
  initialListFailures: Scenario['initialListFailures'] = ['error500'],
): [Scenario, number] => [
  {
    listMode,
    garbageInLists: true,
    pageSize: 2,
    listLatencyMs: 5,
    initial: [
      { kind: 'create', namespace: 'default', name: 'p0', spec: { labels: { app: 'web' }, nodeName: 'n1' } },
      { kind: 'create', namespace: 'default', name: 'p1', spec: { labels: {} } },
      { kind: 'create', namespace: 'team-a', name: 'p2', spec: { labels: { app: 'db' } } },
    ],
    initialListFailures,
    commands: [
      { kind: 'mutate', mutation: { kind: 'update', pick: 0, spec: { labels: { app: 'web' } } }, gapMs: 10 },
      { kind: 'bookmark', gapMs: 1000 },
      { kind: 'garbage', garbage: 'noName', gapMs: 1 },
      {
        kind: 'gone',
        inStream: true,
        gapMs: 5,
        whileDisconnected: [
          { kind: 'delete', pick: 0 },
          { kind: 'update', pick: 0, spec: { labels: { tier: 'cache' }, nodeName: 'n2' } },
          { kind: 'delete', pick: 1 },
          { kind: 'create', namespace: 'default', name: 'p0', spec: { labels: {} } },
          { kind: 'noise' },
        ],
        listFailures: ['midPage410', 'midPage500'],
      },
      { kind: 'watchTimeout', afterMs: 300_000 },
      {
        kind: 'gone',
        inStream: false,
        gapMs: 0,
        whileDisconnected: [{ kind: 'delete', pick: 2 }],
        listFailures: [],
      },
    ],
    tailMs: 60_000,
    watchFailuresBeforeRelist: 8,
  },
  30_000,
];

describe('reflector property: the cache converges to the server state', () => {
  it('listWatch -> deltaFifo -> indexer ends with the server state', () => {
    fc.assert(
      fc.property(relistingScenarioArb, resyncArb, (scenario, resyncPeriodMs) =>
        checkPipeline(scenario, resyncPeriodMs),
      ),
      {
        numRuns: 200,
        examples: [
          compaction('paginated'),
          compaction('streaming'),
          compaction('auto', ['midPage500', 'unsupported', 'midPage410']),
        ],
      },
    );
  });

  it('informer store$ ends with the server state', () => {
    fc.assert(
      fc.property(relistingScenarioArb, resyncArb, (scenario, resyncPeriodMs) =>
        checkInformer(scenario, resyncPeriodMs),
      ),
      {
        numRuns: 150,
        examples: [
          compaction('paginated'),
          compaction('streaming'),
          compaction('auto', ['midPage500', 'unsupported', 'midPage410']),
        ],
      },
    );
  });
});
