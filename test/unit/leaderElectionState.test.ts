/**
 * One leader-election candidate's decisions (src/runtime/leaderElectionState.ts), driven directly
 * with Leases built by hand: no client, no timers.
 */
import type { V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  attemptBudget,
  attemptPending,
  attemptSettled,
  attemptStarted,
  type ElectionConfig,
  type ElectionState,
  initialElectionState,
  type LeaseSpec,
  leaseSpec,
  microTime,
  onLeaseRead,
  releasedLease,
  releasePlan,
  stop,
  wrote,
} from '../../src/runtime/leaderElectionState.js';

const config: ElectionConfig = {
  identity: 'me',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

function leaseOf(spec: Partial<LeaseSpec>, resourceVersion = '7'): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'l', namespace: 'ns', resourceVersion },
    spec: spec as LeaseSpec,
  };
}

const other = (renewTime = '2000-01-01T00:00:00.000000Z') =>
  leaseOf({
    holderIdentity: 'them',
    leaseDurationSeconds: 15,
    acquireTime: '2000-01-01T00:00:00.000000Z' as unknown as Date,
    renewTime: renewTime as unknown as Date,
    leaseTransitions: 3,
  });

/** A candidate that leads since a renewal that started at `lastRenewal`. */
function leader(lastRenewal: number): ElectionState {
  const started = attemptStarted(initialElectionState, lastRenewal);
  return afterAttempt(started, config, 'held', lastRenewal + 5);
}

describe('leaseSpec: the record to write', () => {
  it('on a new Lease: this holder, acquired and renewed now, no transition', () => {
    const spec = leaseSpec(
      { ...config, leaseDurationMs: 15_500 },
      undefined,
      Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    );
    expect(spec).toEqual({
      holderIdentity: 'me',
      leaseDurationSeconds: 16,
      acquireTime: '2024-01-02T03:04:05.678000Z',
      renewTime: '2024-01-02T03:04:05.678000Z',
      leaseTransitions: 0,
    });
    expect(String(spec.renewTime)).toMatch(MICRO_TIME);
  });

  it('taking over from another holder counts one more transition and acquires now', () => {
    const spec = leaseSpec(config, other().spec, 0);
    expect(spec.leaseTransitions).toBe(4);
    expect(spec.acquireTime).toBe('1970-01-01T00:00:00.000000Z');
  });

  it('renewing keeps the acquire time and the transitions', () => {
    const mine = leaseSpec(config, undefined, 1_000);
    const renewed = leaseSpec(config, { ...mine, leaseTransitions: 2 }, 9_000);
    expect(renewed.acquireTime).toBe(mine.acquireTime);
    expect(renewed.renewTime).toBe('1970-01-01T00:00:09.000000Z');
    expect(renewed.leaseTransitions).toBe(2);
  });

  it('microTime always has six fractional digits', () => {
    expect(microTime(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(microTime(1_234)).toBe('1970-01-01T00:00:01.234000Z');
  });
});

describe('onLeaseRead: whether to write the Lease', () => {
  it('creates a missing Lease', () => {
    const { state, action } = onLeaseRead(initialElectionState, config, undefined, 5);
    expect(action).toEqual({ kind: 'create', spec: leaseSpec(config, undefined, 5) });
    expect(state).toBe(initialElectionState);
  });

  it('leaves another holder alone while its record is younger than leaseDuration by the local clock', () => {
    const first = onLeaseRead(initialElectionState, config, other(), 1_000);
    expect(first.action).toEqual({ kind: 'leave', result: 'other' });
    expect(first.state.observedAt).toBe(1_000);
    const unchanged = onLeaseRead(first.state, config, other(), 15_999);
    expect(unchanged.action).toEqual({ kind: 'leave', result: 'other' });
    expect(unchanged.state.observedAt).toBe(1_000);
  });

  it('takes over a record unchanged for leaseDuration, whatever time it claims (clock skew)', () => {
    const far = '2999-01-01T00:00:00.000000Z'; // a renewTime in the future says nothing
    const seen = onLeaseRead(initialElectionState, config, other(far), 1_000).state;
    const { state, action } = onLeaseRead(seen, config, other(far), 16_000);
    expect(action.kind).toBe('replace');
    if (action.kind !== 'replace') return;
    expect(action.lease.metadata?.resourceVersion).toBe('7'); // the write is guarded by it
    expect(action.lease.spec).toEqual(leaseSpec(config, other(far).spec, 16_000));
    expect(state.observedAt).toBe(1_000);
  });

  it('a changed record restarts the expiry clock', () => {
    const seen = onLeaseRead(initialElectionState, config, other('2000-01-01T00:00:01.000000Z'), 1_000).state;
    // Unchanged, the record would have expired at 16 000; changed, it lives until 31 500.
    const renewed = onLeaseRead(seen, config, other('2000-01-01T00:00:02.000000Z'), 16_500);
    expect(renewed.state.observedAt).toBe(16_500);
    expect(renewed.action).toEqual({ kind: 'leave', result: 'other' });
  });

  it('renews its own Lease and takes a free one (no holder) at once', () => {
    const mine = leaseOf(leaseSpec(config, undefined, 0));
    expect(onLeaseRead(initialElectionState, config, mine, 1).action.kind).toBe('replace');
    const free = leaseOf({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(onLeaseRead(initialElectionState, config, free, 1).action.kind).toBe('replace');
  });

  it('a stopped candidate never writes, and does not even record what it read', () => {
    const stopped = stop(initialElectionState);
    expect(onLeaseRead(stopped, config, undefined, 1)).toEqual({
      state: stopped,
      action: { kind: 'leave', result: 'failed' },
    });
    expect(onLeaseRead(stopped, config, other(), 1).state.observed).toBeUndefined();
  });

  it('what it wrote becomes the observed record and the Lease it may release', () => {
    const written = leaseOf(leaseSpec(config, undefined, 0), '8');
    const state = wrote(initialElectionState, written, 3_000);
    expect(state.latest).toBe(written);
    expect(state.observed).toBe(JSON.stringify(written.spec));
    expect(state.observedAt).toBe(3_000);
  });
});

describe('afterAttempt and attemptBudget: leading and stepping down', () => {
  it('a held attempt leads, counting the renewal from the attempt start, not its answer', () => {
    const state = leader(4_000);
    expect(state.leading).toBe(true);
    expect(state.lastRenewal).toBe(4_000);
  });

  it('a failed renewal keeps leading until renewDeadline has passed since the last renewal', () => {
    const state = leader(0);
    expect(afterAttempt(attemptStarted(state, 9_000), config, 'failed', 9_999).leading).toBe(true);
    expect(afterAttempt(attemptStarted(state, 9_000), config, 'failed', 10_000).leading).toBe(false);
  });

  it('seeing another holder steps down at once', () => {
    expect(afterAttempt(leader(0), config, 'other', 1).leading).toBe(false);
  });

  it('a follower failing stays a follower', () => {
    expect(afterAttempt(initialElectionState, config, 'failed', 1).leading).toBe(false);
  });

  it("a follower's attempt may take renewDeadline; a leader's only what is left of it", () => {
    expect(attemptBudget(attemptStarted(initialElectionState, 50_000), config)).toBe(10_000);
    expect(attemptBudget(attemptStarted(leader(1_000), 3_000), config)).toBe(8_000);
    expect(attemptBudget(attemptStarted(leader(1_000), 11_000), config)).toBe(0);
  });
});

describe('in-flight attempts and release', () => {
  it('only the latest attempt settling clears the in-flight promise', () => {
    const older = Promise.resolve();
    const latest = Promise.resolve();
    const state = attemptPending(attemptPending(initialElectionState, older), latest);
    expect(attemptSettled(state, older).inflight).toBe(latest);
    expect(attemptSettled(state, latest).inflight).toBeUndefined();
  });

  it('releases only a Lease it leads with, at once or after the write in flight', () => {
    const written = wrote(leader(0), leaseOf(leaseSpec(config, undefined, 0)), 0);
    expect(releasePlan(stop(written))).toBe('now');
    expect(releasePlan(stop(attemptPending(written, Promise.resolve())))).toBe('afterInflight');
    expect(releasePlan(stop(leader(0)))).toBe('none'); // never wrote one
    expect(releasePlan(stop(afterAttempt(written, config, 'other', 1)))).toBe('none');
  });

  it('a released Lease has no holder and lasts 1 s, on the version it wrote', () => {
    const held = leaseOf(leaseSpec(config, undefined, 0), '42');
    const released = releasedLease(held, 2_000);
    expect(released.metadata?.resourceVersion).toBe('42');
    expect(released.spec).toEqual({
      ...held.spec,
      holderIdentity: '',
      leaseDurationSeconds: 1,
      renewTime: '1970-01-01T00:00:02.000000Z',
    });
  });
});
