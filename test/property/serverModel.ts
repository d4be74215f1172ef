/**
 * A small model of an API server for property tests of the Reflector pipeline.
 *
 * `ServerModel` holds pods across three namespaces and a global resourceVersion counter, like
 * etcd's revision: every write bumps it, including writes to other resources (`noise`), so
 * bookmarks and list resourceVersions can be ahead of every pod's resourceVersion.
 *
 * fast-check generates a {@link Scenario} (initial writes, then a sequence of {@link Command}s:
 * writes, bookmarks, watch timeouts, 500s, 410s with compaction while disconnected, failing
 * lists). {@link buildScript} plays the scenario against the model and translates it into the
 * list answers and watch streams a {@link scriptedClient} serves, in the order client-go's
 * Reflector asks for them:
 * - writes while a watch is open are events of that watch; writes after a watch closed (timeout,
 *   500) are replayed at the start of the next watch, which resumes from the last seen
 *   resourceVersion;
 * - writes after a 410 are only seen through the relist (so it must yield tombstones);
 * - watches that fail without progress (500s, short watches: no new resourceVersion within a
 *   second) are counted like the reflector counts them, and `watchFailuresBeforeRelist` of them in
 *   a row script a relist;
 * - hostile answers: a list answered 200 with something that is not a list, a continue token
 *   repeated, a streaming list cut short, a watched object whose resourceVersion is not a string,
 *   a 503 with Retry-After; each must be reported and retried without touching the cache;
 * - the scenario ends with a bookmark at the server's resourceVersion, so a correct client is
 *   caught up and its cache must equal the model.
 * Every scripted answer checks the request it serves (resourceVersion, limit, continue token,
 * sendInitialEvents) and records mismatches, so a reflector that asks for the wrong thing fails.
 */

import { fc } from '@fast-check/vitest';
import type { V1Pod } from '@kubernetes/client-node';
import {
  concat,
  ignoreElements,
  map,
  merge,
  mergeMap,
  NEVER,
  type Observable,
  of,
  Subject,
  takeUntil,
  tap,
  throwError,
  timer,
} from 'rxjs';
import { expect } from 'vitest';
import type { ListOptions, ListResult, RawWatchEvent, WatchOptions } from '../../src/index.js';
import {
  type DeepReadonly,
  type KubeObject,
  type LabelSelectorObject,
  objectKey,
  type SelectorOperator,
  type Snapshot,
  StatusError,
  statusError,
} from '../../src/index.js';
import {
  added,
  bookmark,
  deleted,
  errorEvent,
  type ListStep,
  listOf,
  modified,
  pod,
  type ScriptedClient,
  scriptedClient,
  type WatchStep,
} from '../../src/testing/index.js';

export const NAMESPACES = ['default', 'kube-system', 'team-a'] as const;
export const NAMES = ['p0', 'p1', 'p2', 'p3', 'p4'] as const;
export const NODES = ['n1', 'n2', 'n3'] as const;
export const LABEL_KEYS = ['app', 'tier', 'example.com/team'] as const;
export const LABEL_VALUES = ['web', 'db', 'cache', ''] as const;
export const OWNER_UIDS = ['rs-1', 'rs-2', 'rs-3'] as const;

/** The mutable part of a pod the scenarios change. */
export interface PodSpec {
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeName?: string;
  readonly ownerUid?: string;
}

export type Mutation =
  | { readonly kind: 'create'; readonly namespace: string; readonly name: string; readonly spec: PodSpec }
  /** Changes the labels and/or node of the `pick`-th live pod (modulo the count); no-op if none. */
  | { readonly kind: 'update'; readonly pick: number; readonly spec: PodSpec }
  | { readonly kind: 'delete'; readonly pick: number }
  /** A write to another resource: only the global resourceVersion moves. */
  | { readonly kind: 'noise' };

/**
 * How a list attempt fails. `midPage*` fail after the first page (or mid-stream for streaming
 * lists); `unsupported` is a 400 to a streaming list, after which the reflector lists paginated.
 * `notAList`: a 200 whose body is not a list (`{}`, `[]`, a Status); for a streaming list, a stream
 * that closes before its end bookmark (cut short). `repeatedToken`: the second page repeats the
 * first page's continue token (the reflector gives the list up and lists unpaginated).
 */
export type ListFailure =
  | 'error500'
  | 'midPage500'
  | 'midPage410'
  | 'unsupported'
  | 'notAList'
  | 'repeatedToken';

/** Watch lines the reflector must report and skip without losing its place. */
export type Garbage = 'noName' | 'unknownType' | 'bookmarkWithoutRv' | 'versionNotString';

export type Command =
  | { readonly kind: 'mutate'; readonly mutation: Mutation; readonly gapMs: number }
  | { readonly kind: 'bookmark'; readonly gapMs: number }
  | { readonly kind: 'garbage'; readonly garbage: Garbage; readonly gapMs: number }
  /** The server closes the watch normally (its timeoutSeconds elapsed). */
  | { readonly kind: 'watchTimeout'; readonly afterMs: number }
  /**
   * A 500: as an in-stream ERROR event, or as the answer to the next watch request (a 503 with
   * `Retry-After` when `retryAfterSeconds` is set).
   */
  | {
      readonly kind: 'watch500';
      readonly inStream: boolean;
      readonly gapMs: number;
      readonly retryAfterSeconds?: number;
    }
  /**
   * A 410 Gone (in-stream ERROR or HTTP answer to the next watch request), then `whileDisconnected`
   * writes the client only sees through the relist, whose first attempts fail with `listFailures`.
   */
  | {
      readonly kind: 'gone';
      readonly inStream: boolean;
      readonly gapMs: number;
      readonly whileDisconnected: readonly Mutation[];
      readonly listFailures: readonly ListFailure[];
    };

export interface Scenario {
  readonly listMode: 'paginated' | 'streaming' | 'auto';
  /** Every list (and streaming list) also carries an item without a name, to be skipped. */
  readonly garbageInLists: boolean;
  /** `limit` of paginated lists. */
  readonly pageSize: number;
  /** Virtual time each list request takes. */
  readonly listLatencyMs: number;
  readonly initial: readonly Mutation[];
  readonly initialListFailures: readonly ListFailure[];
  readonly commands: readonly Command[];
  /** Virtual time between the final bookmark and the end of the run (resync ticks happen here). */
  readonly tailMs: number;
  /** The reflector's `watchFailuresBeforeRelist`. */
  readonly watchFailuresBeforeRelist: number;
}

/** The in-memory API server: pods by key and the global resourceVersion. */
export class ServerModel {
  private rv = 0;
  readonly objects = new Map<string, V1Pod>();
  /** The state after every write, in resourceVersion order. */
  private readonly history: { rv: number; objects: ReadonlyMap<string, V1Pod> }[] = [
    { rv: 0, objects: new Map() },
  ];

  /** The pods as of `resourceVersion` (the last write at or before it). */
  stateAt(resourceVersion: string): ReadonlyMap<string, V1Pod> | undefined {
    const rv = Number(resourceVersion);
    if (resourceVersion === '' || !Number.isInteger(rv)) return undefined;
    return this.history.findLast((entry) => entry.rv <= rv)?.objects;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Current pods, in key order (the API server lists sorted by key). */
  list(): V1Pod[] {
    return [...this.objects.keys()].sort().map((key) => this.objects.get(key) as V1Pod);
  }

  /** Applies a write and returns the watch event it produces (none for no-ops and noise). */
  apply(mutation: Mutation): RawWatchEvent | undefined {
    const event = this.write(mutation);
    if (event) this.history.push({ rv: this.rv, objects: new Map(this.objects) });
    return event;
  }

  private write(mutation: Mutation): RawWatchEvent | undefined {
    switch (mutation.kind) {
      case 'noise':
        this.rv++;
        return undefined;
      case 'create': {
        const key = `${mutation.namespace}/${mutation.name}`;
        const object = this.podAt(++this.rv, mutation.name, mutation.namespace, mutation.spec);
        const existed = this.objects.has(key);
        this.objects.set(key, object);
        // Creating an existing name is a replace (an update) in this model.
        return existed ? modified(object) : added(object);
      }
      case 'update': {
        const key = this.pick(mutation.pick);
        if (key === undefined) return undefined;
        const old = this.objects.get(key) as V1Pod;
        const object = this.podAt(
          ++this.rv,
          old.metadata?.name as string,
          old.metadata?.namespace as string,
          mutation.spec,
        );
        this.objects.set(key, object);
        return modified(object);
      }
      case 'delete': {
        const key = this.pick(mutation.pick);
        if (key === undefined) return undefined;
        const old = this.objects.get(key) as V1Pod;
        this.objects.delete(key);
        // The DELETED event carries the object at the deletion's resourceVersion.
        const rv = String(++this.rv);
        return deleted({ ...old, metadata: { ...old.metadata, resourceVersion: rv } });
      }
    }
  }

  private pick(n: number): string | undefined {
    const keys = [...this.objects.keys()].sort();
    return keys.length === 0 ? undefined : keys[n % keys.length];
  }

  private podAt(rv: number, name: string, namespace: string, spec: PodSpec): V1Pod {
    return pod(name, String(rv), {
      namespace,
      labels: { ...spec.labels },
      ...(spec.nodeName ? { nodeName: spec.nodeName } : {}),
      ...(spec.ownerUid ? { ownerUid: spec.ownerUid } : {}),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

export const labelsArb: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.constantFrom(...LABEL_KEYS),
  fc.constantFrom(...LABEL_VALUES),
  { maxKeys: 3 },
);

export const podSpecArb: fc.Arbitrary<PodSpec> = fc.record(
  {
    labels: labelsArb,
    nodeName: fc.constantFrom(...NODES),
    ownerUid: fc.constantFrom(...OWNER_UIDS),
  },
  { requiredKeys: ['labels'] },
);

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      namespace: fc.constantFrom(...NAMESPACES),
      name: fc.constantFrom(...NAMES),
      spec: podSpecArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('update' as const), pick: fc.nat(20), spec: podSpecArb }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'noise' as const }) },
);

const gapArb = fc.integer({ min: 0, max: 3000 });
const listFailuresArb = fc.array(
  fc.constantFrom<ListFailure>(
    'error500',
    'midPage500',
    'midPage410',
    'unsupported',
    'notAList',
    'repeatedToken',
  ),
  {
    maxLength: 2,
  },
);

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({ kind: fc.constant('mutate' as const), mutation: mutationArb, gapMs: gapArb }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bookmark' as const), gapMs: gapArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('garbage' as const),
      garbage: fc.constantFrom<Garbage>('noName', 'unknownType', 'bookmarkWithoutRv', 'versionNotString'),
      gapMs: gapArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('watchTimeout' as const),
      afterMs: fc.oneof(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 1000, max: 600_000 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        kind: fc.constant('watch500' as const),
        inStream: fc.boolean(),
        gapMs: gapArb,
        retryAfterSeconds: fc.integer({ min: 1, max: 120 }),
      },
      { requiredKeys: ['kind', 'inStream', 'gapMs'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('gone' as const),
      inStream: fc.boolean(),
      gapMs: gapArb,
      // Mostly "compaction while disconnected": several writes between the break and the relist.
      whileDisconnected: fc.array(mutationArb, { maxLength: 8, size: 'medium' }),
      listFailures: listFailuresArb,
    }),
  },
);

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  listMode: fc.constantFrom<Scenario['listMode']>('paginated', 'paginated', 'streaming', 'auto'),
  garbageInLists: fc.boolean(),
  pageSize: fc.constantFrom(1, 2, 3, 500),
  listLatencyMs: fc.constantFrom(0, 0, 5, 1500),
  initial: fc.array(mutationArb, { maxLength: 15, size: 'medium' }),
  initialListFailures: listFailuresArb,
  commands: fc.array(commandArb, { maxLength: 40, size: 'medium' }),
  tailMs: fc.integer({ min: 0, max: 120_000 }),
  // The reflector's default: properties that do not set the option get the same model.
  watchFailuresBeforeRelist: fc.constant(8),
});

/**
 * {@link scenarioArb} with `watchFailuresBeforeRelist` drawn from 1, 2, 3 and 8, so that runs of
 * failed watches end in a relist often; pass the scenario's value to the reflector.
 */
export const relistingScenarioArb: fc.Arbitrary<Scenario> = fc
  .tuple(scenarioArb, fc.constantFrom(1, 2, 3, 8))
  .map(([scenario, watchFailuresBeforeRelist]) => ({ ...scenario, watchFailuresBeforeRelist }));

// ---------------------------------------------------------------------------------------------
// Translation into a scripted client

interface Timed {
  readonly gapMs: number;
  readonly event: RawWatchEvent;
  /** The reflector counts it as progress (a new resourceVersion from an object event, a REPLACE). */
  readonly progress?: boolean;
}

/** How a scripted stream ends: a clean close after a delay, an ERROR event (then silence), or `until`. */
type StreamEnd =
  | { readonly kind: 'clean'; readonly afterMs: number }
  | { readonly kind: 'error' }
  | { readonly kind: 'open'; readonly until: Observable<never> };

/** What the next watch request must look like. */
type WatchExpectation = { readonly streaming: true } | { readonly streaming: false; readonly rv: string };

export interface Script {
  /** A fresh scripted client serving the scenario (each call starts from the beginning). */
  readonly client: ScriptedClient;
  /** The server's state at the end. */
  readonly final: { readonly objects: ReadonlyMap<string, V1Pod>; readonly resourceVersion: string };
  /** The server's pods as of a resourceVersion. */
  stateAt(resourceVersion: string): ReadonlyMap<string, V1Pod> | undefined;
  /** The server's state when the first list succeeded (for knownObjects warm-ups). */
  readonly initialObjects: readonly V1Pod[];
  /** Emits once the final bookmark was served and `tailMs` passed: the run can stop. */
  readonly done$: Observable<void>;
  /** An upper bound of the virtual time the scenario needs, backoffs included. */
  readonly hardLimitMs: number;
  /** Requests that did not match what the script expected at that point. */
  readonly mismatches: string[];
  readonly listSteps: number;
  readonly watchSteps: number;
}

/** A list item or watch object without `metadata.name`: reported and skipped. */
const NAMELESS: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default' } };

const GARBAGE: Record<Garbage, RawWatchEvent> = {
  noName: {
    type: 'MODIFIED',
    object: { ...NAMELESS, metadata: { namespace: 'default', resourceVersion: '999999' } },
  },
  unknownType: { type: 'SNAPSHOT', object: pod('p0', '999999') },
  bookmarkWithoutRv: { type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: {} } },
  versionNotString: {
    type: 'MODIFIED',
    object: { ...pod('p0', '1'), metadata: { name: 'p0', namespace: 'default', resourceVersion: { v: 1 } } },
  },
};

/** 200 answers to a list that are not lists: each an InvalidListError or a StatusError, retried. */
const NOT_A_LIST: readonly unknown[] = [
  {},
  [],
  { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: 'shutting down' },
  { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' } },
];

/** Longest backoff the reflector uses with `random: () => 0`. */
const MAX_BACKOFF_MS = 30_000;
/** The reflector's default cap of a Retry-After. */
const MAX_RETRY_AFTER_MS = 60_000;
/** A clean close sooner than this without progress is a short watch (a failure). */
const MIN_WATCH_DURATION_MS = 1000;

/** Completes after `ms` of virtual time without emitting: a server closing the stream. */
function closeAfter(ms: number): Observable<never> {
  return timer(ms).pipe(ignoreElements());
}

function streamOf(items: readonly Timed[], end: Observable<never>): Observable<RawWatchEvent> {
  return concat(...items.map((item) => timer(item.gapMs).pipe(map(() => item.event))), end);
}

/**
 * Plays `scenario` against a fresh {@link ServerModel} and builds the scripted client. Call it
 * inside `TestScheduler.run` (the streams use `timer` on the virtual clock).
 */
export function buildScript(scenario: Scenario): Script {
  const model = new ServerModel();
  const lists: ListStep[] = [];
  const watches: WatchStep[] = [];
  const mismatches: string[] = [];
  const done$ = new Subject<void>();
  let budgetMs = 60_000;
  let listAttempt = 0;
  let listMode: 'paginated' | 'streaming' = scenario.listMode === 'paginated' ? 'paginated' : 'streaming';
  let initialObjects: V1Pod[] | undefined;

  // The resourceVersion the client has seen (events and bookmarks move it).
  let clientRv = '';
  let current: { expect: WatchExpectation; items: Timed[] } | undefined;
  // The reflector's count of failed watches without progress since the last progress or list.
  let failuresWithoutProgress = 0;

  const checkWatch = (expect: WatchExpectation, options: WatchOptions, step: number) => {
    if (expect.streaming) {
      if (options.sendInitialEvents !== true)
        mismatches.push(`watch #${step}: expected a streaming list, got rv ${options.resourceVersion}`);
    } else if (options.sendInitialEvents || options.resourceVersion !== expect.rv) {
      mismatches.push(
        `watch #${step}: expected rv ${expect.rv}, got ${options.resourceVersion} sendInitialEvents=${options.sendInitialEvents}`,
      );
    }
  };
  const pushWatch = (expect: WatchExpectation, answer: () => Observable<RawWatchEvent> | Error) => {
    const step = watches.length;
    budgetMs += MAX_BACKOFF_MS;
    watches.push((options: WatchOptions) => {
      checkWatch(expect, options, step);
      return answer();
    });
  };
  const pushList = (
    expectLimit: number | undefined,
    expectContinue: string | undefined,
    answer: () => ListResult | Error,
  ) => {
    const step = lists.length;
    budgetMs += MAX_BACKOFF_MS + scenario.listLatencyMs;
    lists.push((options: ListOptions) => {
      if (options.limit !== expectLimit || options.continue !== expectContinue)
        mismatches.push(
          `list #${step}: expected limit ${expectLimit} continue ${expectContinue}, got ${options.limit} ${options.continue}`,
        );
      const result = answer();
      if (scenario.listLatencyMs === 0) return result;
      return timer(scenario.listLatencyMs).pipe(
        mergeMap(() => (result instanceof Error ? throwError(() => result) : of(result))),
      );
    });
  };

  /**
   * Scripts the current stream, ending with `end`. Returns whether the reflector counts its end as
   * a failed watch without progress: an error, or a clean close within a second without progress.
   */
  const closeCurrent = (end: StreamEnd): boolean => {
    if (!current) return false;
    const { expect, items } = current;
    const stream = streamOf(
      items,
      end.kind === 'clean' ? closeAfter(end.afterMs) : end.kind === 'error' ? NEVER : end.until,
    );
    let durationMs = end.kind === 'clean' ? end.afterMs : 0;
    for (const item of items) {
      budgetMs += item.gapMs;
      durationMs += item.gapMs;
    }
    pushWatch(expect, () => stream);
    current = undefined;
    if (end.kind === 'error') return true;
    return end.kind === 'clean' && durationMs < MIN_WATCH_DURATION_MS && !items.some((item) => item.progress);
  };

  /** Counts a failed watch; true when that makes the reflector relist. */
  const watchFailed = (): boolean => {
    failuresWithoutProgress++;
    return failuresWithoutProgress >= scenario.watchFailuresBeforeRelist;
  };

  /** Scripts a (re)list: failed attempts, then a successful one, and opens the next watch. */
  const relist = (failures: readonly ListFailure[]) => {
    const objects = model.list();
    const rv = model.resourceVersion;
    initialObjects ??= objects;
    failuresWithoutProgress = 0;
    // What the server answers, including the nameless item the reflector must skip.
    const listed: KubeObject[] = scenario.garbageInLists ? [...objects, NAMELESS] : objects;
    const initialEvents: Timed[] = listed.map((object) => ({ gapMs: 0, event: added(object) }));
    const size = scenario.pageSize;
    const pageCount = Math.max(1, Math.ceil(listed.length / size));
    const pages = (attempt: number, upTo: number) => {
      for (let i = 0; i < upTo; i++) {
        const items = listed.slice(i * size, (i + 1) * size);
        const token = i + 1 < pageCount ? `c${attempt}-${i + 1}` : undefined;
        pushList(size, i === 0 ? undefined : `c${attempt}-${i}`, () => listOf(items, rv, token));
      }
    };
    let unpaginated = false;
    for (const failure of failures) {
      if (listMode === 'streaming') {
        if (failure === 'unsupported') {
          // An API server without streaming lists: the reflector lists paginated from now on.
          pushWatch({ streaming: true }, () => statusError(400, 'sendInitialEvents is not supported'));
          listMode = 'paginated';
        } else if (failure === 'error500') {
          pushWatch({ streaming: true }, () => statusError(500, 'etcd unavailable'));
        } else {
          // Interrupted streaming list: part of the initial events, then an ERROR, or a clean close
          // (cut short); the buffer must be discarded (the retry sends everything again) and the
          // retry is a streaming list again.
          const partial = initialEvents.slice(0, Math.ceil(initialEvents.length / 2));
          const stream =
            failure === 'notAList' || failure === 'repeatedToken'
              ? streamOf(partial, closeAfter(1))
              : streamOf(
                  [...partial, { gapMs: 1, event: errorEvent(failure === 'midPage410' ? 410 : 500) }],
                  NEVER,
                );
          pushWatch({ streaming: true }, () => stream);
        }
        continue;
      }
      const attempt = listAttempt++;
      if (failure === 'repeatedToken' && !unpaginated && pageCount >= 2) {
        // The second page hands back the first page's token: the list is given up, and after
        // backoff the reflector lists unpaginated.
        pages(attempt, 1);
        const second = listed.slice(size, 2 * size);
        pushList(size, `c${attempt}-1`, () => listOf(second, rv, `c${attempt}-1`));
        unpaginated = true;
        continue;
      }
      if (unpaginated || (failure !== 'midPage500' && failure !== 'midPage410') || pageCount < 2) {
        const answer =
          failure === 'notAList' || failure === 'repeatedToken'
            ? () => NOT_A_LIST[attempt % NOT_A_LIST.length] as unknown as ListResult
            : () => statusError(failure === 'unsupported' ? 400 : 500, 'list failed');
        pushList(unpaginated ? undefined : size, undefined, answer);
        unpaginated = false;
        continue;
      }
      pages(attempt, 1);
      pushList(size, `c${attempt}-1`, () =>
        failure === 'midPage410' ? statusError(410, 'continue token expired') : statusError(500, 'boom'),
      );
      // An expired continue token makes the reflector fall back to one unpaginated list.
      unpaginated = failure === 'midPage410';
    }
    clientRv = rv;
    if (listMode === 'streaming') {
      current = {
        expect: { streaming: true },
        // the REPLACE at the end bookmark is progress
        items: [...initialEvents, { gapMs: 0, event: bookmark(rv, true), progress: true }],
      };
      return;
    }
    const attempt = listAttempt++;
    if (unpaginated) pushList(undefined, undefined, () => listOf(listed, rv));
    else pages(attempt, pageCount);
    current = { expect: { streaming: false, rv }, items: [] };
  };

  /** The current stream, or a new watch from the client's resourceVersion. */
  const stream = () => {
    current ??= { expect: { streaming: false, rv: clientRv }, items: [] };
    return current;
  };

  const emit = (gapMs: number, event: RawWatchEvent) => {
    const object = event.object as V1Pod | undefined;
    const rv = object?.metadata?.resourceVersion;
    // Writes always move the resourceVersion: an object event is progress; bookmarks are not.
    const progress =
      event.type !== 'ERROR' && event.type !== 'BOOKMARK' && rv !== undefined && rv !== clientRv;
    stream().items.push({ gapMs, event, progress });
    if (progress) failuresWithoutProgress = 0;
    if (event.type !== 'ERROR') clientRv = rv ?? clientRv;
  };

  /** After a counted watch failure: relists when the count says so, else re-watches from clientRv. */
  const afterWatchFailure = (failed: boolean, relistFailures: readonly ListFailure[] = []): boolean => {
    if (failed && watchFailed()) {
      relist(relistFailures);
      return true;
    }
    return false;
  };

  for (const mutation of scenario.initial) model.apply(mutation);
  relist(scenario.initialListFailures);

  for (const command of scenario.commands) {
    switch (command.kind) {
      case 'mutate': {
        const event = model.apply(command.mutation);
        if (event) emit(command.gapMs, event);
        break;
      }
      case 'bookmark':
        emit(command.gapMs, bookmark(model.resourceVersion));
        break;
      case 'garbage':
        stream().items.push({ gapMs: command.gapMs, event: GARBAGE[command.garbage], progress: false });
        break;
      case 'watchTimeout':
        budgetMs += command.afterMs;
        afterWatchFailure(closeCurrent({ kind: 'clean', afterMs: command.afterMs }));
        break;
      case 'watch500': {
        if (command.inStream) {
          emit(command.gapMs, errorEvent(500, 'internal error'));
          // A watch from "0" begins with a dump of the server's objects in key order: failing after
          // some progress, the reflector relists rather than resume from the highest rv it saw.
          // A bookmark (with a resourceVersion) ends the dump: from then on it resumes as usual.
          const dump =
            current !== undefined &&
            !current.expect.streaming &&
            current.expect.rv === '0' &&
            current.items.some((item) => item.progress) &&
            !current.items.some(
              ({ event }) => event.type === 'BOOKMARK' && event !== GARBAGE.bookmarkWithoutRv,
            );
          const failed = closeCurrent({ kind: 'error' });
          if (dump) relist([]);
          else afterWatchFailure(failed);
          break;
        }
        budgetMs += command.gapMs;
        // The 500 answers the next request: if the close just before relists, that is a list.
        if (afterWatchFailure(closeCurrent({ kind: 'clean', afterMs: command.gapMs }), ['error500'])) break;
        const retryAfter = command.retryAfterSeconds;
        budgetMs += retryAfter === undefined ? 0 : Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS);
        pushWatch({ streaming: false, rv: clientRv }, () =>
          retryAfter === undefined
            ? statusError(500, 'internal error')
            : new StatusError({ kind: 'Status', code: 503, message: 'slow down' }, 503, retryAfter),
        );
        afterWatchFailure(true);
        break;
      }
      case 'gone': {
        let relisted = false;
        if (command.inStream) {
          emit(command.gapMs, errorEvent(410));
          closeCurrent({ kind: 'error' });
        } else {
          budgetMs += command.gapMs;
          // If the close just before relists, the 410 never comes: the relist sees the same writes.
          const failed = closeCurrent({ kind: 'clean', afterMs: command.gapMs });
          relisted = failed && watchFailed();
          if (!relisted)
            pushWatch({ streaming: false, rv: clientRv }, () => statusError(410, 'too old resource version'));
        }
        for (const mutation of command.whileDisconnected) model.apply(mutation);
        relist(command.listFailures);
        break;
      }
    }
  }
  // Catch up: a final bookmark at the server's resourceVersion, then quiet until the end.
  emit(1, bookmark(model.resourceVersion));
  closeCurrent({
    kind: 'open',
    until: concat(
      timer(scenario.tailMs).pipe(
        tap(() => done$.next()),
        ignoreElements(),
      ),
      NEVER,
    ),
  });
  budgetMs += scenario.tailMs;

  return {
    client: scriptedClient({ lists, watches }),
    final: { objects: new Map(model.objects), resourceVersion: model.resourceVersion },
    stateAt: (resourceVersion) => model.stateAt(resourceVersion),
    initialObjects: initialObjects ?? [],
    done$,
    hardLimitMs: budgetMs,
    mismatches,
    listSteps: lists.length,
    watchSteps: watches.length,
  };
}

/** The cache key of a pod (always defined for model pods); a cached pod is fine too. */
export function keyOf(object: DeepReadonly<V1Pod>): string {
  return objectKey(object) as string;
}

// ---------------------------------------------------------------------------------------------
// Running a scenario

export interface Run<T> {
  readonly script: Script;
  /** Every value the pipeline emitted until the scenario ended. */
  readonly values: T[];
  /** The pipeline's error, if it failed (it never should). */
  readonly failure: unknown;
}

/**
 * Plays `scenario` in virtual time: builds the script, subscribes `start(client)` until the
 * script is done (or its hard time limit passed) and flushes. Call inside `TestScheduler.run`.
 */
export function playScenario<T>(
  scenario: Scenario,
  flush: () => void,
  start: (script: Script) => Observable<T>,
): Run<T> {
  const script = buildScript(scenario);
  const values: T[] = [];
  let failure: unknown;
  start(script)
    .pipe(takeUntil(merge(script.done$, timer(script.hardLimitMs))))
    .subscribe({ next: (value) => values.push(value), error: (error: unknown) => (failure = error) });
  flush();
  return { script, values, failure };
}

/** Asserts that the run asked for exactly what the script served, in order, and did not fail. */
export function expectScriptServed(run: Run<unknown>): void {
  expect(run.failure).toBeUndefined();
  expect(run.script.mismatches).toEqual([]);
  const calls = run.script.client.calls;
  expect({
    lists: calls.filter((c) => c.verb === 'list').length,
    watches: calls.filter((c) => c.verb === 'watch').length,
  }).toEqual({ lists: run.script.listSteps, watches: run.script.watchSteps });
}

/** Asserts that a snapshot holds exactly the model's final state. */
export function expectSnapshotEqualsServer(snapshot: Snapshot<V1Pod> | undefined, script: Script): void {
  expect(snapshot).toBeDefined();
  const snap = snapshot as Snapshot<V1Pod>;
  expect(snap.resourceVersion).toBe(script.final.resourceVersion);
  expectSnapshotEquals(snap, script.final.objects);
}

/**
 * Asserts that every snapshot is the server's state as of its own resourceVersion: a cache may
 * lag, but it never shows a state the server never had (a half-applied relist, a lost event).
 */
export function expectSnapshotsConsistent(snapshots: readonly Snapshot<V1Pod>[], script: Script): void {
  for (const snapshot of snapshots) {
    const state = script.stateAt(snapshot.resourceVersion);
    expect(state, `no server state at resourceVersion ${snapshot.resourceVersion}`).toBeDefined();
    expectSnapshotEquals(snapshot, state as ReadonlyMap<string, V1Pod>);
  }
}

function expectSnapshotEquals(snapshot: Snapshot<V1Pod>, objects: ReadonlyMap<string, V1Pod>): void {
  expect(snapshot.synced).toBe(true);
  expect({ rv: snapshot.resourceVersion, keys: snapshot.keys().sort() }).toEqual({
    rv: snapshot.resourceVersion,
    keys: [...objects.keys()].sort(),
  });
  expect(snapshot.size).toBe(objects.size);
  for (const [key, object] of objects) expect(snapshot.get(key)).toEqual(object);
}

// ---------------------------------------------------------------------------------------------
// Label selectors: structured selectors, their string forms and an independent matcher

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

const nameArb = fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/);
const prefixArb = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,4}[a-z0-9])?(\.[a-z0-9]{1,4}){0,2}$/);

/** Valid label keys: mostly from a small pool (so label maps hit them), sometimes generated. */
export const labelKeyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LABEL_KEYS, 'env', 'in', 'notin') },
  { weight: 1, arbitrary: nameArb },
  { weight: 1, arbitrary: fc.tuple(prefixArb, nameArb).map(([p, n]) => `${p}/${n}`) },
);

/** Valid label values, including the empty value. */
export const labelValueArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LABEL_VALUES, 'v1', 'in') },
  { weight: 1, arbitrary: nameArb },
);

export const requirementArb: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({
    key: labelKeyArb,
    operator: fc.constantFrom<SelectorOperator>('exists', 'notExists'),
    values: fc.constant([]),
  }),
  fc.record({
    key: labelKeyArb,
    operator: fc.constantFrom<SelectorOperator>('equals', 'notEquals'),
    values: labelValueArb.map((v) => [v]),
  }),
  fc.record({
    key: labelKeyArb,
    operator: fc.constantFrom<SelectorOperator>('in', 'notIn'),
    values: fc.array(labelValueArb, { minLength: 1, maxLength: 3 }),
  }),
);

export const requirementsArb: fc.Arbitrary<Requirement[]> = fc.array(requirementArb, { maxLength: 4 });

/** The server's semantics for one requirement, written independently of `labelSelector.ts`. */
function matchesRequirement(
  { key, operator, values }: Requirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, key);
  const value = has ? labels[key] : undefined;
  switch (operator) {
    case 'exists':
      return has;
    case 'notExists':
      return !has;
    case 'equals':
    case 'in':
      return has && values.includes(value as string);
    case 'notEquals':
    case 'notIn':
      return !has || !values.includes(value as string);
  }
}

/** Whether all requirements hold (an empty list matches everything). */
export function matchesRequirements(
  requirements: readonly Requirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return requirements.every((req) => matchesRequirement(req, labels));
}

const spaceArb = fc.constantFrom('', '', ' ', '  ', '\t');

/** A requirement spelled with the given spaces, and `==` instead of `=` if asked. */
function spelled(req: Requirement, [s1, s2, s3, s4]: readonly string[], doubleEquals: boolean): string {
  switch (req.operator) {
    case 'exists':
      return `${s1}${req.key}${s2}`;
    case 'notExists':
      return `${s1}!${s2}${req.key}${s3}`;
    case 'equals':
      return `${s1}${req.key}${s2}${doubleEquals ? '==' : '='}${s3}${req.values[0]}${s4}`;
    case 'notEquals':
      return `${s1}${req.key}${s2}!=${s3}${req.values[0]}${s4}`;
    case 'in':
    case 'notIn': {
      const op = req.operator === 'in' ? 'in' : 'notin';
      return `${s1}${req.key} ${s2}${op}${s3}(${req.values.join(`${s4},${s2}`)}${s4})${s1}`;
    }
  }
}

/** One of the many spellings of a requirement (spaces, `=` or `==`). */
function spellRequirement(req: Requirement): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(spaceArb, { minLength: 4, maxLength: 4 }), fc.boolean())
    .map(([spaces, doubleEquals]) => spelled(req, spaces, doubleEquals));
}

/** Structured requirements with one of their string spellings. */
export const spelledSelectorArb: fc.Arbitrary<{ requirements: Requirement[]; text: string }> =
  requirementsArb.chain((requirements) =>
    fc.tuple(...requirements.map(spellRequirement)).map((parts) => ({ requirements, text: parts.join(',') })),
  );

/** The object form (`matchLabels` / `matchExpressions`) with its requirements. */
export const selectorObjectArb: fc.Arbitrary<{ requirements: Requirement[]; object: LabelSelectorObject }> =
  fc
    .record({
      matchLabels: fc.dictionary(labelKeyArb, labelValueArb, { maxKeys: 2 }),
      matchExpressions: fc.array(
        fc.oneof(
          fc.record({
            key: labelKeyArb,
            operator: fc.constantFrom('In' as const, 'NotIn' as const),
            values: fc.array(labelValueArb, { minLength: 1, maxLength: 3 }),
          }),
          fc.record({
            key: labelKeyArb,
            operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const),
          }),
        ),
        { maxLength: 3 },
      ),
    })
    .map((object) => {
      const requirements: Requirement[] = Object.entries(object.matchLabels).map(([key, value]) => ({
        key,
        operator: 'equals',
        values: [value],
      }));
      for (const expr of object.matchExpressions) {
        const operator = { In: 'in', NotIn: 'notIn', Exists: 'exists', DoesNotExist: 'notExists' } as const;
        requirements.push({
          key: expr.key,
          operator: operator[expr.operator],
          values: 'values' in expr ? expr.values : [],
        });
      }
      return { requirements, object };
    });

/** Label maps that often hit the given keys and values. */
export function labelMapArb(requirements: readonly Requirement[]): fc.Arbitrary<Record<string, string>> {
  const keys = [...new Set([...requirements.map((r) => r.key), ...LABEL_KEYS])];
  const values = [...new Set([...requirements.flatMap((r) => r.values), ...LABEL_VALUES])];
  return fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...values), { maxKeys: keys.length });
}
