/**
 * Ring invariants over random member sets: every key has a member of the ring, the assignment is
 * deterministic, and adding or removing one of N members moves about 1/N of 10,000 keys, only to
 * (or from) that member.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashRing } from '../../src/runtime/sharding/ring.js';

const keys = Array.from({ length: 10_000 }, (_, i) => `ns-${i % 7}/obj-${i}`);
const members = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/), { minLength: 2, maxLength: 6 });

describe('hashRing (property)', () => {
  it('maps every key to a member, the same way twice', () => {
    fc.assert(
      fc.property(members, fc.string(), (names, key) => {
        const owner = hashRing(names).ownerOf(key);
        expect(names).toContain(owner);
        expect(hashRing([...names].reverse()).ownerOf(key)).toBe(owner);
      }),
      { numRuns: 200 },
    );
  });

  it('moves about 1/N of the keys when one member joins or leaves', () => {
    fc.assert(
      fc.property(members, fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/), (names, extra) => {
        fc.pre(!names.includes(extra));
        const small = hashRing(names);
        const large = hashRing([...names, extra]);
        let moved = 0;
        for (const k of keys) {
          const a = small.ownerOf(k);
          const b = large.ownerOf(k);
          if (a !== b) {
            moved++;
            expect(b).toBe(extra); // nothing moves between the members that stayed
          }
        }
        const n = names.length + 1;
        expect(Math.abs(moved / keys.length - 1 / n)).toBeLessThan(0.5 / n);
      }),
      { numRuns: 40 },
    );
  });
});
