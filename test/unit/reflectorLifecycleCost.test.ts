/**
 * The lifecycle costs nothing when nobody listens: without `onLifecycle`, `listWatch` never makes
 * a lifecycle (so no transition, event or report is turned into a lifecycle event, and no operator
 * is added to the pipeline); with it, one per subscription. `informer` passes the option through
 * to its one shared list-watch.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { NEVER, of } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { informer, listWatch, type ReflectorEvent, resources } from '../../src/index.js';
import * as lifecycleModule from '../../src/sources/reflectorLifecycle.js';
import { bookmark, listOf, modified, pod, scriptedClient } from '../../src/testing/index.js';

vi.mock('../../src/sources/reflectorLifecycle.js', async (importOriginal) => {
  const original = await importOriginal<typeof lifecycleModule>();
  return { ...original, reflectorLifecycle: vi.fn(original.reflectorLifecycle) };
});

const made = () => vi.mocked(lifecycleModule.reflectorLifecycle).mock.calls.length;

function client() {
  return scriptedClient({
    lists: [listOf([pod('a', '1')], '1')],
    watches: [of(modified(pod('a', '2')), bookmark('3')), NEVER],
  });
}

describe('the reflector lifecycle when unobserved', () => {
  it('is never made without onLifecycle, and made once per subscription with it', () => {
    const before = made();
    const events: string[] = [];
    const quiet = listWatch<V1Pod>(client(), resources.pods, { random: () => 0 }).subscribe((e) =>
      events.push(e.type),
    );
    quiet.unsubscribe();
    expect(events).toEqual(['REPLACE', 'MODIFIED', 'BOOKMARK']);
    expect(made()).toBe(before);

    const told: string[] = [];
    const observed = listWatch<V1Pod>(client(), resources.pods, {
      random: () => 0,
      onLifecycle: (event) => told.push(event.type),
    }).subscribe();
    observed.unsubscribe();
    expect(made()).toBe(before + 1);
    expect(told).toEqual([
      'listStarted',
      'listFinished',
      'watchStarted',
      'event',
      'bookmark',
      'watchEnded',
      'watchStarted',
      'stopped',
    ]);
  });

  it('informer passes onLifecycle to its shared list-watch: one lifecycle for every subscriber', async () => {
    const before = made();
    const told: ReflectorEvent[] = [];
    const pods = informer<V1Pod>(client(), resources.pods, {
      random: () => 0,
      onLifecycle: (event) => told.push(event),
    });
    const first = pods.store$.subscribe();
    const second = pods.events$.subscribe();
    await pods.synced;
    first.unsubscribe();
    second.unsubscribe();
    expect(made()).toBe(before + 1);
    expect(told.filter((e) => e.type === 'listFinished')).toHaveLength(1);
    expect(told.at(-1)?.type).toBe('stopped');
  });
});
