/**
 * The request-rate test: under each storm pattern a server can produce, the informer's requests
 * per second stay under a stated bound, `STORM_BOUND`: 8 requests per second per verb over a 2 s
 * run (`support/assertions.ts` says why). Failures are met with backoff; watches that fail or end
 * right after making progress, and pages that repeat their token or never end, are paced (issue
 * 14's storms).
 */
import type { AdversarialCase } from '../support/adversarialCase.js';
import { describeCases, STORM_BOUND } from '../support/assertions.js';
import type { HostileServerOptions } from '../support/hostileServer.js';
import { bookmark, errorEvent, modified, pods } from '../support/objects.js';
import { chunks, okList, rawBody, status, watchLines } from '../support/recipes.js';

const listed = pods(3);
const quietWatch = watchLines([], 'hang');

function storm(name: string, server: HostileServerOptions): AdversarialCase {
  return { name, defectClass: 'relistStorm', server, runMs: 2000, maxRate: STORM_BOUND };
}

export const boundedStorms: AdversarialCase[] = [
  storm('every list answered 500: list rate stays bounded', {
    list: status(500, 'InternalError', 'etcdserver: request timed out'),
    watch: quietWatch,
  }),
  storm('every list reset right after its headers: list rate stays bounded', {
    list: chunks([], 'reset'),
    watch: quietWatch,
  }),
  storm('every watch answered 500: watch rate stays bounded, no relist', {
    list: okList(listed, '3'),
    watch: status(500, 'InternalError', 'etcdserver: leader changed'),
    valid: listed,
  }),
  storm('every watch answered 429 without Retry-After: watch rate stays bounded', {
    list: okList(listed, '3'),
    watch: status(429, 'TooManyRequests', 'too many requests'),
    valid: listed,
  }),
  storm('every watch reset at once: watch rate stays bounded', {
    list: okList(listed, '3'),
    watch: watchLines([], 'reset'),
    valid: listed,
  }),
  storm('every watch ended at once with no event (a short watch): watch rate stays bounded', {
    list: okList(listed, '3'),
    watch: watchLines([], 'end'),
    valid: listed,
  }),
  storm('every watch answered 410 right after the list: relists stay bounded', {
    list: okList(listed, '3'),
    watch: status(410, 'Expired', 'too old resource version'),
    valid: listed,
  }),
  storm('every watch answered with a malformed line: watch rate stays bounded', {
    list: okList(listed, '3'),
    watch: watchLines(['{"type":'], 'hang'),
    valid: listed,
  }),
  storm('every list answered 200 with HTML: list rate stays bounded', {
    list: rawBody(200, '<html>maintenance</html>', { 'content-type': 'text/html' }),
    watch: quietWatch,
  }),
];

/** An event that counts as progress but changes nothing: the cache stays equal to `listed`. */
const noOpEvent = modified(listed[0]);

/** Watches that make progress and then fail or end, every time; pages that repeat their token. */
export const progressStorms: AdversarialCase[] = [
  storm('a watch that delivers one event then ERROR 410, every time: relists stay under the bound', {
    list: okList(listed, '3'),
    watch: watchLines([noOpEvent, errorEvent(410, 'Expired', 'too old resource version')], 'end'),
    valid: listed,
  }),
  storm(
    'a watch that delivers one event, ends, and the next answers HTTP 410, every time: relists stay bounded',
    {
      list: okList(listed, '3'),
      watch: (n) =>
        n % 2 === 0 ? watchLines([noOpEvent], 'end') : status(410, 'Expired', 'too old resource version'),
      valid: listed,
    },
  ),
  storm('a watch that ends after one BOOKMARK, every time: watch restarts stay under the bound', {
    list: okList(listed, '3'),
    watch: watchLines([bookmark('3')], 'end'),
    valid: listed,
  }),
  storm('a watch that ends after one event, every time: watch restarts stay under the bound', {
    list: okList(listed, '3'),
    watch: watchLines([noOpEvent], 'end'),
    valid: listed,
  }),
  {
    ...storm(
      'the same continue token repeated on every page: detected at once, the list rate stays bounded',
      {
        list: (_n, q) =>
          q.limit === undefined ? okList(listed, '3') : okList(listed.slice(0, 2), '3', 'again'),
        watch: quietWatch,
        valid: listed,
      },
    ),
    informer: { pageSize: 2 },
  },
  {
    // The page cap (`maxListPages`, small so a 2 s run reaches it) ends the paging; the list is
    // retried unpaginated, which the server answers in full. 21 requests in 2 s at most.
    ...storm('a continue token returned forever: pages are capped, then one unpaginated list', {
      list: (n, q) =>
        q.limit === undefined ? okList(listed, '3') : okList(listed.slice(0, 2), '3', `page-${n + 1}`),
      watch: quietWatch,
      valid: listed,
    }),
    informer: { pageSize: 2, maxListPages: 20 },
    maxRate: { list: 11 },
  },
];

describeCases('request rate: every storm stays under the stated bound', [
  ...boundedStorms,
  ...progressStorms,
]);
