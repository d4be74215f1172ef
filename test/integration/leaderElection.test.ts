/**
 * `leaderElection` on the fake cluster's coordination.k8s.io/v1 Lease, in virtual time.
 *
 * Three candidates campaign for one Lease. Every (virtual time, identity, leading) transition is
 * recorded; leadership intervals are half-open `[became leader, stopped leading)` and must never
 * overlap. Faults are injected per candidate by a wrapper client whose mode can change at any
 * time: `fail` (every request rejects with 503, a crashed or partitioned process), `hang` (requests
 * never answer, half-open TCP), `slow` (writes reach the server at once but their answers arrive
 * late; reads answer promptly).
 */
import { fc } from '@fast-check/vitest';
import type { V1Lease } from '@kubernetes/client-node';
import type { SchedulerLike, Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/core/client.js';
import { isStatusError, statusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { leaderElection } from '../../src/runtime/leaderElection.js';
import {
  createFakeCluster,
  type FakeCluster,
  type VirtualClock,
  virtualClock,
} from '../../src/testing/index.js';

const NAMESPACE = 'kube-system';
const LEASE = 'my-controller';
const LEASE_DURATION = 15_000;
const RENEW_DEADLINE = 10_000;
const RETRY_PERIOD = 2_000;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

// ---------------------------------------------------------------------------------------------
// A client whose failure mode a test switches at will

type Mode =
  | { readonly kind: 'ok' }
  | { readonly kind: 'fail' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'slow'; readonly delayMs: number };

interface ControlledClient extends KubeClient {
  mode: Mode;
  /** Virtual times at which a Lease write of this client committed with itself as holder. */
  readonly renewals: number[];
}

function controlledClient(inner: KubeClient, scheduler: SchedulerLike, identity: string): ControlledClient {
  const renewals: number[] = [];
  const delayed = <T>(promise: Promise<T>, delayMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      promise.then(
        (value) => scheduler.schedule(() => resolve(value), delayMs),
        (error: unknown) => scheduler.schedule(() => reject(error), delayMs),
      );
    });
  const client: ControlledClient = {
    mode: { kind: 'ok' },
    renewals,
    // leaderElection only reads and writes the Lease.
    list: (resource, options, signal) => inner.list(resource, options, signal),
    watch: (resource, options) => inner.watch(resource, options),
    get: (resource, name, options) => call(false, () => inner.get(resource, name, options)),
    create: (resource, object, options) => call(true, () => inner.create(resource, object, options)),
    replace: (resource, object, options) => call(true, () => inner.replace(resource, object, options)),
    patch: (resource, name, body, type, options) =>
      call(true, () => inner.patch(resource, name, body, type, options)),
    delete: (resource, name, options) => call(true, () => inner.delete(resource, name, options)),
  };
  function call<T>(write: boolean, run: () => Promise<T>): Promise<T> {
    const mode = client.mode;
    if (mode.kind === 'fail') return Promise.reject(statusError(503, 'partitioned'));
    if (mode.kind === 'hang') return new Promise<T>(() => undefined);
    const answer = run().then((value) => {
      // The fake commits a write when it is called, so this is the commit instant.
      const lease = value as V1Lease | undefined;
      if (write && lease?.kind === 'Lease' && lease.spec?.holderIdentity === identity)
        renewals.push(scheduler.now());
      return value;
    });
    return mode.kind === 'slow' && write ? delayed(answer, mode.delayMs) : answer;
  }
  return client;
}

// ---------------------------------------------------------------------------------------------
// Candidates and the transition log

interface Transition {
  readonly t: number;
  readonly identity: string;
  readonly leading: boolean;
}

interface Candidate {
  readonly identity: string;
  readonly client: ControlledClient;
  readonly errors: unknown[];
  subscription: Subscription | undefined;
  leading: boolean;
}

interface Election {
  readonly clock: VirtualClock;
  readonly cluster: FakeCluster;
  readonly candidates: Record<string, Candidate>;
  readonly transitions: Transition[];
  start(identity: string): void;
  /** Unsubscribes (the Lease is released); a leader stops leading at this instant. */
  stop(identity: string): void;
  leaders(): string[];
  lease(): Promise<V1Lease>;
}

function election(identities: readonly string[]): Election {
  const clock = virtualClock();
  const cluster = createFakeCluster({ scheduler: clock.scheduler });
  const transitions: Transition[] = [];
  const candidates: Record<string, Candidate> = {};
  for (const identity of identities) {
    candidates[identity] = {
      identity,
      client: controlledClient(cluster.client, clock.scheduler, identity),
      errors: [],
      subscription: undefined,
      leading: false,
    };
  }
  const candidate = (identity: string): Candidate => {
    const found = candidates[identity];
    if (!found) throw new Error(`no candidate ${identity}`);
    return found;
  };
  const set = (c: Candidate, leading: boolean) => {
    if (c.leading === leading) return;
    c.leading = leading;
    transitions.push({ t: clock.now(), identity: c.identity, leading });
  };
  return {
    clock,
    cluster,
    candidates,
    transitions,
    start(identity) {
      const c = candidate(identity);
      if (c.subscription) throw new Error(`${identity} is already running`);
      c.subscription = leaderElection(c.client, {
        namespace: NAMESPACE,
        name: LEASE,
        identity,
        scheduler: clock.scheduler,
        onError: (error) => c.errors.push(error),
      }).subscribe((leading) => set(c, leading));
    },
    stop(identity) {
      const c = candidate(identity);
      c.subscription?.unsubscribe();
      c.subscription = undefined;
      set(c, false);
    },
    leaders: () =>
      Object.values(candidates)
        .filter((c) => c.leading)
        .map((c) => c.identity),
    lease: () => cluster.admin.get(resources.leases, LEASE, { namespace: NAMESPACE }),
  };
}

interface Interval {
  readonly identity: string;
  readonly from: number;
  readonly to: number;
}

/** Leadership intervals `[from, to)`; a leader still leading at the end runs to `end`. */
function intervals(transitions: readonly Transition[], end = Number.POSITIVE_INFINITY): Interval[] {
  const open = new Map<string, number>();
  const done: Interval[] = [];
  for (const { t, identity, leading } of transitions) {
    if (leading) {
      expect(open.has(identity), `${identity} became leader twice without stepping down`).toBe(false);
      open.set(identity, t);
    } else {
      const from = open.get(identity);
      expect(from, `${identity} stepped down without leading`).toBeDefined();
      open.delete(identity);
      done.push({ identity, from: from as number, to: t });
    }
  }
  for (const [identity, from] of open) done.push({ identity, from, to: end });
  return done.sort((a, b) => a.from - b.from || a.to - b.to);
}

/** Pairs of intervals that share some positive length of virtual time: two leaders at once. */
function overlaps(all: readonly Interval[]): [Interval, Interval][] {
  const found: [Interval, Interval][] = [];
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i] as Interval;
      const b = all[j] as Interval;
      if (a.from < b.to && b.from < a.to && a.from !== a.to && b.from !== b.to) found.push([a, b]);
    }
  return found;
}

const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

// ---------------------------------------------------------------------------------------------

describe('leaderElection: three candidates on one Lease', () => {
  it('exactly one candidate leads, stably, for 5 virtual minutes; the Lease records it', async () => {
    const e = election(['a', 'b', 'c']);
    e.start('a');
    await e.clock.advanceBy(700);
    e.start('b');
    await e.clock.advanceBy(600);
    e.start('c');
    const lease0 = await e.lease();
    await e.clock.advanceBy(5 * 60_000);

    expect(e.transitions).toEqual([{ t: 0, identity: 'a', leading: true }]);
    expect(e.leaders()).toEqual(['a']);
    const lease = await e.lease();
    expect(lease.spec?.holderIdentity).toBe('a');
    expect(lease.spec?.leaseDurationSeconds).toBe(15);
    expect(lease.spec?.leaseTransitions).toBe(0);
    // MicroTime: RFC 3339 with exactly six fractional digits; acquireTime stays, renewTime moves.
    expect(lease.spec?.acquireTime).toMatch(MICRO_TIME);
    expect(lease.spec?.renewTime).toMatch(MICRO_TIME);
    expect(lease.spec?.acquireTime).toBe('1970-01-01T00:00:00.000000Z');
    expect(lease0.spec?.acquireTime).toBe(lease.spec?.acquireTime);
    expect(lease.spec?.renewTime).toBe(microTime(300_000));
    // One renewal per retryPeriod.
    expect(e.candidates.a?.client.renewals).toEqual(Array.from({ length: 151 }, (_, i) => i * RETRY_PERIOD));
    for (const c of Object.values(e.candidates)) expect(c.errors).toEqual([]);
  });

  it('candidates started at the same instant: one wins the create race, the others do not report the 409', async () => {
    const e = election(['a', 'b', 'c']);
    e.start('a');
    e.start('b');
    e.start('c');
    await e.clock.advanceBy(60_000);
    expect(e.leaders()).toHaveLength(1);
    expect(e.transitions).toHaveLength(1);
    expect(e.transitions[0]?.t).toBe(0);
    expect((await e.lease()).spec?.holderIdentity).toBe(e.leaders()[0]);
    for (const c of Object.values(e.candidates)) expect(c.errors).toEqual([]);
  });

  it('release: an unsubscribing leader frees the Lease and another takes over within retryPeriod', async () => {
    const e = election(['a', 'b', 'c']);
    e.start('a');
    await e.clock.advanceBy(700);
    e.start('b');
    await e.clock.advanceBy(600);
    e.start('c');
    await e.clock.advanceBy(60_000);
    const released = e.clock.now();
    e.stop('a');
    const freed = await e.lease();
    expect(freed.spec?.holderIdentity).toBe('');
    expect(freed.spec?.leaseDurationSeconds).toBe(1);
    await e.clock.advanceBy(30_000);

    const takeover = e.transitions.find((t) => t.leading && t.identity !== 'a');
    expect(takeover).toBeDefined();
    expect(takeover?.t).toBeGreaterThanOrEqual(released);
    expect(takeover?.t).toBeLessThanOrEqual(released + RETRY_PERIOD);
    expect(overlaps(intervals(e.transitions))).toEqual([]);
    const lease = await e.lease();
    expect(lease.spec?.holderIdentity).toBe(takeover?.identity);
    expect(lease.spec?.leaseTransitions).toBe(1);
    expect(lease.spec?.acquireTime).toBe(microTime(takeover?.t ?? -1));

    // The next release hands over again: every change of holder counts one transition.
    const next = takeover?.identity === 'b' ? 'c' : 'b';
    e.stop(takeover?.identity as string);
    await e.clock.advanceBy(RETRY_PERIOD);
    expect(e.leaders()).toEqual([next]);
    expect((await e.lease()).spec?.leaseTransitions).toBe(2);
    expect(overlaps(intervals(e.transitions))).toEqual([]);
  });

  it('crash: a leader whose requests all fail steps down after renewDeadline; a successor waits out leaseDuration', async () => {
    const e = election(['a', 'b', 'c']);
    e.start('a');
    await e.clock.advanceBy(700);
    e.start('b');
    await e.clock.advanceBy(600);
    e.start('c');
    await e.clock.advanceBy(59_200); // t = 60.5 s
    const a = e.candidates.a as Candidate;
    a.client.mode = { kind: 'fail' };
    const lastRenewal = a.client.renewals.at(-1) as number;
    expect(lastRenewal).toBe(60_000);
    await e.clock.advanceBy(60_000);

    const stepDown = e.transitions.find((t) => t.identity === 'a' && !t.leading);
    const successor = e.transitions.find((t) => t.identity !== 'a' && t.leading);
    // The leader keeps leading through failures shorter than renewDeadline, then steps down.
    expect(stepDown?.t).toBeGreaterThanOrEqual(lastRenewal + RENEW_DEADLINE);
    expect(stepDown?.t).toBeLessThanOrEqual(lastRenewal + RENEW_DEADLINE + RETRY_PERIOD);
    // Nobody takes over before the Lease expired (judged by each candidate's own observation,
    // which lags the renewal by up to one retryPeriod), and someone does right after.
    expect(successor?.t).toBeGreaterThanOrEqual(lastRenewal + LEASE_DURATION);
    expect(successor?.t).toBeLessThanOrEqual(lastRenewal + LEASE_DURATION + 2 * RETRY_PERIOD);
    // Here b polls 0.7 s after a: it saw the last renewal 0.7 s late and takes over at its first
    // poll once that observation is leaseDuration old, within leaseDuration + retryPeriod.
    expect(successor).toEqual({ t: lastRenewal + LEASE_DURATION + 1_700, identity: 'b', leading: true });
    expect(successor?.t).toBeGreaterThan(stepDown?.t as number);
    expect(overlaps(intervals(e.transitions))).toEqual([]);
    expect(a.errors.length).toBeGreaterThan(0);
    expect(a.errors.every((error) => isStatusError(error) && error.code === 503)).toBe(true);

    const lease = await e.lease();
    expect(lease.spec?.holderIdentity).toBe(successor?.identity);
    expect(lease.spec?.leaseTransitions).toBe(1);

    // The crashed candidate comes back: it follows, it does not take over.
    a.client.mode = { kind: 'ok' };
    await e.clock.advanceBy(60_000);
    expect(e.leaders()).toEqual([successor?.identity]);
    expect(e.transitions.filter((t) => t.leading)).toHaveLength(2);
  });

  it('failures shorter than renewDeadline do not cost the leader its leadership', async () => {
    const e = election(['a', 'b']);
    e.start('a');
    await e.clock.advanceBy(1_000);
    e.start('b');
    await e.clock.advanceBy(19_500); // t = 20.5 s; a's last renewal at 20 s
    const a = e.candidates.a as Candidate;
    a.client.mode = { kind: 'fail' }; // 22, 24 and 26 fail
    await e.clock.advanceBy(6_000);
    a.client.mode = { kind: 'ok' }; // 28 renews, 8 s after the last renewal
    await e.clock.advanceBy(60_000);
    expect(e.transitions).toEqual([{ t: 0, identity: 'a', leading: true }]);
    expect(a.errors.length).toBeGreaterThan(0);
  });

  it('release with a renewal in flight: waits for it and releases the version it wrote, so the successor does not wait for expiry', async () => {
    const e = election(['a', 'b']);
    e.start('a');
    await e.clock.advanceBy(1_000);
    e.start('b'); // b polls at odd seconds
    await e.clock.advanceBy(19_000); // t = 20 s: a's renewal at 20 s committed
    const a = e.candidates.a as Candidate;
    a.client.mode = { kind: 'slow', delayMs: 600 };
    await e.clock.advanceBy(2_000); // t = 22 s: a's renewal committed, its answer comes at 22.6 s
    e.stop('a');
    expect((await e.lease()).spec?.holderIdentity).toBe('a');
    await e.clock.advanceBy(RETRY_PERIOD);
    // Released right after the in-flight answer (a 409 would have left it held until 37 s).
    expect(a.errors).toEqual([]);
    const successor = e.transitions.find((t) => t.identity === 'b' && t.leading);
    expect(successor?.t).toBe(23_000);
    expect(overlaps(intervals(e.transitions))).toEqual([]);
  });

  it('a stopped leader never releases a Lease a restarted candidate with the same identity now holds', async () => {
    const e = election(['a', 'b']);
    e.start('a');
    await e.clock.advanceBy(1_000);
    e.start('b');
    await e.clock.advanceBy(19_000);
    const a = e.candidates.a as Candidate;
    a.client.mode = { kind: 'slow', delayMs: 600 };
    await e.clock.advanceBy(2_000); // t = 22 s, a renewal in flight
    e.stop('a');
    a.client.mode = { kind: 'ok' };
    e.start('a'); // same identity, a new process: it holds the Lease at once
    await e.clock.advanceBy(60_000);
    expect(e.leaders()).toEqual(['a']);
    expect(e.transitions.filter((t) => t.identity === 'b')).toEqual([]);
    expect(overlaps(intervals(e.transitions))).toEqual([]);
  });

  it('slow answers: leadership counts from when the renewal was sent, not from when its answer came', async () => {
    const e = election(['a', 'b']);
    e.start('a');
    await e.clock.advanceBy(1_000);
    e.start('b'); // b polls at odd seconds, a at even ones
    await e.clock.advanceBy(19_500); // t = 20.5 s; a's last renewal committed at 20 s
    const a = e.candidates.a as Candidate;
    a.client.mode = { kind: 'slow', delayMs: 8_000 };
    await e.clock.advanceBy(2_000); // a's renewal at 22 s commits at once, its answer comes at 30 s
    a.client.mode = { kind: 'fail' };
    await e.clock.advanceBy(60_000);

    expect(a.client.renewals.at(-1)).toBe(22_000);
    const stepDown = e.transitions.find((t) => t.identity === 'a' && !t.leading);
    const successor = e.transitions.find((t) => t.identity === 'b' && t.leading);
    expect(stepDown?.t).toBeLessThanOrEqual(22_000 + RENEW_DEADLINE + RETRY_PERIOD);
    expect(successor?.t).toBeGreaterThanOrEqual(22_000 + LEASE_DURATION);
    expect(overlaps(intervals(e.transitions))).toEqual([]);
  });

  it('hanging requests: a leader steps down at its renew deadline even while a request hangs', async () => {
    const e = election(['a', 'b']);
    e.start('a');
    await e.clock.advanceBy(1_000);
    e.start('b');
    await e.clock.advanceBy(19_500); // t = 20.5 s; a's last renewal at 20 s
    const a = e.candidates.a as Candidate;
    a.client.mode = { kind: 'fail' }; // 22, 24, 26 fail fast
    await e.clock.advanceBy(7_000);
    a.client.mode = { kind: 'hang' }; // 28 hangs
    await e.clock.advanceBy(60_000);

    const stepDown = e.transitions.find((t) => t.identity === 'a' && !t.leading);
    const successor = e.transitions.find((t) => t.identity === 'b' && t.leading);
    expect(stepDown?.t).toBeLessThanOrEqual(20_000 + RENEW_DEADLINE + RETRY_PERIOD);
    expect(successor?.t).toBeGreaterThanOrEqual(20_000 + LEASE_DURATION);
    expect(overlaps(intervals(e.transitions))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

type Step =
  | { readonly gapMs: number; readonly who: number; readonly action: 'stop' }
  | { readonly gapMs: number; readonly who: number; readonly action: 'start' }
  | { readonly gapMs: number; readonly who: number; readonly action: 'mode'; readonly mode: Mode };

const modeArb: fc.Arbitrary<Mode> = fc.oneof(
  fc.constant<Mode>({ kind: 'ok' }),
  fc.constant<Mode>({ kind: 'fail' }),
  fc.constant<Mode>({ kind: 'hang' }),
  fc.integer({ min: 500, max: 9_500 }).map((delayMs): Mode => ({ kind: 'slow', delayMs })),
);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    gapMs: fc.integer({ min: 0, max: 20_000 }),
    who: fc.integer({ min: 0, max: 2 }),
    action: fc.constantFrom('stop' as const, 'start' as const),
  }),
  fc.record({
    gapMs: fc.integer({ min: 0, max: 20_000 }),
    who: fc.integer({ min: 0, max: 2 }),
    action: fc.constant<'mode'>('mode'),
    mode: modeArb,
  }),
);

describe('leaderElection property', () => {
  it('random crash / hang / slow / release / restart schedules never give two leaders at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(
          fc.integer({ min: 0, max: 1_999 }),
          fc.integer({ min: 0, max: 1_999 }),
          fc.integer({ min: 0, max: 1_999 }),
        ),
        fc.array(stepArb, { minLength: 1, maxLength: 10 }),
        async (offsets, steps) => {
          const ids = ['a', 'b', 'c'] as const;
          const e = election(ids);
          const sorted = ids.map((id, i) => ({ id, at: offsets[i] as number })).sort((x, y) => x.at - y.at);
          for (const { id, at } of sorted) {
            await e.clock.advanceBy(at - e.clock.now());
            e.start(id);
          }
          for (const step of steps) {
            await e.clock.advanceBy(step.gapMs);
            const id = ids[step.who] as string;
            const c = e.candidates[id] as Candidate;
            if (step.action === 'stop') {
              if (c.subscription) e.stop(id);
            } else if (step.action === 'start') {
              if (!c.subscription) e.start(id);
            } else c.client.mode = step.mode;
          }
          // Heal everything: a leader must emerge and stay alone.
          for (const id of ids) {
            (e.candidates[id] as Candidate).client.mode = { kind: 'ok' };
            if (!(e.candidates[id] as Candidate).subscription) e.start(id);
          }
          await e.clock.advanceBy(LEASE_DURATION + RENEW_DEADLINE + 4 * RETRY_PERIOD);
          const end = e.clock.now();
          expect(overlaps(intervals(e.transitions, end))).toEqual([]);
          expect(e.leaders()).toHaveLength(1);
          expect((await e.lease()).spec?.holderIdentity).toBe(e.leaders()[0]);
          for (const id of ids) e.stop(id);
        },
      ),
      { numRuns: 200 },
    );
  });
});
