/**
 * The numbers behind the status line: what the cache holds and how the reflector is doing.
 * Relists are the errors the reflector reports with `relist: true` (410 Gone, a failed list);
 * watch restarts are watch requests beyond the first, counted by wrapping the client.
 */
import type { KubeClient } from '../core/client.js';
import { type CallCounts, countingClient } from '../testing/countingClient.js';

const BUCKET_MS = 100;

/** Mutable counters of one `kube-rx watch` run. */
export class WatchStats {
  objects = 0;
  resourceVersion = '';
  synced = false;
  relists = 0;
  errors = 0;
  events = 0;
  /** Per index name: value -> number of objects. */
  indexCounts: Record<string, Record<string, number>> = {};
  private readonly buckets = new Map<number, number>();
  private readonly startedAt: number;
  /** The counts of the client {@link countWatches} wrapped; zeros until then. */
  private requests: Pick<CallCounts, 'watches'> = { watches: 0 };

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5_000,
  ) {
    this.startedAt = now();
  }

  /** Watch requests so far (settable for a status line composed by hand). */
  get watches(): number {
    return this.requests.watches;
  }

  set watches(count: number) {
    this.requests.watches = count;
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
    const counted = countingClient(client);
    this.requests = counted.calls;
    return counted.client;
  }
}
