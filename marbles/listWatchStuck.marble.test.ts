/**
 * Issue 14, "stuck for good": a watch that can never resume from its resourceVersion leads to a
 * relist instead of retrying that resourceVersion forever, and a streaming list that is cut short
 * is retried as a streaming list instead of turning streaming lists off for the rest of the run.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { NEVER } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type ListWatchOptions,
  listWatch,
  type RawWatchEvent,
  resources,
  statusError,
  type WatchEvent,
} from '../src/index.js';
import {
  added,
  bookmark,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
} from '../src/testing/index.js';
import { type HostileScript, hostileClient, maxPerWindow, reporter, timed } from './listWatchSupport.js';
import { newScheduler } from './support.js';

type Cold = Parameters<Parameters<TestScheduler['run']>[0]>[0]['cold'];
const listed = [pod('a', '1'), pod('b', '2')];
const newer = [pod('a', '20'), pod('c', '21')];

function runAgainst(script: (cold: Cold) => HostileScript, ms: number, options: ListWatchOptions = {}) {
  const ts = newScheduler();
  return ts.run(({ cold, flush }) => {
    const server = hostileClient(ts, script(cold));
    const { reported, errors, onError } = reporter(ts);
    const events: WatchEvent<V1Pod>[] = [];
    const subscription = listWatch<V1Pod>(server.client, resources.pods, {
      random: () => 0,
      onError,
      ...options,
    }).subscribe((event) => events.push(event));
    ts.schedule(() => subscription.unsubscribe(), ms);
    flush();
    return { ...server, reported, errors, events };
  });
}

/** A server whose watches from resourceVersion 3 always fail with `failure`; a relist gets rv 21. */
const failingAtListedVersion =
  (failure: () => Error) =>
  (cold: Cold): HostileScript => ({
    list: (_options, n) => (n === 0 ? listOf(listed, '3') : listOf(newer, '21')),
    watch: (options) => (options.resourceVersion === '3' ? failure() : cold<RawWatchEvent>('-')),
  });

/** Watch failure times with random 0: 800 ms doubling to the 30 s cap. */
const FAILURES_AT = [0, 800, 2400, 5600, 12000, 24800, 50400, 80400];

describe('listWatch never stays stuck (virtual time)', () => {
  it.each([
    ['answered 500', () => statusError(500, 'storage error')],
    ['reset', () => new Error('ECONNRESET')],
  ])(
    'a watch %s at the listed resourceVersion, every time: the 8th failure (80.4 s) relists, then it resumes from the fresh list; never more than 1 watch a virtual second after the first two',
    (_name, failure) => {
      const run = runAgainst(failingAtListedVersion(failure), 5 * 60_000);
      expect(run.at('watch')).toEqual([...FAILURES_AT, 110400]);
      expect(run.at('list')).toEqual([0, 110400]);
      expect(run.calls.at(-1)?.options.resourceVersion).toBe('21');
      expect(run.reported.map((r) => r.relist)).toEqual([...Array(7).fill(false), true]);
      expect(run.reported.at(-1)).toMatchObject({
        at: 80400,
        phase: 'watch',
        relist: true,
        retryInMs: 30000,
      });
      expect(maxPerWindow(run.at('watch').slice(1))).toBe(1);
      expect(run.events.at(-1)).toEqual(replace(newer, '21'));
    },
  );

  it('watchFailuresBeforeRelist is configurable: with 3, the third failure relists', () => {
    const run = runAgainst(
      failingAtListedVersion(() => statusError(503, 'unavailable')),
      60_000,
      { watchFailuresBeforeRelist: 3 },
    );
    expect(run.at('watch')).toEqual([0, 800, 2400, 5600]);
    expect(run.at('list')).toEqual([0, 5600]);
  });

  it('429s do not count (relisting would add load): 12 watch 429s re-watch from the same resourceVersion, no relist', () => {
    const run = runAgainst(
      failingAtListedVersion(() => statusError(429, 'slow down')),
      10 * 60_000,
    );
    expect(run.at('list')).toEqual([0]);
    expect(run.calls.filter((c) => c.verb === 'watch').every((c) => c.options.resourceVersion === '3')).toBe(
      true,
    );
    expect(run.at('watch').length).toBeGreaterThan(12);
  });

  it('a watch that delivers a new resourceVersion between failures starts the count over: 7 + 7 failures, no relist', () => {
    const run = runAgainst(
      (cold) => ({
        list: () => listOf(listed, '3'),
        watch: (_options, n) =>
          n === 7
            ? cold('-m 1500ms |', { m: modified(pod('a', '4')) })
            : n < 15
              ? statusError(500, 'x')
              : cold('-'),
      }),
      10 * 60_000,
    );
    expect(run.at('list')).toEqual([0]);
    expect(run.calls.filter((c) => c.verb === 'watch').map((c) => c.options.resourceVersion)).toEqual([
      ...Array(8).fill('3'),
      ...Array(8).fill('4'),
    ]);
  });

  it('watches that end after a bookmark count as failures: 8 of them relist', () => {
    const run = runAgainst(
      (cold) => ({
        list: (_options, n) => (n === 0 ? listOf(listed, '3') : listOf(newer, '21')),
        watch: (options) => (options.resourceVersion === '3' ? cold('-b|', { b: bookmark('3') }) : cold('-')),
      }),
      5 * 60_000,
    );
    expect(run.at('list')).toHaveLength(2);
    expect(run.reported.filter((r) => r.name === 'ShortWatchError')).toHaveLength(8);
    expect(run.events.at(-1)).toEqual(replace(newer, '21'));
  });
});

describe('a streaming list cut short stays a streaming list (virtual time)', () => {
  it('a stream closed before its end bookmark is retried as a streaming list after backoff, its buffer discarded', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '5');
      const b = pod('b', '6');
      const scripted = scriptedClient({
        watches: [
          cold('-a|', { a: added(a) }),
          cold('-b-e-m', { b: added(b), e: bookmark('7', true), m: modified(pod('b', '8')) }),
        ],
      });
      const { client, log } = timed(ts, scripted);
      const { reported, errors, onError } = reporter(ts);
      expectObservable(
        listWatch<V1Pod>(client, resources.pods, { listMode: 'streaming', random: () => 0, onError }),
      ).toBe('805ms r-m', { r: replace([b], '7'), m: { type: 'MODIFIED', object: pod('b', '8') } });
      flush();
      expect(reported).toEqual([
        { at: 2, name: 'WatchProtocolError', phase: 'streamingList', relist: true, retryInMs: 800 },
      ]);
      expect(errors[0]?.message).toBe(
        'pods.v1: streaming list closed after 2 ms, before its initial-events-end bookmark',
      );
      expect(log).toEqual(['0 watch@ (initial events)', '802 watch@ (initial events)']);
    });
  });

  it('streaming lists cut short every time: retried as streaming lists with backoff to 30 s (at most 2 a virtual second, 15 in 5 minutes), never a paginated list', () => {
    const run = runAgainst(
      (cold) => ({ list: () => listOf([], '1'), watch: () => cold('-a|', { a: added(pod('a', '1')) }) }),
      5 * 60_000,
      {
        listMode: 'streaming',
      },
    );
    expect(run.at('list')).toEqual([]);
    const watches = run.calls.filter((c) => c.verb === 'watch');
    expect(watches.every((c) => c.options.sendInitialEvents === true)).toBe(true);
    expect(maxPerWindow(run.at('watch'))).toBeLessThanOrEqual(2);
    expect(watches.length).toBeLessThanOrEqual(15);
  });

  it.each([405, 406, 415, 501])('a streaming list refused with %i falls back to paginated lists', (code) => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const scripted = scriptedClient({
        lists: [listOf([pod('a', '5')], '5')],
        watches: [statusError(code, 'no streaming lists here'), cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      expectObservable(
        listWatch<V1Pod>(client, resources.pods, { listMode: 'streaming', random: () => 0 }),
      ).toBe('r', {
        r: replace([pod('a', '5')], '5'),
      });
      flush();
      expect(log).toEqual(['0 watch@ (initial events)', '0 list(500,-)', '0 watch@5']);
    });
  });

  it('a streaming list that failed with a 500 mid-stream is retried as a streaming list, not paginated', () => {
    const run = runAgainst(
      (cold) => ({
        list: () => listOf([], '1'),
        watch: (_options, n) =>
          n === 0 ? cold('-a#', { a: added(pod('a', '1')) }, statusError(500, 'restart')) : NEVER,
      }),
      5000,
      { listMode: 'streaming' },
    );
    expect(run.calls.map((c) => `${c.at} ${c.verb} ${c.options.sendInitialEvents}`)).toEqual([
      '0 watch true',
      '802 watch true',
    ]);
  });
});
