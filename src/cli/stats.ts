/**
 * The numbers behind the status line: what the cache holds and how the reflector is doing. The
 * reflector's part comes from its lifecycle (`onLifecycle`): relists, watch requests and errors
 * are counted as the Reflector reports them, not by wrapping the client.
 */
import type { ReflectorEvent } from '../sources/reflectorEvents.js';

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
  /** Watches the reflector started (a streaming list counts once it goes on as the watch). */
  watches = 0;
  /** What the reflector is doing when it is not watching (`listing`, `backoff 1600 ms`); '' while watching. */
  activity = '';
  private readonly buckets = new Map<number, number>();
  private readonly startedAt: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5_000,
  ) {
    this.startedAt = now();
  }

  /** Watches after the first one. */
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

  /** Counts what the reflector did: an `onLifecycle` observer. */
  observe(event: ReflectorEvent): void {
    switch (event.type) {
      case 'relist':
        this.relists++;
        return;
      case 'listStarted':
        this.activity = event.mode === 'streaming' ? 'streaming list' : 'listing';
        return;
      case 'watchStarted':
        this.watches++;
        this.activity = '';
        return;
      case 'backoff':
        this.activity = `backoff ${event.delayMs} ms`;
        return;
      case 'error':
        this.errors++;
        return;
      default:
    }
  }
}
