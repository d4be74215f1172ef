/**
 * What a LIST can answer: pages chained by continue tokens, an expired token, and 200 bodies that
 * are not a list at all (null, a string, `{}`, `[]`, a Status, items that are not an array,
 * truncated JSON, nothing). A body that is not a list is a typed error and a retry, never an
 * empty REPLACE that would delete every cached object.
 */
import { expect } from 'vitest';
import { isResourceExpired, StatusError } from '../../../src/core/errors.js';
import type { AdversarialCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { pods } from '../support/objects.js';
import { json, okList, type Recipe, rawBody, sequence, status, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';
import { neverFewerThan, relistAnsweredWith } from '../support/scenarios.js';

const listed = pods(5);
const quietWatch = watchLines([], 'hang');

/** Pages of two objects, chained by continue tokens `p1`, `p2`; every page says resourceVersion 5. */
const paged = (pageOf: (token: string | undefined) => number) => (_n: number, q: { continue?: string }) => {
  const page = pageOf(q.continue);
  const token = page < 2 ? `p${page + 1}` : undefined;
  return okList(listed.slice(page * 2, page * 2 + 2), '5', token);
};

/** Checks that the bad relist was reported as an error of the list phase and retried. */
const reportedAndRetried = (run: InformerRun) => {
  expect(run.reported.some((r) => r.context.phase === 'list')).toBe(true);
  expect(run.server.requestsOf('list')).toHaveLength(3);
};

export const listCases: AdversarialCase[] = [
  {
    name: 'a list paged by continue tokens is assembled into one REPLACE at the first page’s resourceVersion',
    defectClass: 'ordinary',
    informer: { pageSize: 2 },
    server: {
      list: paged((token) => (token === undefined ? 0 : Number(token.slice(1)))),
      watch: quietWatch,
      valid: listed,
    },
    check: (run) => {
      expect(run.server.requestsOf('list').map((r) => [r.query.limit, r.query.continue])).toEqual([
        [2, undefined],
        [2, 'p1'],
        [2, 'p2'],
      ]);
      expect(run.server.requestsOf('watch')[0]?.query.resourceVersion).toBe('5');
    },
  },
  {
    name: 'an expired continue token (410 on a later page) makes the next list a single unpaginated one',
    defectClass: 'ordinary',
    informer: { pageSize: 2 },
    server: {
      list: (_n, q) =>
        q.limit === undefined
          ? okList(listed, '9')
          : q.continue
            ? status(410, 'Expired', 'The provided continue parameter is too old')
            : okList(listed.slice(0, 2), '5', 'p1'),
      watch: quietWatch,
      valid: listed,
    },
    check: (run) => {
      expect(run.reported.some((r) => isResourceExpired(r.error))).toBe(true);
      expect(run.server.requestsOf('list').at(-1)?.query.limit).toBeUndefined();
    },
  },
  {
    name: 'a list answered 200 with HTML from a proxy is an error and a retry',
    defectClass: 'nonListBody',
    server: {
      list: sequence(
        rawBody(200, '<html><body>Sign in to continue</body></html>', { 'content-type': 'text/html' }),
        okList(listed, '5'),
      ),
      watch: quietWatch,
      valid: listed,
    },
    check: (run) => expect(run.reported.map((r) => r.error.name)).toEqual(['TransportError']),
  },
  {
    name: 'list items without a name are reported and skipped; the rest is cached',
    defectClass: 'ordinary',
    server: {
      list: okList([...listed, { metadata: { namespace: 'default' } }, { metadata: { name: '' } }], '5'),
      watch: quietWatch,
      valid: listed,
    },
    check: (run) =>
      expect(run.reported.map((r) => r.error.name)).toEqual(['InvalidObjectError', 'InvalidObjectError']),
  },
];

/**
 * A relist answered with `bad`: reported as a list error, retried, and the cache never shrinks.
 * 1.5 s: a relist waits at least `minRelistIntervalMs` (800 ms) after the first list.
 */
function relistInto(name: string, bad: Recipe): AdversarialCase {
  return {
    name,
    defectClass: 'nonListBody',
    runMs: 1500,
    server: relistAnsweredWith(listed, bad),
    consumers: neverFewerThan(listed.length),
    check: reportedAndRetried,
  };
}

/** 200 answers to a relist that are not a list: each is an error and a retry, never an empty REPLACE. */
export const nonListBodyCases: AdversarialCase[] = [
  relistInto(
    'a relist answered 200 with a null body is an error, not an empty list: the cache stays',
    rawBody(200, 'null'),
  ),
  relistInto('a relist answered 200 with a JSON string is an error: the cache stays', json(200, 'PodList')),
  relistInto(
    'a relist whose items is not an array is an error: the cache stays',
    json(200, { kind: 'PodList', metadata: { resourceVersion: '7' }, items: { a: 1 } }),
  ),
  relistInto(
    'a relist answered with truncated JSON is an error: the cache stays',
    rawBody(200, '{"kind":"PodList","items":[{"metadata":{"name":"x"'),
  ),
  relistInto('a relist answered 200 with an empty body is an error: the cache stays', rawBody(200, '')),
  relistInto(
    'a relist answered 200 with a Status object is a typed error, not an empty list',
    json(200, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: 'shutting down' }),
  ),
  relistInto('a relist answered 200 with {} is a typed error, not an empty list', json(200, {})),
  relistInto('a relist answered 200 with [] is a typed error, not an empty list', json(200, [])),
  relistInto(
    'a relist answered 200 with a PodList without items is a typed error, not an empty list',
    json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9' } }),
  ),
  relistInto(
    'a relist answered 200 with a single Pod (a proxy rewrote the path) is a typed error',
    json(200, {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'x', namespace: 'default', resourceVersion: '9' },
    }),
  ),
];

/** The failures that end the informer on purpose, with the typed error `informer.synced` rejects with. */
export const fatalCases: AdversarialCase[] = [
  {
    name: 'a 401 on every list ends the informer with the StatusError after three attempts',
    defectClass: 'ordinary',
    server: { list: status(401, 'Unauthorized', 'Unauthorized'), watch: quietWatch },
    fatal: (e) => e instanceof StatusError && e.code === 401,
    check: (run) => expect(run.server.requestsOf('list')).toHaveLength(3),
  },
  {
    name: 'a 404 on every list (the resource is not served) ends the informer with the StatusError',
    defectClass: 'ordinary',
    server: {
      list: status(404, 'NotFound', 'the server could not find the requested resource'),
      watch: quietWatch,
    },
    fatal: (e) => e instanceof StatusError && e.code === 404,
  },
  {
    name: 'a watch 400 relists once; the same 400 from the fresh list ends the informer',
    defectClass: 'ordinary',
    server: {
      list: okList(listed, '5'),
      watch: status(400, 'BadRequest', 'resourceVersion: Invalid value'),
      valid: listed,
    },
    fatal: (e) => e instanceof StatusError && e.code === 400,
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(2);
      expect(run.server.requestsOf('watch')).toHaveLength(2);
    },
  },
];

describeCases('lists: pages, expired tokens, invalid items', listCases);
describeCases('a 200 that is not a list never replaces the cache', nonListBodyCases);
describeCases('fatal on purpose: typed errors end the informer', fatalCases);
