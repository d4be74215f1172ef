/**
 * Small builders for test objects and watch-stream values, so marble tests read like the
 * protocol: `added(pod('a', '5'))`, `bookmark('9')`, `gone()`.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ListResult, RawWatchEvent } from '../core/client.js';
import { statusError } from '../core/errors.js';
import type { InformerEvent, WatchEvent } from '../core/events.js';
import { asReadonly, type KubeObject } from '../core/objects.js';
import { INITIAL_EVENTS_END_ANNOTATION } from '../core/protocol.js';

/** Optional fields of a {@link pod}. */
export interface PodOptions {
  namespace?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  ownerUid?: string;
  phase?: string;
}

/**
 * A minimal Pod with the given name and resourceVersion.
 *
 * @example
 * ```ts
 * pod('web-1', '7', { labels: { app: 'web' }, nodeName: 'node-a' });
 * ```
 */
export function pod(name: string, resourceVersion: string, options: PodOptions = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: options.namespace ?? 'default',
      resourceVersion,
      uid: `uid-${options.namespace ?? 'default'}-${name}`,
      ...(options.labels ? { labels: options.labels } : {}),
      ...(options.ownerUid
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `rs-${options.ownerUid}`,
                uid: options.ownerUid,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers: [{ name: 'main', image: 'nginx' }],
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
    },
    ...(options.phase ? { status: { phase: options.phase } } : {}),
  };
}

/**
 * A list response page.
 *
 * @example
 * ```ts
 * scriptedClient({ lists: [listOf([pod('a', '1')], '1', 'next-page'), listOf([pod('b', '2')], '1')] });
 * ```
 */
export function listOf<T extends KubeObject>(
  items: T[],
  resourceVersion: string,
  continueToken?: string,
): ListResult {
  return { items, metadata: { resourceVersion, ...(continueToken ? { continue: continueToken } : {}) } };
}

/** A raw `ADDED` watch line, as a {@link ScriptedClient} watch stream carries it. */
export const added = (object: KubeObject): RawWatchEvent => ({ type: 'ADDED', object });
/** A raw `MODIFIED` watch line. */
export const modified = (object: KubeObject): RawWatchEvent => ({ type: 'MODIFIED', object });
/** A raw `DELETED` watch line. */
export const deleted = (object: KubeObject): RawWatchEvent => ({ type: 'DELETED', object });

/**
 * A BOOKMARK; with `initialEventsEnd` it closes the initial events of a streaming list.
 *
 * @example
 * ```ts
 * cold('-b', { b: bookmark('42') });       // a progress bookmark
 * cold('ab', { a: added(pod('a', '5')), b: bookmark('5', true) }); // ends a streaming list
 * ```
 */
export function bookmark(resourceVersion: string, initialEventsEnd = false): RawWatchEvent {
  return {
    type: 'BOOKMARK',
    object: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        resourceVersion,
        ...(initialEventsEnd ? { annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } : {}),
      },
    },
  };
}

/**
 * An in-stream `ERROR` event carrying a Status (default 410 Gone: resourceVersion compacted).
 *
 * @example
 * ```ts
 * scriptedClient({ lists: [listOf([], '1')], watches: [cold('--e', { e: errorEvent(410) })] }); // relists
 * ```
 */
export function errorEvent(code = 410, message = 'too old resource version'): RawWatchEvent {
  return { type: 'ERROR', object: statusError(code, message).status };
}

/** The HTTP 410 a watch or continue token gets once its resourceVersion was compacted. */
export const gone = (message = 'too old resource version') => statusError(410, message);

/** The `REPLACE` event `listWatch` emits once per (re)list, for expected values in marble tests. */
export const replaceEvent = <T>(objects: T[], resourceVersion: string): WatchEvent<T> => ({
  type: 'REPLACE',
  objects,
  resourceVersion,
});

/** An object event as `listWatch` emits it (after decoding and validation). */
export const objectEvent = <T>(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): WatchEvent<T> => ({
  type,
  object,
});

/** Informer events as `toEvents` / `informer().events$` emit them. */
export const addEvent = <T>(object: T, isInInitialList = false): InformerEvent<T> => ({
  type: 'add',
  object: asReadonly(object),
  isInInitialList,
});
/** An `update` informer event (`resync` for a resync or an unchanged relist). */
export const updateEvent = <T>(oldObject: T, object: T, resync = false): InformerEvent<T> => ({
  type: 'update',
  oldObject: asReadonly(oldObject),
  object: asReadonly(object),
  resync,
});
/** A `delete` informer event (`finalStateUnknown` when a relist found it missing). */
export const deleteEvent = <T>(object: T, finalStateUnknown = false): InformerEvent<T> => ({
  type: 'delete',
  object: asReadonly(object),
  finalStateUnknown,
});
