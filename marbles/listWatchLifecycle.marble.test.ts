/**
 * The Reflector's lifecycle (`onLifecycle`) for each path of its state machine, in virtual time:
 * list -> watch -> bookmark -> event -> 410 -> relist -> backoff -> list, a failed watch and its
 * backoff, a clean close and a short watch, an expired continue token, paging that never ends, a
 * streaming list and its fallback, a watch rejected with 400, watches stuck without progress, a
 * failed list, a fatal error and an unsubscribe. Each event is one line (`lifecycleSupport.ts`);
 * the first test states the sequence as a marble, the others as `<time> <line>` timelines.
 */
import { describe, expect, it } from 'vitest';
import {
  type ListWatchOptions,
  listWatch,
  type ReflectorStatus,
  resources,
  statusError,
} from '../src/index.js';
import { added, bookmark, errorEvent, listOf, modified, pod, scriptedClient } from '../src/testing/index.js';
import { lifecycleLines, timeline } from './lifecycleSupport.js';
import { newScheduler } from './support.js';

type Cold = Parameters<Parameters<ReturnType<typeof newScheduler>['run']>[0]>[0]['cold'];

/**
 * Runs `listWatch` on the client `make` builds (in the scheduler's run) until `untilMs`, and
 * returns its lifecycle as `<time> <line>`, plus `ERRORED` if the stream failed.
 */
function linesOf(
  make: (cold: Cold) => Parameters<typeof listWatch>[0],
  options: ListWatchOptions = {},
  untilMs = 5_000,
): string[] {
  const ts = newScheduler();
  let lines: string[] = [];
  ts.run(({ cold, flush }) => {
    const t = timeline(() => ts.now());
    lines = t.lines;
    const subscription = listWatch(make(cold), resources.pods, {
      random: () => 0,
      ...options,
      onLifecycle: t.onLifecycle,
    }).subscribe({ error: () => t.lines.push(`${ts.now()} ERRORED`) });
    ts.schedule(() => subscription.unsubscribe(), untilMs);
    flush();
  });
  return lines;
}

describe('listWatch lifecycle marbles', () => {
  it('list, watch, bookmark, event, 410, relist, backoff, list, a failed watch and its backoff', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '10')], '10'), listOf([pod('b', '20')], '20')],
        watches: [
          cold('10ms b 9ms m 9ms e', { b: bookmark('11'), m: modified(pod('a', '12')), e: errorEvent(410) }),
          new Error('connection reset'),
          cold('-'),
        ],
      });
      // 0: the list and its watch; 10: a bookmark; 20: an event; 30: 410, an immediate relist
      // (the watch made progress), whose watch fails at once: 800 ms of backoff, then re-watch.
      expectObservable(lifecycleLines(client), '^ 2000ms !').toBe(
        '(lfw) 5ms b 9ms m 9ms (xeRBLFWEgh) 788ms W',
        {
          l: 'list paginated',
          f: 'listed 1 in 1 pages, 0 ms, rv 10',
          w: 'watch from 10',
          b: 'bookmark 11',
          m: 'MODIFIED 12',
          x: 'error watch: 410',
          e: 'watch ended: expired (410) after 30 ms',
          R: 'relist: expired',
          B: 'backoff 0 ms, then list',
          L: 'list paginated',
          F: 'listed 1 in 1 pages, 0 ms, rv 20',
          W: 'watch from 20',
          E: 'error watch: KubeRxError',
          g: 'watch ended: error (KubeRxError) after 0 ms',
          h: 'backoff 800 ms, then watch',
        },
      );
    });
  });

  it('a clean close after a while re-watches at once; a short one is a failure with backoff', () => {
    const lines = linesOf(
      (cold) =>
        scriptedClient({
          lists: [listOf([pod('a', '10')], '10')],
          watches: [cold('100ms |'), cold('2000ms m 5000ms |', { m: modified(pod('a', '11')) }), cold('-')],
        }),
      {},
      20_000,
    );
    expect(lines).toEqual([
      '0 list paginated',
      '0 listed 1 in 1 pages, 0 ms, rv 10',
      '0 watch from 10',
      '100 error watch: ShortWatchError',
      '100 watch ended: closed (ShortWatchError) after 100 ms',
      '100 backoff 800 ms, then watch',
      '900 watch from 10',
      '2900 MODIFIED 11',
      '7901 watch ended: closed after 7001 ms',
      '7901 watch from 11',
      '20000 stopped',
    ]);
  });

  it('an expired continue token: relist expiredToken, one unpaginated list at once', () => {
    const lines = linesOf(
      (cold) =>
        scriptedClient({
          lists: [
            listOf([pod('a', '10')], '10', 'tok'),
            statusError(410, 'continue expired'),
            listOf([pod('a', '10'), pod('b', '11')], '11'),
          ],
          watches: [cold('-')],
        }),
      { pageSize: 1 },
    );
    expect(lines).toEqual([
      '0 list paginated',
      '0 error list: 410',
      '0 relist: expiredToken',
      '0 list unpaginated',
      '0 listed 2 in 1 pages, 0 ms, rv 11',
      '0 watch from 11',
      '5000 stopped',
    ]);
  });

  it('paging that does not end: relist paging, backoff, one unpaginated list', () => {
    const lines = linesOf(
      (cold) =>
        scriptedClient({
          lists: [
            listOf([pod('a', '10')], '10', 'tok'),
            listOf([pod('b', '10')], '10', 'tok'),
            listOf([pod('a', '10'), pod('b', '11')], '11'),
          ],
          watches: [cold('-')],
        }),
      { pageSize: 1 },
    );
    expect(lines).toEqual([
      '0 list paginated',
      '0 error list: ListPagingError',
      '0 relist: paging',
      '0 backoff 800 ms, then list',
      '800 list unpaginated',
      '800 listed 2 in 1 pages, 0 ms, rv 11',
      '800 watch from 11',
      '5000 stopped',
    ]);
  });

  it('a streaming list finishes at its end bookmark and goes on as the watch', () => {
    const lines = linesOf(
      (cold) =>
        scriptedClient({
          watches: [
            cold('-a-e-m', {
              a: added(pod('a', '10')),
              e: bookmark('12', true),
              m: modified(pod('a', '13')),
            }),
          ],
        }),
      { listMode: 'streaming' },
    );
    expect(lines).toEqual([
      '0 list streaming',
      '3 listed 1 in 0 pages, 3 ms, rv 12',
      '3 watch from 12',
      '5 MODIFIED 13',
      '5000 stopped',
    ]);
  });

  it('a streaming list the server refuses: relist fallback to a paginated list', () => {
    const lines = linesOf(
      (cold) =>
        scriptedClient({
          lists: [listOf([pod('a', '10')], '10')],
          watches: [statusError(400, 'sendInitialEvents is not supported'), cold('-')],
        }),
      { listMode: 'streaming' },
    );
    expect(lines).toEqual([
      '0 list streaming',
      '0 error streamingList: 400',
      '0 relist: fallback',
      '0 list paginated',
      '0 listed 1 in 1 pages, 0 ms, rv 10',
      '0 watch from 10',
      '5000 stopped',
    ]);
  });

  it('a watch rejected with 400: relist rejected after backoff', () => {
    const lines = linesOf((cold) =>
      scriptedClient({
        lists: [listOf([pod('a', '10')], '10'), listOf([pod('a', '10')], '20')],
        watches: [statusError(400, 'bad resourceVersion'), cold('-')],
      }),
    );
    expect(lines).toEqual([
      '0 list paginated',
      '0 listed 1 in 1 pages, 0 ms, rv 10',
      '0 watch from 10',
      '0 error watch: 400',
      '0 watch ended: error (400) after 0 ms',
      '0 relist: rejected',
      '0 backoff 800 ms, then list',
      '800 list paginated',
      '800 listed 1 in 1 pages, 0 ms, rv 20',
      '800 watch from 20',
      '5000 stopped',
    ]);
  });

  it('watches failing without progress: backoff and re-watch, then relist stuck', () => {
    const lines = linesOf(
      (cold) =>
        scriptedClient({
          lists: [listOf([pod('a', '10')], '10'), listOf([pod('a', '10')], '20')],
          watches: [statusError(500, 'boom'), statusError(500, 'boom'), cold('-')],
        }),
      { watchFailuresBeforeRelist: 2 },
    );
    expect(lines).toEqual([
      '0 list paginated',
      '0 listed 1 in 1 pages, 0 ms, rv 10',
      '0 watch from 10',
      '0 error watch: 500',
      '0 watch ended: error (500) after 0 ms',
      '0 backoff 800 ms, then watch',
      '800 watch from 10',
      '800 error watch: 500',
      '800 watch ended: error (500) after 0 ms',
      '800 relist: stuck',
      '800 backoff 1600 ms, then list',
      '2400 list paginated',
      '2400 listed 1 in 1 pages, 0 ms, rv 20',
      '2400 watch from 20',
      '5000 stopped',
    ]);
  });

  it('a failed list is tried again (relist listFailed); the third 403 in a row stops the stream', () => {
    const retried = linesOf((cold) =>
      scriptedClient({
        lists: [statusError(503, 'unavailable'), listOf([pod('a', '10')], '10')],
        watches: [cold('-')],
      }),
    );
    expect(retried).toEqual([
      '0 list paginated',
      '0 error list: 503',
      '0 relist: listFailed',
      '0 backoff 800 ms, then list',
      '800 list paginated',
      '800 listed 1 in 1 pages, 0 ms, rv 10',
      '800 watch from 10',
      '5000 stopped',
    ]);
    const fatal = linesOf(() =>
      scriptedClient({ lists: [statusError(403, 'no'), statusError(403, 'no'), statusError(403, 'no')] }),
    );
    expect(fatal).toEqual([
      '0 list paginated',
      '0 error list: 403',
      '0 relist: listFailed',
      '0 backoff 800 ms, then list',
      '800 list paginated',
      '800 error list: 403',
      '800 relist: listFailed',
      '800 backoff 1600 ms, then list',
      '2400 list paginated',
      '2400 stopped: 403',
      '2400 ERRORED',
    ]);
  });

  it('an object the cache cannot take is an error with its key; the watch goes on', () => {
    const lines = linesOf((cold) =>
      scriptedClient({
        lists: [listOf([pod('a', '10')], '10')],
        watches: [
          cold('-x-m', {
            x: {
              type: 'MODIFIED',
              object: {
                ...pod('b', '11'),
                metadata: { name: 'b', namespace: 'default', resourceVersion: 11 },
              },
            },
            m: modified(pod('a', '12')),
          }),
        ],
      }),
    );
    expect(lines).toEqual([
      '0 list paginated',
      '0 listed 1 in 1 pages, 0 ms, rv 10',
      '0 watch from 10',
      '1 error watch: InvalidObjectError default/b',
      '3 MODIFIED 12',
      '5000 stopped',
    ]);
  });

  it('hands the state with every event: phase, resourceVersion, last event time, synced', () => {
    newScheduler().run(({ cold, flush }) => {
      const client = scriptedClient({
        lists: [cold('5ms (l|)', { l: listOf([pod('a', '10')], '10') })],
        watches: [cold('10ms b 9ms e', { b: bookmark('11'), e: errorEvent(500, 'etcd leader changed') })],
      });
      const statuses: ReflectorStatus[] = [];
      lifecycleLines(client, {}, statuses).subscribe();
      flush();
      const brief = statuses.map(
        (s) => `${s.phase} ${s.resourceVersion || '-'} ${s.lastEventAt ?? '-'} ${s.synced}`,
      );
      expect(brief).toEqual([
        'list - - false', // list started
        'list 10 5 true', // list finished at 5 ms
        'watch 10 5 true', // watch started
        'watch 11 15 true', // bookmark at 15 ms
        'watch 11 15 true', // error at 25 ms
        'watch 11 15 true', // watch ended
        'backoff 11 15 true', // backoff
        'watch 11 15 true', // watch from 11 after 800 ms
      ]);
      expect(new Set(statuses.map((s) => s.resource))).toEqual(new Set(['pods.v1']));
    });
  });
});
