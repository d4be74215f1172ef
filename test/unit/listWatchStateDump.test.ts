/**
 * A watch from resourceVersion "0" (after a list that answered "0", which no real server does but
 * a fake or odd one may) begins with the server's objects in key order, not resourceVersion order.
 * When it fails after some of them, the Reflector relists instead of resuming from the highest
 * resourceVersion it saw, which would skip the objects the dump had not sent yet. (Found by the HTTP
 * fault property: a dump cut after default/e@5 resumed from 5 and lost team/b@3 for good.) A
 * bookmark ends the dump: the server sends one only after the initial objects. (Found by the
 * reflector property: after a bookmark, the model re-watched where the Reflector relisted.)
 */
import { concat, type Observable, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ListResult, RawWatchEvent } from '../../src/core/client.js';
import { StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { listWatch } from '../../src/sources/listWatch.js';
import { added, bookmark, listOf, pod, scriptedClient } from '../../src/testing/index.js';

/** `events`, then the stream fails with a 500. */
const cutAfter = (...events: RawWatchEvent[]): Observable<RawWatchEvent> =>
  concat(
    of(...events),
    throwError(() => new StatusError({ code: 500, message: 'internal error' }, 500)),
  );

/** The requests a Reflector makes over the scripted lists and watches, as `verb resourceVersion`. */
function requestsMade(lists: ListResult[], watches: Observable<RawWatchEvent>[]): string[] {
  const client = scriptedClient({ lists, watches });
  new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ flush }) => {
    listWatch(client, resources.pods, { backoff: { initialMs: 10, maxMs: 10 } }).subscribe();
    flush();
  });
  return client.calls.map((c) => `${c.verb} ${c.options.resourceVersion ?? ''}`.trim());
}

describe('a watch from resourceVersion "0"', () => {
  it('failing after part of its dump, is followed by a relist, not a watch from the highest resourceVersion', () => {
    const lists = [listOf([], '0'), listOf([pod('a', '1'), pod('b', '3'), pod('e', '5')], '5')];
    const watches = [cutAfter(added(pod('a', '1')), added(pod('e', '5')))];
    expect(requestsMade(lists, watches)).toEqual(['list', 'watch 0', 'list', 'watch 5']);
  });

  it('failing before any object of its dump, is watched from "0" again (nothing was skipped)', () => {
    expect(requestsMade([listOf([], '0')], [cutAfter()])).toEqual(['list', 'watch 0', 'watch 0']);
  });

  it('failing after a bookmark, resumes from the bookmark: the bookmark ended the dump', () => {
    const watches = [cutAfter(added(pod('a', '1')), bookmark('6'))];
    expect(requestsMade([listOf([], '0')], watches)).toEqual(['list', 'watch 0', 'watch 6']);
  });

  it('from any other resourceVersion, a failed watch resumes from the last one seen', () => {
    const watches = [cutAfter(added(pod('a', '8')))];
    expect(requestsMade([listOf([], '7')], watches)).toEqual(['list', 'watch 7', 'watch 8']);
  });
});
