/**
 * The one seeded random generator behind every simulation in kube-rx: the CLI's churn, the test
 * churners and the benchmark fixtures. A seed replays a run exactly, so a failing churn sequence
 * reproduces and every benchmark client reads the same bytes. `Math.random` cannot be seeded.
 *
 * The algorithm is mulberry32: 32-bit state, a few integer multiplies per draw, and the same
 * sequence on every JavaScript engine (`Math.imul` and `>>>` are exact), which is all a test
 * needs; it is not for anything that must be unpredictable.
 */

/** A source of numbers in [0, 1), like `Math.random`. */
export type Random = () => number;

/** A generator that yields the same sequence for the same `seed` (any number; used modulo 2^32). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** One of `items`, chosen with `random` (the array must not be empty). */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
