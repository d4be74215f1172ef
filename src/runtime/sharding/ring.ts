/**
 * A consistent-hash ring with virtual nodes, the way timebertt/kubernetes-controller-sharding
 * assigns objects to shards: every member owns `virtualNodes` points on a 32-bit circle, and a
 * key belongs to the member of the first point at or after the key's hash (wrapping around).
 *
 * Virtual nodes smooth the split: with N members each owns about 1/N of the keys, and adding or
 * removing one member moves only the keys of the arcs it gains or loses, about 1/N of them, instead
 * of reshuffling everything as `hash % N` would. The ring is pure: the same member names give the
 * same assignment in every replica, so the sharder's decisions are reproducible.
 */

/** FNV-1a (32-bit) of a string's UTF-16 code units: stable across processes and cheap. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash >>> 0);
}

/**
 * A final avalanche (murmur3's fmix32): FNV-1a alone clusters keys that differ only in their last
 * characters (`obj-1`, `obj-2`, ...), which would leave virtual nodes bunched on the circle.
 */
function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Options of {@link hashRing}. */
export interface HashRingOptions {
  /** Points per member on the circle; more points, evener split, more memory. Default 100. */
  readonly virtualNodes?: number;
}

/** A built ring: who owns a key. */
export interface HashRing {
  /** The members, sorted and deduplicated. */
  readonly members: readonly string[];
  /** The member owning `key`, or `undefined` when the ring is empty. */
  ownerOf(key: string): string | undefined;
}

/** Builds the ring of `members` (order and duplicates do not matter). */
export function hashRing(members: Iterable<string>, options: HashRingOptions = {}): HashRing {
  const virtualNodes = options.virtualNodes ?? 100;
  const sorted = [...new Set(members)].sort();
  const points: { hash: number; member: string }[] = [];
  for (const member of sorted) {
    for (let i = 0; i < virtualNodes; i++) points.push({ hash: fnv1a32(`${member}#${i}`), member });
  }
  // Ties (rare) are broken by name so that every replica builds the same circle.
  points.sort((a, b) => a.hash - b.hash || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  const hashes = Uint32Array.from(points, (p) => p.hash);
  const owners = points.map((p) => p.member);

  const ownerOf = (key: string): string | undefined => {
    if (owners.length === 0) return undefined;
    const hash = fnv1a32(key);
    let low = 0;
    let high = hashes.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((hashes[mid] as number) < hash) low = mid + 1;
      else high = mid;
    }
    return owners[low === owners.length ? 0 : low];
  };
  return { members: sorted, ownerOf };
}
