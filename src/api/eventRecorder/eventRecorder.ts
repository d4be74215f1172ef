/**
 * `eventRecorder`: client-go's `tools/events` EventRecorder on events.k8s.io/v1. A reconcile calls
 * `recorder.event(object, { type, reason, action, note })` and goes on: the call never blocks and
 * never throws. Behind it:
 *
 * - a spam filter (client-go's `EventSourceObjectSpamFilter`: a token bucket per regarding
 *   object, burst 25, one token per 5 minutes) drops floods from one object;
 * - series: the same event (same regarding and related objects, type, reason, action, note,
 *   controller and instance) again within 6 minutes of its last occurrence does not create a new
 *   Event; the existing one gets `series: { count, lastObservedTime }` (client-go's
 *   `isomorphic` events). client-go writes series counts every 30 minutes; here every repeat is
 *   queued and repeats waiting together are written once, with the latest count;
 * - a bounded queue (default 1000 entries, client-go's `maxQueuedEvents`) written by one worker
 *   in order; a full queue drops and counts, and a failed write is counted and reported to
 *   `onError`, never thrown. A series patch that finds its Event gone (expired, deleted) creates a
 *   new one, as client-go does.
 *
 * `flush()` resolves once everything queued so far was written (or failed): await it on
 * shutdown, after the controllers drained.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { KubeClient } from '../../core/client.js';
import { isStatusError } from '../../core/errors.js';
import type { DeepReadonly, KubeObject } from '../../core/objects.js';
import { type ResourceType, resources } from '../../core/resources.js';
import { type EventObjectReference, limitNote, microTime, referenceTo } from './eventObject.js';
import { SpamFilter, type SpamFilterOptions } from './spamFilter.js';

/** What happened, as `.event()` takes it. */
export interface EventDetails {
  /** `Normal` for the expected, `Warning` for what an operator should look at. */
  readonly type: 'Normal' | 'Warning';
  /** Why, in UpperCamelCase (`Created`, `FailedSync`). */
  readonly reason: string;
  /** What the controller did or failed to do, in UpperCamelCase (`Create`, `Reconcile`). */
  readonly action: string;
  /** A human-readable description (at most 1 kB; longer ones are cut). */
  readonly note?: string;
  /** A second object involved (the Pod a ReplicaSet created). */
  readonly related?: KubeObject | DeepReadonly<KubeObject>;
  /** The regarding object's resource, when the object carries no `apiVersion`/`kind`. */
  readonly resource?: ResourceType<KubeObject>;
}

/** Options of {@link eventRecorder}. */
export interface EventRecorderOptions {
  /** `reportingController`, e.g. `web.kube-rx.example/website-operator`. */
  readonly controller: string;
  /** `reportingInstance`, e.g. the pod name: which replica reported. */
  readonly instance: string;
  /** Clock of event times, series windows and the spam filter. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Writes waiting at most; beyond, events are dropped and counted. Default 1000. */
  readonly maxQueued?: number;
  /** How long after its last occurrence a repeat still joins a series. Default 6 minutes. */
  readonly seriesWindowMs?: number;
  /** The per-object token bucket. Default burst 25, 1 token per 5 minutes. */
  readonly spamFilter?: SpamFilterOptions;
  /** Told of every failed write (the recorder itself never throws). */
  readonly onError?: (error: unknown) => void;
}

/** Counters of an {@link EventRecorder}. */
export interface EventRecorderStats {
  /** New Events created. */
  readonly created: number;
  /** Series updates written. */
  readonly seriesUpdates: number;
  /** Dropped: the queue was full, the object's spam bucket was empty, or the object had no kind/name. */
  readonly dropped: { readonly queueFull: number; readonly spam: number; readonly invalid: number };
  /** Writes the API server refused or that failed. */
  readonly failed: number;
}

/** Records events; see {@link eventRecorder}. */
export interface EventRecorder {
  /** Queues an event about `object`; never blocks, never throws. */
  event(object: KubeObject | DeepReadonly<KubeObject>, details: EventDetails): void;
  /** Resolves when everything queued before the call was written (or failed). */
  flush(): Promise<void>;
  /** What happened so far. */
  stats(): EventRecorderStats;
}

interface Series {
  readonly template: Record<string, unknown>;
  readonly namespace: string;
  name: string | undefined;
  count: number;
  lastObserved: number;
}

type Work = { readonly kind: 'create' | 'series'; readonly series: Series };

/**
 * Creates an event recorder writing events.k8s.io/v1 Events through `client`.
 *
 * @example
 * ```ts
 * const recorder = eventRecorder(client, { controller: 'web.kube-rx.example/operator', instance: os.hostname() });
 * recorder.event(website, { type: 'Normal', reason: 'Published', action: 'Reconcile', note: 'page updated' });
 * await recorder.flush(); // on shutdown
 * ```
 */
export function eventRecorder(client: KubeClient, options: EventRecorderOptions): EventRecorder {
  const scheduler = options.scheduler ?? asyncScheduler;
  const maxQueued = options.maxQueued ?? 1000;
  const windowMs = options.seriesWindowMs ?? 360_000;
  const spam = new SpamFilter(options.spamFilter);
  const series = new Map<string, Series>();
  const queue: Work[] = [];
  const pendingSeries = new Set<Series>();
  const stats = { created: 0, seriesUpdates: 0, dropped: { queueFull: 0, spam: 0, invalid: 0 }, failed: 0 };
  let names = 0;
  let worker: Promise<void> = Promise.resolve();
  let working = false;

  const fail = (error: unknown) => {
    stats.failed++;
    try {
      options.onError?.(error);
    } catch {
      // a throwing onError must not stop the worker
    }
  };

  const create = async (entry: Series, withSeries: boolean) => {
    const now = scheduler.now();
    const regarding = entry.template.regarding as EventObjectReference;
    const name = `${regarding.name}.${(BigInt(Math.floor(now)) * 1_000_000n + BigInt(names++ % 1_000_000)).toString(16)}`;
    const body = {
      ...entry.template,
      metadata: { name, namespace: entry.namespace },
      ...(withSeries
        ? { series: { count: entry.count, lastObservedTime: microTime(entry.lastObserved) } }
        : {}),
    };
    await client.create(resources.eventsV1, body as never, { namespace: entry.namespace });
    entry.name = name;
    stats.created++;
  };

  const write = async (work: Work) => {
    const entry = work.series;
    if (work.kind === 'create' || entry.name === undefined) return create(entry, entry.count > 1);
    pendingSeries.delete(entry);
    const patch = { series: { count: entry.count, lastObservedTime: microTime(entry.lastObserved) } };
    try {
      await client.patch(resources.eventsV1, entry.name, patch, 'merge', { namespace: entry.namespace });
      stats.seriesUpdates++;
    } catch (error) {
      if (!(isStatusError(error) && error.code === 404)) throw error;
      await create(entry, true);
    }
  };

  const run = async () => {
    working = true;
    while (queue.length > 0) {
      const work = queue.shift() as Work;
      if (work.kind === 'series') pendingSeries.delete(work.series);
      try {
        await write(work);
      } catch (error) {
        fail(error);
      }
    }
    working = false;
  };

  const enqueue = (work: Work) => {
    if (work.kind === 'series' && pendingSeries.has(work.series)) return; // the waiting write takes the new count
    if (queue.length >= maxQueued) {
      stats.dropped.queueFull++;
      return;
    }
    queue.push(work);
    if (work.kind === 'series') pendingSeries.add(work.series);
    if (!working) worker = run();
  };

  const forgetExpired = (now: number) => {
    for (const [key, entry] of series) if (now - entry.lastObserved > windowMs) series.delete(key);
  };

  return {
    event(object, details) {
      try {
        const regarding = referenceTo(object, details.resource);
        const related = details.related ? referenceTo(details.related) : undefined;
        if (!regarding) {
          stats.dropped.invalid++;
          return;
        }
        const now = scheduler.now();
        const source = `${options.controller}/${options.instance}`;
        if (
          !spam.allow(
            JSON.stringify([
              source,
              regarding.apiVersion,
              regarding.kind,
              regarding.namespace,
              regarding.name,
              regarding.uid,
            ]),
            now,
          )
        ) {
          stats.dropped.spam++;
          return;
        }
        const template = {
          apiVersion: 'events.k8s.io/v1',
          kind: 'Event',
          eventTime: microTime(now),
          reportingController: options.controller,
          reportingInstance: options.instance,
          type: details.type,
          reason: details.reason,
          action: details.action,
          regarding,
          ...(related ? { related } : {}),
          ...(details.note !== undefined ? { note: limitNote(details.note) } : {}),
        };
        const { eventTime: _, ...identity } = template;
        const { resourceVersion: _rv, ...regardingIdentity } = regarding;
        const key = JSON.stringify({ ...identity, regarding: regardingIdentity });
        if (series.size > 4 * maxQueued) forgetExpired(now);
        const existing = series.get(key);
        if (existing && now - existing.lastObserved <= windowMs) {
          existing.count++;
          existing.lastObserved = now;
          enqueue({ kind: 'series', series: existing });
          return;
        }
        const entry: Series = {
          template,
          namespace: regarding.namespace ?? 'default',
          name: undefined,
          count: 1,
          lastObserved: now,
        };
        series.set(key, entry);
        enqueue({ kind: 'create', series: entry });
      } catch (error) {
        fail(error);
      }
    },
    flush: async () => {
      while (working) await worker;
    },
    stats: () => ({ ...stats, dropped: { ...stats.dropped } }),
  };
}
