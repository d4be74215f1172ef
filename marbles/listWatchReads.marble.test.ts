/**
 * listWatch with `readBatches`: the object events of one network read (a `WatchRead` from the
 * client) leave as one `READ`; bookmarks, a streaming list's `REPLACE` and in-stream errors keep
 * their place in the order.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  type ListWatchOptions,
  listWatch,
  type RawWatchEvent,
  type ReflectorEvent,
  resources,
  type WatchInput,
  WatchRead,
} from '../src/index.js';
import {
  added,
  bookmark,
  deleted,
  errorEvent,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
} from '../src/testing/index.js';
import { newScheduler } from './support.js';

const read = (...events: RawWatchEvent[]) => new WatchRead(events);
const options: ListWatchOptions = { readBatches: true, random: () => 0 };

describe('listWatch marbles: readBatches', () => {
  it('emits the object events of a read as one READ, and a lone event as itself', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const [a1, b2, a3, b4] = [pod('a', '1'), pod('b', '2'), pod('a', '3'), pod('b', '4')];
      const client = scriptedClient({
        lists: [listOf([], '0a')],
        watches: [cold('-r-m', { r: read(added(a1), added(b2), modified(a3)), m: deleted(b4) })],
      });
      expectObservable(listWatch<V1Pod>(client, resources.pods, options), '^ 10ms !').toBe('xr-m', {
        x: replace([], '0a'),
        r: {
          type: 'READ',
          events: [
            { type: 'ADDED', object: a1 },
            { type: 'ADDED', object: b2 },
            { type: 'MODIFIED', object: a3 },
          ],
        },
        m: { type: 'DELETED', object: b4 },
      } satisfies Record<string, WatchInput<V1Pod>>);
    });
  });

  it('a bookmark inside a read ends the run before it and keeps its place', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const [a1, b2, c4] = [pod('a', '1'), pod('b', '2'), pod('c', '4')];
      const lifecycle: string[] = [];
      const client = scriptedClient({
        lists: [listOf([], '0a')],
        watches: [cold('-r', { r: read(added(a1), added(b2), bookmark('3'), added(c4)) })],
      });
      const events$ = listWatch<V1Pod>(client, resources.pods, {
        ...options,
        onLifecycle: (event: ReflectorEvent) => {
          if (event.type === 'event' || event.type === 'bookmark')
            lifecycle.push(`${event.type}@${event.resourceVersion}`);
        },
      });
      expectObservable(events$, '^ 10ms !').toBe('x(rbc)', {
        x: replace([], '0a'),
        r: {
          type: 'READ',
          events: [
            { type: 'ADDED', object: a1 },
            { type: 'ADDED', object: b2 },
          ],
        },
        b: { type: 'BOOKMARK', resourceVersion: '3' },
        c: { type: 'ADDED', object: c4 },
      } satisfies Record<string, WatchInput<V1Pod>>);
      flush();
      // The lifecycle hears of every event of the read, one by one.
      expect(lifecycle).toEqual(['event@1', 'event@2', 'bookmark@3', 'event@4']);
    });
  });

  it('an in-stream error inside a read comes after the events before it, then the Reflector acts on it', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const [a1, b2, c9] = [pod('a', '1'), pod('b', '2'), pod('c', '9')];
      const client = scriptedClient({
        lists: [listOf([], '0a'), listOf([c9], '9')],
        watches: [
          cold('-r', { r: read(added(a1), added(b2), errorEvent(410), added(pod('z', '5'))) }),
          cold('-'),
        ],
      });
      expectObservable(listWatch<V1Pod>(client, resources.pods, options), '^ 10ms !').toBe('x(rs)', {
        x: replace([], '0a'),
        r: {
          type: 'READ',
          events: [
            { type: 'ADDED', object: a1 },
            { type: 'ADDED', object: b2 },
          ],
        },
        s: replace([c9], '9'),
      } satisfies Record<string, WatchInput<V1Pod>>);
      flush();
      // 410 after progress: relist at once; the event after the error is never seen.
      expect(client.calls.map((c) => `${c.verb}@${c.options.resourceVersion ?? ''}`)).toEqual([
        'list@',
        'watch@0a',
        'list@',
        'watch@9',
      ]);
    });
  });

  it("a server's line that calls itself a READ is an unknown event type: reported and skipped", () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const b2 = pod('b', '2');
      const forged = { type: 'READ', object: [added(pod('a', '1'))] } as RawWatchEvent;
      const errors: string[] = [];
      const client = scriptedClient({
        lists: [listOf([], '0a')],
        watches: [cold('-fb', { f: forged, b: added(b2) })],
      });
      const events$ = listWatch<V1Pod>(client, resources.pods, {
        ...options,
        onError: (error) => errors.push(error.name),
      });
      expectObservable(events$, '^ 10ms !').toBe('x-b', {
        x: replace([], '0a'),
        b: { type: 'ADDED', object: b2 },
      } satisfies Record<string, WatchInput<V1Pod>>);
      flush();
      expect(errors).toEqual(['WatchProtocolError']);
    });
  });

  it('a streaming list that ends inside a read: its REPLACE, then the rest of the read as watch events', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const [a1, b2, c3, a4] = [pod('a', '1'), pod('b', '2'), pod('c', '3'), pod('a', '4')];
      const client = scriptedClient({
        watches: [
          cold('-r', {
            r: read(added(a1), added(b2), bookmark('2', true), added(c3), modified(a4)),
          }),
        ],
      });
      const events$ = listWatch<V1Pod>(client, resources.pods, { ...options, listMode: 'streaming' });
      expectObservable(events$, '^ 10ms !').toBe('-(xr)', {
        x: replace([a1, b2], '2'),
        r: {
          type: 'READ',
          events: [
            { type: 'ADDED', object: c3 },
            { type: 'MODIFIED', object: a4 },
          ],
        },
      } satisfies Record<string, WatchInput<V1Pod>>);
    });
  });
});
