/**
 * Issue 14, "relist storm": servers that would make the Reflector loop. Each test runs minutes of
 * virtual time against a server that misbehaves forever and states, in its name, the request rate
 * the pacing guarantees (random 0: the smallest delays the jitter allows, so the worst case).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { NEVER } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type KubeRxError,
  ListPagingError,
  type ListWatchOptions,
  listWatch,
  type RawWatchEvent,
  resources,
  type WatchEvent,
} from '../src/index.js';
import { bookmark, errorEvent, gone, listOf, modified, pod } from '../src/testing/index.js';
import { type HostileScript, hostileClient, maxPerWindow, reporter } from './listWatchSupport.js';
import { newScheduler } from './support.js';

const MINUTE = 60_000;
const listed = [pod('a', '1'), pod('b', '2')];

/** Runs listWatch against `script` for `ms` of virtual time; returns what happened. */
type Cold = Parameters<Parameters<TestScheduler['run']>[0]>[0]['cold'];

function runAgainst(
  script: (helpers: { cold: Cold }) => HostileScript,
  ms: number,
  options: ListWatchOptions = {},
) {
  const ts = newScheduler();
  return ts.run(({ cold, flush }) => {
    const server = hostileClient(ts, script({ cold }));
    const { reported, errors, contexts, onError } = reporter(ts);
    const events: WatchEvent<V1Pod>[] = [];
    let failure: unknown;
    const subscription = listWatch<V1Pod>(server.client, resources.pods, {
      random: () => 0,
      onError,
      ...options,
    }).subscribe({
      next: (event) => events.push(event),
      error: (error: unknown) => (failure = error),
    });
    ts.schedule(() => subscription.unsubscribe(), ms);
    flush();
    return { ...server, reported, errors, contexts, events, failure };
  });
}

describe('listWatch under request storms (virtual time)', () => {
  it('a watch that delivers one event then ERROR 410, every time: at most 3 lists in any virtual second, 16 in 5 minutes (was ~1,000 a second)', () => {
    const run = runAgainst(
      ({ cold }) => ({
        list: () => listOf(listed, '2'),
        watch: () => cold('-m-e', { m: modified(pod('a', '1')), e: errorEvent(410) }),
      }),
      5 * MINUTE,
    );
    const lists = run.at('list');
    // 0; one quick relist at once (3 ms); then 800 ms of backoff doubling to the 30 s cap, each
    // counted from the 410 3 ms into a watch
    expect(lists.slice(0, 5)).toEqual([0, 3, 806, 2409, 5612]);
    expect(maxPerWindow(lists)).toBeLessThanOrEqual(3);
    expect(lists.length).toBeLessThanOrEqual(16);
    expect(run.failure).toBeUndefined();
    expect(run.reported[0]).toEqual({ at: 3, name: 'StatusError', code: 410, phase: 'watch', relist: true });
    expect(run.reported.slice(1).every((r) => r.code === 410 && r.relist && (r.retryInMs ?? 0) >= 800)).toBe(
      true,
    );
  });

  it('after one quick relist, the next waits minRelistIntervalMs: by default the backoff first delay (100 ms in a test that sets it), or the interval set apart from it', () => {
    const script = ({ cold }: { cold: Cold }): HostileScript => ({
      list: () => listOf(listed, '2'),
      watch: () => cold<RawWatchEvent>('-m-e', { m: modified(pod('a', '1')), e: errorEvent(410) }),
    });
    const fast = runAgainst(script, 1000, { backoff: { initialMs: 100 } });
    expect(fast.at('list').slice(0, 3)).toEqual([0, 3, 106]);
    const floor = runAgainst(script, 3000, { backoff: { initialMs: 100 }, minRelistIntervalMs: 2000 });
    expect(floor.at('list').slice(0, 3)).toEqual([0, 3, 2003]);
  });

  it('a watch that delivers one event, closes, and the next watch answers HTTP 410, alternately: at most 2 lists and 3 watches in any virtual second', () => {
    const run = runAgainst(
      ({ cold }) => ({
        list: () => listOf(listed, '2'),
        watch: (_options, n) => (n % 2 === 0 ? cold('-m|', { m: modified(pod('a', '3')) }) : gone()),
      }),
      5 * MINUTE,
    );
    expect(maxPerWindow(run.at('list'))).toBeLessThanOrEqual(2);
    expect(maxPerWindow(run.at('watch'))).toBeLessThanOrEqual(3);
    expect(run.failure).toBeUndefined();
  });

  it('a watch that ends after one BOOKMARK, every time: at most 2 watches in any virtual second, 30 in 5 minutes (was ~2,000 a second)', () => {
    const run = runAgainst(
      ({ cold }) => ({ list: () => listOf(listed, '2'), watch: () => cold('-b|', { b: bookmark('2') }) }),
      5 * MINUTE,
    );
    const watches = run.at('watch');
    // a bookmark is not progress: a ShortWatchError each time, 800 ms of backoff doubling
    expect(watches.slice(0, 4)).toEqual([0, 802, 2404, 5606]);
    expect(maxPerWindow(watches)).toBeLessThanOrEqual(2);
    expect(watches.length).toBeLessThanOrEqual(30);
    expect(maxPerWindow(run.at('list'))).toBeLessThanOrEqual(1);
    expect(run.reported.some((r) => r.name === 'ShortWatchError')).toBe(true);
  });

  it('a watch that ends after one event with a new resourceVersion, every time: at most 2 watches in any virtual second, then one a second', () => {
    let rv = 10;
    const run = runAgainst(
      ({ cold }) => ({
        list: () => listOf(listed, '2'),
        watch: () => cold('-m|', { m: modified(pod('a', String(++rv))) }),
      }),
      MINUTE,
    );
    const watches = run.at('watch');
    expect(maxPerWindow(watches)).toBeLessThanOrEqual(2);
    // the first short watch is followed at once, every later one a second after it started
    expect(watches.slice(1).map((t, i) => t - (watches[i] as number))).toEqual([
      2,
      ...Array(watches.length - 2).fill(1000),
    ]);
    expect(run.reported).toEqual([]);
    expect(run.at('list')).toEqual([0]);
  });

  it('a watch that ends after the same event every time: the repeat is no progress, backoff; at most 3 watches in any virtual second', () => {
    const run = runAgainst(
      ({ cold }) => ({
        list: () => listOf(listed, '2'),
        watch: () => cold('-m|', { m: modified(pod('a', '1')) }),
      }),
      5 * MINUTE,
    );
    const watches = run.at('watch');
    // the first moves the resourceVersion 2 -> 1 (followed at once), the others leave it at 1:
    // short watches, 800 ms of backoff doubling
    expect(watches.slice(0, 4)).toEqual([0, 2, 804, 2406]);
    expect(maxPerWindow(watches)).toBeLessThanOrEqual(3);
    expect(watches.length).toBeLessThanOrEqual(30);
  });

  it('a continue token returned forever (a new one each page): the list stops at maxListPages (10,000), retries unpaginated after backoff; at most 10,001 list requests in the first virtual second', () => {
    const run = runAgainst(
      () => ({
        list: (options, n) =>
          options.limit === undefined
            ? listOf(listed, '7')
            : listOf([pod(`p${n}`, '1')], '7', `token-${n + 1}`),
        watch: () => NEVER,
      }),
      10_000,
    );
    const lists = run.calls.filter((c) => c.verb === 'list');
    expect(lists).toHaveLength(10_001);
    expect(lists.slice(0, 10_000).every((c) => c.at === 0 && c.options.limit === 500)).toBe(true);
    expect(lists[10_000]).toMatchObject({ at: 800, options: {} });
    const [paging] = run.errors as [KubeRxError];
    expect(paging).toBeInstanceOf(ListPagingError);
    expect(paging.message).toBe(
      'pods.v1: paginated list given up after 10000 pages: more than maxListPages (10000) pages',
    );
    expect(run.contexts[0]).toMatchObject({
      resource: 'pods.v1',
      phase: 'list',
      relist: true,
      retryInMs: 800,
    });
    expect(run.events).toEqual([{ type: 'REPLACE', objects: listed, resourceVersion: '7' }]);
  });

  it('maxListPages is configurable: 5 pages, then an unpaginated list after backoff', () => {
    const run = runAgainst(
      () => ({
        list: (options, n) =>
          options.limit === undefined
            ? listOf(listed, '7')
            : listOf([pod(`p${n}`, '1')], '7', `token-${n + 1}`),
        watch: () => NEVER,
      }),
      10_000,
      { maxListPages: 5 },
    );
    expect(
      run.calls.map((c) => `${c.at} ${c.verb}(${c.options.limit ?? '-'},${c.options.continue ?? '-'})`),
    ).toEqual([
      '0 list(500,-)',
      '0 list(500,token-1)',
      '0 list(500,token-2)',
      '0 list(500,token-3)',
      '0 list(500,token-4)',
      '800 list(-,-)',
      '800 watch(-,-)',
    ]);
  });

  it('the same continue token twice in one list: a ListPagingError at the repeat, an unpaginated list after backoff; 3 list requests in 10 virtual seconds', () => {
    const run = runAgainst(
      () => ({
        list: (options) =>
          options.limit === undefined ? listOf(listed, '7') : listOf([pod('x', '1')], '7', 'again'),
        watch: () => NEVER,
      }),
      10_000,
    );
    expect(run.calls.filter((c) => c.verb === 'list').map((c) => [c.at, c.options])).toEqual([
      [0, { limit: 500 }],
      [0, { limit: 500, continue: 'again' }],
      [800, {}],
    ]);
    expect(run.errors[0]?.message).toBe(
      'pods.v1: paginated list given up after 2 pages: the server repeated a continue token',
    );
    expect(run.events).toEqual([{ type: 'REPLACE', objects: listed, resourceVersion: '7' }]);
  });

  it('paging broken in every list, unpaginated ones too: list attempts back off to one per 30 s (at most 2 attempts in any virtual second after the first)', () => {
    const run = runAgainst(
      () => ({ list: () => listOf([pod('x', '1')], '7', 'again'), watch: () => NEVER }),
      5 * MINUTE,
    );
    // each attempt is 2 requests (the page and the repeat); attempts start with the first page
    const attempts = run.calls.filter((c) => c.verb === 'list' && !c.options.continue).map((c) => c.at);
    expect(attempts.slice(0, 5)).toEqual([0, 800, 2400, 5600, 12000]);
    expect(maxPerWindow(attempts)).toBeLessThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(15);
    expect(run.events).toEqual([]);
  });
});
