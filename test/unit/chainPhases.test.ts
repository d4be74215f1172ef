/**
 * `chainPhases` (sources/chainPhases.ts), the Reflector's phase chain that replaced `expand` in
 * listWatch, behaves as `expand((step) => 'next' in step ? enter(step) : EMPTY)` on the same
 * phases: every step is passed on, a `next` step subscribes at once to the phase it names, the
 * stream completes when every started phase has, errors with the first error (a throw from `enter`
 * included), and unsubscribing ends every phase. Marble examples spell out each rule; a fast-check
 * property runs random phase scripts (events, `next` steps, errors, throws from `enter`, phases that
 * never end, an unsubscription at a random frame) through both and compares what reaches the
 * subscriber and every phase's subscription log, frame by frame. The last tests check that a long
 * chain keeps only its live phase: an informer re-watches every few minutes for months.
 */
import { fc, test } from '@fast-check/vitest';
import { defer, EMPTY, expand, finalize, type Observable, type Observer, of, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { newScheduler } from '../../marbles/support.js';
import { chainPhases, type NextStep } from '../../src/sources/chainPhases.js';
import type { Step } from '../../src/sources/reflectorContext.js';

type S = Step<string>;

const event = (name: string): S => ({ event: { type: 'ADDED', object: name } });
/** A step to the phase called `phase` (the marble letter of its script). */
const to = (phase: string): S => ({ next: { phase: 'watch', resourceVersion: phase } });

/** Marble values: `a`-`c` are events, `B`-`E` move to that phase, `x` to one `enter` throws on. */
const VALUES: Record<string, S> = {
  a: event('a'),
  b: event('b'),
  c: event('c'),
  B: to('B'),
  C: to('C'),
  D: to('D'),
  E: to('E'),
  x: to('x'),
};

const ENTER_FAILED = new Error('enter failed');

/** `enter` over named phases: the phase a step names, or a throw for `x`. */
function enterOf(phases: Readonly<Record<string, Observable<S>>>): (step: NextStep) => Observable<S> {
  return (step) => {
    const name = (step.next as { resourceVersion: string }).resourceVersion;
    if (name === 'x') throw ENTER_FAILED;
    const phase = phases[name];
    if (phase === undefined) throw new Error(`no phase ${name}`);
    return phase;
  };
}

type Chain = (first: Observable<S>, enter: (step: NextStep) => Observable<S>) => Observable<S>;

/** What chainPhases replaced. */
const expandChain: Chain = (first, enter) =>
  first.pipe(expand((step) => ('next' in step ? enter(step as NextStep) : EMPTY)));

describe('chainPhases marbles', () => {
  it('passes every step on and enters the phase a next step names at once', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<S>('-a-B|', VALUES);
      const second = cold<S>('-b-c|', VALUES);
      const steps = chainPhases(first, enterOf({ B: second }));
      expectObservable(steps).toBe('-a-Bb-c|', VALUES);
      expectSubscriptions(first.subscriptions).toBe('^---!');
      expectSubscriptions(second.subscriptions).toBe('---^---!');
    });
  });

  it('completes only when every phase it started has completed', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      // The first phase goes on after its next step; the stream waits for it, then for D.
      const first = cold<S>('-B----a-D|', VALUES);
      const b = cold<S>('-b|', VALUES);
      const d = cold<S>('---c|', VALUES);
      expectObservable(chainPhases(first, enterOf({ B: b, D: d }))).toBe('-Bb---a-D--c|', VALUES);
      expectSubscriptions(b.subscriptions).toBe('-^-!');
      expectSubscriptions(d.subscriptions).toBe('--------^---!');
    });
  });

  it('fans out when a phase names several next phases, and waits for all of them', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const first = cold<S>('-B-C|', VALUES);
      const b = cold<S>('----a|', VALUES);
      const c = cold<S>('-b|', VALUES);
      expectObservable(chainPhases(first, enterOf({ B: b, C: c }))).toBe('-B-Cba|', VALUES);
    });
  });

  it('errors with the first error and ends every other phase', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<S>('-B--#', VALUES, new Error('first'));
      const b = cold<S>('-b----#', VALUES, new Error('second'));
      expectObservable(chainPhases(first, enterOf({ B: b }))).toBe('-Bb-#', VALUES, new Error('first'));
      expectSubscriptions(first.subscriptions).toBe('^---!');
      expectSubscriptions(b.subscriptions).toBe('-^--!');
    });
  });

  it('errors with what enter throws, after passing the step on', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<S>('-a-x-b|', VALUES);
      expectObservable(chainPhases(first, enterOf({}))).toBe('-a-(x#)', VALUES, ENTER_FAILED);
      expectSubscriptions(first.subscriptions).toBe('^--!');
    });
  });

  it('unsubscribing ends every phase, those started later included', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<S>('-B-----a--a', VALUES);
      const b = cold<S>('-C---b--b', VALUES);
      const c = cold<S>('--c---c--c', VALUES);
      expectObservable(chainPhases(first, enterOf({ B: b, C: c })), '^--------!').toBe('-BC-c-bac', VALUES);
      expectSubscriptions(first.subscriptions).toBe('^--------!');
      expectSubscriptions(b.subscriptions).toBe('-^-------!');
      expectSubscriptions(c.subscriptions).toBe('--^------!');
    });
  });

  it('a first phase that ends without a next step ends the stream', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      expectObservable(chainPhases(cold<S>('-a-b|', VALUES), enterOf({}))).toBe('-a-b|', VALUES);
      expectObservable(chainPhases(cold<S>('|'), enterOf({}))).toBe('|');
    });
  });

  it('chains synchronous phases as expand does', () => {
    // 200 phases that each emit an event and the step to the next one, all on subscription.
    const steps = (chain: Chain): S[] => {
      let entered = 0;
      const phase = (): Observable<S> => of(event(String(entered)), to('next'));
      const last = of(event('last'));
      const out: S[] = [];
      let completed = false;
      chain(phase(), () => (++entered < 200 ? phase() : last)).subscribe({
        next: (step) => out.push(step),
        complete: () => {
          completed = true;
        },
      });
      expect(completed).toBe(true);
      return out;
    };
    const chained = steps(chainPhases);
    expect(chained).toHaveLength(401);
    expect(chained).toEqual(steps(expandChain));
  });
});

/** One run of a phase script through a chain: what the subscriber saw and each phase's subscriptions. */
interface Run {
  readonly notifications: { frame: number; kind: string; value?: unknown }[];
  readonly subscriptions: { subscribedFrame: number; unsubscribedFrame: number }[][];
  readonly entered: string[];
}

/** A script: the phases' marbles (`A` first, then `B`, `C`...) and when the subscriber leaves. */
interface Script {
  readonly phases: readonly string[];
  readonly unsubscribeAt?: number;
}

function runScript(script: Script, chain: Chain): Run {
  const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const notifications: Run['notifications'] = [];
  const entered: string[] = [];
  const phases = scheduler.run(({ cold }) => {
    const observables = script.phases.map((marble, i) => cold<S>(marble, VALUES, new Error(`phase ${i}`)));
    const byName = Object.fromEntries(observables.map((o, i) => [String.fromCharCode(65 + i), o]));
    const enter = enterOf(byName);
    const subscription = chain(observables[0] as Observable<S>, (step) => {
      entered.push((step.next as { resourceVersion: string }).resourceVersion);
      return enter(step);
    }).subscribe({
      next: (value) => notifications.push({ frame: scheduler.now(), kind: 'N', value }),
      error: (value: unknown) => notifications.push({ frame: scheduler.now(), kind: 'E', value }),
      complete: () => notifications.push({ frame: scheduler.now(), kind: 'C' }),
    });
    if (script.unsubscribeAt !== undefined)
      scheduler.schedule(() => subscription.unsubscribe(), script.unsubscribeAt);
    return observables;
  });
  return {
    notifications,
    entered,
    subscriptions: phases.map((phase) =>
      phase.subscriptions.map(({ subscribedFrame, unsubscribedFrame }) => ({
        subscribedFrame,
        unsubscribedFrame,
      })),
    ),
  };
}

/**
 * Phase `i` of `count`: frames of nothing or of steps (events, a throw from enter, steps to later
 * phases only, so every script ends), then completion, an error or nothing (a phase that stays).
 */
function phaseArb(i: number, count: number): fc.Arbitrary<string> {
  const later = Array.from({ length: count - i - 1 }, (_, j) => String.fromCharCode(66 + i + j));
  const token = fc.constantFrom('a', 'b', 'c', 'x', ...later, ...later);
  const frame = fc.oneof(
    { weight: 2, arbitrary: fc.constant('-') },
    { weight: 3, arbitrary: token },
    {
      weight: 1,
      arbitrary: fc.array(token, { minLength: 2, maxLength: 3 }).map((tokens) => `(${tokens.join('')})`),
    },
  );
  return fc
    .tuple(fc.array(frame, { maxLength: 6 }), fc.constantFrom('|', '|', '#', ''))
    .map(([frames, end]) => frames.join('') + end);
}

const scriptArb: fc.Arbitrary<Script> = fc.integer({ min: 1, max: 5 }).chain((count) =>
  fc.record(
    {
      phases: fc.tuple(...Array.from({ length: count }, (_, i) => phaseArb(i, count))),
      unsubscribeAt: fc.integer({ min: 0, max: 30 }),
    },
    { requiredKeys: ['phases'] },
  ),
);

describe('chainPhases against expand', () => {
  test.prop([scriptArb], { numRuns: 500 })(
    'gives the same notifications, enter calls and phase subscriptions, frame by frame',
    (script) => {
      const chained = runScript(script, chainPhases);
      const expanded = runScript(script, expandChain);
      expect(chained.notifications).toEqual(expanded.notifications);
      expect(chained.entered).toEqual(expanded.entered);
      expect(chained.subscriptions).toEqual(expanded.subscriptions);
    },
  );

  it('the property meets fan-out, errors, throws and unsubscription (a fixed example)', () => {
    const script: Script = {
      phases: ['-B(Cb)-|', '-a-D-#', '--(cE)|', 'x', '-a-b-c-a-b-c'],
      unsubscribeAt: 9,
    };
    const chained = runScript(script, chainPhases);
    expect(chained).toEqual(runScript(script, expandChain));
    expect(chained.notifications.at(-1)?.kind).toBe('E');
    // D throws in enter at frame 4, after C's step to E in the same frame.
    expect(chained.entered).toEqual(['B', 'C', 'D', 'E', 'x']);
  });
});

/** How many phase subscriptions were made, and how many of their handles were released. */
interface Counts {
  subscribed: number;
  released: number;
}

/**
 * A phase whose subscribe returns a handle of its own: the handle stays open after the phase
 * completes, so only its holder's unsubscribe (chainPhases' Subscription of phases) releases it. A
 * handle released at the end is one chainPhases still held.
 */
function heldPhase(body: (observer: Partial<Observer<S>>) => void, counts: Counts): Observable<S> {
  const phase = of<S>();
  phase.subscribe = ((observer: Partial<Observer<S>>) => {
    counts.subscribed++;
    body(observer);
    return new Subscription(() => {
      counts.released++;
    });
  }) as typeof phase.subscribe;
  return phase;
}

describe('chainPhases over many phases', () => {
  it('lets each completed phase go when it completes: after 1,000 phases, unsubscribing releases only the live one', () => {
    const counts: Counts = { subscribed: 0, released: 0 };
    /** The observer of the phase that runs now. */
    let current: Partial<Observer<S>> | undefined;
    const phase = () =>
      heldPhase((observer) => {
        current = observer;
      }, counts);
    const seen: S[] = [];
    const subscription = chainPhases(phase(), () => phase()).subscribe((step) => seen.push(step));
    // Each phase runs after its subscription was returned (as HTTP phases do): an event, the step to
    // the next phase (subscribed at once), then completion.
    for (let i = 0; i < 1000; i++) {
      const running = current as Partial<Observer<S>>;
      running.next?.(event(String(i)));
      running.next?.(to('next'));
      running.complete?.();
    }
    expect(counts.subscribed).toBe(1001);
    expect(seen).toHaveLength(2000);
    // Each phase is let go when it completes, as RxJS ends a subscriber that completed...
    expect(counts.released).toBe(1000);
    subscription.unsubscribe();
    // ...and unsubscribing releases the live one, once.
    expect(counts.released).toBe(1001);
  });

  it('has at most two phases running at once over 1,000 phases in virtual time, and ends the live one', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      let running = 0;
      let mostRunning = 0;
      let finalized = 0;
      const body = cold<S>('-a-(B|)', VALUES);
      const phase = (): Observable<S> =>
        defer(() => {
          running++;
          mostRunning = Math.max(mostRunning, running);
          return body;
        }).pipe(
          finalize(() => {
            running--;
            finalized++;
          }),
        );
      let entered = 0;
      const live = cold<S>('-c-c-c-c-c-c-c-c-c-c-c-c', VALUES);
      const steps = chainPhases(phase(), () => (++entered < 1000 ? phase() : live));
      // 1,000 phases of 3 frames; the subscriber leaves during the live phase (only the
      // subscription frames matter here, so no expected marbles).
      expectObservable(steps, '^ 3003ms !');
      flush();
      expect(entered).toBe(1000);
      expect(finalized).toBe(1000);
      expect(running).toBe(0);
      expect(mostRunning).toBe(2);
      expect(body.subscriptions).toHaveLength(1000);
      expectSubscriptions(live.subscriptions).toBe('3000ms ^ 3ms !');
    });
  });
});
