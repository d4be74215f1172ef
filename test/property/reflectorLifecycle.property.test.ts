/**
 * The Reflector's lifecycle tells the truth, whatever the server does (the scenarios of
 * `serverModel.ts`: writes, bookmarks, timeouts, 5xx, 410s, failing and paginated lists,
 * streaming lists, hostile answers):
 * - observing changes nothing: `listWatch` emits the same events with and without `onLifecycle`;
 * - the lifecycle matches what was emitted and requested: one `listFinished` per `REPLACE`, one
 *   `event` per object event, one `bookmark` per `BOOKMARK`, one `error` per `onError` report,
 *   one watch request per `watchStarted` (a streaming list's continuation aside) or streaming
 *   `listStarted`, and no more pages than list requests;
 * - it is well formed: time never goes back, a watch ends only after it started, object events
 *   and bookmarks arrive while watching, and what follows a backoff starts when it said it would.
 */
import { fc } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type ListWatchOptions,
  listWatch,
  type ReflectorEvent,
  type ReflectorStatus,
  resources,
  type WatchEvent,
} from '../../src/index.js';
import { playScenario, relistingScenarioArb, type Scenario } from './serverModel.js';

interface Observed {
  readonly events: WatchEvent<V1Pod>[];
  readonly lifecycle: { event: ReflectorEvent; status: ReflectorStatus }[];
  readonly reports: number;
  readonly lists: number;
  readonly watches: number;
}

function observe(scenario: Scenario, withLifecycle: boolean): Observed {
  const lifecycle: Observed['lifecycle'] = [];
  let reports = 0;
  let observed: Observed | undefined;
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ flush }) => {
    const options: ListWatchOptions = {
      random: () => 0,
      pageSize: scenario.pageSize,
      listMode: scenario.listMode,
      watchFailuresBeforeRelist: scenario.watchFailuresBeforeRelist,
      onError: () => {
        reports++;
      },
      ...(withLifecycle ? { onLifecycle: (event, status) => lifecycle.push({ event, status }) } : {}),
    };
    const run = playScenario(scenario, flush, (script) =>
      listWatch<V1Pod>(script.client, resources.pods, options),
    );
    const calls = run.script.client.calls;
    observed = {
      events: run.values,
      lifecycle,
      reports,
      lists: calls.filter((c) => c.verb === 'list').length,
      watches: calls.filter((c) => c.verb === 'watch').length,
    };
  });
  return observed as Observed;
}

const count = (o: Observed, type: ReflectorEvent['type']) =>
  o.lifecycle.filter(({ event }) => event.type === type).length;

function checkLifecycle(scenario: Scenario): void {
  const plain = observe(scenario, false);
  const told = observe(scenario, true);
  expect(told.events).toEqual(plain.events);
  expect(told.reports).toBe(plain.reports);

  const emitted = (types: string[]) => told.events.filter((e) => types.includes(e.type)).length;
  expect(count(told, 'listFinished')).toBe(emitted(['REPLACE']));
  expect(count(told, 'event')).toBe(emitted(['ADDED', 'MODIFIED', 'DELETED']));
  expect(count(told, 'bookmark')).toBe(emitted(['BOOKMARK']));
  expect(count(told, 'error')).toBe(told.reports);

  let watchRequests = 0;
  let pages = 0;
  let plainLists = 0;
  let watching = false;
  let at = 0;
  let expectedStart: number | undefined;
  let previous: ReflectorEvent | undefined;
  for (const { event, status } of told.lifecycle) {
    expect(event.at).toBeGreaterThanOrEqual(at);
    at = event.at;
    expect(status.resource).toBe('pods.v1');
    switch (event.type) {
      case 'listStarted':
      case 'watchStarted': {
        if (expectedStart !== undefined) expect(event.at).toBe(expectedStart);
        expectedStart = undefined;
        const continued =
          event.type === 'watchStarted' && previous?.type === 'listFinished' && previous.pages === 0;
        if (event.type === 'watchStarted' ? !continued : event.mode === 'streaming') watchRequests++;
        if (event.type === 'listStarted' && event.mode !== 'streaming') plainLists++;
        watching = event.type === 'watchStarted';
        break;
      }
      case 'watchEnded':
        expect(watching).toBe(true);
        watching = false;
        break;
      case 'event':
      case 'bookmark':
        expect(status.phase).toBe('watch');
        break;
      case 'listFinished':
        pages += event.pages;
        expect(status.synced).toBe(true);
        break;
      case 'backoff':
        expectedStart = event.at + event.delayMs;
        break;
      default:
    }
    previous = event;
  }
  expect(watchRequests).toBe(told.watches);
  expect(plainLists).toBeLessThanOrEqual(told.lists);
  expect(pages).toBeLessThanOrEqual(told.lists);
}

describe('reflector lifecycle property', () => {
  it('observing changes nothing, and the lifecycle matches what the reflector emitted and asked', () => {
    fc.assert(
      fc.property(relistingScenarioArb, (scenario) => checkLifecycle(scenario)),
      { numRuns: 100 },
    );
  });
});
