/**
 * The readiness check of a shard: ready only while its membership Lease is held. A replica whose
 * Lease is not (yet, or any more) renewed owns no objects, or is about to lose them to the others,
 * so a Service or a rollout should not count it as serving; the kubelet then sees what the
 * sharder sees. Added to a manager's `/readyz` by passing `mgr.probes` to `shardedController`.
 */
import type { HealthCheck } from '../probes.js';

/** Where a shard's membership stands, as its readiness check reports it. */
export type ShardMembershipState = 'starting' | 'held' | 'lost' | 'stopped';

/** What `shardedController` tells about its membership, and the check derived from it. */
export interface ShardMembershipReadiness {
  /** `membershipLease` said whether the Lease is held. */
  observe(held: boolean): void;
  /** The shard was unsubscribed. */
  stopped(): void;
  /** The state now. */
  readonly state: ShardMembershipState;
  /** Passes while the Lease is held; the reason names the ring, the identity and the state. */
  readonly check: HealthCheck;
}

/** Creates the tracker of one replica's membership in `ring`; it starts unready. */
export function shardMembershipReadiness(ring: string, identity: string): ShardMembershipReadiness {
  let state: ShardMembershipState = 'starting';
  const why: Record<Exclude<ShardMembershipState, 'held'>, string> = {
    starting: 'not renewed yet',
    lost: 'renewals failing for the renew deadline',
    stopped: 'the shard is not running',
  };
  return {
    observe(held) {
      state = held ? 'held' : 'lost';
    },
    stopped() {
      state = 'stopped';
    },
    get state() {
      return state;
    },
    check() {
      if (state !== 'held')
        throw new Error(`membership Lease of ${identity} in ring ${ring} not held: ${why[state]}`);
    },
  };
}
