/**
 * An informer hands each batch on and keeps only its snapshot: an informer whose watch goes quiet
 * after its list must not keep the list's batch (a delta per object) until the next event, while
 * late subscribers still get the current snapshot and the cached objects, and no batch twice.
 */
import { describe, expect, it } from 'vitest';
import type { DeltaBatch, InformerEvent } from '../../src/core/events.js';
import { informer, resources } from '../../src/index.js';
import { forcedGc } from '../support/forcedGc.js';
import { clientListingPods, collectAfterSettling } from '../support/retention.js';

describe('informer lets a batch go once it is handed on', () => {
  it("keeps neither the list's batch nor its deltas while the watch after it is quiet", async () => {
    const gc = forcedGc();
    const pods = informer(clientListingPods(50, '100'), resources.pods);
    const batches: WeakRef<DeltaBatch<object>>[] = [];
    const deltas: WeakRef<readonly unknown[]>[] = [];
    const subscription = pods.deltas$.subscribe((batch) => {
      batches.push(new WeakRef(batch));
      deltas.push(new WeakRef(batch.deltas));
    });
    try {
      await pods.synced;
      expect(batches).toHaveLength(1);
      await collectAfterSettling(gc);
      expect(batches[0]?.deref()).toBeUndefined();
      expect(deltas[0]?.deref()).toBeUndefined();
      expect(pods.snapshot().size).toBe(50);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('still replays the snapshot and the cached objects to late subscribers, and no batch twice', async () => {
    const pods = informer(clientListingPods(50, '100'), resources.pods);
    const first = pods.deltas$.subscribe();
    try {
      await pods.synced;
      const snapshots: number[] = [];
      const events: InformerEvent<object>[] = [];
      const batches: DeltaBatch<object>[] = [];
      const late = pods.store$.subscribe((snapshot) => snapshots.push(snapshot.size));
      late.add(pods.events$.subscribe((event) => events.push(event)));
      late.add(pods.deltas$.subscribe((batch) => batches.push(batch)));
      late.unsubscribe();
      expect(snapshots).toEqual([50]);
      expect(events).toHaveLength(50);
      expect(events.every((event) => event.type === 'add' && event.isInInitialList)).toBe(true);
      expect(batches).toEqual([]);
    } finally {
      first.unsubscribe();
    }
  });
});
