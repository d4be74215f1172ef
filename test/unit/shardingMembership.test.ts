import type { V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { microTime } from '../../src/runtime/leaderElectionState.js';
import { leaseExpiry, shardState } from '../../src/runtime/sharding/membership.js';

const lease = (renewedAt?: number): V1Lease => ({
  metadata: { name: 'r1' },
  spec: {
    holderIdentity: 'r1',
    leaseDurationSeconds: 15,
    ...(renewedAt === undefined ? {} : { renewTime: microTime(renewedAt) as unknown as Date }),
  },
});

describe('shardState', () => {
  it('is ready until renewTime + duration, expired for one more duration, then dead', () => {
    expect(leaseExpiry(lease(1_000))).toBe(16_000);
    expect(shardState(lease(1_000), 15_999)).toBe('ready');
    expect(shardState(lease(1_000), 16_000)).toBe('expired');
    expect(shardState(lease(1_000), 30_999)).toBe('expired');
    expect(shardState(lease(1_000), 31_000)).toBe('dead');
  });
  it('is dead without a renewal; an explicit duration overrides the Lease', () => {
    expect(shardState(lease(), 0)).toBe('dead');
    expect(shardState(lease(0), 5_000, 5_000)).toBe('expired');
  });
});
