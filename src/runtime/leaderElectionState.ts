/**
 * One leader-election candidate's state and the decisions client-go's `leaderelection.go` takes on
 * it, as pure functions (state in, state out) that the `leaderElection` observable drives.
 *
 * ```
 *  every retryPeriod: read the Lease, maybe write it
 *                 missing, free, expired or ours, and written
 *  follower ────────────────────────────────────────────────────> leader ──┐ renewed, or failed
 *   │  ^  ^                                                       │  ^     │ within renewDeadline
 *   └──┘  └─── another holder seen, or no renewal for renewDeadline ┘  └─────┘
 *   another live holder, or the attempt failed
 *  unsubscribed ──> stopped: a leader releases the Lease (holder ''), after its write in flight if any
 * ```
 *
 * Expiry is judged as client-go does: by the local time at which this candidate last saw the
 * record change (`observedAt`) plus `leaseDuration`, never by the timestamps in the record, so
 * clock skew between machines cannot make two leaders. A leader steps down when renewals fail for
 * `renewDeadline` (shorter than `leaseDuration`), so it stops before anyone else may take over.
 */
import type { V1Lease } from '@kubernetes/client-node';

/** The Lease's `spec`: the election record. */
export type LeaseSpec = NonNullable<V1Lease['spec']>;

/** Who competes, and client-go's timings. */
export interface ElectionConfig {
  /** This candidate's identity, unique per process. */
  readonly identity: string;
  /** How long a Lease is valid after its last observed change. */
  readonly leaseDurationMs: number;
  /** A leader steps down after failing to renew for this long. */
  readonly renewDeadlineMs: number;
  /** Interval between attempts; also the longest a release waits for a write in flight. */
  readonly retryPeriodMs: number;
}

/** How one attempt (client-go's `tryAcquireOrRenew`) ended. */
export type Attempt =
  /** This candidate holds the Lease: it wrote it. */
  | 'held'
  /** Another live holder has it. */
  | 'other'
  /** The attempt failed (error, conflict, timeout, or stopped): it proves nothing. */
  | 'failed';

/** A candidate's state. Times are scheduler ms. */
export interface ElectionState {
  /** The election record last read or written (the Lease spec as JSON); `undefined` before any. */
  readonly observed: string | undefined;
  /**
   * Local time at which `observed` last changed. Another holder's Lease is live until
   * `observedAt + leaseDuration`, whatever its own timestamps say.
   */
  readonly observedAt: number;
  /**
   * This candidate leads. Set only by a `held` attempt; cleared by an `other` attempt, or once
   * `lastRenewal` is `renewDeadline` old. While leading, `lastRenewal` is at most `renewDeadline` old.
   */
  readonly leading: boolean;
  /**
   * When the last `held` attempt started. Its write committed no earlier, so others, who judge
   * expiry from when they saw it, count from a later time: leading until `lastRenewal +
   * renewDeadline` never overlaps another candidate's leadership.
   */
  readonly lastRenewal: number;
  /** When the latest attempt started. */
  readonly attemptStartedAt: number;
  /** The Lease as this candidate last wrote it; only a version it wrote itself is ever released. */
  readonly latest: V1Lease | undefined;
  /** Unsubscribed: for good. No attempt writes the Lease any more, except the release. */
  readonly stopped: boolean;
  /**
   * Settles when the latest attempt's requests do, even after its timeout gave up on it;
   * `undefined` when none is pending. A release waits for it so as not to race its own renewal.
   */
  readonly inflight: Promise<void> | undefined;
}

/** A candidate that has seen nothing and never led. */
export const initialElectionState: ElectionState = {
  observed: undefined,
  observedAt: Number.NEGATIVE_INFINITY,
  leading: false,
  lastRenewal: Number.NEGATIVE_INFINITY,
  attemptStartedAt: Number.NEGATIVE_INFINITY,
  latest: undefined,
  stopped: false,
  inflight: undefined,
};

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The record this candidate writes to acquire or renew at `now` (client-go's `LeaderElectionRecord`):
 * a renewal keeps `acquireTime` and `leaseTransitions`; a takeover counts one more transition.
 */
export function leaseSpec(config: ElectionConfig, previous: LeaseSpec | undefined, now: number): LeaseSpec {
  const renewing = previous?.holderIdentity === config.identity;
  return {
    holderIdentity: config.identity,
    leaseDurationSeconds: Math.ceil(config.leaseDurationMs / 1000),
    acquireTime: (renewing ? previous.acquireTime : microTime(now)) as unknown as Date,
    renewTime: microTime(now) as unknown as Date,
    leaseTransitions: (previous?.leaseTransitions ?? 0) + (renewing ? 0 : previous ? 1 : 0),
  } as LeaseSpec;
}

/** The Lease a stopping leader writes to hand over at once (`ReleaseOnCancel`): no holder, 1 s. */
export function releasedLease(held: V1Lease, now: number): V1Lease {
  return {
    ...held,
    spec: {
      ...held.spec,
      holderIdentity: '',
      leaseDurationSeconds: 1,
      renewTime: microTime(now) as unknown as Date,
    },
  };
}

/** An attempt starts at `now`. */
export function attemptStarted(state: ElectionState, now: number): ElectionState {
  return { ...state, attemptStartedAt: now };
}

/**
 * How long the latest attempt may take. A leader's attempt may not outlive its renew deadline
 * (client-go's renew context): a hanging request must not keep it leading past the point where
 * others may take the Lease over. Zero or less: the attempt fails at once.
 */
export function attemptBudget(state: ElectionState, config: ElectionConfig): number {
  return state.leading
    ? state.lastRenewal + config.renewDeadlineMs - state.attemptStartedAt
    : config.renewDeadlineMs;
}

/** The latest attempt's requests are pending until `settled` settles. */
export function attemptPending(state: ElectionState, settled: Promise<void>): ElectionState {
  return { ...state, inflight: settled };
}

/** An attempt's requests settled; only the latest attempt's clears `inflight`. */
export function attemptSettled(state: ElectionState, settled: Promise<void>): ElectionState {
  return state.inflight === settled ? { ...state, inflight: undefined } : state;
}

/** What to do after reading the Lease. */
export type LeaseAction =
  /** No Lease yet: create it with this record. */
  | { readonly kind: 'create'; readonly spec: LeaseSpec }
  /** Free, expired or ours: replace it with this body (guarded by its resourceVersion). */
  | { readonly kind: 'replace'; readonly lease: V1Lease }
  /** Leave it: the attempt ends with `result`. */
  | { readonly kind: 'leave'; readonly result: 'other' | 'failed' };

/**
 * client-go's `tryAcquireOrRenew` after its Get, `current` being the Lease read at `now`
 * (`undefined` when there is none): whether to write it, and what. A stopped candidate never
 * writes; a changed record restarts the expiry clock; another holder is left alone until its
 * Lease expired by that clock.
 */
export function onLeaseRead(
  state: ElectionState,
  config: ElectionConfig,
  current: V1Lease | undefined,
  now: number,
): { readonly state: ElectionState; readonly action: LeaseAction } {
  if (state.stopped) return { state, action: { kind: 'leave', result: 'failed' } };
  if (current === undefined)
    return { state, action: { kind: 'create', spec: leaseSpec(config, undefined, now) } };
  const record = JSON.stringify(current.spec ?? {});
  const seen = record === state.observed ? state : { ...state, observed: record, observedAt: now };
  const holder = current.spec?.holderIdentity;
  if (holder && holder !== config.identity && seen.observedAt + config.leaseDurationMs > now)
    return { state: seen, action: { kind: 'leave', result: 'other' } };
  return {
    state: seen,
    action: { kind: 'replace', lease: { ...current, spec: leaseSpec(config, current.spec, now) } },
  };
}

/** The Lease this candidate wrote (created or replaced) at `now`: its own record, observed then. */
export function wrote(state: ElectionState, lease: V1Lease, now: number): ElectionState {
  return { ...state, latest: lease, observed: JSON.stringify(lease.spec), observedAt: now };
}

/**
 * Whether this candidate leads after an attempt ended at `now`. Renewal time counts from the
 * attempt's start, not its answer (see `lastRenewal`). It steps down when someone else holds the
 * Lease, or when renewals failed for `renewDeadline`.
 */
export function afterAttempt(
  state: ElectionState,
  config: ElectionConfig,
  result: Attempt,
  now: number,
): ElectionState {
  if (result === 'held') return { ...state, lastRenewal: state.attemptStartedAt, leading: true };
  if (result === 'other' || now - state.lastRenewal >= config.renewDeadlineMs)
    return state.leading ? { ...state, leading: false } : state;
  return state;
}

/** Unsubscribed. */
export function stop(state: ElectionState): ElectionState {
  return { ...state, stopped: true };
}

/**
 * What a stopping candidate does with the Lease: nothing unless it leads and wrote one; release it
 * `now`; or, with a renewal in flight (a release sent now would fail with 409 and leave the successor
 * waiting for expiry), release the version that renewal writes once it settles, waiting at most a
 * retry period.
 */
export function releasePlan(state: ElectionState): 'none' | 'now' | 'afterInflight' {
  if (!state.leading || !state.latest) return 'none';
  return state.inflight ? 'afterInflight' : 'now';
}
