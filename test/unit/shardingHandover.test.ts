/**
 * The shard's side of the handover: a drained key is not reconciled again, its acknowledgment
 * waits for the reconcile in flight, and a failed acknowledgment (503) is retried.
 */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { KubeClient } from '../../src/core/client.js';
import { statusError } from '../../src/core/errors.js';
import type { InformerEvent } from '../../src/core/events.js';
import type { KubeObject } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { ShardHandover } from '../../src/runtime/sharding/shardHandover.js';
import { virtualClock } from '../../src/testing/index.js';

describe('ShardHandover', () => {
  it('waits for the reconcile in flight, then acknowledges, retrying a 503', async () => {
    const clock = virtualClock();
    const patches: number[] = [];
    let failures = 2;
    const client = {
      patch: async () => {
        patches.push(clock.now());
        if (failures-- > 0) throw statusError(503, 'unavailable');
        return {};
      },
    } as unknown as KubeClient;
    const handover = new ShardHandover('demo', 'r1', clock.scheduler, undefined, 1_000);
    const events = new Subject<InformerEvent<KubeObject>>();
    handover.acknowledge(client, resources.configMaps, events).subscribe();
    const object = {
      metadata: { name: 'x', namespace: 'default', labels: { 'shard.kube-rx.io/demo': 'r1' } },
    };
    let finish!: () => void;
    handover.track('default/x', () => new Promise<void>((resolve) => (finish = resolve))).subscribe();
    expect(handover.mayReconcile('default/x', object)).toBe(true);

    const drained = {
      metadata: {
        ...object.metadata,
        labels: { ...object.metadata.labels, 'drain.kube-rx.io/demo': 'true' },
      },
    };
    events.next({ type: 'update', oldObject: object, object: drained, resync: false });
    expect(handover.mayReconcile('default/x', object)).toBe(false);
    await clock.advanceBy(5_000);
    expect(patches).toEqual([]); // the reconcile is still running
    finish();
    await clock.advanceBy(5_000);
    expect(patches).toEqual([5_000, 6_000, 7_000]);
  });
});
