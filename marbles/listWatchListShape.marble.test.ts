/**
 * Issue 14, "a 200 that is not a list wipes the cache": every list answer passes the list-shape
 * check before the Reflector believes it. A body that is not a list is a typed error, reported and
 * retried with backoff; it never becomes a REPLACE, so the cache keeps what it had.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  InvalidListError,
  informer,
  type ListResult,
  listWatch,
  resources,
  StatusError,
} from '../src/index.js';
import {
  errorEvent,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
} from '../src/testing/index.js';
import { reporter, timed } from './listWatchSupport.js';
import { newScheduler } from './support.js';

const a = pod('a', '3');
const b = pod('b', '4');

const notLists: [string, unknown, string][] = [
  ['{}', {}, 'pods.v1: the list answer is not a list: metadata is missing'],
  ['[]', [], 'pods.v1: the list answer is not a list: the body is an array'],
  ['null', null, 'pods.v1: the list answer is not a list: the body is null'],
  [
    'an HTML page',
    '<html>maintenance</html>',
    'pods.v1: the list answer is not a list: the body is a string',
  ],
  [
    'a PodList without items',
    { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9' } },
    'pods.v1: the list answer is not a list: items is missing, not an array',
  ],
  [
    'a single Pod (a proxy rewrote the path)',
    { ...pod('x', '9'), metadata: { name: 'x', namespace: 'default', resourceVersion: '9' } },
    'pods.v1: the list answer is not a list: items is missing, not an array',
  ],
  [
    'items that are an object',
    { items: { a }, metadata: { resourceVersion: '9' } },
    'pods.v1: the list answer is not a list: items is an object, not an array',
  ],
  [
    'a list without metadata.resourceVersion',
    { items: [], metadata: {} },
    'pods.v1: the list answer is not a list: metadata.resourceVersion is missing, not a non-empty string',
  ],
  [
    'an empty metadata.resourceVersion',
    { items: [], metadata: { resourceVersion: '' } },
    'pods.v1: the list answer is not a list: metadata.resourceVersion is an empty string, not a non-empty string',
  ],
  [
    'a continue token that is a number',
    { items: [a], metadata: { resourceVersion: '9', continue: 7 } },
    'pods.v1: the list answer is not a list: metadata.continue is a number, not a string',
  ],
];

describe('listWatch list-shape check (virtual time)', () => {
  it.each(notLists)(
    'a relist answered 200 with %s is an InvalidListError, retried after backoff; never a REPLACE',
    (_name, body, message) => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([a, b], '5'), body as ListResult, listOf([a, b], '9')],
          // a watch that made progress for 800 ms, then 410: the relist comes at once
          watches: [cold('-m 798ms e', { m: modified(pod('a', '6')), e: errorEvent(410) }), cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, errors, contexts, onError } = reporter(ts);
        expectObservable(listWatch<V1Pod>(client, resources.pods, { random: () => 0, onError })).toBe(
          'rm 1598ms s',
          {
            r: replace([a, b], '5'),
            m: { type: 'MODIFIED', object: pod('a', '6') },
            s: replace([a, b], '9'),
          },
        );
        flush();
        expect(reported[1]).toEqual({
          at: 800,
          name: 'InvalidListError',
          phase: 'list',
          relist: true,
          retryInMs: 800,
        });
        expect(errors[1]).toBeInstanceOf(InvalidListError);
        expect(errors[1]?.message).toBe(message);
        expect(contexts[1]?.resource).toBe('pods.v1');
        expect(log).toEqual([
          '0 list(500,-)',
          '0 watch@5',
          '800 list(500,-)',
          '1600 list(500,-)',
          '1600 watch@9',
        ]);
      });
    },
  );

  it('a 200 whose body is a Status is the StatusError it carries (here a 500), retried after backoff', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const status = {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code: 500,
        reason: 'InternalError',
        message: 'shutting down',
      };
      const scripted = scriptedClient({
        lists: [status as unknown as ListResult, listOf([a], '5')],
        watches: [cold('-')],
      });
      const { reported, errors, onError } = reporter(ts);
      expectObservable(listWatch<V1Pod>(scripted, resources.pods, { random: () => 0, onError })).toBe(
        '800ms r',
        {
          r: replace([a], '5'),
        },
      );
      flush();
      expect(reported).toEqual([
        { at: 0, name: 'StatusError', code: 500, phase: 'list', relist: true, retryInMs: 800 },
      ]);
      expect(errors[0]).toBeInstanceOf(StatusError);
      expect(errors[0]?.message).toBe('500 InternalError: shutting down');
    });
  });

  it('a 200 Status with 403 counts as a persistent failure: 3 in a row error the stream with it', () => {
    newScheduler().run(({ expectObservable }) => {
      const forbidden = {
        kind: 'Status',
        code: 403,
        reason: 'Forbidden',
        message: 'rbac says no',
      } as unknown as ListResult;
      const scripted = scriptedClient({ lists: [forbidden, forbidden, forbidden, listOf([], '1')] });
      expectObservable(listWatch<V1Pod>(scripted, resources.pods, { random: () => 0 })).toBe(
        '2400ms #',
        undefined,
        expect.objectContaining({ name: 'StatusError', code: 403 }),
      );
    });
  });

  it('a 200 Status 410 on a continue page is an expired token: one unpaginated list at once', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const expired = {
        kind: 'Status',
        code: 410,
        reason: 'Expired',
        message: 'continue too old',
      } as unknown as ListResult;
      const scripted = scriptedClient({
        lists: [listOf([a], '5', 'next'), expired, listOf([a, b], '7')],
        watches: [cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      expectObservable(listWatch<V1Pod>(client, resources.pods, { random: () => 0 })).toBe('r', {
        r: replace([a, b], '7'),
      });
      flush();
      expect(log).toEqual(['0 list(500,-)', '0 list(500,next)', '0 list(-,-)', '0 watch@7']);
    });
  });

  it('items: null is an empty list (how Go encodes a nil slice); the list states its resourceVersion', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const nilItems = {
        kind: 'PodList',
        items: null,
        metadata: { resourceVersion: '12' },
      } as unknown as ListResult;
      const scripted = scriptedClient({ lists: [nilItems], watches: [cold('-')] });
      expectObservable(listWatch<V1Pod>(scripted, resources.pods, { random: () => 0 })).toBe('r', {
        r: replace([], '12'),
      });
    });
  });

  it('a later page that is not a list fails the whole list: nothing of the first page is emitted, the list starts over after backoff', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const scripted = scriptedClient({
        lists: [listOf([a], '5', 'p2'), {} as ListResult, listOf([a], '8', 'p2'), listOf([b], '8')],
        watches: [cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      const { reported, onError } = reporter(ts);
      expectObservable(listWatch<V1Pod>(client, resources.pods, { random: () => 0, onError })).toBe(
        '800ms r',
        {
          r: replace([a, b], '8'),
        },
      );
      flush();
      expect(reported.map((r) => r.name)).toEqual(['InvalidListError']);
      expect(log).toEqual([
        '0 list(500,-)',
        '0 list(500,p2)',
        '800 list(500,-)',
        '800 list(500,p2)',
        '800 watch@8',
      ]);
    });
  });

  it("an informer's cache keeps every object through relists answered {}, [] and a Status", () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const bad = [{}, [], { kind: 'Status', code: 503, message: 'later' }] as unknown as ListResult[];
      const scripted = scriptedClient({
        lists: [listOf([a, b], '5'), ...bad, listOf([a, b], '9')],
        watches: [cold('-m 798ms e', { m: modified(pod('a', '6')), e: errorEvent(410) }), cold('-')],
      });
      const sizes = informer<V1Pod>(scripted, resources.pods, {
        random: () => 0,
        onError: () => {},
      }).store$.pipe(map((snapshot) => `${snapshot.size}@${snapshot.resourceVersion}`));
      // lists at 0 and 800 (bad), 1600, 3200 (bad), 6400 (good): sizes never drop
      expectObservable(sizes, '^ 10000ms !').toBe('ab 6398ms c', { a: '2@5', b: '2@6', c: '2@9' });
    });
  });
});
