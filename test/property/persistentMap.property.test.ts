/**
 * The persistent map behaves like a native `Map` under any sequence of sets and deletes, keeps
 * every earlier version unchanged, and keeps its trie canonical, whatever its hashes do. Each
 * property runs with the process's seeded hashes, with fixed seeds, and with hashes made weak on
 * purpose: a first hash under which keys share their low 30 bits or all 32 (so they go on by the
 * second hash, at the first round's last level and beyond), and both hashes colliding (so keys
 * share collision nodes).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { PersistentMap, trieProblems } from '../../src/store/persistentMap.js';
import { type KeyHashes, seededHashes } from '../../src/store/stringHash.js';

const KEYS = [
  ...Array.from({ length: 60 }, (_, i) => `default/pod-${i}`),
  ...Array.from({ length: 8 }, (_, i) => `ns-${i}/x`),
  '',
  'kube-system/coredns',
];

const fixed = seededHashes(0x1234, 0x5678);
/** Only bits 30 and 31 vary: keys share the first round's first six levels, most share all seven. */
const topBits = (key: string) => ((key.length % 3) << 30) >>> 0;
const HASHES: [string, KeyHashes | undefined][] = [
  ['the process hashes', undefined],
  ['fixed seeds', fixed],
  ['a first hash that keys share (second round)', { first: topBits, second: fixed.second }],
  [
    'both hashes shared (collision nodes)',
    { first: topBits, second: (key) => (((key.charCodeAt(key.length - 1) || 0) % 2) << 30) >>> 0 },
  ],
];

type Op = { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.constantFrom(...KEYS),
    value: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }),
);

function expectSameAs(map: PersistentMap<number>, model: Map<string, number>): void {
  expect(map.size).toBe(model.size);
  expect(new Map(map.entries())).toEqual(model);
  for (const key of KEYS) {
    expect(map.get(key)).toBe(model.get(key));
    expect(map.has(key)).toBe(model.has(key));
  }
  expect(trieProblems(map)).toEqual([]);
}

describe.each(HASHES)('PersistentMap with %s', (_, hashes) => {
  test.prop([fc.array(op, { maxLength: 300 })])(
    'persistent updates (set, swap) match a Map, old versions unchanged',
    (ops) => {
      const model = new Map<string, number>();
      let map = PersistentMap.empty<number>(hashes);
      const versions: [PersistentMap<number>, Map<string, number>][] = [];
      for (const o of ops) {
        versions.push([map, new Map(model)]);
        const before = map;
        if (o.kind === 'set') {
          const unchanged = model.get(o.key) === o.value;
          if (o.value % 2 === 1) {
            // swap: the same map as set, and the value the key held (also in collision nodes).
            const [next, old] = map.swap(o.key, o.value);
            expect(old).toBe(model.get(o.key));
            map = next;
          } else map = map.set(o.key, o.value);
          model.set(o.key, o.value);
          if (unchanged) expect(map).toBe(before);
        } else {
          const absent = !model.has(o.key);
          map = map.delete(o.key);
          model.delete(o.key);
          if (absent) expect(map).toBe(before);
        }
      }
      expectSameAs(map, model);
      for (const [version, state] of versions) expectSameAs(version, state);
    },
  );

  test.prop([fc.array(op, { maxLength: 300 }), fc.array(fc.array(op, { maxLength: 40 }), { maxLength: 6 })])(
    'transient batches match a Map and never change a map they started from',
    (setup, batches) => {
      const model = new Map<string, number>();
      const start = PersistentMap.empty<number>(hashes).withMutations((draft) => {
        for (const o of setup) {
          if (o.kind === 'set') {
            draft.set(o.key, o.value);
            model.set(o.key, o.value);
          } else {
            draft.delete(o.key);
            model.delete(o.key);
          }
          expect(draft.size).toBe(model.size);
        }
      });
      expectSameAs(start, model);
      const startState = new Map(model);
      // One draft across batches: each asPersistent result must survive the draft's later edits.
      const draft = start.asMutable();
      const results: [PersistentMap<number>, Map<string, number>][] = [];
      for (const batch of batches) {
        for (const o of batch) {
          if (o.kind === 'set') {
            draft.set(o.key, o.value);
            model.set(o.key, o.value);
          } else {
            draft.delete(o.key);
            model.delete(o.key);
          }
          expect(draft.get(o.key)).toBe(model.get(o.key));
        }
        results.push([draft.asPersistent(), new Map(model)]);
      }
      expectSameAs(start, startState);
      for (const [result, state] of results) expectSameAs(result, state);
    },
  );

  it('stores undefined as a value distinct from a missing key', () => {
    const map = PersistentMap.empty<undefined>(hashes).set('a', undefined);
    expect(map.has('a')).toBe(true);
    expect(map.has('b')).toBe(false);
    expect(map.size).toBe(1);
  });
});

describe('PersistentMap at scale', () => {
  it('holds 100k keys and gives every one back', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `ns-${i % 20}/pod-${i}`);
    const map = PersistentMap.of(keys.map((key, i) => [key, i] as const));
    expect(map.size).toBe(100_000);
    expect(keys.every((key, i) => map.get(key) === i)).toBe(true);
    let count = 0;
    map.forEach((value, key) => {
      if (keys[value] === key) count++;
    });
    expect(count).toBe(100_000);
    expect(trieProblems(map)).toEqual([]);
    const half = map.withMutations((draft) => {
      for (let i = 0; i < keys.length; i += 2) draft.delete(keys[i] as string);
    });
    expect(half.size).toBe(50_000);
    expect(half.has(keys[0] as string)).toBe(false);
    expect(half.get(keys[1] as string)).toBe(1);
    expect(map.size).toBe(100_000);
    expect(trieProblems(half)).toEqual([]);
  });
});
