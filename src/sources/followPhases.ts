/**
 * How the Reflector's phases follow one another: the steps of the first phase, and of each phase a
 * transition step enters, as one stream. This is `expand` with a projection that returns `EMPTY`
 * for an event step, without its cost: `expand` subscribes to the projection of every value, so
 * each watch event made an inner subscriber that completed at once (about 0.3 µs and 0.8 KB of
 * garbage per event). Here only a transition is followed.
 *
 * Same contract as that `expand`:
 * - every step is emitted before the phase it enters is subscribed to, and a phase entered while
 *   another still runs runs beside it;
 * - the stream completes when every phase has completed, and errors with the first error of a
 *   phase or of `enter`;
 * - unsubscribing unsubscribes every running phase, and nothing is entered once the subscriber is
 *   closed. A completed phase is dropped from the subscriber, so a watch that restarts for days
 *   keeps no subscription per restart;
 * - an error thrown while a step is handled (by `enter`, or by a subscriber downstream) errors the
 *   stream, as an operator's would.
 */
import { Observable } from 'rxjs';

/**
 * The steps of the phase `start()` makes on subscription, and of every phase a step enters:
 * `enter(step)` is called for each step `isTransition` accepts. The first phase is made per
 * subscription and not kept: a phase that holds what it read (a list) is let go once it ends,
 * although the stream's closures live as long as the watch after it.
 *
 * @example
 * ```ts
 * followPhases(() => run(initial), (step) => 'next' in step, (step) => run(step.next));
 * ```
 */
export function followPhases<S, X extends S>(
  start: () => Observable<S>,
  isTransition: (step: S) => step is X,
  enter: (step: X) => Observable<S>,
): Observable<S> {
  return new Observable<S>((subscriber) => {
    let running = 0;
    const follow = (phase: Observable<S>): void => {
      running++;
      // A phase that completes unsubscribes itself, which drops it from `subscriber`; adding one
      // that completed while it was being subscribed to does nothing.
      subscriber.add(
        phase.subscribe({
          next: (step) => {
            try {
              subscriber.next(step);
              if (!subscriber.closed && isTransition(step)) follow(enter(step));
            } catch (error) {
              subscriber.error(error);
            }
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            if (--running === 0) subscriber.complete();
          },
        }),
      );
    };
    follow(start());
  });
}
