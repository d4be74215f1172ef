/**
 * The sharder's decision for one object, as a pure function of its labels, the live members and
 * the ring, so that the handover rules are stated (and tested) in one place:
 *
 * - unassigned, or assigned to a member that is no longer live (its Lease expired): `assign` to
 *   the ring's owner at once, clearing any drain mark: a dead shard reconciles nothing;
 * - assigned to a live member that is not the ring's owner: `drain` (set the drain label); the
 *   old shard acknowledges by removing both labels, which makes the object unassigned;
 * - draining: wait for the acknowledgment (nothing to do);
 * - otherwise in place.
 * The new shard label is thus only ever set on an object that no live shard holds.
 */
import type { HashRing } from './ring.js';

/** What the sharder does with one object. */
export type Assignment =
  | { readonly kind: 'keep' }
  | { readonly kind: 'assign'; readonly to: string }
  | { readonly kind: 'drain'; readonly from: string };

const keep: Assignment = { kind: 'keep' };

/** Decides for one object from its current shard label, drain label and the ring of live members. */
export function assignmentOf(
  key: string,
  current: string | undefined,
  draining: boolean,
  live: ReadonlySet<string>,
  ring: HashRing,
): Assignment {
  const owner = ring.ownerOf(key);
  if (owner === undefined) return keep;
  if (current === undefined || current === '' || !live.has(current)) return { kind: 'assign', to: owner };
  if (draining || current === owner) return keep;
  return { kind: 'drain', from: current };
}
