import type { V1Pod } from '@kubernetes/client-node';
import { map, Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  type DeltaBatch,
  deltaFifo,
  type KubeRxError,
  listWatch,
  resources,
  resync,
  type WatchEvent,
} from '../src/index.js';
import {
  added,
  bookmark,
  errorEvent,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
} from '../src/testing/index.js';
import { newScheduler } from './support.js';

type Event = WatchEvent<V1Pod>;

const TEN_MINUTES = 10 * 60_000;
const RESYNC: Event = { type: 'RESYNC' };

/** A batch reduced to "type key@rv" strings, to read resync effects at a glance. */
const summary = (batch: DeltaBatch<V1Pod>) =>
  batch.deltas.map((d) => `${d.type} ${d.key}@${d.object.metadata?.resourceVersion ?? ''}`);

describe('resync marbles: operator rules', () => {
  it('injects no tick before the first REPLACE, then one every period (10 minutes, virtual time)', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '1');
      // a bookmark and an object event come long before the list: no timer runs yet
      const source = cold<Event>('b 11m a 4m r 25m |', {
        b: { type: 'BOOKMARK', resourceVersion: '1' },
        a: { type: 'ADDED', object: a },
        r: replace([a], '2'),
      });
      // r at 900002; ticks at 1500002 and 2100002; completes at 2400003
      expectObservable(source.pipe(resync(TEN_MINUTES)), '^ 60m !').toBe(
        'b 11m a 4m r 599999ms s 599999ms s 300000ms |',
        {
          b: { type: 'BOOKMARK', resourceVersion: '1' },
          a: { type: 'ADDED', object: a },
          r: replace([a], '2'),
          s: RESYNC,
        },
      );
    });
  });

  it('a period of 0 (or less) disables resync and returns the source unchanged', () => {
    // checked first: were a timer of period 0 started, virtual time could never advance past it
    const subject = new Subject<Event>();
    for (const period of [0, -5, Number.NaN]) expect(resync<V1Pod>(period)(subject)).toBe(subject);
    newScheduler().run(({ cold, expectObservable }) => {
      const values = { r: replace([pod('a', '1')], '1') };
      const source = cold<Event>('r 30m |', values);
      expectObservable(source.pipe(resync(0)), '^ 40m !').toBe('r 30m |', values);
      expectObservable(source.pipe(resync(-5)), '^ 40m !').toBe('r 30m |', values);
    });
  });

  it('later REPLACEs do not start a second timer: the cadence stays one tick per period', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const values = { r: replace([], '1'), s: replace([], '2') };
      const source = cold<Event>('r 14ms s 20ms |', values);
      // r at 0 -> ticks at 10, 20, 30; s at 15 changes nothing; complete at 36
      expectObservable(source.pipe(resync(10)), '^ 100ms !').toBe('r 9ms t 4ms s 4ms t 9ms t 5ms |', {
        ...values,
        t: RESYNC,
      });
    });
  });

  it('completes with the source and leaves no timer behind', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = { r: replace([], '1') };
      const source = cold<Event>('r 25ms |', values);
      // with a dangling timer, ticks at 30, 40, ... would show up before the unsubscription
      expectObservable(source.pipe(resync(10)), '^ 100ms !').toBe('r 9ms t 9ms t 5ms |', {
        ...values,
        t: RESYNC,
      });
      expectSubscriptions(source.subscriptions).toBe('^ 25ms !');
    });
  });

  it('completes with a source that completes before any REPLACE', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const source = cold<Event>('b 3ms |', { b: { type: 'BOOKMARK', resourceVersion: '4' } });
      expectObservable(source.pipe(resync(2)), '^ 50ms !').toBe('b 3ms |', {
        b: { type: 'BOOKMARK', resourceVersion: '4' },
      });
    });
  });

  it('errors with the source and stops ticking', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const values = { r: replace([], '1') };
      const error = new Error('boom');
      const source = cold<Event>('r 15ms #', values, error);
      expectObservable(source.pipe(resync(10)), '^ 100ms !').toBe(
        'r 9ms t 5ms #',
        { ...values, t: RESYNC },
        error,
      );
    });
  });

  it('unsubscribing stops the timer', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const values = { r: replace([], '1') };
      const source = cold<Event>('r', values);
      expectObservable(source.pipe(resync(10)), '^ 25ms !').toBe('r 9ms t 9ms t', { ...values, t: RESYNC });
    });
  });

  it('runs its timer on the given scheduler (not on asyncScheduler)', () => {
    // outside run(), only the scheduler passed in is virtual: a tick on any other one would not fire
    const scheduler = new TestScheduler(() => undefined);
    const source = new Subject<Event>();
    const seen: string[] = [];
    source.pipe(resync(20, scheduler)).subscribe({
      next: (e) => seen.push(`${e.type}@${scheduler.now()}`),
      complete: () => seen.push(`complete@${scheduler.now()}`),
    });
    scheduler.schedule(() => source.next(replace([], '1')), 5);
    scheduler.schedule(() => source.complete(), 70);
    scheduler.flush();
    expect(seen).toEqual(['REPLACE@5', 'RESYNC@25', 'RESYNC@45', 'RESYNC@65', 'complete@70']);
  });
});

describe('resync marbles: driven by listWatch scenarios', () => {
  const lw = (client: ReturnType<typeof scriptedClient>, onError?: (e: KubeRxError) => void) =>
    listWatch<V1Pod>(client, resources.pods, { random: () => 0, ...(onError ? { onError } : {}) });

  it('normal flow: ticks every 10 minutes from the list, interleaved with watch events', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a1 = pod('a', '10');
      const a2 = pod('a', '11');
      const client = scriptedClient({
        lists: [listOf([a1], '10')],
        watches: [cold('-m 15m b', { m: modified(a2), b: bookmark('12') })],
      });
      expectObservable(lw(client).pipe(resync(TEN_MINUTES)), '^ 21m !').toBe(
        'rm 599998ms t 300001ms b 299997ms t',
        {
          r: replace([a1], '10'),
          m: { type: 'MODIFIED', object: a2 },
          b: { type: 'BOOKMARK', resourceVersion: '12' },
          t: RESYNC,
        },
      );
    });
  });

  it('410 and a relist with deletions: the cadence is kept and Syncs cover only the relisted objects', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const a = pod('a', '10');
      const b = pod('b', '10');
      const a2 = pod('a', '20');
      const client = scriptedClient({
        lists: [listOf([a, b], '10'), listOf([a2], '20')],
        watches: [cold('299999ms c e', { c: added(pod('c', '11')), e: errorEvent(410) }), cold('-')],
      });
      const out$ = lw(client).pipe(resync(TEN_MINUTES), deltaFifo(), map(summary));
      // relist at 300000 (b and c are gone); ticks at 600000 and 1200000, on the first list's cadence
      expectObservable(out$, '^ 21m !').toBe('r 299998ms cx 299999ms t 599999ms t', {
        r: ['Added default/a@10', 'Added default/b@10'],
        c: ['Added default/c@11'],
        x: ['Replaced default/a@20', 'Deleted default/b@10', 'Deleted default/c@11'],
        t: ['Sync default/a@20'],
      });
    });
  });

  it('bookmarks pass through untouched between ticks', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const client = scriptedClient({
        lists: [listOf([], '10')],
        watches: [cold('--b 9ms c', { b: bookmark('11'), c: bookmark('12') })],
      });
      expectObservable(lw(client).pipe(resync(10)), '^ 25ms !').toBe('r-b 7ms t-c 7ms t', {
        r: replace([], '10'),
        b: { type: 'BOOKMARK', resourceVersion: '11' },
        c: { type: 'BOOKMARK', resourceVersion: '12' },
        t: RESYNC,
      });
    });
  });

  it('watch timeout: the re-watch neither relists nor disturbs the ticks', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '10');
      const a2 = pod('a', '11');
      const client = scriptedClient({
        lists: [listOf([a], '10')],
        watches: [cold('7m |'), cold('1m m', { m: modified(a2) })],
      });
      // watch 1 closes at 420000 (a normal server timeout) -> re-watch -> MODIFIED at 480000
      expectObservable(lw(client).pipe(resync(5 * 60_000)), '^ 11m !').toBe(
        'r 299999ms t 179999ms m 119999ms t',
        {
          r: replace([a], '10'),
          m: { type: 'MODIFIED', object: a2 },
          t: RESYNC,
        },
      );
      flush();
      expect(client.calls.map((c) => c.verb)).toEqual(['list', 'watch', 'watch']);
    });
  });

  it('backoff: a failed list retries after 800 ms and the first tick comes one period after the list', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const a = pod('a', '10');
      const errors: string[] = [];
      const client = scriptedClient({
        lists: [new Error('connection refused'), listOf([a], '10')],
        watches: [cold('-c', { c: added(pod('c', '11')) })],
      });
      const out$ = lw(client, (e) => errors.push(e.message)).pipe(resync(TEN_MINUTES));
      expectObservable(out$, '^ 21m !').toBe('800ms rc 599998ms t 599999ms t', {
        r: replace([a], '10'),
        c: { type: 'ADDED', object: pod('c', '11') },
        t: RESYNC,
      });
      flush();
      expect(errors).toEqual(['transport error: connection refused']);
    });
  });
});
