/**
 * `deltaFifo` hands each batch on and keeps no reference to it: a watch that goes quiet after a
 * list must not keep the list's batch (a delta per object, and the map before it) alive until its
 * next event.
 */
import { describe, expect, it } from 'vitest';
import type { DeltaBatch } from '../../src/core/events.js';
import { deltaFifo, listWatch, resources } from '../../src/index.js';
import { forcedGc } from '../support/forcedGc.js';
import { clientListingPods, collectAfterSettling } from '../support/retention.js';

describe('deltaFifo lets a batch go once it is handed on', () => {
  it("keeps neither the list's batch nor its deltas while the watch after it is quiet", async () => {
    const gc = forcedGc();
    const batches: WeakRef<DeltaBatch<object>>[] = [];
    const deltas: WeakRef<readonly unknown[]>[] = [];
    const subscription = listWatch(clientListingPods(50, '100'), resources.pods)
      .pipe(deltaFifo())
      .subscribe((batch) => {
        batches.push(new WeakRef(batch));
        deltas.push(new WeakRef(batch.deltas));
      });
    try {
      expect(batches).toHaveLength(1);
      expect(batches[0]?.deref()?.deltas).toHaveLength(50);
      await collectAfterSettling(gc);
      expect(batches[0]?.deref()).toBeUndefined();
      expect(deltas[0]?.deref()).toBeUndefined();
    } finally {
      subscription.unsubscribe();
    }
  });
});
