/**
 * resourceVersions for read-your-own-writes. A write helper resolves with the object the server
 * stored; its `metadata.resourceVersion` (`resourceVersionOf`) is the version a cache must reach to reflect that write.
 *
 * Kubernetes documents resourceVersions as opaque strings that clients must not compare for
 * order. Every API server backed by etcd issues them from etcd's revision, one growing integer, so
 * comparing them as integers works in practice (client-go's consistent-read and watch-list
 * features rely on the same property). {@link resourceVersionAtLeast} does that only when both
 * parse as integers and falls back to equality otherwise, which is always correct, only slower to
 * say yes (a later write makes an equality check wait for nothing that arrives).
 */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Whether `observed` is `wanted` or newer: compared as integers when both are decimal strings,
 * else only equality counts.
 *
 * @example
 * ```ts
 * resourceVersionAtLeast('120', '99'); // true (as integers)
 * resourceVersionAtLeast('abc', 'abd'); // false: opaque, only equality says yes
 * ```
 */
export function resourceVersionAtLeast(observed: string | undefined, wanted: string): boolean {
  if (observed === undefined || observed === '') return false;
  if (observed === wanted) return true;
  if (!DECIMAL.test(observed) || !DECIMAL.test(wanted)) return false;
  return BigInt(observed) >= BigInt(wanted);
}
