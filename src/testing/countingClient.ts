/**
 * A {@link KubeClient} wrapper that counts the requests passing through it, per verb. Tests read
 * the counts to assert what the reflector did (one list and one watch at start; a relist after
 * 410 Gone, and not after a plain dropped watch), and `kube-rx watch` shows watch restarts from them.
 *
 * Calls are counted when they are made, before any answer, so a failed request counts too.
 */
import type { KubeClient } from '../core/client.js';

/** Requests so far; the object is live, read it at any time. */
export interface CallCounts {
  /** Lists started: first pages only (no `continue` token), so one per list or relist. */
  lists: number;
  /** Every list request, continuation pages included. */
  pages: number;
  watches: number;
  gets: number;
  creates: number;
  replaces: number;
  patches: number;
  deletes: number;
  discoveries: number;
}

export interface CountingClient {
  /** Forwards every call to the wrapped client. */
  readonly client: KubeClient;
  readonly calls: CallCounts;
}

/** Wraps `inner` so every request through the returned client is counted in `calls`. */
export function countingClient(inner: KubeClient): CountingClient {
  const calls: CallCounts = {
    lists: 0,
    pages: 0,
    watches: 0,
    gets: 0,
    creates: 0,
    replaces: 0,
    patches: 0,
    deletes: 0,
    discoveries: 0,
  };
  const client: KubeClient = {
    list: (resource, options, signal) => {
      calls.pages++;
      if (!options.continue) calls.lists++;
      return inner.list(resource, options, signal);
    },
    watch: (resource, options) => {
      calls.watches++;
      return inner.watch(resource, options);
    },
    get: (resource, name, options) => {
      calls.gets++;
      return inner.get(resource, name, options);
    },
    create: (resource, object, options) => {
      calls.creates++;
      return inner.create(resource, object, options);
    },
    replace: (resource, object, options) => {
      calls.replaces++;
      return inner.replace(resource, object, options);
    },
    patch: (resource, name, patch, type, options) => {
      calls.patches++;
      return inner.patch(resource, name, patch, type, options);
    },
    delete: (resource, name, options) => {
      calls.deletes++;
      return inner.delete(resource, name, options);
    },
  };
  // Only a client that serves discovery gets `discover`: callers test for it.
  const discover = inner.discover?.bind(inner);
  if (discover) {
    client.discover = (groupVersion) => {
      calls.discoveries++;
      return discover(groupVersion);
    };
  }
  return { client, calls };
}
