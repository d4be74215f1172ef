/**
 * The canonical marble scenario of each operator, shared by a marble test
 * (`diagrams.marble.test.ts`, which runs every scenario under `TestScheduler` and asserts its
 * output) and by the documentation (`docs/tools/renderMarbles.ts`, which draws the same marble
 * strings as `docs/operators/<name>.svg`). A diagram in the docs is therefore verified behaviour.
 *
 * Inputs are `cold` (subscribed at frame 0) or `hot` (drawn on the same absolute time axis as
 * the output: used for list and watch answers that the reflector subscribes to later).
 */
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { map, type Observable, timer } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import {
  byField,
  DeletedFinalStateUnknown,
  type Delta,
  type DeltaBatch,
  deltaFifo,
  exponentialFailure,
  generationChanged,
  type InformerEvent,
  indexer,
  listWatch,
  resources,
  resync,
  type Snapshot,
  toEvents,
  type WatchEvent,
  type WorkResult,
  workQueue,
} from '../src/index.js';
import {
  addEvent,
  added,
  deleted,
  deleteEvent,
  errorEvent,
  listOf,
  modified,
  objectEvent,
  pod,
  replaceEvent,
  scriptedClient,
  updateEvent,
} from '../src/testing/index.js';

/** What `TestScheduler.run` hands its callback: `cold`, `hot`, `expectObservable`, ... */
export type RunHelpers = Parameters<Parameters<TestScheduler['run']>[0]>[0];

/** One stream of a diagram: a marble string, the values its letters stand for, and its error. */
export interface MarbleStream {
  /** Caption drawn left of the time line. */
  readonly label: string;
  /** A `TestScheduler.run` marble string (run mode: spaces are ignored, `10ms`/`1m` advance time). */
  readonly marble: string;
  readonly values?: Readonly<Record<string, unknown>>;
  /** The value of `#`. */
  readonly error?: unknown;
  /** How an input is created: `cold` (the default) or `hot`. Ignored for the output. */
  readonly kind?: 'cold' | 'hot';
}

/** A marble diagram of one operator. */
export interface MarbleDiagram {
  /** File name of the rendered picture: `docs/operators/<name>.svg`. */
  readonly name: string;
  /** The expression the diagram shows. */
  readonly title: string;
  /** One or two sentences drawn under the title. */
  readonly description: string;
  readonly inputs: readonly MarbleStream[];
  readonly output: MarbleStream;
  /** The output's subscription marble (`expectObservable`'s second argument), if not the whole run. */
  readonly subscription?: string;
  /** Builds the output from the inputs (in `inputs` order) inside `TestScheduler.run`. */
  run(inputs: readonly Observable<unknown>[], helpers: RunHelpers): Observable<unknown>;
}

const batch = <T>(deltas: Delta<T>[], resourceVersion: string, initialList = false): DeltaBatch<T> => ({
  deltas,
  resourceVersion,
  synced: true,
  initialList,
});

// ---------------------------------------------------------------------------------------------
// listWatch: list, watch, a closed watch resumes without relisting, a 410 relists.

const lwA1 = pod('a', '1');
const lwB2 = pod('b', '2');
const lwA3 = pod('a', '3');
const lwC4 = pod('c', '4');
const lwB5 = pod('b', '5');
const lwA7 = pod('a', '7');
const lwC8 = pod('c', '8');

const listWatchDiagram: MarbleDiagram = {
  name: 'listWatch',
  title: 'listWatch(client, resources.pods)',
  description:
    'List, then watch from the list resourceVersion. A closed watch resumes from the last resourceVersion ' +
    '(no relist); a 410 Gone relists and the new list arrives as one REPLACE.',
  inputs: [
    { label: 'list #1', kind: 'hot', marble: '-(l|)', values: { l: listOf([lwA1, lwB2], '2') } },
    {
      label: 'watch #1 (rv 2)',
      kind: 'hot',
      marble: '---a--b--|',
      values: { a: modified(lwA3), b: added(lwC4) },
    },
    {
      label: 'watch #2 (rv 4)',
      kind: 'hot',
      marble: '-----------m--e',
      values: { m: modified(lwB5), e: errorEvent(410) },
    },
    {
      label: 'list #2',
      kind: 'hot',
      marble: '---------------(l|)',
      values: { l: listOf([lwA7, lwC4], '7') },
    },
    { label: 'watch #3 (rv 7)', kind: 'hot', marble: '------------------d', values: { d: deleted(lwC8) } },
  ],
  output: {
    label: 'listWatch',
    marble: '-r-a--b----m---R--d',
    values: {
      r: replaceEvent([lwA1, lwB2], '2'),
      a: objectEvent('MODIFIED', lwA3),
      b: objectEvent('ADDED', lwC4),
      m: objectEvent('MODIFIED', lwB5),
      R: replaceEvent([lwA7, lwC4], '7'),
      d: objectEvent('DELETED', lwC8),
    },
  },
  run: ([list1, watch1, watch2, list2, watch3]) => {
    const client = scriptedClient({
      lists: [list1, list2] as Observable<never>[],
      watches: [watch1, watch2, watch3] as Observable<never>[],
    });
    return listWatch(client, resources.pods, { random: () => 0 });
  },
};

// ---------------------------------------------------------------------------------------------
// resync: RESYNC ticks once synced, every period, on the scheduler (virtual time here).

const rsA1 = pod('a', '1');
const rsA2 = pod('a', '2');
const resyncDiagram: MarbleDiagram = {
  name: 'resync',
  title: 'resync(60_000)',
  description:
    'No tick before the first REPLACE (the cache is not synced); then a RESYNC every minute, in virtual ' +
    'time, merged with the events; the timer stops when the source completes.',
  inputs: [
    {
      label: 'watch events',
      marble: 'k-r 29999ms m 100s |',
      values: {
        k: { type: 'BOOKMARK', resourceVersion: '1' },
        r: replaceEvent([rsA1], '1'),
        m: objectEvent('MODIFIED', rsA2),
      },
    },
  ],
  output: {
    label: 'resync(60_000)',
    marble: 'k-r 29999ms m 29999ms s 59999ms s 10000ms |',
    values: {
      k: { type: 'BOOKMARK', resourceVersion: '1' },
      r: replaceEvent([rsA1], '1'),
      m: objectEvent('MODIFIED', rsA2),
      s: { type: 'RESYNC' },
    },
  },
  run: ([events]) => (events as Observable<WatchEvent<V1Pod>>).pipe(resync(60_000)),
};

// ---------------------------------------------------------------------------------------------
// deltaFifo: watch events to delta batches.

const dfA1 = pod('a', '1');
const dfB2 = pod('b', '2');
const dfC3 = pod('c', '3');
const dfA4 = pod('a', '4');
const dfB5 = pod('b', '5');
const dfA6 = pod('a', '6');
const dfD6 = pod('d', '6');

const deltaFifoDiagram: MarbleDiagram = {
  name: 'deltaFifo',
  title: 'deltaFifo()',
  description:
    'ADDED/MODIFIED become Added or Updated, a repeat of the same resourceVersion is dropped, a relist yields ' +
    'Replaced, Added and a tombstoned Deleted for what vanished meanwhile (DeletedFinalStateUnknown).',
  inputs: [
    {
      label: 'watch events',
      marble: 'r-a-m-x-d-R',
      values: {
        r: replaceEvent([dfA1, dfB2], '2'),
        a: objectEvent('ADDED', dfC3),
        m: objectEvent('MODIFIED', dfA4),
        x: objectEvent('MODIFIED', dfA4),
        d: objectEvent('DELETED', dfB5),
        R: replaceEvent([dfA6, dfD6], '6'),
      },
    },
  ],
  output: {
    label: 'deltaFifo()',
    marble: 'r-a-m---d-R',
    values: {
      r: batch(
        [
          { type: 'Added', key: 'default/a', object: dfA1 },
          { type: 'Added', key: 'default/b', object: dfB2 },
        ],
        '2',
        true,
      ),
      a: batch([{ type: 'Added', key: 'default/c', object: dfC3 }], '3'),
      m: batch([{ type: 'Updated', key: 'default/a', object: dfA4, oldObject: dfA1 }], '4'),
      d: batch([{ type: 'Deleted', key: 'default/b', object: dfB5, oldObject: dfB2 }], '5'),
      R: batch(
        [
          { type: 'Replaced', key: 'default/a', object: dfA6, oldObject: dfA4 },
          { type: 'Added', key: 'default/d', object: dfD6 },
          {
            type: 'Deleted',
            key: 'default/c',
            object: dfC3,
            oldObject: dfC3,
            tombstone: new DeletedFinalStateUnknown('default/c', dfC3),
          },
        ],
        '6',
      ),
    },
  },
  run: ([events]) => (events as Observable<WatchEvent<V1Pod>>).pipe(deltaFifo()),
};

// ---------------------------------------------------------------------------------------------
// indexer: delta batches to snapshots (projected to plain data for the diagram).

const ixA1 = pod('a', '1', { nodeName: 'n1' });
const ixB2 = pod('b', '2', { nodeName: 'n2' });
const ixA3 = pod('a', '3', { nodeName: 'n2' });
const ixB4 = pod('b', '4', { nodeName: 'n2' });

/** The part of a snapshot the diagram shows: size, resourceVersion, sync flag and the node index. */
export interface SnapshotView {
  readonly size: number;
  readonly resourceVersion: string;
  readonly synced: boolean;
  readonly byNode: Readonly<Record<string, readonly string[]>>;
}

const viewOf = (snapshot: Snapshot<V1Pod>): SnapshotView => ({
  size: snapshot.size,
  resourceVersion: snapshot.resourceVersion,
  synced: snapshot.synced,
  byNode: Object.fromEntries(
    snapshot
      .indexValues('node')
      .sort()
      .map((node) => [node, [...snapshot.indexKeys('node', node)].sort()]),
  ),
});

const indexerDiagram: MarbleDiagram = {
  name: 'indexer',
  title: "indexer({ node: byField('spec.nodeName') })",
  description:
    'One immutable Snapshot per batch (drawn here as its size, resourceVersion and node index): the ' +
    'index follows moves and deletes, and a bookmark batch only advances the resourceVersion.',
  inputs: [
    {
      label: 'delta batches',
      marble: 'r-u-d-k',
      values: {
        r: batch(
          [
            { type: 'Added', key: 'default/a', object: ixA1 },
            { type: 'Added', key: 'default/b', object: ixB2 },
          ],
          '2',
          true,
        ),
        u: batch([{ type: 'Updated', key: 'default/a', object: ixA3, oldObject: ixA1 }], '3'),
        d: batch([{ type: 'Deleted', key: 'default/b', object: ixB4, oldObject: ixB2 }], '4'),
        k: batch([], '9'),
      },
    },
  ],
  output: {
    label: 'indexer(...)',
    marble: 'r-u-d-k',
    values: {
      r: { size: 2, resourceVersion: '2', synced: true, byNode: { n1: ['default/a'], n2: ['default/b'] } },
      u: { size: 2, resourceVersion: '3', synced: true, byNode: { n2: ['default/a', 'default/b'] } },
      d: { size: 1, resourceVersion: '4', synced: true, byNode: { n2: ['default/a'] } },
      k: { size: 1, resourceVersion: '9', synced: true, byNode: { n2: ['default/a'] } },
    } satisfies Record<string, SnapshotView>,
  },
  run: ([batches]) =>
    (batches as Observable<DeltaBatch<V1Pod>>).pipe(
      indexer<V1Pod>({ node: byField('spec.nodeName') }),
      map(viewOf),
    ),
};

// ---------------------------------------------------------------------------------------------
// toEvents: delta batches to ResourceEventHandler calls.

const teA1 = pod('a', '1');
const teB1 = pod('b', '1');
const teA2 = pod('a', '2');
const teC3 = pod('c', '3');

const toEventsDiagram: MarbleDiagram = {
  name: 'toEvents',
  title: 'toEvents()',
  description:
    'Each delta becomes an add, update or delete, in delta order and in the same frame as its batch: ' +
    'isInInitialList for the first list, resync for Sync and unchanged Replaced, finalStateUnknown for tombstones.',
  inputs: [
    {
      label: 'delta batches',
      marble: 'r---u-s-R',
      values: {
        r: batch(
          [
            { type: 'Added', key: 'default/a', object: teA1 },
            { type: 'Added', key: 'default/b', object: teB1 },
          ],
          '1',
          true,
        ),
        u: batch([{ type: 'Updated', key: 'default/a', object: teA2, oldObject: teA1 }], '2'),
        s: batch([{ type: 'Sync', key: 'default/b', object: teB1, oldObject: teB1 }], '2'),
        R: batch(
          [
            { type: 'Replaced', key: 'default/a', object: teA2, oldObject: teA2 },
            { type: 'Added', key: 'default/c', object: teC3 },
            {
              type: 'Deleted',
              key: 'default/b',
              object: teB1,
              oldObject: teB1,
              tombstone: new DeletedFinalStateUnknown('default/b', teB1),
            },
          ],
          '3',
        ),
      },
    },
  ],
  output: {
    label: 'toEvents()',
    marble: '(ab)u-s-(xyz)',
    values: {
      a: addEvent(teA1, true),
      b: addEvent(teB1, true),
      u: updateEvent(teA1, teA2),
      s: updateEvent(teB1, teB1, true),
      x: updateEvent(teA2, teA2, true),
      y: addEvent(teC3),
      z: deleteEvent(teB1, true),
    } satisfies Record<string, InformerEvent<V1Pod>>,
  },
  run: ([batches]) => (batches as Observable<DeltaBatch<V1Pod>>).pipe(toEvents()),
};

// ---------------------------------------------------------------------------------------------
// workQueue: keys to reconcile results.

const conflict = new Error('409 Conflict');

const workQueueDiagram: MarbleDiagram = {
  name: 'workQueue',
  title: 'workQueue(reconcile, { concurrency: 2, rateLimiter: exponentialFailure(5) })',
  description:
    'Every reconcile takes 3 ms and b fails once. a is added twice while it runs: the adds dedupe and a runs ' +
    'once more afterwards, never twice at once. b retries after a 5 ms backoff. Completion drains the queue.',
  inputs: [{ label: 'keys', marble: 'ab(aa)-----|' }],
  output: {
    label: 'workQueue(...)',
    marble: '---ab-c-----(d|)',
    values: {
      a: { key: 'a', outcome: 'success', attempt: 1, durationMs: 3 },
      b: { key: 'b', outcome: 'retry', attempt: 1, durationMs: 3, error: conflict, delayMs: 5 },
      c: { key: 'a', outcome: 'success', attempt: 1, durationMs: 3 },
      d: { key: 'b', outcome: 'success', attempt: 2, durationMs: 3 },
    } satisfies Record<string, WorkResult>,
  },
  run: ([keys]) => {
    const failures = new Map<string, number>([['b', 1]]);
    const reconcile = (key: string) => {
      const left = failures.get(key) ?? 0;
      if (left > 0) failures.set(key, left - 1);
      return timer(3).pipe(
        map(() => {
          if (left > 0) throw conflict;
        }),
      );
    };
    return (keys as Observable<string>).pipe(
      workQueue(reconcile, { concurrency: 2, rateLimiter: exponentialFailure(5) }),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// predicates: generationChanged drops status-only updates and resyncs.

interface DeploymentShape {
  readonly rv: string;
  readonly generation: number;
  readonly replicas: number;
  readonly ready?: number;
}

const deployment = (s: DeploymentShape): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', resourceVersion: s.rv, generation: s.generation },
  spec: { replicas: s.replicas, selector: {}, template: {} },
  ...(s.ready !== undefined ? { status: { readyReplicas: s.ready } } : {}),
});

const pd1 = deployment({ rv: '1', generation: 1, replicas: 1 });
const pd2 = deployment({ rv: '2', generation: 1, replicas: 1, ready: 1 });
const pd3 = deployment({ rv: '3', generation: 2, replicas: 3, ready: 1 });

const predicatesDiagram: MarbleDiagram = {
  name: 'predicates',
  title: 'generationChanged()',
  description:
    'Passes add, delete and updates whose metadata.generation changed (spec edits); drops status-only ' +
    'updates and resyncs. labelsChanged, annotationsChanged and resourceVersionChanged work alike.',
  inputs: [
    {
      label: 'informer events',
      marble: 'a-u-s-g-d',
      values: {
        a: addEvent(pd1),
        u: updateEvent(pd1, pd2),
        s: updateEvent(pd2, pd2, true),
        g: updateEvent(pd2, pd3),
        d: deleteEvent(pd3),
      },
    },
  ],
  output: {
    label: 'generationChanged()',
    marble: 'a-----g-d',
    values: { a: addEvent(pd1), g: updateEvent(pd2, pd3), d: deleteEvent(pd3) },
  },
  run: ([events]) => (events as Observable<InformerEvent<V1Deployment>>).pipe(generationChanged()),
};

/** Every diagram, in the order of the pipeline. */
export const diagrams: readonly MarbleDiagram[] = [
  listWatchDiagram,
  resyncDiagram,
  deltaFifoDiagram,
  indexerDiagram,
  toEventsDiagram,
  workQueueDiagram,
  predicatesDiagram,
];
