/**
 * `kube-rx/testing`: test doubles and builders for code built on kube-rx.
 *
 * Layer `testing`: the fake cluster, scripted client, builders and virtual clock, for users' tests and
 * the demo. May import: `core`, `store`, `transport`, `sources`, `operators`, `workqueue`, `api`, `runtime`.
 * @packageDocumentation
 */

export {
  addEvent,
  added,
  bookmark,
  deleted,
  deleteEvent,
  errorEvent,
  gone,
  listOf,
  modified,
  objectEvent,
  type PodOptions,
  pod,
  replaceEvent,
  updateEvent,
} from './builders.js';
export { createFakeCluster, type FakeCluster, type FakeClusterOptions } from './fakeCluster/fakeCluster.js';
export type { FakeServer, ListenOptions } from './fakeCluster/http.js';
export { applyJsonPatch, applyMergePatch, type JsonPatchOperation } from './fakeCluster/patches.js';
export {
  type ListStep,
  type ScriptedCall,
  type ScriptedClient,
  scriptedClient,
  type WatchStep,
} from './scriptedClient.js';
export { type VirtualClock, virtualClock } from './virtualClock.js';
