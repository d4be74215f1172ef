/**
 * Keys that all share the store's former string hash (FNV-1a over UTF-16 code units, then
 * murmur3's finaliser, unseeded), for tests that show crafted names no longer hurt (issue 14).
 */

/** The store's hash before it was seeded. */
export function formerHash(key: string): number {
  return finalMix(fnvFrom(0x811c9dc5, key));
}

function fnvFrom(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function finalMix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * `2^rounds` names `x-<block><block>...` whose keys `<namespace>/<name>` share one former hash.
 * FNV-1a's state after a prefix decides everything after it, so two 4-letter blocks that lead one
 * state to the same next state are interchangeable; a birthday search finds such a pair among
 * about 2^16 blocks, and `rounds` pairs in a row make every combination of choices collide.
 * Deterministic; 12 rounds take about 50 ms.
 */
export function formerHashCollidingNames(rounds: number, namespace = 'default'): string[] {
  let state = fnvFrom(0x811c9dc5, `${namespace}/x-`);
  let names = ['x-'];
  let counter = 0;
  for (let r = 0; r < rounds; r++) {
    const seen = new Map<number, string>();
    for (;;) {
      let block = '';
      for (let n = counter++, i = 0; i < 4; i++, n = Math.floor(n / LETTERS.length))
        block += LETTERS[n % LETTERS.length];
      const next = fnvFrom(state, block);
      const other = seen.get(next);
      if (other !== undefined) {
        names = names.flatMap((name) => [name + other, name + block]);
        state = next;
        break;
      }
      seen.set(next, block);
    }
  }
  return names;
}
