/**
 * The sharder: while subscribed (gate it with `leaderElection`, one per ring), it watches the
 * ring's objects and its live members and labels each object with its shard, following
 * {@link assignmentOf}. A pass runs at most once per `passIntervalMs` after a change of either,
 * so 10,000 object updates cost a handful of passes, not 10,000.
 *
 * Every write is a JSON Patch guarded by the object's resourceVersion, so a decision taken on a
 * stale cache fails with 409 and is taken again at the next pass; the labels themselves are the
 * whole state, so a new sharder after a failover simply continues.
 */
import {
  asyncScheduler,
  auditTime,
  catchError,
  combineLatest,
  EMPTY,
  from,
  ignoreElements,
  mergeMap,
  type Observable,
  of,
  type SchedulerLike,
  switchMap,
  timer,
} from 'rxjs';
import type { KubeClient } from '../../core/client.js';
import { isStatusError } from '../../core/errors.js';
import { type DeepReadonly, type KubeObject, objectKey } from '../../core/objects.js';
import type { ResourceType } from '../../core/resources.js';
import { controllerOwnerKeys } from '../controller.js';
import type { Informer } from '../informer.js';
import { assignmentOf } from './assignment.js';
import { drainLabel, pointerSegment, shardLabel } from './labels.js';
import { type HashRing, type HashRingOptions, hashRing } from './ring.js';

/** Options of {@link sharder}. */
export interface SharderOptions<T extends KubeObject> extends HashRingOptions {
  /** The ring's name. */
  readonly ring: string;
  /** An informer of every object of the ring's resource (no shard selector). */
  readonly objects: Informer<T>;
  /** The live members, as {@link shardMembers} emits them. */
  readonly members: Observable<readonly string[]>;
  /**
   * Informers of resources whose objects follow their controller (an `ownerReferences` entry with
   * `controller: true` to an object of the ring's resource) onto its shard.
   */
  readonly controlled?: readonly ControlledInformer[];
  /** Least time between two passes. Default 1 000 ms. */
  readonly passIntervalMs?: number;
  /** Patches in flight at once. Default 50. */
  readonly concurrency?: number;
  /** Scheduler of the pass timer. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Receives failed writes other than conflicts (they are retried at the next pass). */
  readonly onError?: (error: Error) => void;
  /** Told the state of the ring at each pass, before its writes: for metrics and logs. */
  readonly onPass?: (pass: SharderPass) => void;
  /** Told each shard label this sharder set, once the write succeeded: for metrics and logs. */
  readonly onAssign?: (assign: ShardAssign) => void;
}

/**
 * One shard label written. A live shard's object moves in two writes (drain, then, after the old
 * shard's acknowledgment removed its labels, assign), so only the sharder that started the drain
 * knows the assignment is a move: after a failover such an object counts as new.
 */
export interface ShardAssign {
  /** The object's key (`namespace/name`). */
  readonly key: string;
  /** Its new shard. */
  readonly to: string;
  /** It had a shard before: a dead member's label, or a drain this sharder started. */
  readonly moved: boolean;
  /** Drain label set to shard label set, in scheduler milliseconds, for a drained object. */
  readonly drainMs?: number;
}

/** What one sharder pass saw and decided (the ring's own objects, not controlled ones). */
export interface SharderPass {
  /** The live members, sorted. */
  readonly members: readonly string[];
  /** Objects of the ring's resource. */
  readonly objects: number;
  /** Objects per live shard, by their current label. */
  readonly perShard: Readonly<Record<string, number>>;
  /** Objects without a live shard (new, hand-unlabelled, or of a dead member). */
  readonly unassigned: number;
  /** Objects carrying the drain label. */
  readonly draining: number;
  /** Shard labels this pass sets. */
  readonly assigns: number;
  /** Drains this pass starts. */
  readonly drains: number;
}

/** What the sharder reads from an informer of controlled objects. */
export interface ControlledInformer {
  /** The dependents' resource, which the label patches address. */
  readonly resource: ResourceType<KubeObject>;
  /** Its snapshots; a pass waits until it synced. */
  readonly store$: Observable<Listable & { readonly synced: boolean }>;
}

/** A cache the sharder lists. */
export interface Listable {
  /** Every cached object. */
  list(): readonly DeepReadonly<KubeObject>[];
}

/** JSON Patch operations that set or remove labels, guarded by the object's resourceVersion. */
export function labelPatch(
  object: DeepReadonly<KubeObject>,
  set: Record<string, string>,
  remove: string[],
): unknown[] {
  const labels = object.metadata?.labels ?? {};
  const ops: unknown[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: object.metadata?.resourceVersion },
  ];
  if (object.metadata?.labels === undefined) ops.push({ op: 'add', path: '/metadata/labels', value: {} });
  for (const [key, value] of Object.entries(set))
    ops.push({ op: 'add', path: `/metadata/labels/${pointerSegment(key)}`, value });
  for (const key of remove)
    if (labels[key] !== undefined)
      ops.push({ op: 'remove', path: `/metadata/labels/${pointerSegment(key)}` });
  return ops;
}

/** Runs the sharder for one ring while subscribed; emits nothing. */
export function sharder<T extends KubeObject>(
  client: KubeClient,
  options: SharderOptions<T>,
): Observable<never> {
  const { ring, objects } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const shard = shardLabel(ring);
  const drain = drainLabel(ring);
  const controlled = options.controlled ?? [];
  const pending = new Set<string>();
  /** When this sharder's drain write of a ring object succeeded, by pending key. */
  const drainStarted = new Map<string, number>();

  /** What a ring object's write means, told once it succeeded. */
  type Note =
    | { readonly kind: 'drain' }
    | { readonly kind: 'assign'; readonly from?: string; readonly to: string };
  /** A planned label write: the object, its resource, the JSON Patch, and for ring objects its note. */
  type Write = readonly [
    pendingKey: string,
    ResourceType<KubeObject>,
    DeepReadonly<KubeObject>,
    unknown[],
    Note?,
  ];

  /** Drain tracking and `onAssign`, after a ring object's write succeeded. */
  const written = ([key, , object, , note]: Write) => {
    if (note?.kind === 'drain') {
      if (!drainStarted.has(key)) drainStarted.set(key, scheduler.now());
      return;
    }
    if (note?.kind !== 'assign') return;
    const started = drainStarted.get(key);
    drainStarted.delete(key);
    options.onAssign?.({
      key: objectKey(object) ?? '',
      to: note.to,
      moved: note.from !== undefined || started !== undefined,
      ...(started === undefined ? {} : { drainMs: scheduler.now() - started }),
    });
  };

  const send = ([, resource, object, ops]: Write): Promise<unknown> => {
    const namespace = object.metadata?.namespace;
    const name = object.metadata?.name ?? '';
    return client.patch(resource, name, ops, 'json', namespace === undefined ? {} : { namespace });
  };

  /** The ring's own objects: assigned, drained or kept as {@link assignmentOf} decides. */
  const planObjects = (snapshot: Listable, live: ReadonlySet<string>, circle: HashRing, out: Write[]) => {
    const stats = {
      members: circle.members,
      objects: 0,
      perShard: {} as Record<string, number>,
      unassigned: 0,
      draining: 0,
      assigns: 0,
      drains: 0,
    };
    for (const object of snapshot.list()) {
      const key = objectKey(object) ?? '';
      const labels = object.metadata?.labels ?? {};
      const current = labels[shard];
      stats.objects++;
      if (current === undefined || !live.has(current)) stats.unassigned++;
      else stats.perShard[current] = (stats.perShard[current] ?? 0) + 1;
      if (labels[drain] !== undefined) stats.draining++;
      const action = assignmentOf(key, current, labels[drain] !== undefined, live, circle);
      if (action.kind === 'keep') continue;
      if (action.kind === 'assign') stats.assigns++;
      else stats.drains++;
      const ops =
        action.kind === 'assign'
          ? labelPatch(object, { [shard]: action.to }, [drain])
          : labelPatch(object, { [drain]: 'true' }, []);
      const note: Note =
        action.kind === 'assign'
          ? { kind: 'assign', to: action.to, ...(current === undefined ? {} : { from: current }) }
          : { kind: 'drain' };
      out.push([`${objects.resource.plural}/${key}`, objects.resource, object, ops, note]);
    }
    options.onPass?.(stats);
  };

  /**
   * Controlled objects follow their controller's place on the ring, without a drain: a shard
   * reconciles only the ring's own keys, so a dependent moving between caches races no reconcile.
   */
  const planControlled = (
    informer: ControlledInformer,
    snapshot: Listable,
    circle: HashRing,
    out: Write[],
  ) => {
    for (const object of snapshot.list()) {
      const [owner] = controllerOwnerKeys(object as KubeObject, objects.resource);
      const to = owner === undefined ? undefined : circle.ownerOf(owner);
      if (to === undefined || object.metadata?.labels?.[shard] === to) continue;
      const key = `${informer.resource.plural}/${objectKey(object) ?? ''}`;
      out.push([key, informer.resource, object, labelPatch(object, { [shard]: to }, [])]);
    }
  };

  /** One pass over the caches: every object whose labels disagree with the ring gets one patch. */
  const pass = (snapshot: Listable, controlledSnapshots: readonly Listable[], members: readonly string[]) => {
    const live = new Set(members);
    const circle = hashRing(members, options);
    const writes: Write[] = [];
    planObjects(snapshot, live, circle, writes);
    controlled.forEach((informer, i) => {
      const own = controlledSnapshots[i];
      if (own) planControlled(informer, own, circle, writes);
    });
    return from(writes).pipe(
      mergeMap((write) => {
        // Marked when the write starts: a newer pass cancels the writes not started yet.
        const key = write[0];
        if (pending.has(key)) return EMPTY;
        pending.add(key);
        return from(
          send(write).then(
            () => {
              pending.delete(key);
              written(write);
            },
            (error: unknown) => {
              pending.delete(key);
              if (!(isStatusError(error) && (error.code === 409 || error.code === 404 || error.code === 422)))
                options.onError?.(error as Error);
            },
          ),
        );
      }, options.concurrency ?? 50),
    );
  };

  // A pass also runs periodically, so a write that failed on a quiet ring is retried.
  const tick = timer(0, 5 * (options.passIntervalMs ?? 1_000), scheduler);
  const controlledStores = controlled.length === 0 ? of([]) : combineLatest(controlled.map((i) => i.store$));
  return combineLatest([objects.store$, controlledStores, options.members, tick]).pipe(
    auditTime(options.passIntervalMs ?? 1_000, scheduler),
    switchMap(([snapshot, others, members]) =>
      snapshot.synced && others.every((o) => o.synced) ? pass(snapshot, others, members) : EMPTY,
    ),
    catchError((error: unknown) => {
      options.onError?.(error as Error);
      return EMPTY;
    }),
    ignoreElements(),
  );
}
