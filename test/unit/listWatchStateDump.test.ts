/**
 * A watch from resourceVersion "0" (after a list that answered "0", which no real server does but
 * a fake or odd one may) begins with the server's objects in key order, not resourceVersion order.
 * When it fails after some of them, the Reflector relists instead of resuming from the highest
 * resourceVersion it saw, which would skip the objects the dump had not sent yet. (Found by the HTTP
 * fault property: a dump cut after default/e@5 resumed from 5 and lost team/b@3 for good.)
 */
import { concat, of, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { listWatch } from '../../src/sources/listWatch.js';
import { added, bookmark, listOf, pod, scriptedClient } from '../../src/testing/index.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('a watch from resourceVersion "0"', () => {
  it('failing after part of its dump, is followed by a relist, not a watch from the highest resourceVersion', () => {
    scheduler().run(({ flush }) => {
      const dumpCut = concat(
        of(added(pod('a', '1')), added(pod('e', '5'))),
        throwError(() => new StatusError({ code: 500, message: 'internal error' }, 500)),
      );
      const client = scriptedClient({
        lists: [listOf([], '0'), listOf([pod('a', '1'), pod('b', '3'), pod('e', '5')], '5')],
        watches: [dumpCut],
      });
      listWatch(client, resources.pods, { backoff: { initialMs: 10, maxMs: 10 } }).subscribe();
      flush();
      const calls = client.calls.map((c) => `${c.verb} ${c.options.resourceVersion ?? ''}`.trim());
      expect(calls).toEqual(['list', 'watch 0', 'list', 'watch 5']);
    });
  });

  it('failing before any object of its dump, is watched from "0" again (nothing was skipped)', () => {
    scheduler().run(({ flush }) => {
      const client = scriptedClient({
        lists: [listOf([], '0')],
        watches: [throwError(() => new StatusError({ code: 500, message: 'internal error' }, 500))],
      });
      listWatch(client, resources.pods, { backoff: { initialMs: 10, maxMs: 10 } }).subscribe();
      flush();
      const calls = client.calls.map((c) => `${c.verb} ${c.options.resourceVersion ?? ''}`.trim());
      expect(calls).toEqual(['list', 'watch 0', 'watch 0']);
    });
  });

  it('failing after a bookmark, resumes from the bookmark: the bookmark ended the dump', () => {
    scheduler().run(({ flush }) => {
      const cut = concat(
        of(added(pod('a', '1')), bookmark('6')),
        throwError(() => new StatusError({ code: 500, message: 'internal error' }, 500)),
      );
      const client = scriptedClient({ lists: [listOf([], '0')], watches: [cut] });
      listWatch(client, resources.pods, { backoff: { initialMs: 10, maxMs: 10 } }).subscribe();
      flush();
      const calls = client.calls.map((c) => `${c.verb} ${c.options.resourceVersion ?? ''}`.trim());
      expect(calls).toEqual(['list', 'watch 0', 'watch 6']);
    });
  });

  it('from any other resourceVersion, a failed watch resumes from the last one seen', () => {
    scheduler().run(({ flush }) => {
      const cut = concat(
        of(added(pod('a', '8'))),
        throwError(() => new StatusError({ code: 500, message: 'internal error' }, 500)),
      );
      const client = scriptedClient({ lists: [listOf([], '7')], watches: [cut] });
      listWatch(client, resources.pods, { backoff: { initialMs: 10, maxMs: 10 } }).subscribe();
      flush();
      const calls = client.calls.map((c) => `${c.verb} ${c.options.resourceVersion ?? ''}`.trim());
      expect(calls).toEqual(['list', 'watch 7', 'watch 8']);
    });
  });
});
