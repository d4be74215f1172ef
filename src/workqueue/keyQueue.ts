/**
 * The FIFO of queued keys in the work queue's state (client-go's `queue` slice).
 *
 * `Array#shift` copies the rest of a large array, which made a long queue quadratic (200k queued
 * keys took seconds); this one advances a head index and compacts rarely.
 */
export class KeyQueue {
  private items: string[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(key: string): void {
    this.items.push(key);
  }

  /** The oldest key, removed; `undefined` when empty. */
  shift(): string | undefined {
    const key = this.items[this.head];
    if (key === undefined) return undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  /** Empties the queue (a shutdown leaves its keys unreconciled). */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
