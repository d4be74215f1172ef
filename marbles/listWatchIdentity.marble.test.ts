/**
 * Issue 14, "identity" (the reflector's side): a resourceVersion that is not a non-empty string
 * is never sent back to the server (it used to become `[object Object]`). An object carrying one
 * is an `InvalidObjectError` reported with its key and skipped; a list carrying one is an
 * `InvalidListError`; a bookmark carrying one is a `WatchProtocolError`.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { InvalidObjectError, type KubeObject, type ListResult, listWatch, resources } from '../src/index.js';
import {
  added,
  listOf,
  modified,
  pod,
  replaceEvent as replace,
  scriptedClient,
} from '../src/testing/index.js';
import { reporter, timed } from './listWatchSupport.js';
import { newScheduler } from './support.js';

/** `pod(name)` whose resourceVersion is `rv`, whatever its type. */
const withVersion = (name: string, rv: unknown) =>
  ({
    ...pod(name, '1'),
    metadata: { name, namespace: 'default', resourceVersion: rv },
  }) as unknown as KubeObject;

describe('listWatch never sends a resourceVersion that is not a string (virtual time)', () => {
  it.each([
    ['an object', { v: 4 }, 'an object'],
    ['a number', 4, 'a number'],
    ['an empty string', '', 'an empty string'],
    ['null', null, 'null'],
  ])(
    'a watched object whose resourceVersion is %s is reported with its key and skipped; the next watch resumes from the last good one',
    (_name, rv, described) => {
      const ts = newScheduler();
      ts.run(({ cold, expectObservable, flush }) => {
        const scripted = scriptedClient({
          lists: [listOf([pod('a', '3')], '3')],
          watches: [
            cold('-m-x 1500ms |', { m: modified(pod('a', '4')), x: added(withVersion('odd', rv)) }),
            cold('-'),
          ],
        });
        const { client, log } = timed(ts, scripted);
        const { reported, errors, contexts, onError } = reporter(ts);
        expectObservable(listWatch<V1Pod>(client, resources.pods, { random: () => 0, onError })).toBe('rm', {
          r: replace([pod('a', '3')], '3'),
          m: { type: 'MODIFIED', object: pod('a', '4') },
        });
        flush();
        expect(reported).toEqual([{ at: 3, name: 'InvalidObjectError', phase: 'watch', relist: false }]);
        expect(contexts[0]?.key).toBe('default/odd');
        expect(errors[0]).toBeInstanceOf(InvalidObjectError);
        expect(errors[0]?.message).toBe(
          `pods.v1 default/odd: metadata.resourceVersion is ${described}, not a non-empty string; skipped`,
        );
        expect(log).toEqual(['0 list(500,-)', '0 watch@3', '1504 watch@4']);
      });
    },
  );

  it('a listed object whose resourceVersion is not a string is reported with its key and left out of the REPLACE', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, flush }) => {
      const scripted = scriptedClient({
        lists: [listOf([pod('a', '3'), withVersion('odd', { v: 3 })], '3')],
        watches: [cold('-')],
      });
      const { contexts, errors, onError } = reporter(ts);
      expectObservable(listWatch<V1Pod>(scripted, resources.pods, { random: () => 0, onError })).toBe('r', {
        r: replace([pod('a', '3')], '3'),
      });
      flush();
      expect(contexts).toEqual([{ resource: 'pods.v1', phase: 'list', relist: false, key: 'default/odd' }]);
      expect(errors[0]?.name).toBe('InvalidObjectError');
    });
  });

  it('a list whose metadata.resourceVersion is an object is an InvalidListError; no watch is ever sent [object Object]', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const odd = {
        items: [pod('a', '3')],
        metadata: { resourceVersion: { v: 3 } },
      } as unknown as ListResult;
      const scripted = scriptedClient({ lists: [odd, listOf([pod('a', '3')], '3')], watches: [cold('-')] });
      const { client, log } = timed(ts, scripted);
      const { reported, onError } = reporter(ts);
      listWatch<V1Pod>(client, resources.pods, { random: () => 0, onError }).subscribe();
      flush();
      expect(reported.map((r) => r.name)).toEqual(['InvalidListError']);
      expect(log).toEqual(['0 list(500,-)', '800 list(500,-)', '800 watch@3']);
    });
  });

  it('a bookmark whose resourceVersion is a number or empty is a WatchProtocolError; the watch resumes from the last good one', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const bookmarkAt = (rv: unknown) => ({
        type: 'BOOKMARK',
        object: { kind: 'Pod', metadata: { resourceVersion: rv } },
      });
      const scripted = scriptedClient({
        lists: [listOf([], '3')],
        watches: [cold('-a-b 1500ms |', { a: bookmarkAt(7), b: bookmarkAt('') }), cold('-')],
      });
      const { client, log } = timed(ts, scripted);
      const { reported, errors, onError } = reporter(ts);
      listWatch<V1Pod>(client, resources.pods, { random: () => 0, onError }).subscribe();
      flush();
      expect(reported.map((r) => r.name)).toEqual(['WatchProtocolError', 'WatchProtocolError']);
      expect(errors[0]?.message).toBe('pods.v1: bookmark without a metadata.resourceVersion string skipped');
      expect(log).toEqual(['0 list(500,-)', '0 watch@3', '1504 watch@3']);
    });
  });
});
