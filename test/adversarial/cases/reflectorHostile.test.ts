/**
 * The reflector against hostile servers over HTTP (issue 14): storms the pacing must bound beyond
 * those in `requestRate.test.ts`, Retry-After heard through the transport, and objects or lists
 * whose resourceVersion is not a string. Each case states its request-rate bound; the bounds
 * follow from the harness backoff (20 ms doubling to 200 ms) and the reflector's floors (one quick
 * relist or restart in a row, then `minRelistIntervalMs`, here the backoff's 20 ms, and
 * `minWatchDurationMs`, 1 s).
 */
import { expect } from 'vitest';
import type { AdversarialCase } from '../support/adversarialCase.js';
import { describeCases, STORM_BOUND } from '../support/assertions.js';
import { added, initialEventsEnd, modified, pod, pods } from '../support/objects.js';
import { okList, sequence, status, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';

const listed = pods(3);
const quietWatch = watchLines([], 'hang');

/** Milliseconds between consecutive requests of `verb`. */
const gaps = (run: InformerRun, verb: 'list' | 'watch') => {
  const at = run.server.requestsOf(verb).map((r) => r.at);
  return at.slice(1).map((t, i) => t - (at[i] as number));
};

export const reflectorHostileCases: AdversarialCase[] = [
  {
    name: 'a watch that ends after one event with a new resourceVersion, three times: the first restart at once, the next a second after the watch before started (bound 3 watches a second)',
    defectClass: 'relistStorm',
    server: {
      list: okList(listed, '3'),
      watch: (n) => (n < 3 ? watchLines([modified(pod('pod-0', String(10 + n)))], 'end') : quietWatch),
      valid: [pod('pod-0', '12'), ...listed.slice(1)],
    },
    runMs: 2500,
    maxRate: { list: 1, watch: 3 },
    check: (run) => {
      const [first, ...later] = gaps(run, 'watch');
      expect(first).toBeLessThan(500);
      expect(later.every((gap) => gap >= 950)).toBe(true);
    },
  },
  {
    name: 'streaming lists cut short every time are retried as streaming lists: never a paginated list, watch rate under the storm bound',
    defectClass: 'stuck',
    informer: { listMode: 'streaming' },
    server: {
      list: okList(listed, '3'),
      watch: watchLines([added(listed[0])], 'end'),
    },
    runMs: 2000,
    maxRate: STORM_BOUND,
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(0);
      expect(run.server.requestsOf('watch').every((r) => r.query.sendInitialEvents)).toBe(true);
      expect(run.reported.some((r) => r.error.name === 'WatchProtocolError')).toBe(true);
    },
  },
  {
    name: 'a streaming list cut short once, then served whole: synced from the streaming retry, no list request',
    defectClass: 'stuck',
    informer: { listMode: 'auto' },
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        watchLines([added(listed[0]), added(listed[1])], 'reset'),
        watchLines([...listed.map(added), initialEventsEnd('3')], 'hang'),
      ),
      valid: listed,
    },
    check: (run) => expect(run.server.requestsOf('list')).toHaveLength(0),
  },
  {
    name: 'every list repeats its continue token, unpaginated lists too: the informer keeps running, unsynced; attempts paced by the backoff (bound 16 list requests a second, two per attempt)',
    defectClass: 'relistStorm',
    informer: { pageSize: 2 },
    server: { list: okList(listed.slice(0, 2), '3', 'again'), watch: quietWatch },
    runMs: 2000,
    maxRate: { list: 16 },
    check: (run) => expect(run.reported.every((r) => r.error.name === 'ListPagingError')).toBe(true),
  },
  {
    name: 'every watch answered 429 with Retry-After: 1 waits a second each time (bound 2 watches a second)',
    defectClass: 'politeness',
    server: {
      list: okList(listed, '3'),
      watch: status(429, 'TooManyRequests', 'slow down', { 'retry-after': '1' }),
      valid: listed,
    },
    runMs: 2500,
    maxRate: { list: 1, watch: 2 },
    check: (run) => expect(gaps(run, 'watch').every((gap) => gap >= 950)).toBe(true),
  },
  {
    name: 'an in-stream ERROR whose Status asks for retryAfterSeconds 1 delays the next watch by a second',
    defectClass: 'politeness',
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        watchLines(
          [
            modified(pod('pod-0', '4')),
            {
              type: 'ERROR',
              object: {
                kind: 'Status',
                code: 429,
                reason: 'TooManyRequests',
                details: { retryAfterSeconds: 1 },
              },
            },
          ],
          'hang',
        ),
        quietWatch,
      ),
      valid: [pod('pod-0', '4'), ...listed.slice(1)],
    },
    runMs: 1500,
    check: (run) => expect(gaps(run, 'watch')[0]).toBeGreaterThanOrEqual(950),
  },
  {
    name: 'a watched object whose resourceVersion is a number is reported with its key and skipped; later events apply',
    defectClass: 'identity',
    server: {
      list: okList(listed, '3'),
      watch: watchLines(
        [added(pod('odd', '4', { resourceVersion: 4 })), modified(pod('pod-1', '5'))],
        'hang',
      ),
      valid: [pod('pod-0', '1'), pod('pod-1', '5'), pod('pod-2', '3')],
    },
    check: (run) => {
      const invalid = run.reported.filter((r) => r.error.name === 'InvalidObjectError');
      expect(invalid.map((r) => r.context.key)).toEqual(['default/odd']);
      expect(invalid[0]?.error.message).toContain('pods.v1 default/odd');
    },
  },
];

describeCases('the reflector against hostile servers: paced, polite, never fooled', reflectorHostileCases);
