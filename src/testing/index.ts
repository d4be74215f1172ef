/**
 * `kube-rx/testing`: test doubles and builders for code built on kube-rx.
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
