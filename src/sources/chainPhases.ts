/**
 * The Reflector's phases, chained: each phase is an Observable of steps, every step is passed on,
 * and a `next` step starts the phase it names at once (while the phase that emitted it ends).
 * The stream completes when every phase it started has completed, errors with the first error,
 * and unsubscribing ends every phase.
 *
 * This is `expand` restricted to the steps that move the machine. `expand` also projects every
 * event step, subscribing to an empty Observable per watch event, which showed in the per-event
 * profile of an informer (benchmark P1).
 */
import { Observable, Subscriber, Subscription } from 'rxjs';
import type { ReflectorState, Step } from './reflectorContext.js';

/** A step that moves the machine to its next state. */
export type NextStep = { readonly next: ReflectorState; readonly error?: unknown };

/**
 * `first`, then the phases its `next` steps lead to, as one stream of steps.
 *
 * @example
 * ```ts
 * chainPhases(enter(relistState(ctx)), (step) => enter(step.next, step.error));
 * ```
 */
export function chainPhases<T>(
  first: Observable<Step<T>>,
  enter: (step: NextStep) => Observable<Step<T>>,
): Observable<Step<T>> {
  return new Observable<Step<T>>((subscriber) => {
    // Tied to the subscriber at once: a subscriber that leaves while the first phase is still
    // being subscribed (a synchronous phase and a `take`) ends it there.
    const phases = new Subscription();
    subscriber.add(phases);
    let active = 0;
    const follow = (phase: Observable<Step<T>>): void => {
      if (subscriber.closed) return;
      active++;
      // Added to the teardown before it subscribes: a phase that emits while it is being
      // subscribed (an in-process client) stops as soon as the subscriber leaves.
      const inner: Subscriber<Step<T>> = new Subscriber<Step<T>>({
        next: (step) => {
          if (subscriber.closed) return;
          subscriber.next(step);
          if (!('next' in step) || subscriber.closed) return;
          let following: Observable<Step<T>>;
          try {
            following = enter(step);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          follow(following);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          // A phase that ended is let go: a long-lived informer re-watches every few minutes.
          phases.remove(inner);
          active--;
          if (active === 0) subscriber.complete();
        },
      });
      phases.add(inner);
      // An Observable adds its teardown to the subscriber it is given and returns it; anything
      // that returns another handle is tied to the phase here.
      inner.add(phase.subscribe(inner));
    };
    follow(first);
  });
}
