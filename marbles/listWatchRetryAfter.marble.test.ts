/**
 * Issue 14, "politeness" (the reflector's side): a `StatusError` carrying the server's
 * `Retry-After` (`retryAfterSeconds`) makes the next attempt wait at least that long, up to
 * `maxRetryAfterMs` (60 s), or the backoff delay when that is longer.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type KubeStatus, listWatch, resources, StatusError } from '../src/index.js';
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

const status = (code: number, message: string): KubeStatus => ({ kind: 'Status', code, message });
const retryAfter = (code: number, seconds: number) =>
  new StatusError(status(code, 'slow down'), code, seconds);

describe('listWatch honours Retry-After (virtual time)', () => {
  it('a list answered 429 with Retry-After: 5 is retried 5 s later (the backoff alone says 800 ms)', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const scripted = scriptedClient({
        lists: [retryAfter(429, 5), listOf([pod('a', '1')], '1')],
        watches: [cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      const { reported, onError } = reporter(ts);
      expectObservable(listWatch<V1Pod>(client, resources.pods, { random: () => 0, onError })).toBe(
        '5000ms r',
        {
          r: replace([pod('a', '1')], '1'),
        },
      );
      flush();
      expect(reported).toEqual([
        { at: 0, name: 'StatusError', code: 429, phase: 'list', relist: true, retryInMs: 5000 },
      ]);
      expect(log).toEqual(['0 list(500,-)', '5000 list(500,-)', '5000 watch@1']);
    });
  });

  it('a watch answered 503 with Retry-After: 10 re-watches 10 s later from the same resourceVersion', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const scripted = scriptedClient({
        lists: [listOf([], '7')],
        watches: [retryAfter(503, 10), cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      listWatch<V1Pod>(client, resources.pods, { random: () => 0 }).subscribe();
      flush();
      expect(log).toEqual(['0 list(500,-)', '0 watch@7', '10000 watch@7']);
    });
  });

  it('Retry-After: 86400 is capped at maxRetryAfterMs: 60 s by default, configurable', () => {
    for (const [options, expected] of [
      [{}, 60_000],
      [{ maxRetryAfterMs: 5000 }, 5000],
    ] as const) {
      const ts = newScheduler();
      ts.run(({ cold, flush }) => {
        const scripted = scriptedClient({
          lists: [retryAfter(503, 86_400), listOf([], '1')],
          watches: [cold('-')],
        });
        const { client, log } = timed(ts, scripted);
        listWatch<V1Pod>(client, resources.pods, { random: () => 0, ...options }).subscribe();
        flush();
        expect(log).toEqual(['0 list(500,-)', `${expected} list(500,-)`, `${expected} watch@1`]);
      });
    }
  });

  it('a Retry-After shorter than the backoff delay: the backoff wins', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const scripted = scriptedClient({
        lists: [listOf([], '1')],
        watches: [statusError500(), statusError500(), retryAfter(429, 1), cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      listWatch<V1Pod>(client, resources.pods, { random: () => 0 }).subscribe();
      flush();
      // backoff 800, 1600, then 3200 > 1000
      expect(log).toEqual(['0 list(500,-)', '0 watch@1', '800 watch@1', '2400 watch@1', '5600 watch@1']);
    });
  });

  it('an in-stream ERROR whose Status has details.retryAfterSeconds waits that long too', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const tooMany = {
        type: 'ERROR',
        object: { kind: 'Status', code: 429, message: 'later', details: { retryAfterSeconds: 7 } },
      };
      const scripted = scriptedClient({
        lists: [listOf([], '1')],
        watches: [cold('-m-e', { m: modified(pod('a', '2')), e: tooMany }), cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      listWatch<V1Pod>(client, resources.pods, { random: () => 0 }).subscribe();
      flush();
      expect(log).toEqual(['0 list(500,-)', '0 watch@1', '7003 watch@2']);
    });
  });

  it('a 410 with Retry-After after a healthy watch: the relist waits for it', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const gone = {
        ...errorEvent(410),
        object: { ...status(410, 'compacted'), details: { retryAfterSeconds: 2 } },
      };
      const scripted = scriptedClient({
        lists: [listOf([], '1'), listOf([], '9')],
        watches: [cold('-m 998ms e', { m: modified(pod('a', '2')), e: gone }), cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      listWatch<V1Pod>(client, resources.pods, { random: () => 0 }).subscribe();
      flush();
      expect(log).toEqual(['0 list(500,-)', '0 watch@1', '3000 list(500,-)', '3000 watch@9']);
    });
  });
});

function statusError500(): StatusError {
  return new StatusError(status(500, 'boom'), 500);
}
