import {
  concat,
  defer,
  EMPTY,
  expand,
  map,
  NEVER,
  type Observable,
  of,
  Subject,
  take,
  throwError,
  timer,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { followPhases } from '../../src/sources/followPhases.js';

/** A step: an event for the subscriber, or a transition into phase `next`. */
type Step = { event: string } | { next: number };
const isTransition = (step: Step): step is { next: number } => 'next' in step;
const ev = (event: string): Step => ({ event });
const to = (next: number): Step => ({ next });

/** The same machine with `expand`, which `followPhases` replaces: the two must agree. */
function expanded(
  first: Observable<Step>,
  enter: (step: { next: number }) => Observable<Step>,
): Observable<Step> {
  return first.pipe(expand((step) => (isTransition(step) ? enter(step) : EMPTY)));
}

/** Steps as marble letters: an event by its name, a transition as `t`. */
function named(steps: Observable<Step>): Observable<string> {
  return steps.pipe(map((step) => ('next' in step ? 't' : step.event)));
}

/** The steps of `first`, and of `second` once a transition enters it, by `followPhases` and by `expand`. */
function bothWays(first: Observable<Step>, second: Observable<Step>): Observable<string>[] {
  return [
    named(
      followPhases(
        () => first,
        isTransition,
        () => second,
      ),
    ),
    named(expanded(first, () => second)),
  ];
}

function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('followPhases (the Reflector phases, one after another)', () => {
  it('emits each step before it enters the phase the step names, and completes after the last phase', () => {
    const seen: string[] = [];
    const phases: Observable<Step>[] = [
      defer(() => {
        seen.push('enter 0');
        return of(ev('a'), to(1));
      }),
      defer(() => {
        seen.push('enter 1');
        return of(ev('b'));
      }),
    ];
    let completed = false;
    followPhases(
      () => phases[0] as Observable<Step>,
      isTransition,
      (step) => phases[step.next] as Observable<Step>,
    ).subscribe({
      next: (step) => seen.push('next' in step ? `to ${step.next}` : step.event),
      complete: () => {
        completed = true;
      },
    });
    expect(seen).toEqual(['enter 0', 'a', 'to 1', 'enter 1', 'b']);
    expect(completed).toBe(true);
  });

  it('runs a phase entered before the current one ends beside it, in virtual time, as expand does', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const first = cold<Step>('a-t-b|', { a: ev('a'), t: to(1), b: ev('b') });
      const second = cold<Step>('-x---y|', { x: ev('x'), y: ev('y') });
      const expected = 'a-txb--y|';
      for (const steps of bothWays(first, second)) expectObservable(steps).toBe(expected);
    });
  });

  it('errors with the first error of a phase, and stops the phases still running', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<Step>('t--#', { t: to(1) }, new Error('watch failed'));
      const second = cold<Step>('-x-----y|', { x: ev('x'), y: ev('y') });
      const expected = 'tx-#';
      const failure = new Error('watch failed');
      for (const steps of bothWays(first, second)) expectObservable(steps).toBe(expected, undefined, failure);
      expectSubscriptions(second.subscriptions).toBe(['^--!', '^--!']);
    });
  });

  it('errors when entering a phase throws, and enters nothing after that', () => {
    const entered: number[] = [];
    let error: unknown;
    followPhases(
      () => of(to(1), to(2)),
      isTransition,
      (step) => {
        entered.push(step.next);
        if (step.next === 1) throw new Error('cannot enter');
        return of(ev('late'));
      },
    ).subscribe({
      error: (e: unknown) => {
        error = e;
      },
    });
    expect((error as Error).message).toBe('cannot enter');
    expect(entered).toEqual([1]);
  });

  it('unsubscribes every running phase when the subscriber unsubscribes', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<Step>('t-a------|', { t: to(1), a: ev('a') });
      const second = cold<Step>('---x------|', { x: ev('x') });
      for (const steps of bothWays(first, second)) expectObservable(steps, '^---!').toBe('t-ax');
      expectSubscriptions(first.subscriptions).toBe(['^---!', '^---!']);
      expectSubscriptions(second.subscriptions).toBe(['^---!', '^---!']);
    });
  });

  it('enters no phase once the subscriber is closed by the step itself', () => {
    const entered: number[] = [];
    followPhases(
      () => of(ev('a'), to(1)),
      isTransition,
      (step) => {
        entered.push(step.next);
        return NEVER;
      },
    )
      .pipe(take(2))
      .subscribe();
    expect(entered).toEqual([]);
  });

  it('keeps no subscription for a phase that completed: a watch restarting for days does not grow', () => {
    const scheduler = testScheduler();
    const restarts = 1_000;
    const finalizers = (subscription: object): number =>
      ((subscription as { _finalizers?: unknown[] | null })._finalizers ?? []).length;
    scheduler.run(() => {
      // Each watch ends after 1 ms and enters the next one; the last one never ends.
      const watch = (n: number): Observable<Step> =>
        n === restarts ? NEVER : concat(timer(1).pipe(map(() => ev(`w${n}`))), of(to(n + 1)));
      const subscription = followPhases(
        () => watch(0),
        isTransition,
        (step) => watch(step.next),
      ).subscribe();
      scheduler.flush();
      // rxjs keeps a subscriber's child subscriptions in `_finalizers` (read here to see it does not grow).
      expect('_finalizers' in subscription).toBe(true);
      expect(finalizers(subscription)).toBeLessThanOrEqual(2);
      subscription.unsubscribe();
    });
  });

  it('errors the stream when a subscriber downstream throws while handling a step', () => {
    const errors: unknown[] = [];
    const steps = new Subject<Step>();
    followPhases(
      () => steps,
      isTransition,
      () => of(ev('x')),
    )
      .pipe(
        map((step) => {
          if ('event' in step && step.event === 'bad') throw new Error('handler failed');
          return step;
        }),
      )
      .subscribe({ error: (e: unknown) => errors.push(e) });
    steps.next(ev('ok'));
    steps.next(ev('bad'));
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('handler failed');
    expect(steps.observed).toBe(false);
  });

  it('completes at once for a first phase that is empty, and errors for one that fails at once', () => {
    let completed = false;
    followPhases(
      () => of<Step>(),
      isTransition,
      () => of<Step>(),
    ).subscribe({
      complete: () => (completed = true),
    });
    expect(completed).toBe(true);
    let error: unknown;
    followPhases(
      () => throwError(() => new Error('list failed')),
      isTransition,
      () => of<Step>(),
    ).subscribe({
      error: (e: unknown) => {
        error = e;
      },
    });
    expect((error as Error).message).toBe('list failed');
  });
});
