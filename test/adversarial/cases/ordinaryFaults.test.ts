/**
 * Ordinary faults, which the informer already survives: 5xx bursts, dropped and reset watches,
 * 410 Gone, servers closing watches at their timeout. Each case also checks the one thing that
 * proves the right recovery path was taken (a re-watch from the last resourceVersion, a relist).
 */
import { expect } from 'vitest';
import { isResourceExpired } from '../../../src/core/errors.js';
import type { AdversarialCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { added, bookmark, errorEvent, modified, pod, pods } from '../support/objects.js';
import { chunks, okList, rawBody, sequence, status, times, watchLines } from '../support/recipes.js';

const listed = pods(3);
const a1 = pod('a', '11');

/** A watch that delivers nothing and stays open: the quiet, healthy case. */
const quietWatch = watchLines([], 'hang');

export const ordinaryFaults: AdversarialCase[] = [
  {
    name: 'a burst of 500s on the list is retried with backoff until the list succeeds',
    defectClass: 'ordinary',
    server: {
      list: sequence(...times(4, status(500, 'InternalError', 'etcd leader changed')), okList(listed, '3')),
      watch: quietWatch,
      valid: listed,
    },
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(5);
      expect(
        run.reported.filter((r) => r.context.phase === 'list' && r.context.retryInMs !== undefined),
      ).toHaveLength(4);
    },
  },
  {
    name: 'a burst of 503s with an HTML body on watches is retried from the same resourceVersion, no relist',
    defectClass: 'ordinary',
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        ...times(
          3,
          rawBody(503, '<html><body><h1>503 Service Unavailable</h1></body></html>', {
            'content-type': 'text/html',
          }),
        ),
        watchLines([added(a1)], 'hang'),
      ),
      valid: [...listed, a1],
    },
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(1);
      expect(run.server.requestsOf('watch').map((r) => r.query.resourceVersion)).toEqual([
        '3',
        '3',
        '3',
        '3',
      ]);
    },
  },
  {
    name: 'a watch reset mid-stream is re-watched from the last resourceVersion it delivered, no relist',
    defectClass: 'ordinary',
    server: {
      list: okList(listed, '3'),
      watch: sequence(watchLines([added(pod('a', '10')), modified(a1)], 'reset'), quietWatch),
      valid: [...listed, a1],
    },
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(1);
      expect(run.server.requestsOf('watch').map((r) => r.query.resourceVersion)).toEqual(['3', '11']);
    },
  },
  {
    name: 'a watch ended cleanly after events is re-watched from the last resourceVersion, no relist',
    defectClass: 'ordinary',
    // A clean close after progress restarts the watch once minWatchDurationMs has passed.
    informer: { minWatchDurationMs: 100 },
    server: {
      list: okList(listed, '3'),
      watch: sequence(watchLines([added(a1), bookmark('15')], 'end', { endAfterMs: 50 }), quietWatch),
      valid: [...listed, a1],
    },
    check: (run) => {
      expect(run.server.requestsOf('watch').map((r) => r.query.resourceVersion)).toEqual(['3', '15']);
      expect(run.reported).toEqual([]);
    },
  },
  {
    name: 'a 410 Gone answering a watch after events leads to one relist that picks up the new state',
    defectClass: 'ordinary',
    server: {
      list: sequence(okList(listed, '3'), okList([a1], '20')),
      watch: sequence(
        watchLines([modified(pod('pod-0', '5'))], 'end', { endAfterMs: 50 }),
        status(410, 'Expired', 'too old resource version: 5 (20)'),
        quietWatch,
      ),
      valid: [a1],
    },
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(2);
      expect(run.reported.some((r) => isResourceExpired(r.error) && r.context.relist)).toBe(true);
    },
  },
  {
    name: 'an in-stream ERROR 410 leads to one relist; objects gone meanwhile leave the cache',
    defectClass: 'ordinary',
    server: {
      list: sequence(okList(listed, '3'), okList(listed.slice(1), '30')),
      watch: sequence(
        watchLines([added(a1), errorEvent(410, 'Expired', 'too old resource version')], 'end'),
        quietWatch,
      ),
      valid: listed.slice(1),
    },
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(2);
      expect(run.server.requestsOf('watch').at(-1)?.query.resourceVersion).toBe('30');
    },
  },
  {
    name: 'a 410 on every watch right after the list is met with backoff, not a relist loop',
    defectClass: 'ordinary',
    server: {
      list: okList(listed, '3'),
      watch: status(410, 'Expired', 'too old resource version'),
      valid: listed,
    },
    runMs: 1500,
    maxRate: { list: 8, watch: 8 },
  },
  {
    name: 'a server closing every watch cleanly at its timeoutSeconds is re-watched each time, no relist',
    defectClass: 'ordinary',
    informer: { watchTimeoutSeconds: 1 },
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        (_n, q) => watchLines([added(a1)], 'end', { endAfterMs: (q.timeoutSeconds ?? 1) * 1000 }),
        (_n, q) => watchLines([bookmark('12')], 'end', { endAfterMs: (q.timeoutSeconds ?? 1) * 1000 }),
      ),
      valid: [...listed, a1],
    },
    runMs: 2500,
    check: (run) => {
      expect(run.server.requestsOf('list')).toHaveLength(1);
      expect(run.server.requestsOf('watch').every((r) => r.query.timeoutSeconds === 1)).toBe(true);
      expect(
        run.server
          .requestsOf('watch')
          .map((r) => r.query.resourceVersion)
          .slice(0, 3),
      ).toEqual(['3', '11', '12']);
      expect(run.reported).toEqual([]);
    },
  },
  {
    name: 'a watch that hangs without a byte is noticed by the idle watchdog and re-watched',
    defectClass: 'ordinary',
    client: { watchIdleTimeoutMs: 300 },
    server: {
      list: okList(listed, '3'),
      watch: sequence(watchLines([], 'hang'), watchLines([added(a1)], 'hang')),
      valid: [...listed, a1],
    },
    check: (run) => {
      expect(run.reported.some((r) => r.error.name === 'WatchIdleTimeoutError')).toBe(true);
      expect(run.server.requestsOf('list')).toHaveLength(1);
    },
  },
  {
    name: 'a list reset in the middle of its body is retried',
    defectClass: 'ordinary',
    server: {
      list: sequence(chunks(['{"kind":"List","items":[{"metadata":'], 'reset'), okList(listed, '3')),
      watch: quietWatch,
      valid: listed,
    },
  },
  {
    name: 'a 403 while a token rotates is retried, and the list that follows syncs the cache',
    defectClass: 'ordinary',
    server: {
      list: sequence(status(403, 'Forbidden', 'pods is forbidden'), okList(listed, '3')),
      watch: quietWatch,
      valid: listed,
    },
  },
];

describeCases('ordinary faults: the informer converges', ordinaryFaults);
