/**
 * A listWatch whose subscriber leaves while a phase emits synchronously (an in-process client and
 * a `take(n)`) stops there: no lifecycle event (and no log line) follows `stopped`. A regression
 * test for a replacement of the Reflector's `expand` that kept reading the phase; that
 * replacement was also found to keep a finished list's objects alive, and was dropped.
 */
import { of, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { listWatch } from '../../src/sources/listWatch.js';
import { added, listOf, pod, scriptedClient } from '../../src/testing/index.js';
import { sleep } from './transportHarness.js';

describe('listWatch after its subscriber leaves during a synchronous phase', () => {
  it('listWatch tells no lifecycle event after stopped', async () => {
    const client = scriptedClient({
      lists: [listOf([pod('a', '1')], '1')],
      watches: [of(added(pod('b', '2')), added(pod('c', '3')))],
    });
    const told: string[] = [];
    await new Promise<void>((resolve) => {
      listWatch(client, resources.pods, { onLifecycle: (e) => told.push(e.type) })
        .pipe(take(2))
        .subscribe({ complete: resolve });
    });
    await sleep(20);
    expect(told).toEqual(['listStarted', 'listFinished', 'watchStarted', 'event', 'stopped']);
  });
});
