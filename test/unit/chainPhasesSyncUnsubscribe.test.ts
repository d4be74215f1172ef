/**
 * `chainPhases` stops a phase that emits while it is being subscribed as soon as its subscriber
 * leaves (a synchronous phase of an in-process client and a `take(n)`), and calls `enter` no more,
 * as `expand`, which it replaced, does: its teardown is tied to the subscriber before the first
 * phase is subscribed, and each phase's subscriber is in it before the phase runs. In listWatch,
 * no lifecycle event (and no log line) follows `stopped`.
 */
import { EMPTY, expand, Observable, of, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { chainPhases, type NextStep } from '../../src/sources/chainPhases.js';
import { listWatch } from '../../src/sources/listWatch.js';
import type { Step } from '../../src/sources/reflectorContext.js';
import { added, listOf, pod, scriptedClient } from '../../src/testing/index.js';
import { sleep } from './transportHarness.js';

type S = Step<string>;
const event = (name: string): S => ({ event: { type: 'ADDED', object: name } });
const to: S = { next: { phase: 'watch', resourceVersion: '1' } };

/** A phase that emits an event and a next step five times on subscription, while its subscriber stays. */
const syncPhase = (emitted: { count: number }): Observable<S> =>
  new Observable<S>((subscriber) => {
    for (let i = 0; i < 5 && !subscriber.closed; i++) {
      emitted.count++;
      subscriber.next(event(String(i)));
      subscriber.next(to);
    }
    subscriber.complete();
  });

describe('chainPhases after its subscriber leaves during a synchronous phase', () => {
  it('stops reading the phase and calls enter no more, as expand does', () => {
    const run = (
      chain: (first: Observable<S>, enter: (step: NextStep) => Observable<S>) => Observable<S>,
    ) => {
      let entered = 0;
      const emitted = { count: 0 };
      const seen: S[] = [];
      chain(syncPhase(emitted), () => {
        entered++;
        return of(event('next'));
      })
        .pipe(take(1))
        .subscribe((step) => seen.push(step));
      return { entered, emitted: emitted.count, seen };
    };
    const expanded = run((first, enter) =>
      first.pipe(expand((step) => ('next' in step ? enter(step as NextStep) : EMPTY))),
    );
    expect(expanded).toEqual({ entered: 0, emitted: 1, seen: [event('0')] });
    // chainPhases: { entered: 5, emitted: 5, seen: [event('0')] }
    expect(run(chainPhases)).toEqual(expanded);
  });

  it('listWatch tells no lifecycle event after stopped', async () => {
    const client = scriptedClient({
      lists: [listOf([pod('a', '1')], '1')],
      watches: [of(added(pod('b', '2')), added(pod('c', '3')))],
    });
    const told: string[] = [];
    await new Promise<void>((resolve) => {
      listWatch(client, resources.pods, { onLifecycle: (e) => told.push(e.type) })
        .pipe(take(2))
        .subscribe({ complete: resolve });
    });
    await sleep(20);
    // chainPhases: [..., 'event', 'stopped', 'watchStarted']
    expect(told).toEqual(['listStarted', 'listFinished', 'watchStarted', 'event', 'stopped']);
  });
});
