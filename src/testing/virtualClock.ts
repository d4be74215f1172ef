/**
 * `virtualClock`: virtual time for code that mixes timers with Promises.
 *
 * `TestScheduler.run` flushes synchronously, so a Promise (an HTTP-style write, an `async`
 * reconcile) never settles between two virtual frames. A virtual clock runs one due timer at a
 * time and lets pending Promises settle after each, so a controller that awaits writes, a
 * leader election renewing a Lease, or a 10-minute resync still runs in milliseconds, in order.
 */
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/** Virtual time that lets Promises settle between timers (see {@link virtualClock}). */
export interface VirtualClock {
  /** Pass as `scheduler` to every kube-rx operator and to `createFakeCluster`. */
  readonly scheduler: VirtualTimeScheduler;
  /** Current virtual time in ms. */
  now(): number;
  /** Runs every timer due within `ms`, settling Promises after each, and ends at now + ms. */
  advanceBy(ms: number): Promise<void>;
  /** Advances until `predicate()` holds (checked after each timer), or throws after `limitMs`. */
  advanceUntil(predicate: () => boolean, limitMs?: number): Promise<void>;
}

/** Lets pending Promise callbacks (and the I/O callbacks they wait on) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Creates a virtual clock at time 0.
 *
 * @example
 * ```ts
 * const clock = virtualClock();
 * const cluster = createFakeCluster({ scheduler: clock.scheduler });
 * const leading = leaderElection(cluster.client, { namespace: 'default', name: 'l', identity: 'a', scheduler: clock.scheduler });
 * await clock.advanceBy(60_000);
 * ```
 */
export function virtualClock(): VirtualClock {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Number.POSITIVE_INFINITY);
  const step = async (until: number, stop?: () => boolean): Promise<boolean> => {
    await settle();
    for (;;) {
      if (stop?.()) return true;
      const next = scheduler.actions[0];
      if (!next || next.delay > until) break;
      scheduler.maxFrames = next.delay;
      scheduler.flush();
      await settle();
    }
    scheduler.frame = Math.max(scheduler.frame, until);
    return stop?.() ?? false;
  };
  return {
    scheduler,
    now: () => scheduler.now(),
    advanceBy: async (ms) => {
      await step(scheduler.frame + ms);
    },
    advanceUntil: async (predicate, limitMs = 3_600_000) => {
      const limit = scheduler.frame + limitMs;
      if (!(await step(limit, predicate)))
        throw new Error(`virtualClock: condition not met within ${limitMs} ms of virtual time`);
    },
  };
}
