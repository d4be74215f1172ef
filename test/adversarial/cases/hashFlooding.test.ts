/**
 * Resource exhaustion through the store's hash (issue 14): a server lists 4,096 pods whose names
 * were computed to share the store's former (unseeded) string hash. They used to land in one
 * collision node copied on every insert, and the relist stalled the event loop about 30 times
 * longer than one of ordinary names. With per-process seeded hashes the crafted names cost what
 * ordinary ones do. The bound is relative (the same relist with ordinary names, run just before),
 * so a slow machine does not fail it; it runs alone, as every stall measurement must.
 */
import { expect } from 'vitest';
import type { KubeObject } from '../../../src/core/objects.js';
import { formerHash, formerHashCollidingNames } from '../../support/formerHashCollisions.js';
import type { InformerCase, StandaloneCase } from '../support/adversarialCase.js';
import { describeCases, runCase } from '../support/assertions.js';
import { pod } from '../support/objects.js';
import { okList, watchLines } from '../support/recipes.js';

const CRAFTED = formerHashCollidingNames(12);
const ORDINARY = CRAFTED.map((_, i) => `p-${String(i).padStart(14, '0')}`);

/** A server that lists `names` as pods and then keeps the watch open. */
function relistOf(names: readonly string[], what: string): InformerCase {
  const objects: KubeObject[] = names.map((name, i) => pod(name, String(i + 1)));
  return {
    name: `a relist of ${names.length} ${what}`,
    defectClass: 'exhaustion',
    server: { list: okList(objects, String(names.length)), watch: watchLines([], 'hang'), valid: objects },
    runMs: 1500,
  };
}

export const craftedNamesRelist: StandaloneCase = {
  name: 'a relist of 4,096 names crafted to collide in the former store hash stalls no longer than one of ordinary names',
  defectClass: 'exhaustion',
  run: async () => {
    expect(new Set(CRAFTED.map((name) => formerHash(`default/${name}`))).size).toBe(1);
    await runCase(relistOf(ORDINARY, 'ordinary names')); // warms up the same code paths
    const ordinary = await runCase(relistOf(ORDINARY, 'ordinary names'));
    const crafted = await runCase(relistOf(CRAFTED, 'crafted names'));
    // the former hash: about 30x; generous for two noisy cores
    expect(crafted.maxEventLoopLagMs).toBeLessThan(3 * ordinary.maxEventLoopLagMs + 100);
  },
};

describeCases('resource exhaustion: names crafted against the store hash', [craftedNamesRelist], {
  sequential: true,
});
