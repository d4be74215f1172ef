import { describe, expect, it } from 'vitest';
import { fnv1a32, hashRing } from '../../src/runtime/sharding/ring.js';

const keys = Array.from({ length: 10_000 }, (_, i) => `default/object-${i}`);

describe('hashRing', () => {
  it('is empty without members', () => {
    expect(hashRing([]).ownerOf('a')).toBeUndefined();
  });

  it('hashes deterministically', () => {
    expect(fnv1a32('kube-rx')).toBe(fnv1a32('kube-rx'));
    expect(fnv1a32('a')).not.toBe(fnv1a32('b'));
  });

  it('does not depend on member order or duplicates', () => {
    const a = hashRing(['r1', 'r2', 'r3']);
    const b = hashRing(['r3', 'r1', 'r2', 'r1']);
    expect(keys.every((k) => a.ownerOf(k) === b.ownerOf(k))).toBe(true);
  });

  it('splits 10,000 keys about evenly between 4 members', () => {
    const ring = hashRing(['r1', 'r2', 'r3', 'r4']);
    const counts = new Map<string, number>();
    for (const k of keys)
      counts.set(ring.ownerOf(k) as string, (counts.get(ring.ownerOf(k) as string) ?? 0) + 1);
    for (const n of counts.values()) expect(Math.abs(n - 2500)).toBeLessThan(2500 * 0.35);
  });

  it('moves about 1/N of the keys when a fifth member joins, all of them to the newcomer', () => {
    const before = hashRing(['r1', 'r2', 'r3', 'r4']);
    const after = hashRing(['r1', 'r2', 'r3', 'r4', 'r5']);
    const moved = keys.filter((k) => before.ownerOf(k) !== after.ownerOf(k));
    expect(moved.every((k) => after.ownerOf(k) === 'r5')).toBe(true);
    expect(Math.abs(moved.length / keys.length - 1 / 5)).toBeLessThan(0.08);
  });
});
