import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  ClientNodeUnavailableError,
  defineResource,
  type KubeClient,
  type KubeObject,
  type KubeRxError,
  type ListWatchOptions,
  listWatch,
  resources,
  statusError,
  type WatchEvent,
} from '../src/index.js';
import {
  added,
  bookmark,
  deleted,
  errorEvent,
  gone,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
} from '../src/testing/index.js';
import { reporter, timed } from './listWatchSupport.js';
import { newScheduler } from './support.js';

const pods = (options: ListWatchOptions) => (client: KubeClient) =>
  listWatch<V1Pod>(client, resources.pods, options);

describe('listWatch marbles', () => {
  it('lists, then watches from the listed resourceVersion', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '10');
      const a2 = pod('a', '11');
      const client = scriptedClient({
        lists: [listOf([a1], '10')],
        watches: [cold('--m--b', { m: modified(a2), b: bookmark('12') })],
      });
      const events$ = listWatch<V1Pod>(client, resources.pods, { scheduler: undefined, random: () => 0 });
      expectObservable(events$, '^ 10ms !').toBe('r-m--b', {
        r: { type: 'REPLACE', objects: [a1], resourceVersion: '10' },
        m: { type: 'MODIFIED', object: a2 },
        b: { type: 'BOOKMARK', resourceVersion: '12' },
      } satisfies Record<string, WatchEvent<V1Pod>>);
    });
  });

  it('relists on an in-stream 410 and backs off in virtual time on errors', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '10');
      const b = pod('b', '20');
      const client = scriptedClient({
        lists: [listOf([a], '10'), listOf([b], '20')],
        watches: [
          cold('-m-e', { m: added(pod('c', '11')), e: errorEvent(410) }),
          new Error('connection reset'),
          cold('-'),
        ],
      });
      const errors: string[] = [];
      const events$ = listWatch<V1Pod>(client, resources.pods, {
        random: () => 0,
        onError: (e, ctx) => errors.push(`${ctx.phase}:${e.message}:${ctx.retryInMs ?? '-'}`),
      });
      // after the relist at 3 ms the watch request fails: backoff 800 ms (random 0), then re-watch
      expectObservable(events$, '^ 1000ms !').toBe('rc-s', {
        r: { type: 'REPLACE', objects: [a], resourceVersion: '10' },
        c: { type: 'ADDED', object: pod('c', '11') },
        s: { type: 'REPLACE', objects: [b], resourceVersion: '20' },
      });
      flush();
      expect(errors).toEqual([
        'watch:410 Expired: too old resource version:-',
        'watch:transport error: connection reset:800',
      ]);
      expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
        'list@',
        'watch@10',
        'list@',
        'watch@20',
        'watch@20',
      ]);
    });
  });

  describe('normal flow', () => {
    it('pages through the initial list (limit 500) and emits one REPLACE at the first page resourceVersion', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n, i) => pod(n, String(90 + i)));
        const scripted = scriptedClient({
          lists: [
            // pages answer 1, 2 and 1 ms after they are requested
            cold('-(p|)', { p: listOf([a!, b!], '100', 'tok-1') }),
            cold('--(p|)', { p: listOf([c!, d!], '104', 'tok-2') }),
            cold('-(p|)', { p: listOf([e!], '107') }),
          ],
          watches: [cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        expectObservable(pods({ random: () => 0 })(client)).toBe('----r', {
          r: replace([a!, b!, c!, d!, e!], '100'),
        });
        flush();
        expect(log).toEqual(['0 list(500,-)', '1 list(500,tok-1)', '3 list(500,tok-2)', '4 watch@100']);
        expect(scripted.calls).toEqual([
          { verb: 'list', resource: 'pods', options: { limit: 500 } },
          { verb: 'list', resource: 'pods', options: { limit: 500, continue: 'tok-1' } },
          { verb: 'list', resource: 'pods', options: { limit: 500, continue: 'tok-2' } },
          {
            verb: 'watch',
            resource: 'pods',
            options: { resourceVersion: '100', allowWatchBookmarks: true, timeoutSeconds: 300 },
          },
        ]);
      });
    });

    it('uses a custom pageSize as the limit of every page', () => {
      newScheduler().run(({ cold, expectObservable, flush }) => {
        const [a, b, c] = ['a', 'b', 'c'].map((n) => pod(n, '5'));
        const client = scriptedClient({
          lists: [listOf([a!, b!], '7', 'next'), listOf([c!], '8')],
          watches: [cold('-')],
        });
        expectObservable(pods({ pageSize: 2, random: () => 0 })(client)).toBe('r', {
          r: replace([a!, b!, c!], '7'),
        });
        flush();
        expect(client.calls.map((c) => [c.verb, c.options])).toEqual([
          ['list', { limit: 2 }],
          ['list', { limit: 2, continue: 'next' }],
          ['watch', { resourceVersion: '7', allowWatchBookmarks: true, timeoutSeconds: 300 }],
        ]);
      });
    });

    it('fills in apiVersion and kind that list items lack, from the resource', () => {
      newScheduler().run(({ cold, expectObservable }) => {
        interface Widget extends KubeObject {
          spec?: { size: number };
        }
        const widgets = defineResource<Widget>({
          group: 'example.com',
          version: 'v1alpha1',
          plural: 'widgets',
          kind: 'Widget',
          namespaced: true,
        });
        const bare: Widget = {
          metadata: { name: 'bare', namespace: 'ns', resourceVersion: '3' },
          spec: { size: 1 },
        };
        const kindOnly: Widget = {
          kind: 'Widget',
          metadata: { name: 'k', namespace: 'ns', resourceVersion: '4' },
        };
        const full: Widget = {
          apiVersion: 'example.com/v1alpha1',
          kind: 'Widget',
          metadata: { name: 'full', namespace: 'ns', resourceVersion: '5' },
        };
        const client = scriptedClient({ lists: [listOf([bare, kindOnly, full], '6')], watches: [cold('-')] });
        expectObservable(listWatch(client, widgets, { random: () => 0 })).toBe('r', {
          r: replace(
            [
              { apiVersion: 'example.com/v1alpha1', kind: 'Widget', ...bare },
              { ...kindOnly, apiVersion: 'example.com/v1alpha1' },
              full,
            ],
            '6',
          ),
        });
      });
    });

    it('derives each watch timeout from random as 300..600 s', () => {
      newScheduler().run(({ cold, expectObservable, flush }) => {
        const randoms = [0, 0.5, 0.999];
        let draws = 0;
        const client = scriptedClient({
          lists: [listOf([], '1')],
          watches: [
            cold('-a|', { a: added(pod('a', '2')) }),
            cold('-b|', { b: added(pod('b', '3')) }),
            cold('-'),
          ],
        });
        const random = () => randoms[draws++] ?? 0;
        expectObservable(pods({ random })(client)).toBe('ra-b', {
          r: replace([], '1'),
          a: { type: 'ADDED', object: pod('a', '2') },
          b: { type: 'ADDED', object: pod('b', '3') },
        });
        flush();
        expect(client.calls.filter((c) => c.verb === 'watch').map((c) => c.options.timeoutSeconds)).toEqual([
          300, 450, 599,
        ]);
      });
    });

    it('uses watchTimeoutSeconds for every watch without drawing a random timeout', () => {
      newScheduler().run(({ cold, expectObservable, flush }) => {
        let fixedDraws = 0;
        const fixed = scriptedClient({
          lists: [listOf([], '1')],
          watches: [cold('-a|', { a: added(pod('a', '2')) }), cold('-')],
        });
        expectObservable(
          pods({
            watchTimeoutSeconds: 42,
            random: () => {
              fixedDraws++;
              return 0.5;
            },
          })(fixed),
        ).toBe('ra', { r: replace([], '1'), a: { type: 'ADDED', object: pod('a', '2') } });
        flush();
        expect(fixed.calls.filter((c) => c.verb === 'watch').map((c) => c.options.timeoutSeconds)).toEqual([
          42, 42,
        ]);
        expect(fixedDraws).toBe(0);
      });
    });

    it('passes namespace, labelSelector and fieldSelector to every list and watch call', () => {
      newScheduler().run(({ cold, expectObservable, flush }) => {
        const selectors = {
          namespace: 'team-a',
          labelSelector: 'app=web',
          fieldSelector: 'spec.nodeName=n1',
        };
        const client = scriptedClient({
          lists: [listOf([], '1', 'more'), listOf([], '1'), listOf([], '5')],
          watches: [cold('-m-e', { m: added(pod('a', '2')), e: errorEvent(410) }), cold('-')],
        });
        expectObservable(pods({ ...selectors, random: () => 0 })(client), '^ 10ms !').toBe('rm-s', {
          r: replace([], '1'),
          m: { type: 'ADDED', object: pod('a', '2') },
          s: replace([], '5'),
        });
        flush();
        expect(client.calls.map((c) => c.verb)).toEqual(['list', 'list', 'watch', 'list', 'watch']);
        for (const call of client.calls) expect(call.options).toMatchObject(selectors);
      });
    });

    it('passes the selectors to a streaming list watch too', () => {
      newScheduler().run(({ cold, expectObservable, flush }) => {
        const selectors = {
          namespace: 'team-a',
          labelSelector: 'app=web',
          fieldSelector: 'spec.nodeName=n1',
        };
        const streaming = scriptedClient({ watches: [cold('-')] });
        expectObservable(pods({ ...selectors, listMode: 'streaming', random: () => 0 })(streaming)).toBe('');
        flush();
        expect(streaming.calls).toHaveLength(1);
        expect(streaming.calls[0]?.options).toMatchObject({ ...selectors, sendInitialEvents: true });
      });
    });
  });

  describe('watch restarts', () => {
    it('a BOOKMARK advances the resourceVersion the next watch starts from', () => {
      newScheduler().run(({ cold, expectObservable, flush }) => {
        const client = scriptedClient({
          lists: [listOf([pod('a', '10')], '10')],
          watches: [cold('-b|', { b: bookmark('15') }), cold('-')],
        });
        expectObservable(pods({ random: () => 0 })(client)).toBe('rb', {
          r: replace([pod('a', '10')], '10'),
          b: { type: 'BOOKMARK', resourceVersion: '15' },
        });
        flush();
        expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
          'list@',
          'watch@10',
          'watch@15',
        ]);
      });
    });

    it('re-watches from the last resourceVersion without relisting when the server closes the watch', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a2 = pod('a', '11');
        const b = pod('b', '12');
        const scripted = scriptedClient({
          lists: [listOf([pod('a', '10')], '10')],
          watches: [
            // closes right after events: not a short watch
            cold('-m-|', { m: modified(a2) }),
            // no events, but open for a whole second: a normal server timeout
            cold('1000ms |'),
            cold('--d|', { d: deleted(b) }),
            cold('-'),
          ],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('rm 1003ms d', {
          r: replace([pod('a', '10')], '10'),
          m: { type: 'MODIFIED', object: a2 },
          d: { type: 'DELETED', object: b },
        });
        flush();
        expect(log).toEqual(['0 list(500,-)', '0 watch@10', '3 watch@11', '1003 watch@11', '1006 watch@12']);
        expect(reported).toEqual([]);
      });
    });

    it('treats a watch that closes within a second without events as an error: backoff, same resourceVersion', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([pod('a', '10')], '10')],
          watches: [cold('999ms |'), cold('-m', { m: modified(pod('a', '11')) })],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('r 1799ms m', {
          r: replace([pod('a', '10')], '10'),
          m: { type: 'MODIFIED', object: pod('a', '11') },
        });
        flush();
        expect(reported).toEqual([
          { at: 999, name: 'ShortWatchError', phase: 'watch', relist: false, retryInMs: 800 },
        ]);
        expect(log).toEqual(['0 list(500,-)', '0 watch@10', '1799 watch@10']);
      });
    });
    it('an in-stream ERROR other than 410 backs off and re-watches from the last resourceVersion', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([pod('a', '10')], '10')],
          watches: [
            cold('-m-e', { m: modified(pod('a', '11')), e: errorEvent(500, 'etcd timeout') }),
            cold('-'),
          ],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, errors, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('rm', {
          r: replace([pod('a', '10')], '10'),
          m: { type: 'MODIFIED', object: pod('a', '11') },
        });
        flush();
        expect(reported).toEqual([
          { at: 3, name: 'StatusError', code: 500, phase: 'watch', relist: false, retryInMs: 800 },
        ]);
        expect(errors[0]?.message).toBe('500 InternalError: etcd timeout');
        expect(log).toEqual(['0 list(500,-)', '0 watch@10', '803 watch@11']);
      });
    });

    it('is cold: every subscription runs its own list-watch', () => {
      newScheduler().run(({ cold, expectObservable, flush }) => {
        const client = scriptedClient({
          lists: [listOf([pod('a', '1')], '1'), listOf([pod('b', '2')], '2')],
          watches: [cold('-'), cold('-')],
        });
        const events$ = pods({ random: () => 0 })(client);
        expectObservable(events$).toBe('r', { r: replace([pod('a', '1')], '1') });
        expectObservable(events$, '--^').toBe('--s', { s: replace([pod('b', '2')], '2') });
        flush();
        expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
          'list@',
          'watch@1',
          'list@',
          'watch@2',
        ]);
      });
    });
  });

  describe('410 Gone', () => {
    it('relists immediately on an HTTP 410 after events, and a relist drops objects that are gone', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '10');
        const b = pod('b', '10');
        const c = pod('c', '11');
        const scripted = scriptedClient({
          lists: [listOf([a, b], '10'), listOf([a, c], '30')],
          watches: [cold('-m-#', { m: added(c) }, gone()), cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('rm-s', {
          r: replace([a, b], '10'),
          m: { type: 'ADDED', object: c },
          s: replace([a, c], '30'),
        });
        flush();
        expect(reported).toEqual([{ at: 3, name: 'StatusError', code: 410, phase: 'watch', relist: true }]);
        expect(log).toEqual(['0 list(500,-)', '0 watch@10', '3 list(500,-)', '3 watch@30']);
      });
    });

    it('relists on an in-stream ERROR 410 event', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '10');
        const scripted = scriptedClient({
          lists: [listOf([a], '10'), listOf([], '40')],
          watches: [cold('--d--e', { d: deleted(pod('a', '20')), e: errorEvent(410) }), cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('r-d--s', {
          r: replace([a], '10'),
          d: { type: 'DELETED', object: pod('a', '20') },
          s: replace([], '40'),
        });
        flush();
        expect(reported).toEqual([{ at: 5, name: 'StatusError', code: 410, phase: 'watch', relist: true }]);
        expect(log).toEqual(['0 list(500,-)', '0 watch@10', '5 list(500,-)', '5 watch@40']);
      });
    });

    it('backs off before relisting when the 410 comes right after a list', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([pod('a', '10')], '10'), listOf([pod('a', '10')], '50'), listOf([], '60')],
          watches: [
            gone(),
            // a bookmark is not an object event: still "right after a list"
            cold('-b-e', { b: bookmark('55'), e: errorEvent(410) }),
            cold('-'),
          ],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('r 799ms sb 1601ms t', {
          r: replace([pod('a', '10')], '10'),
          s: replace([pod('a', '10')], '50'),
          b: { type: 'BOOKMARK', resourceVersion: '55' },
          t: replace([], '60'),
        });
        flush();
        expect(reported).toEqual([
          { at: 0, name: 'StatusError', code: 410, phase: 'watch', relist: true, retryInMs: 800 },
          { at: 803, name: 'StatusError', code: 410, phase: 'watch', relist: true, retryInMs: 1600 },
        ]);
        expect(log).toEqual([
          '0 list(500,-)',
          '0 watch@10',
          '800 list(500,-)',
          '800 watch@50',
          '2403 list(500,-)',
          '2403 watch@60',
        ]);
      });
    });

    it('an expired continue token makes the next list a single unpaginated one', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const [a, b, c] = ['a', 'b', 'c'].map((n) => pod(n, '1'));
        const scripted = scriptedClient({
          lists: [
            listOf([a!], '100', 'tok-1'),
            gone('the continue token has expired'),
            listOf([a!, b!, c!], '120'),
          ],
          watches: [cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('r', {
          r: replace([a!, b!, c!], '120'),
        });
        flush();
        expect(reported).toEqual([{ at: 0, name: 'StatusError', code: 410, phase: 'list', relist: true }]);
        expect(log).toEqual(['0 list(500,-)', '0 list(500,tok-1)', '0 list(-,-)', '0 watch@120']);
        expect(scripted.calls[2]).toEqual({ verb: 'list', resource: 'pods', options: {} });
      });
    });

    it('an unpaginated list that fails again backs off and pages again', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '1');
        const scripted = scriptedClient({
          lists: [listOf([a], '100', 'tok-1'), gone(), gone(), listOf([a], '130')],
          watches: [cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('800ms r', {
          r: replace([a], '130'),
        });
        flush();
        expect(reported).toEqual([
          { at: 0, name: 'StatusError', code: 410, phase: 'list', relist: true },
          { at: 0, name: 'StatusError', code: 410, phase: 'list', relist: true, retryInMs: 800 },
        ]);
        expect(log).toEqual([
          '0 list(500,-)',
          '0 list(500,tok-1)',
          '0 list(-,-)',
          '800 list(500,-)',
          '800 watch@130',
        ]);
      });
    });
  });

  describe('backoff in virtual time', () => {
    it('doubles from 800 ms to a 30 s cap on consecutive failures (random 0), never ending the stream', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([pod('a', '1')], '1')],
          watches: Array.from({ length: 10 }, () => statusError(500, 'etcd leader changed')),
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        // watchFailuresBeforeRelist raised: this test is about the backoff alone
        const options = { random: () => 0, onError, watchFailuresBeforeRelist: 20 };
        expectObservable(pods(options)(client), '^ 200000ms !').toBe('r', {
          r: replace([pod('a', '1')], '1'),
        });
        flush();
        const delays = [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000, 30000];
        expect(reported.map((r) => r.retryInMs)).toEqual(delays);
        const failedAt = [0, 800, 2400, 5600, 12000, 24800, 50400, 80400, 110400, 140400];
        expect(reported.map((r) => r.at)).toEqual(failedAt);
        expect(reported.every((r) => r.phase === 'watch' && !r.relist && r.code === 500)).toBe(true);
        // every retry re-watches from the same resourceVersion; none relists
        expect(log).toEqual(['0 list(500,-)', ...failedAt.map((t) => `${t} watch@1`), '170400 watch@1']);
      });
    });

    it('adds jitter: random 0.5 makes every delay 1.5x its base, cap included', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([], '1')],
          watches: Array.from({ length: 8 }, () => new Error('ECONNRESET')),
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        const options = { random: () => 0.5, onError, watchFailuresBeforeRelist: 20 };
        expectObservable(pods(options)(client), '^ 200000ms !').toBe('r', {
          r: replace([], '1'),
        });
        flush();
        expect(reported.map((r) => r.retryInMs)).toEqual([
          1200, 2400, 4800, 9600, 19200, 38400, 45000, 45000,
        ]);
        expect(log.filter((l) => l.includes('watch')).map((l) => Number(l.split(' ')[0]))).toEqual([
          0, 1200, 3600, 8400, 18000, 37200, 75600, 120600, 165600,
        ]);
        // jitter and timeouts share the random source: 300 x 1.5
        expect(scripted.calls.filter((c) => c.verb === 'watch').map((c) => c.options.timeoutSeconds)).toEqual(
          Array(9).fill(450),
        );
        expect(reported[0]?.name).toBe('KubeRxError');
      });
    });

    it('starts again from 800 ms after more than 2 minutes without failures', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const boom = statusError(503, 'unavailable');
        const scripted = scriptedClient({
          lists: [listOf([], '1')],
          // fails at 0 and 800; the third watch (from 2400) fails 120001 ms after the second failure
          watches: [boom, boom, cold('118401ms #', undefined, boom), boom, cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client), '^ 200000ms !').toBe('r', {
          r: replace([], '1'),
        });
        flush();
        expect(reported.map((r) => [r.at, r.retryInMs])).toEqual([
          [0, 800],
          [800, 1600],
          [120801, 800],
          [121601, 1600],
        ]);
        expect(log.slice(1)).toEqual([
          '0 watch@1',
          '800 watch@1',
          '2400 watch@1',
          '121601 watch@1',
          '123201 watch@1',
        ]);
      });
    });

    it('keeps growing when the failures are less than 2 minutes apart', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const boom = statusError(503, 'unavailable');
        const scripted = scriptedClient({
          lists: [listOf([], '1')],
          watches: [boom, boom, cold('118399ms #', undefined, boom), cold('-')],
        });
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(scripted), '^ 200000ms !').toBe('r', {
          r: replace([], '1'),
        });
        flush();
        expect(reported.map((r) => [r.at, r.retryInMs])).toEqual([
          [0, 800],
          [800, 1600],
          [120799, 3200],
        ]);
      });
    });
  });

  describe('errors', () => {
    it('retries a failing list after backoff; the stream neither errors nor completes', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [statusError(500, 'internal'), new Error('socket hang up'), listOf([pod('a', '3')], '3')],
          watches: [cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, errors, contexts, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client), '^ 100000ms !').toBe('2400ms r', {
          r: replace([pod('a', '3')], '3'),
        });
        flush();
        expect(reported).toEqual([
          { at: 0, name: 'StatusError', code: 500, phase: 'list', relist: true, retryInMs: 800 },
          { at: 800, name: 'KubeRxError', phase: 'list', relist: true, retryInMs: 1600 },
        ]);
        expect(errors[1]?.message).toBe('transport error: socket hang up');
        expect((errors[1]?.cause as Error | undefined)?.message).toBe('socket hang up');
        expect(contexts.every((c) => c.resource === 'pods.v1')).toBe(true);
        expect(log).toEqual(['0 list(500,-)', '800 list(500,-)', '2400 list(500,-)', '2400 watch@3']);
      });
    });

    it.each([400, 401, 403, 404])(
      'errors the stream with the StatusError after 3 consecutive %i answers',
      (code) => {
        const ts = newScheduler();
        ts.run(({ expectObservable, flush }) => {
          const failures = [1, 2, 3].map((n) => statusError(code, `attempt ${n}`));
          const scripted = scriptedClient({ lists: [...failures, listOf([], '1')] });
          const { client, log } = timed(ts, scripted);
          const { reported, onError } = reporter(ts);
          expectObservable(pods({ random: () => 0, onError })(client)).toBe(
            '2400ms #',
            undefined,
            expect.objectContaining({
              name: 'StatusError',
              code,
              message: expect.stringContaining('attempt 3'),
            }),
          );
          flush();
          expect(reported.map((r) => [r.at, r.code, r.retryInMs])).toEqual([
            [0, code, 800],
            [800, code, 1600],
          ]);
          expect(log).toEqual(['0 list(500,-)', '800 list(500,-)', '2400 list(500,-)']);
        });
      },
    );

    it('errors at once, without a retry or a report, when client-node cannot load', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable, flush }) => {
        const unavailable = new ClientNodeUnavailableError('client-node 2.0.1 needs Node >= 22.19', {
          installedVersion: '2.0.1',
          nodeVersion: '20.20.2',
        });
        const scripted = scriptedClient({ lists: [unavailable, listOf([], '1')] });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('#', undefined, unavailable);
        flush();
        expect(reported).toEqual([]);
        expect(log).toEqual(['0 list(500,-)']);
      });
    });

    it('relists after a watch 400; the same 400 from the fresh list errors the stream', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable, flush }) => {
        const a = pod('a', '5');
        const rejected = statusError(400, 'invalid resourceVersion');
        const again = statusError(400, 'invalid resourceVersion again');
        const scripted = scriptedClient({
          lists: [listOf([a], '5'), listOf([a], '6'), listOf([a], '7')],
          watches: [rejected, again],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe(
          'r 799ms (s#)',
          { r: replace([a], '5'), s: replace([a], '6') },
          again,
        );
        flush();
        expect(reported).toEqual([
          { at: 0, name: 'StatusError', code: 400, phase: 'watch', relist: true, retryInMs: 800 },
        ]);
        expect(log).toEqual(['0 list(500,-)', '0 watch@5', '800 list(500,-)', '800 watch@6']);
      });
    });

    it('a watch that delivers events between two 400s starts the count over: relists, never errors', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '4');
        const rejected = () => statusError(400, 'invalid resourceVersion');
        const scripted = scriptedClient({
          lists: [listOf([], '1'), listOf([], '3'), listOf([a], '5'), listOf([a], '7')],
          watches: [rejected(), cold('-m-#', { m: added(a) }, rejected()), rejected(), cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client), '^ 10000ms !').toBe(
          'p 799ms qm 1601ms r 3199ms s',
          {
            p: replace([], '1'),
            q: replace([], '3'),
            m: { type: 'ADDED', object: a },
            r: replace([a], '5'),
            s: replace([a], '7'),
          },
        );
        flush();
        expect(reported.map((r) => [r.at, r.code, r.phase, r.relist, r.retryInMs])).toEqual([
          [0, 400, 'watch', true, 800],
          [803, 400, 'watch', true, 1600],
          [2403, 400, 'watch', true, 3200],
        ]);
        expect(log).toEqual([
          '0 list(500,-)',
          '0 watch@1',
          '800 list(500,-)',
          '800 watch@3',
          '2403 list(500,-)',
          '2403 watch@5',
          '5603 list(500,-)',
          '5603 watch@7',
        ]);
      });
    });

    it('a successful list resets the persistent failure count', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable, flush }) => {
        const forbidden = (n: number) => statusError(403, `denied ${n}`);
        const scripted = scriptedClient({
          lists: [forbidden(1), forbidden(2), listOf([], '7')],
          watches: [forbidden(3), forbidden(4), forbidden(5), forbidden(6)],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        // without the reset the first watch failure (the third 403 in a row) would be fatal at 2400
        expectObservable(pods({ random: () => 0, onError })(client)).toBe(
          '2400ms r 9599ms #',
          { r: replace([], '7') },
          expect.objectContaining({ code: 403, message: expect.stringContaining('denied 5') }),
        );
        flush();
        expect(reported.map((r) => [r.at, r.phase, r.retryInMs])).toEqual([
          [0, 'list', 800],
          [800, 'list', 1600],
          [2400, 'watch', 3200],
          [5600, 'watch', 6400],
        ]);
        expect(log).toEqual([
          '0 list(500,-)',
          '800 list(500,-)',
          '2400 list(500,-)',
          '2400 watch@7',
          '5600 watch@7',
          '12000 watch@7',
        ]);
      });
    });

    it('other failures between persistent ones do not reset the count; maxPersistentFailures is configurable', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable }) => {
        const unauthorized = statusError(401, 'token expired');
        const scripted = scriptedClient({
          lists: [unauthorized, statusError(500, 'oops'), unauthorized, listOf([], '1')],
        });
        expectObservable(pods({ random: () => 0, maxPersistentFailures: 2 })(scripted)).toBe(
          '2400ms #',
          undefined,
          unauthorized,
        );
      });
      newScheduler().run(({ expectObservable }) => {
        const unauthorized = statusError(401, 'token expired');
        const scripted = scriptedClient({ lists: [unauthorized] });
        expectObservable(pods({ random: () => 0, maxPersistentFailures: 1 })(scripted)).toBe(
          '#',
          undefined,
          unauthorized,
        );
      });
    });
  });

  describe('streaming list', () => {
    it('buffers the initial events until the end bookmark, emits one REPLACE, then goes on as a watch', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '21');
        const b = pod('b', '22');
        const c = pod('c', '23');
        const a2 = pod('a', '25');
        const scripted = scriptedClient({
          watches: [
            cold('-a-b-c-k-x-e-m-|', {
              a: added(a),
              b: added(b),
              c: added(c),
              k: bookmark('24'),
              x: deleted(pod('b', '24')),
              e: bookmark('30', true),
              m: modified(a2),
            }),
            cold('-'),
          ],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ listMode: 'streaming', random: () => 0, onError })(client)).toBe(
          '-----------r-m',
          {
            r: replace([a, c], '30'),
            m: { type: 'MODIFIED', object: a2 },
          },
        );
        flush();
        expect(reported).toEqual([]);
        expect(log).toEqual(['0 watch@ (initial events)', '15 watch@25']);
        expect(scripted.calls[0]).toEqual({
          verb: 'watch',
          resource: 'pods',
          options: {
            sendInitialEvents: true,
            resourceVersionMatch: 'NotOlderThan',
            resourceVersion: '',
            allowWatchBookmarks: true,
            timeoutSeconds: 300,
          },
        });
        expect(scripted.calls[1]?.options).toEqual({
          resourceVersion: '25',
          allowWatchBookmarks: true,
          timeoutSeconds: 300,
        });
      });
    });

    it('an interrupted streaming list discards its buffer; the retry REPLACE holds only its own objects', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '21');
        const b = pod('b', '40');
        const scripted = scriptedClient({
          watches: [
            cold('-a-#', { a: added(a) }, statusError(500, 'stream reset')),
            cold('-b-e', { b: added(b), e: bookmark('41', true) }),
          ],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ listMode: 'streaming', random: () => 0, onError })(client)).toBe('806ms r', {
          r: replace([b], '41'),
        });
        flush();
        expect(reported).toEqual([
          { at: 3, name: 'StatusError', code: 500, phase: 'streamingList', relist: true, retryInMs: 800 },
        ]);
        expect(log).toEqual(['0 watch@ (initial events)', '803 watch@ (initial events)']);
      });
    });

    it.each([422, 400])(
      "falls back to paginated lists when the server rejects it with %i, reported in 'streaming' mode",
      (code) => {
        const ts = newScheduler();
        ts.run(({ cold, expectObservable, flush }) => {
          const a = pod('a', '5');
          const scripted = scriptedClient({
            lists: [listOf([a], '5'), listOf([], '9')],
            watches: [
              statusError(code, 'sendInitialEvents is not supported'),
              cold('-m-e', { m: modified(pod('a', '6')), e: errorEvent(410) }),
              cold('-'),
            ],
          });
          const { client, log } = timed(ts, scripted);
          const { reported, onError } = reporter(ts);
          expectObservable(pods({ listMode: 'streaming', random: () => 0, onError })(client)).toBe('rm-s', {
            r: replace([a], '5'),
            m: { type: 'MODIFIED', object: pod('a', '6') },
            s: replace([], '9'),
          });
          flush();
          expect(reported).toEqual([
            { at: 0, name: 'StatusError', code, phase: 'streamingList', relist: true },
            { at: 3, name: 'StatusError', code: 410, phase: 'watch', relist: true },
          ]);
          // the relist after the 410 stays paginated
          expect(log).toEqual([
            '0 watch@ (initial events)',
            '0 list(500,-)',
            '0 watch@5',
            '3 list(500,-)',
            '3 watch@9',
          ]);
        });
      },
    );

    it("falls back silently in 'auto' mode", () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([pod('a', '5')], '5')],
          watches: [statusError(422, 'unsupported'), cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ listMode: 'auto', random: () => 0, onError })(client)).toBe('r', {
          r: replace([pod('a', '5')], '5'),
        });
        flush();
        expect(reported).toEqual([]);
        expect(log).toEqual(['0 watch@ (initial events)', '0 list(500,-)', '0 watch@5']);
      });
    });

    it('falls back to a paginated list when the stream runs its whole timeout without the initial-events-end bookmark', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '5');
        const scripted = scriptedClient({
          lists: [listOf([a], '8')],
          // a server that ignores sendInitialEvents: a plain watch that runs its 1 s timeout
          watches: [cold('-x 1500ms |', { x: added(pod('x', '7')) }), cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        const options = { listMode: 'streaming', watchTimeoutSeconds: 1, random: () => 0, onError } as const;
        expectObservable(pods(options)(client)).toBe('1502ms r', {
          r: replace([a], '8'),
        });
        flush();
        expect(reported).toEqual([
          { at: 1502, name: 'StatusError', code: 501, phase: 'streamingList', relist: true },
        ]);
        expect(log).toEqual(['0 watch@ (initial events)', '1502 list(500,-)', '1502 watch@8']);
      });
    });

    it('a 410 after the initial events relists with another streaming list', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '5');
        const b = pod('b', '6');
        const scripted = scriptedClient({
          watches: [
            cold('-a-e-b-x', { a: added(a), e: bookmark('5', true), b: added(b), x: errorEvent(410) }),
            cold('-b-e', { b: added(b), e: bookmark('9', true) }),
          ],
        });
        const { client, log } = timed(ts, scripted);
        expectObservable(pods({ listMode: 'streaming', random: () => 0 })(client)).toBe('---r-b----s', {
          r: replace([a], '5'),
          b: { type: 'ADDED', object: b },
          s: replace([b], '9'),
        });
        flush();
        expect(log).toEqual(['0 watch@ (initial events)', '7 watch@ (initial events)']);
      });
    });
  });

  describe('invalid input', () => {
    it('an invalid label selector errors at once with InvalidSelectorError; nothing is sent', () => {
      const scripted = scriptedClient({ lists: [listOf([], '1')] });
      newScheduler().run(({ expectObservable }) => {
        expectObservable(pods({ labelSelector: 'app in (web' })(scripted)).toBe(
          '#',
          undefined,
          expect.objectContaining({ name: 'InvalidSelectorError', kind: 'label', selector: 'app in (web' }),
        );
      });
      expect(scripted.calls).toEqual([]);
    });

    it.each(['status.phase', 'status.phase=Running=1', '=Running', 'spec.nodeName=a\\b'])(
      'an invalid field selector (%s) errors at once with InvalidSelectorError; nothing is sent',
      (fieldSelector) => {
        const scripted = scriptedClient({ lists: [listOf([], '1')] });
        newScheduler().run(({ expectObservable }) => {
          expectObservable(pods({ fieldSelector, listMode: 'streaming' })(scripted)).toBe(
            '#',
            undefined,
            expect.objectContaining({ name: 'InvalidSelectorError', kind: 'field', selector: fieldSelector }),
          );
        });
        expect(scripted.calls).toEqual([]);
      },
    );

    it('valid selectors are sent as given', () => {
      const scripted = scriptedClient({ lists: [listOf([], '1')] });
      const labelSelector = 'app=web,tier in (a,b),!canary';
      const fieldSelector = 'spec.nodeName=n1,status.phase!=Running,metadata.name==a\\,b,';
      newScheduler().run(({ expectObservable }) => {
        expectObservable(pods({ labelSelector, fieldSelector })(scripted), '^ 1ms !').toBe('r', {
          r: replace([], '1'),
        });
      });
      expect(scripted.calls[0]?.options).toMatchObject({ labelSelector, fieldSelector });
    });

    it('skips and reports list items without metadata.name', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '1');
        const b = pod('b', '1');
        const nameless = { metadata: { namespace: 'default' } };
        const scripted = scriptedClient({
          lists: [
            listOf([a, nameless as KubeObject], '2', 'p2'),
            { items: [null, b], metadata: { resourceVersion: '2' } },
          ],
          watches: [cold('-')],
        });
        const { reported, errors, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(scripted)).toBe('r', { r: replace([a, b], '2') });
        flush();
        expect(reported).toEqual([
          { at: 0, name: 'InvalidObjectError', phase: 'list', relist: false },
          { at: 0, name: 'InvalidObjectError', phase: 'list', relist: false },
        ]);
        expect(errors.map((e) => (e as KubeRxError & { object: unknown }).object)).toEqual([nameless, null]);
      });
    });

    it('skips and reports invalid watch objects, unknown event types and bookmarks without resourceVersion', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const a = pod('a', '2');
        const b = pod('b', '3');
        const scripted = scriptedClient({
          lists: [listOf([], '1')],
          watches: [
            cold('-xaub-c|', {
              x: { type: 'ADDED', object: { metadata: { namespace: 'default' } } },
              a: added(a),
              u: { type: 'SURPRISE', object: pod('z', '9') },
              b: { type: 'BOOKMARK', object: { metadata: {} } },
              c: modified(b),
            }),
            cold('-'),
          ],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, onError } = reporter(ts);
        expectObservable(pods({ random: () => 0, onError })(client)).toBe('r-a---c', {
          r: replace([], '1'),
          a: { type: 'ADDED', object: a },
          c: { type: 'MODIFIED', object: b },
        });
        flush();
        expect(reported).toEqual([
          { at: 1, name: 'InvalidObjectError', phase: 'watch', relist: false },
          { at: 3, name: 'WatchProtocolError', phase: 'watch', relist: false },
          { at: 4, name: 'WatchProtocolError', phase: 'watch', relist: false },
        ]);
        // the skipped bookmark did not move the resourceVersion
        expect(log).toEqual(['0 list(500,-)', '0 watch@1', '7 watch@3']);
      });
    });
  });

  describe('unsubscribe', () => {
    it('unsubscribes (aborts) the watch when the subscriber leaves', () => {
      newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const watch = cold('-m--', { m: modified(pod('a', '2')) });
        const client = scriptedClient({ lists: [listOf([pod('a', '1')], '1')], watches: [watch] });
        expectObservable(pods({ random: () => 0 })(client), '^---!').toBe('rm', {
          r: replace([pod('a', '1')], '1'),
          m: { type: 'MODIFIED', object: pod('a', '2') },
        });
        expectSubscriptions(watch.subscriptions).toBe('^---!');
      });
    });

    it('unsubscribes an in-flight list and aborts its signal', () => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions, flush }) => {
        const list = cold('-----(l|)', { l: listOf([pod('a', '1')], '1') });
        const scripted = scriptedClient({ lists: [list] });
        const { client, log, signals } = timed(ts, scripted);
        const aborted: boolean[] = [];
        ts.schedule(() => aborted.push(signals[0]?.aborted ?? true), 2);
        ts.schedule(() => aborted.push(signals[0]?.aborted ?? false), 4);
        expectObservable(pods({ random: () => 0 })(client), '^--!').toBe('');
        expectSubscriptions(list.subscriptions).toBe('^--!');
        flush();
        expect(aborted).toEqual([false, true]);
        expect(log).toEqual(['0 list(500,-)']);
      });
    });

    it('makes no further calls once unsubscribed during a backoff', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([], '1')],
          watches: [new Error('reset'), new Error('reset')],
        });
        const { client, log } = timed(ts, scripted);
        expectObservable(pods({ random: () => 0 })(client), '^ 99ms !').toBe('r', { r: replace([], '1') });
        flush();
        expect(log).toEqual(['0 list(500,-)', '0 watch@1']);
      });
    });
  });
});
