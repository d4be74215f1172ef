/**
 * The labels of the sharding protocol (timebertt/kubernetes-controller-sharding's scheme under
 * kube-rx's domain): membership Leases carry the ring's name; an object carries the shard that
 * owns it, and a drain mark while it is being handed over.
 */

/** Label on a membership Lease: the ring it belongs to. */
export const RING_LABEL = 'sharding.kube-rx.io/ring';

/** `shard.kube-rx.io/<ring>`: the member that reconciles the object. */
export function shardLabel(ring: string): string {
  return `shard.kube-rx.io/${ring}`;
}

/** `drain.kube-rx.io/<ring>`: set by the sharder when the object must leave its current shard. */
export function drainLabel(ring: string): string {
  return `drain.kube-rx.io/${ring}`;
}

/** A label key as a JSON Pointer segment (`/` and `~` escaped, RFC 6901). */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
