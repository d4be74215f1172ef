/**
 * Structured logging through a manager, on the fake cluster in virtual time: one capturing logger
 * given to the manager sees the manager's lines (starting, caches synced, standing by and leading,
 * stopping, stopped with how), the reflector's (lists finished, a 410 as a warning, the relist and
 * its reason) with `resource`, and the controller's (`Reconciler error` for a failed attempt,
 * `dropped` for a terminal one, successes at debug) with `controller`, `resource` and `key`.
 */
import type { V1ConfigMap } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { manager } from '../../src/runtime/manager.js';
import type { StopResult } from '../../src/runtime/shutdown.js';
import { createFakeCluster, virtualClock } from '../../src/testing/index.js';
import { TerminalError } from '../../src/workqueue/reconcileErrors.js';
import { capturingLogger, type LogLine } from '../support/capturingLogger.js';

const NS = 'default';
const brief = (l: LogLine) => `${l.level} ${l.message}`;

describe('manager logging', () => {
  it('logs the manager, the reflector and the controller with resource, key and controller fields', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler, bookmarkIntervalMs: 0 });
    for (const [name, data] of [
      ['a', {}],
      ['b', { failOnce: 'true' }],
      ['c', { terminal: 'true' }],
    ] as const)
      await cluster.admin.create<V1ConfigMap>(resources.configMaps, {
        metadata: { name, namespace: NS },
        data,
      });
    const { logger, lines } = capturingLogger();
    const stop = new AbortController();
    const failed = new Set<string>();
    const mgr = manager({
      client: cluster.client,
      scheduler: clock.scheduler,
      leaderElection: { namespace: NS, name: 'configmaps', identity: 'me' },
      signal: stop.signal,
      logger,
      informerDefaults: { random: () => 0 },
    });
    mgr.controller('configmap', {
      for: mgr.informers.for(resources.configMaps, { namespace: NS }),
      reconcile: (key, snapshot) => {
        const data = snapshot.get(key)?.data ?? {};
        if (data.terminal === 'true') throw new TerminalError(`${key} cannot be reconciled`);
        if (data.failOnce === 'true' && !failed.has(key)) {
          failed.add(key);
          throw new Error(`first attempt of ${key} fails`);
        }
      },
      rateLimiter: { when: () => 100, forget: () => undefined, numRequeues: () => 0 },
    });
    let stopped: StopResult | undefined;
    void mgr.start().then((result) => {
      stopped = result;
    });
    await clock.advanceBy(5_000);
    // A watch that lived a while, then a compaction while it is down: 410 and a relist.
    await clock.advanceBy(60_000);
    cluster.compact();
    cluster.dropWatches();
    await clock.advanceBy(5_000);
    stop.abort();
    await clock.advanceUntil(() => stopped !== undefined, 60_000);

    const find = (message: string, fields: Record<string, unknown> = {}) =>
      lines.filter(
        (l) => l.message === message && Object.entries(fields).every(([k, v]) => l.fields[k] === v),
      );

    // The manager.
    expect(find('manager starting')[0]?.fields).toEqual({ controllers: ['configmap'], informers: 1 });
    const managerLines = lines.filter((l) =>
      ['manager starting', 'caches synced', 'standing by', 'started leading', 'stopping', 'stopped'].includes(
        l.message,
      ),
    );
    expect(managerLines.map(brief)).toEqual([
      'info manager starting',
      'info caches synced',
      'info standing by',
      'info started leading',
      'info stopping',
      'info stopped',
    ]);
    expect(find('started leading')[0]?.fields).toEqual({ lease: 'default/configmaps', identity: 'me' });
    expect(find('stopped')[0]?.fields).toMatchObject({ reason: 'abort', drained: true, leaseReleased: true });

    // The reflector: every line names the resource.
    const resource = 'configmaps.v1';
    expect(find('list finished', { resource })).toHaveLength(2);
    expect(find('list finished')[0]?.fields).toMatchObject({ resource, objects: 3, pages: 1 });
    expect(find('reflector error', { resource, phase: 'watch', relist: true })[0]?.level).toBe('warn');
    expect(find('relist', { resource, reason: 'expired' })).toHaveLength(1);
    expect(find('watch ended', { resource, reason: 'expired' })[0]?.level).toBe('info');
    expect(find('list started', { resource })[0]?.level).toBe('debug');

    // The controller: controller, resource and key on every line.
    const controllerFields = { controller: 'configmap', resource };
    const retried = find('Reconciler error', { ...controllerFields, key: 'default/b' });
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({
      level: 'error',
      fields: { attempt: 1, retryInMs: 100, error: 'first attempt of default/b fails' },
    });
    // Dropped at once, and again when the relist brings it back.
    const dropped = find('dropped', { ...controllerFields, key: 'default/c' });
    expect(dropped.length).toBeGreaterThanOrEqual(1);
    for (const line of dropped)
      expect(line).toMatchObject({ level: 'error', fields: { error: 'default/c cannot be reconciled' } });
    expect(new Set(find('reconciled', controllerFields).map((l) => l.fields.key))).toEqual(
      new Set(['default/a', 'default/b']),
    );
    for (const line of lines.filter((l) =>
      ['Reconciler error', 'dropped', 'reconciled', 'requeued'].includes(l.message),
    ))
      expect(Object.keys(line.fields)).toEqual(expect.arrayContaining(['controller', 'resource', 'key']));
    for (const line of lines.filter((l) =>
      ['list finished', 'reflector error', 'relist', 'watch started'].includes(l.message),
    ))
      expect(line.fields.resource).toBe(resource);
  });

  it('is silent without a logger', async () => {
    const clock = virtualClock();
    const cluster = createFakeCluster({ scheduler: clock.scheduler });
    const stop = new AbortController();
    const spy: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void spy.push(String(args[0]));
    try {
      const mgr = manager({ client: cluster.client, scheduler: clock.scheduler, signal: stop.signal });
      mgr.controller('configmap', {
        for: mgr.informers.for(resources.configMaps),
        reconcile: () => undefined,
      });
      let done = false;
      void mgr.start().then(() => {
        done = true;
      });
      await clock.advanceBy(1_000);
      stop.abort();
      await clock.advanceUntil(() => done, 60_000);
    } finally {
      console.log = original;
    }
    expect(spy).toEqual([]);
  });
});
