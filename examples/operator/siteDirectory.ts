/**
 * The world outside Kubernetes a Website is announced in (a DNS record, a CDN entry, a status
 * page). The garbage collector cannot delete what is not a Kubernetes object, so this is what the
 * operator's finalizer exists for: a Website is unpublished here before its deletion completes.
 * The in-memory directory stands in for a real one; `publish` and `unpublish` are idempotent, as
 * a finalizer's cleanup must be.
 */

/** Where Websites are announced. */
export interface SiteDirectory {
  /** Announces `key` at `url`; true when it was not announced there yet. */
  publish(key: string, url: string): Promise<boolean>;
  /** Withdraws `key`; true when it was announced. */
  unpublish(key: string): Promise<boolean>;
}

/** A {@link SiteDirectory} in memory, with its entries to look at. */
export function inMemorySiteDirectory(): SiteDirectory & { readonly entries: ReadonlyMap<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    publish: async (key, url) => {
      const added = entries.get(key) !== url;
      entries.set(key, url);
      return added;
    },
    unpublish: async (key) => entries.delete(key),
  };
}
