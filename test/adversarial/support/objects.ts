/**
 * Objects and watch events as a server sends them. Plain JSON, built fresh on every call, so a
 * case can tweak one without touching another's (the informer freezes what it caches).
 */
import type { KubeObject } from '../../../src/core/objects.js';

/** A pod `default/<name>` at `resourceVersion`; `extra` is merged into `metadata`. */
export function pod(name: string, resourceVersion: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'default', name, resourceVersion, uid: `uid-${name}`, ...extra },
  };
}

/** `count` pods named `<prefix>-0..` with resourceVersions counting up from `firstVersion`. */
export function pods(count: number, prefix = 'pod', firstVersion = 1): KubeObject[] {
  return Array.from({ length: count }, (_, i) => pod(`${prefix}-${i}`, String(firstVersion + i)));
}

/** A watch event line's value. */
export const added = (object: unknown) => ({ type: 'ADDED', object });
export const modified = (object: unknown) => ({ type: 'MODIFIED', object });
export const deleted = (object: unknown) => ({ type: 'DELETED', object });

/** A BOOKMARK carrying only a resourceVersion (and annotations, for the initial-events-end one). */
export function bookmark(resourceVersion: string, annotations?: Record<string, string>) {
  return {
    type: 'BOOKMARK',
    object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion, annotations } },
  };
}

/** The bookmark that ends a streaming list's initial events (KEP-3157). */
export const initialEventsEnd = (resourceVersion: string) =>
  bookmark(resourceVersion, { 'k8s.io/initial-events-end': 'true' });

/** An in-stream `ERROR` event carrying a Status (410 Expired is the usual one). */
export function errorEvent(code: number, reason: string, message: string) {
  return {
    type: 'ERROR',
    object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message },
  };
}
