/**
 * The string hashes the persistent map places its keys by, seeded so that keys cannot be crafted
 * to collide (issue 14: names built to collide in the former unseeded hash made a relist of a few
 * thousand objects 100x slower).
 *
 * Object names come from the API server, so whoever can create objects chooses the keys. With a
 * fixed hash they can compute offline a set of names that share one hash, and every insert of
 * one then costs as much as the set is large. Here each process draws two random 32-bit seeds
 * when this module loads; they are never exported or stored anywhere a caller can read. The map
 * uses two hashes of different shapes: the first places a key in the trie's first seven levels,
 * and only keys equal under all 32 bits of it go on, by the second, into seven more. Keys land in
 * one linear collision node only when both hashes agree, which an attacker who cannot see the
 * seeds has to guess.
 *
 * These are fast non-cryptographic hashes (a multiply and an xor-shift per step, and murmur3's
 * finaliser), not a keyed PRF such as SipHash; the point is that collisions computed
 * against one process do not carry over to another, at the cost of the former FNV-1a (measured:
 * the same time per key, since the first hash takes two code units per step).
 * What does depend on the seeds is the map's iteration order (a snapshot's `keys()` and `list()`),
 * which kube-rx documents as unspecified and sorts wherever order matters (resyncs, tombstones).
 */

/** The two hashes a persistent map places keys by; the second is only computed for keys whose first collides. */
export interface KeyHashes {
  readonly first: (key: string) => number;
  readonly second: (key: string) => number;
}

/** murmur3's 32-bit finaliser: every output bit depends on every input bit. */
function finalMix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * First hash: two UTF-16 code units at a time (half the steps of FNV-1a), each step a multiply
 * and an xor-shift from a seeded start. Every step is a bijection of the state, so two keys of the
 * same length that differ in one step never collide; the xor-shift feeds high bits back into low
 * ones (FNV-1a's low bits never depend on its high ones, which lets collisions be built a few
 * bits at a time).
 */
function forward(key: string, seed: number): number {
  const n = key.length;
  let h = 0x811c9dc5 ^ seed;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    h = Math.imul(h ^ (key.charCodeAt(i) | (key.charCodeAt(i + 1) << 16)), 0x9e3779b1);
    h ^= h >>> 15;
  }
  if (i < n) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x9e3779b1);
    h ^= h >>> 15;
  }
  return finalMix(h ^ n);
}

/**
 * Second hash: another multiplier, another seed, and the code units from last to first, so that
 * a collision of the first hash (built by chaining colliding blocks from the start) tells nothing
 * about this one.
 */
function backward(key: string, seed: number): number {
  let h = 0x9e3779b9 ^ seed;
  for (let i = key.length - 1; i >= 0; i--) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 13;
  }
  return finalMix(h ^ key.length);
}

/**
 * The hashes for two given seeds. Production maps use {@link processHashes}; tests pass fixed
 * seeds to replay a run exactly.
 */
export function seededHashes(firstSeed: number, secondSeed: number): KeyHashes {
  const a = firstSeed | 0;
  const b = secondSeed | 0;
  return { first: (key) => forward(key, a), second: (key) => backward(key, b) };
}

function randomSeeds(): [number, number] {
  const seeds = new Uint32Array(2);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(seeds);
  else for (let i = 0; i < 2; i++) seeds[i] = Math.floor(Math.random() * 2 ** 32);
  return [seeds[0] as number, seeds[1] as number];
}

/** The hashes of every map of this process, seeded at random once, when the module loads. */
export const processHashes: KeyHashes = seededHashes(...randomSeeds());
