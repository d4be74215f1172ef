/**
 * Names crafted to collide in the store's hash no longer slow it down (issue 14). The former hash
 * was FNV-1a plus murmur3's finaliser, unseeded: 4,096 pod names that share it, computed here,
 * all landed in one collision node, copied on every insert (quadratic: a relist 100x slower). With
 * seeded hashes they scatter like any names; and even keys that do share the first hash go on by
 * the second one in more trie levels instead of piling into a linear node.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PersistentMap, trieShape } from '../../src/store/persistentMap.js';
import { type KeyHashes, processHashes } from '../../src/store/stringHash.js';
import { formerHash, formerHashCollidingNames } from '../support/formerHashCollisions.js';

const COLLIDING = formerHashCollidingNames(12).map((name) => `default/${name}`);
const ORDINARY = COLLIDING.map((_, i) => `default/pod-${String(i).padStart(5, '0')}`);
const FORMER: KeyHashes = { first: formerHash, second: formerHash };

/** A relist's way of building the map: one transient batch. */
function relist(keys: readonly string[], hashes?: KeyHashes): PersistentMap<number> {
  return PersistentMap.empty<number>(hashes).withMutations((draft) => {
    for (let i = 0; i < keys.length; i++) draft.set(keys[i] as string, i);
  });
}

/** Median wall time of `runs` calls, in ms. */
function medianMs(fn: () => void, runs = 7): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)] as number;
}

describe('keys crafted against the former hash (issue 14)', () => {
  it('4,096 names share one former hash (the attack is real)', () => {
    expect(COLLIDING).toHaveLength(4096);
    expect(new Set(COLLIDING).size).toBe(4096);
    expect(new Set(COLLIDING.map(formerHash)).size).toBe(1);
    // under the former scheme they form one linear collision node of every key
    expect(trieShape(relist(COLLIDING, FORMER)).largestCollision).toBe(4096);
  });

  it('with the seeded hashes they scatter: no collision node, as shallow as ordinary names', () => {
    const colliding = trieShape(relist(COLLIDING));
    expect(colliding.largestCollision).toBe(0);
    // 4,096 random hashes fill about three levels of a 32-way trie; eight is the first of the second round
    expect(colliding.depth).toBeLessThanOrEqual(7);
    expect(new Set(COLLIDING.map(processHashes.first)).size).toBeGreaterThan(4090);
  });

  it('keys that do share the whole first hash go on by the second: no collision node, logarithmic depth', () => {
    const shape = trieShape(relist(COLLIDING, { first: formerHash, second: processHashes.second }));
    expect(shape.largestCollision).toBe(0);
    // seven single-child levels of the shared first hash, then a few of the second
    expect(shape.depth).toBeGreaterThanOrEqual(7);
    expect(shape.depth).toBeLessThanOrEqual(7 + 7);
    const map = relist(COLLIDING, { first: formerHash, second: processHashes.second });
    expect(COLLIDING.every((key, i) => map.get(key) === i)).toBe(true);
  });

  it('a relist of the crafted names costs about what one of ordinary names does, not orders of magnitude more', () => {
    relist(ORDINARY);
    relist(COLLIDING); // warm up both paths
    const ordinary = medianMs(() => relist(ORDINARY));
    const colliding = medianMs(() => relist(COLLIDING));
    const former = medianMs(() => relist(COLLIDING, FORMER), 3);
    // generous bounds for two noisy cores: the former scheme is about 35x slower here
    expect(colliding).toBeLessThan(Math.max(4 * ordinary, 5));
    expect(former).toBeGreaterThan(5 * colliding);
  });

  it('each process draws its own seeds: another process places the same key elsewhere', () => {
    const script =
      "import { processHashes } from './src/store/stringHash.ts';" +
      "console.log(processHashes.first('default/web'), processHashes.second('default/web'));";
    const other = () =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: new URL('../..', import.meta.url),
        encoding: 'utf8',
      }).trim();
    const here = `${processHashes.first('default/web')} ${processHashes.second('default/web')}`;
    const [a, b] = [other(), other()];
    // two independent 64-bit draws agree with probability 2^-64
    expect(new Set([here, a, b]).size).toBe(3);
  }, 30_000);
});
