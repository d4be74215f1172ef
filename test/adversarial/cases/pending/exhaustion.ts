/**
 * Pending (issue 14, "Resource exhaustion"): names built to collide in the store's unseeded
 * string hash make a relist about 30 times slower (collision nodes copied on every insert). Move
 * the case into `../exhaustion.test.ts` once it passes.
 */
import type { InformerCase } from '../../support/adversarialCase.js';
import { expectNoLongStall } from '../../support/assertions.js';
import { pod } from '../../support/objects.js';
import { okList, watchLines } from '../../support/recipes.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** FNV-1a over UTF-16 code units, without the final mix (a bijection, so collisions survive it). */
function fnvStep(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * `2^blocks` pod names whose keys `default/<name>` share one 32-bit hash (Joux multicollisions):
 * for each 5-character block, a birthday search finds two blocks that lead the hash state to the
 * same value; any choice of one block per position then collides. Deterministic (an LCG). Built
 * for the unseeded `hashString` of `src/store/persistentMap.ts`; a seeded hash scatters them.
 */
export function collidingNames(blocks: number): string[] {
  let state = fnvStep(0x811c9dc5, 'default/c-');
  let seed = 1;
  const pairs: [string, string][] = [];
  for (let b = 0; b < blocks; b++) {
    const seen = new Map<number, string>();
    for (let tries = 0; tries < 5_000_000; tries++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      let block = '';
      for (let r = seed, i = 0; i < 5; i++, r = Math.floor(r / 36)) block += ALPHABET[r % 36];
      const next = fnvStep(state, block);
      const other = seen.get(next);
      if (other !== undefined && other !== block) {
        pairs.push([other, block]);
        state = next;
        break;
      }
      seen.set(next, block);
    }
  }
  let names = ['c-'];
  for (const [x, y] of pairs) names = names.flatMap((n) => [n + x, n + y]);
  return names;
}

export const collidingNamesRelist: InformerCase = (() => {
  const names = collidingNames(12);
  const colliding = names.map((name, i) => pod(name, String(i + 1)));
  return {
    name: `a list of ${names.length} names crafted to collide in the store's hash is applied without a long stall`,
    defectClass: 'exhaustion',
    server: {
      list: okList(colliding, String(names.length)),
      watch: watchLines([], 'hang'),
      valid: colliding,
    },
    runMs: 1500,
    check: (run) => expectNoLongStall(run),
  };
})();
