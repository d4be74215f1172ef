/**
 * The numbers behind the status line: what the cache holds and how the reflector is doing.
 * Relists are the errors the reflector reports with `relist: true` (410 Gone, a failed list);
 * watch restarts are watch requests beyond the first, counted by wrapping the client.
 */
import type { KubeClient } from '../core/client.js';

const BUCKET_MS = 100;

/** Mutable counters of one `kube-rx watch` run. */
export class WatchStats {
  objects = 0;
  resourceVersion = '';
  synced = false;
  relists = 0;
  watches = 0;
  errors = 0;
  events = 0;
  /** Per index name: value -> number of objects. */
  indexCounts: Record<string, Record<string, number>> = {};
  private readonly buckets = new Map<number, number>();
  private readonly startedAt: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5_000,
  ) {
    this.startedAt = now();
  }

  /** Watch requests after the first one. */
  get watchRestarts(): number {
    return Math.max(0, this.watches - 1);
  }

  /** Counts `n` informer events now. */
  recordEvents(n = 1): void {
    this.events += n;
    const bucket = Math.floor(this.now() / BUCKET_MS);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + n);
  }

  /** Events per second over the last `windowMs` (or since the start, if shorter). */
  eventsPerSecond(): number {
    const now = this.now();
    const oldest = Math.floor((now - this.windowMs) / BUCKET_MS);
    let count = 0;
    for (const [bucket, n] of this.buckets) {
      if (bucket <= oldest) this.buckets.delete(bucket);
      else count += n;
    }
    const spanMs = Math.min(this.windowMs, Math.max(now - this.startedAt, 1_000));
    return count / (spanMs / 1000);
  }

  /** Wraps a client so every watch request is counted. */
  countWatches(client: KubeClient): KubeClient {
    const wrapped: KubeClient = {
      list: (resource, options, signal) => client.list(resource, options, signal),
      watch: (resource, options) => {
        this.watches++;
        return client.watch(resource, options);
      },
      get: (resource, name, options) => client.get(resource, name, options),
      create: (resource, object, options) => client.create(resource, object, options),
      replace: (resource, object, options) => client.replace(resource, object, options),
      patch: (resource, name, patch, type, options) => client.patch(resource, name, patch, type, options),
      delete: (resource, name, options) => client.delete(resource, name, options),
    };
    if (client.discover) wrapped.discover = (groupVersion) => client.discover!(groupVersion);
    return wrapped;
  }
}
