/**
 * The CLI's status line reads the reflector's lifecycle: relists, watch restarts, errors and what
 * the reflector does when it is not watching come from `onLifecycle`, not from a wrapped client.
 * A scripted server in virtual time: a list, a watch that gets 410 (relist), a watch request that
 * fails (backoff), then a watch that works.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { WatchStats } from '../../src/cli/stats.js';
import { statusLine } from '../../src/cli/statusLine.js';
import { listWatch, resources } from '../../src/index.js';
import { errorEvent, listOf, modified, pod, scriptedClient } from '../../src/testing/index.js';

describe('kube-rx watch status line from the reflector lifecycle', () => {
  it('counts relists, watch restarts and errors, and shows a backoff while it lasts', () => {
    const ts = new TestScheduler((a, b) => expect(a).toEqual(b));
    const lines: Record<number, string> = {};
    ts.run(({ cold, flush }) => {
      const client = scriptedClient({
        lists: [listOf([pod('a', '1')], '1'), listOf([pod('a', '1')], '5')],
        watches: [
          cold('10ms m 9ms e', { m: modified(pod('a', '2')), e: errorEvent(410) }),
          new Error('reset'),
          cold('-'),
        ],
      });
      const stats = new WatchStats(() => ts.now());
      const subscription = listWatch<V1Pod>(client, resources.pods, {
        random: () => 0,
        onLifecycle: (event) => stats.observe(event),
      }).subscribe();
      for (const at of [5, 25, 900]) ts.schedule(() => (lines[at] = statusLine(stats)), at);
      ts.schedule(() => subscription.unsubscribe(), 1_000);
      flush();
    });
    expect(lines).toEqual({
      5: 'objects 0 (syncing) | 0.0 events/s | rv - | relists 0 | watch restarts 0',
      // 20 ms: 410, an immediate relist; its watch request fails: 800 ms of backoff.
      25: 'objects 0 (syncing) | 0.0 events/s | rv - | relists 1 | watch restarts 1 | backoff 800 ms | errors 2',
      900: 'objects 0 (syncing) | 0.0 events/s | rv - | relists 1 | watch restarts 2 | errors 2',
    });
  });
});
