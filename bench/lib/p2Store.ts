/**
 * The store P2 times and what it feeds it (bench/p2Scale.ts), shared with the allocation probe
 * (bench/instructions/p2Allocation.ts) so that both measure the same applying.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { Observable, type Subscriber } from 'rxjs';
import type { RawWatchEvent } from '../../src/core/client.js';
import { type EncodedObject, NOT_CAPTURED } from '../../src/core/encodedObject.js';
import {
  byField,
  byNamespace,
  deltaFifo,
  indexer,
  listWatch,
  resources,
  type Snapshot,
} from '../../src/index.js';
import { capturedSlotOf } from '../../src/store/indexFuncs.js';
import { listOf, scriptedClient } from '../../src/testing/index.js';
import { seededRandom } from '../../src/testing/random.js';
import { decodeWatchLine } from '../../src/transport/watchStream.js';
import { listedCells } from './listedCells.js';

/** What a store does with one event; `resourceVersion` tells whether the last event was applied. */
export interface Store {
  readonly apply: (event: RawWatchEvent) => void;
  readonly resourceVersion: () => string | undefined;
  readonly close: () => void;
}

/**
 * The indexes, made before any list is decoded, as an informer's are: `byField` registers its path
 * with the JSON scan, so only objects scanned after it carry the path's value. (Made after the
 * list, as P2 did until issue 17's seventh round, the listed cells lacked it, and an event that
 * replaced one read the values recorded when the list was filed, a cache miss or more per event
 * at 100k that no informer pays.)
 */
const indexers = { namespace: byNamespace, node: byField('spec.nodeName') };

/** No redaction: the benchmark's own objects hold no credentials. */
const keep = (text: string) => text;

/**
 * The items of a pod list of `json` as an informer's list decodes them (`EncodedObject` cells, in
 * pages of 500), checked to carry the node index's value.
 */
export function listedCellsWithNode(json: readonly string[]): V1Pod[] {
  const items = listedCells(json);
  const slot = capturedSlotOf(indexers.node as never);
  const first = items[0] as unknown as EncodedObject | undefined;
  if (slot === undefined || first?.capturedField(slot) === NOT_CAPTURED)
    throw new Error('the listed cells lack the node index value: make the indexes before decoding');
  return items;
}

/**
 * kube-rx: listWatch -> deltaFifo -> indexer (namespace + node), fed by a watch Observable, with
 * `deferDecoding` as an informer sets it; `items` are the list's cells.
 */
export function kubeRxStore(items: V1Pod[]): Store {
  // The watch hands each event to its subscriber, as the HTTP transport does; a Subject's `next`
  // would add a closure and an iterator per event (about 280 B) that no informer pays.
  let sink: Subscriber<RawWatchEvent> | undefined;
  const watch = new Observable<RawWatchEvent>((subscriber) => {
    sink = subscriber;
  });
  const client = scriptedClient({ lists: [listOf(items, '200000')], watches: [watch] });
  let latest: Snapshot<V1Pod> | undefined;
  const subscription = listWatch(client, resources.pods, { deferDecoding: true })
    .pipe(deltaFifo(), indexer<V1Pod>(indexers))
    .subscribe((snapshot) => {
      latest = snapshot;
    });
  if (latest?.size !== items.length) throw new Error(`store has ${latest?.size} objects`);
  return {
    apply: (event) => sink?.next(event),
    resourceVersion: () => latest?.resourceVersion,
    close: () => subscription.unsubscribe(),
  };
}

/**
 * A maker of fresh MODIFIED pods, picked at random from `json`, each with a new resourceVersion
 * and restart count. `last()` is the resourceVersion of the newest pod made.
 */
function modifiedPods(json: readonly string[]): {
  readonly make: (count: number) => V1Pod[];
  readonly last: () => string;
} {
  const random = seededRandom(json.length);
  let resourceVersion = 200_000;
  const make = (count: number): V1Pod[] =>
    Array.from({ length: count }, (_, step) => {
      const pod = JSON.parse(json[Math.floor(random() * json.length)] as string) as V1Pod;
      (pod.metadata as { resourceVersion: string }).resourceVersion = String(++resourceVersion);
      const status = pod.status?.containerStatuses?.[0] as { restartCount: number } | undefined;
      if (status) status.restartCount = step + 1;
      return pod;
    });
  return { make, last: () => String(resourceVersion) };
}

/** A pod's MODIFIED event as one line of a watch stream. */
const watchLine = (pod: V1Pod): string => JSON.stringify({ type: 'MODIFIED', object: pod });

/**
 * One watch line decoded as each store's client decodes it: for kube-rx (`deferred`) by the
 * transport's `decodeWatchLine` with `deferDecoding` (the object a cell), for a plain cache by
 * `JSON.parse` (the parsed pod).
 */
export function decodeLine(line: string, deferred: boolean): RawWatchEvent {
  if (!deferred) return JSON.parse(line) as RawWatchEvent;
  const event = decodeWatchLine(line, keep, true);
  if (event === undefined) throw new Error('the watch line did not decode');
  return event;
}

/**
 * A maker of fresh MODIFIED events for random pods of `json` (each a new resourceVersion and
 * restart count): for kube-rx (`deferred`), the watch line decoded by {@link decodeLine} (a cell);
 * for a plain cache, the parsed pod. `last()` is the resourceVersion of the newest event made.
 */
export function modifiedEvents(
  json: readonly string[],
  deferred: boolean,
): { readonly make: (count: number) => RawWatchEvent[]; readonly last: () => string } {
  const pods = modifiedPods(json);
  const make = (count: number): RawWatchEvent[] =>
    pods
      .make(count)
      .map((pod) => (deferred ? decodeLine(watchLine(pod), true) : { type: 'MODIFIED', object: pod }));
  return { make, last: pods.last };
}

/** {@link modifiedEvents} as the watch lines they are decoded from, for a clock that holds the decoding. */
export function modifiedLines(json: readonly string[]): {
  readonly make: (count: number) => string[];
  readonly last: () => string;
} {
  const pods = modifiedPods(json);
  return { make: (count) => pods.make(count).map(watchLine), last: pods.last };
}
