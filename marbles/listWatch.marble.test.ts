import type { V1Pod } from '@kubernetes/client-node';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { listWatch, resources, type WatchEvent } from '../src/index.js';
import {
  added,
  bookmark,
  errorEvent,
  gone,
  listOf,
  modified,
  pod,
  scriptedClient,
} from '../src/testing/index.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

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
      void gone;
    });
  });
});
