/**
 * `kube-rx/testing`: test doubles and builders for code built on kube-rx.
 * @packageDocumentation
 */

export {
  added,
  bookmark,
  deleted,
  errorEvent,
  gone,
  listOf,
  modified,
  type PodOptions,
  pod,
} from './builders.js';
export {
  type ListStep,
  type ScriptedCall,
  type ScriptedClient,
  scriptedClient,
  type WatchStep,
} from './scriptedClient.js';
