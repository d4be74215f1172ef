/**
 * The fake API server's storage: every object of every resource, one global resourceVersion
 * counter (as etcd's revision), and a bounded event log that watches replay from. Writes follow
 * the API server's rules closely enough for controllers: uid, generation (bumped on spec change),
 * creationTimestamp, optimistic concurrency (409), finalizers with deletionTimestamp, and the
 * status subresource. Watches older than the retained log get 410 Gone.
 */
import { freeze } from 'immer';
import type { SchedulerLike } from 'rxjs';
import type {
  DeleteCollectionOptions,
  DeleteOptions,
  ListOptions,
  ListResult,
  RawWatchEvent,
  WriteOptions,
} from '../../core/client.js';
import { statusError } from '../../core/errors.js';
import { type KubeObject, objectKey } from '../../core/objects.js';
import { apiVersionOf, resources as builtins, type ResourceType } from '../../core/resources.js';
import { parseLabelSelector } from '../../store/labelSelector.js';
import { IN_PROCESS_MANAGER } from './apply/defaultManager.js';
import { applyChange, scopeOf, updateChange, type Writer } from './apply/fieldManager.js';
import type { ManagedFieldsEntry } from './apply/managers.js';
import { sameValue } from './apply/objectFields.js';
import { parseFieldSelector } from './fieldSelector.js';
import { checkDeletePreconditions, ownedBy, ownerUids, withoutOwner } from './garbageCollection.js';
import { jsonClone } from './jsonClone.js';
import { rejectPrototypeKeys } from './prototypeKeys.js';

type Obj = KubeObject & Record<string, unknown>;
type Meta = NonNullable<KubeObject['metadata']> & Record<string, unknown>;

/** A change in the log, with the previous state so watches can re-evaluate selectors. */
export interface LogEntry {
  readonly rv: number;
  readonly resourceId: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: Obj;
  readonly oldObject?: Obj;
}

/** A live watch: receives log entries as they are written. */
export interface WatchSink {
  readonly resourceId: string;
  deliver(entry: LogEntry): void;
}

interface Collection {
  readonly resource: ResourceType;
  readonly objects: Map<string, Obj>;
}

interface PagedList {
  readonly items: Obj[];
  readonly rv: number;
  readonly createdAt: number;
}

/** Kinds whose main endpoint also writes status (they have no status subresource). */
const NO_STATUS_SUBRESOURCE = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Event',
  'Lease',
  'Namespace',
]);

/** `group/version/plural`, the identity of a collection. */
export function resourceId(resource: ResourceType): string {
  return `${resource.group}/${resource.version}/${resource.plural}`;
}

/**
 * Selector and namespace filter shared by list and watch. `labels: null` (or any non-map) is no
 * labels, as the API server stores it; the selector's `matches` reads it so.
 */
export function objectFilter(
  resource: ResourceType,
  options: { namespace?: string; labelSelector?: string; fieldSelector?: string },
): (o: Obj) => boolean {
  let labels: ReturnType<typeof parseLabelSelector>;
  try {
    labels = parseLabelSelector(options.labelSelector ?? '');
  } catch (error) {
    throw statusError(400, (error as Error).message);
  }
  const fields = parseFieldSelector(options.fieldSelector);
  const namespace = resource.namespaced ? options.namespace : undefined;
  return (o) =>
    (!namespace || o.metadata?.namespace === namespace) && labels.matches(o.metadata?.labels) && fields(o);
}

/** The value with object keys sorted, so equal JSON compares equal whatever the key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, canonical(record[key])]),
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function cloneObject(object: unknown): Obj {
  if (object === null || typeof object !== 'object' || Array.isArray(object))
    throw statusError(400, 'the body must be a JSON object');
  return jsonClone(object as Obj);
}

/** A 422 Invalid when an incoming object holds a `__proto__`, `constructor` or `prototype` key. */
function rejectPrototypeKeysIn(
  resource: ResourceType,
  object: Obj,
  where: string,
  name: unknown = object.metadata?.name,
): void {
  rejectPrototypeKeys(object, where, { kind: resource.kind, ...(typeof name === 'string' ? { name } : {}) });
}

/** The built-in collections, whose list merge strategies the field manager knows. */
const BUILTIN_IDS: ReadonlySet<string> = new Set(
  Object.values(builtins).map((r) => resourceId(r as ResourceType)),
);

/**
 * The managedFields an update starts from: those the client sent, which replace the stored ones
 * as on the API server, or else the stored ones.
 */
function managedFieldsOf(incoming: Obj, current: Obj): unknown {
  const sent = (incoming.metadata as Meta | undefined)?.managedFields;
  const live = (current.metadata as Meta).managedFields;
  // A client that sends back what it read sends the live entries: keep the stored (frozen) ones,
  // whose field sets the field manager has already read.
  return Array.isArray(sent) && sent.length > 0 && !sameValue(sent, live) ? sent : live;
}

/** An apply body sent as text: JSON (valid YAML); the fake reads no other YAML. */
function parseApplyBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw statusError(400, 'the fake cluster reads applied configurations as JSON (valid YAML) only');
  }
}

export class ClusterState {
  private rv = 0;
  /** Watches from a resourceVersion below this get 410 Gone. */
  private compactedRv = 0;
  private uidCounter = 0;
  private readonly collections = new Map<string, Collection>();
  private log: LogEntry[] = [];
  private readonly sinks = new Set<WatchSink>();
  private readonly pages = new Map<string, PagedList>();
  private pageCounter = 0;
  /** Owner uid -> `resourceId key` of its dependents, kept by commit, so deletes stay O(dependents). */
  private readonly dependents = new Map<string, Set<string>>();
  /** uid -> `resourceId key` of owners waiting in foreground deletion. */
  private readonly foreground = new Map<string, string>();

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly eventWindow: number,
    private readonly continueTtlMs: number,
  ) {
    for (const resource of Object.values(builtins)) this.register(resource as ResourceType);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestWatchableRv(): number {
    return this.compactedRv;
  }

  register(resource: ResourceType): void {
    const id = resourceId(resource);
    if (!this.collections.has(id)) this.collections.set(id, { resource, objects: new Map() });
  }

  /** Registered resources, for discovery. */
  registered(): ResourceType[] {
    return [...this.collections.values()].map((c) => c.resource);
  }

  collection(resource: ResourceType): Collection {
    const found = this.collections.get(resourceId(resource));
    if (!found)
      throw statusError(
        404,
        `the server could not find the requested resource (${resource.plural}.${resource.group || 'core'})`,
      );
    return found;
  }

  /** Drops the event log: every older resourceVersion now answers 410, as after etcd compaction. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log = [];
  }

  addSink(sink: WatchSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Log entries after `rv` for one resource, or undefined when `rv` is older than the log. */
  eventsSince(resource: ResourceType, rv: number): LogEntry[] | undefined {
    if (rv < this.compactedRv) return undefined;
    const id = resourceId(resource);
    return this.log.filter((e) => e.rv > rv && e.resourceId === id);
  }

  currentObjects(resource: ResourceType, filter: (o: Obj) => boolean): Obj[] {
    return [...this.collection(resource).objects.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o)
      .filter(filter);
  }

  list(resource: ResourceType, options: ListOptions): ListResult {
    const limit = options.limit && options.limit > 0 ? options.limit : undefined;
    let page: PagedList;
    let offset = 0;
    let id: string;
    if (options.continue) {
      const token = this.decodeContinue(options.continue);
      const found = this.pages.get(token.id);
      const now = this.scheduler.now();
      if (!found || found.rv < this.compactedRv || now - found.createdAt > this.continueTtlMs) {
        this.pages.delete(token.id);
        throw statusError(
          410,
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      page = found;
      offset = token.offset;
      id = token.id;
    } else {
      this.checkListResourceVersion(options);
      page = {
        items: this.currentObjects(resource, objectFilter(resource, options)),
        rv: this.rv,
        createdAt: this.scheduler.now(),
      };
      id = String(++this.pageCounter);
    }
    const end = limit === undefined ? page.items.length : Math.min(page.items.length, offset + limit);
    const items = page.items.slice(offset, end);
    const more = end < page.items.length;
    if (more) this.pages.set(id, page);
    else this.pages.delete(id);
    return {
      items,
      metadata: {
        resourceVersion: String(page.rv),
        ...(more
          ? {
              continue: Buffer.from(JSON.stringify({ id, offset: end })).toString('base64url'),
              remainingItemCount: page.items.length - end,
            }
          : {}),
      },
    };
  }

  private checkListResourceVersion(options: ListOptions): void {
    const requested = options.resourceVersion;
    if (!requested || requested === '0') return;
    const rv = Number(requested);
    if (!Number.isInteger(rv)) throw statusError(400, `invalid resourceVersion ${JSON.stringify(requested)}`);
    if (rv > this.rv)
      throw statusError(504, `Too large resource version: ${rv}, current: ${this.rv}`, 'Timeout');
    if (options.resourceVersionMatch === 'Exact' && rv !== this.rv) {
      throw statusError(
        410,
        `the fake cluster keeps no history: resourceVersion ${rv} is not the current ${this.rv}`,
      );
    }
  }

  private decodeContinue(token: string): { id: string; offset: number } {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        id?: unknown;
        offset?: unknown;
      };
      if (typeof parsed.id === 'string' && typeof parsed.offset === 'number')
        return { id: parsed.id, offset: parsed.offset };
    } catch {
      // fall through to the typed error
    }
    throw statusError(400, 'invalid continue token');
  }

  get(resource: ResourceType, name: string, namespace?: string): Obj {
    const key = resource.namespaced && namespace ? `${namespace}/${name}` : name;
    const found = this.collection(resource).objects.get(key);
    if (!found) throw statusError(404, `${resource.plural} "${name}" not found`, 'NotFound');
    return found;
  }

  create(
    resource: ResourceType,
    body: unknown,
    options: WriteOptions = {},
    ownership?: ManagedFieldsEntry[],
  ): Obj {
    const collection = this.collection(resource);
    const object = cloneObject(body);
    rejectPrototypeKeysIn(resource, object, 'the request body');
    const meta = (object.metadata ?? {}) as Meta;
    if (!meta.name && typeof meta.generateName === 'string')
      meta.name = `${meta.generateName}${(++this.uidCounter).toString(36).padStart(5, '0')}`;
    if (!meta.name) throw statusError(422, `${resource.kind} is invalid: metadata.name: Required value`);
    if (resource.namespaced) {
      const namespace = options.namespace ?? meta.namespace ?? 'default';
      if (meta.namespace && options.namespace && meta.namespace !== options.namespace) {
        throw statusError(
          400,
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    const key = objectKey({ metadata: meta }) as string;
    if (collection.objects.has(key))
      throw statusError(409, `${resource.plural} "${meta.name}" already exists`, 'AlreadyExists');
    if (options.dryRun) return object;
    meta.uid = this.nextUid();
    meta.creationTimestamp = new Date(this.scheduler.now()).toISOString();
    meta.generation = 1;
    delete meta.deletionTimestamp;
    object.metadata = meta;
    object.apiVersion = apiVersionOf(resource);
    object.kind = resource.kind;
    meta.managedFields =
      ownership ?? updateChange(this.writer(resource, options), undefined, object, meta.managedFields);
    if (resource.kind === 'CustomResourceDefinition') this.registerCrd(object);
    return this.commit(collection, key, 'ADDED', object, undefined);
  }

  /** Replaces an object (PUT), or its status with `subresource: 'status'`. */
  replace(resource: ResourceType, body: unknown, options: WriteOptions = {}): Obj {
    const incoming = cloneObject(body);
    const name = incoming.metadata?.name;
    if (!name) throw statusError(422, `${resource.kind} is invalid: metadata.name: Required value`);
    const current = this.get(resource, name, options.namespace ?? incoming.metadata?.namespace ?? 'default');
    return this.update(resource, current, incoming, options);
  }

  /**
   * Shared path of replace and patch: concurrency check, status rules, generation, finalizers.
   * `incoming` is the request body or the patched object, checked here for prototype keys.
   * `ownership` is the managedFields an apply computed; without it the write is recorded as an
   * Update by its field manager.
   */
  update(
    resource: ResourceType,
    current: Obj,
    incoming: Obj,
    options: WriteOptions = {},
    ownership?: ManagedFieldsEntry[],
  ): Obj {
    const collection = this.collection(resource);
    rejectPrototypeKeysIn(resource, incoming, 'the object', current.metadata?.name);
    const wanted = incoming.metadata?.resourceVersion;
    if (wanted && wanted !== current.metadata?.resourceVersion) {
      throw statusError(
        409,
        `Operation cannot be fulfilled on ${resource.plural} "${current.metadata?.name}": the object has been modified; please apply your changes to the latest version and try again`,
        'Conflict',
      );
    }
    const currentMeta = current.metadata as Meta;
    let next: Obj;
    if (options.subresource === 'status') {
      // The stored object's other parts are frozen and shared, not copied: only the top level and
      // metadata are written below.
      next = { ...current, metadata: { ...(current.metadata as Meta) }, status: incoming.status } as Obj;
    } else {
      next = incoming;
      const meta = { ...(incoming.metadata ?? {}) } as Record<string, unknown>;
      const server = currentMeta as Record<string, unknown>;
      // Fields only the server sets: a client cannot change them through an update.
      for (const field of [
        'uid',
        'creationTimestamp',
        'namespace',
        'name',
        'deletionTimestamp',
        'generation',
      ]) {
        if (server[field] === undefined) delete meta[field];
        else meta[field] = server[field];
      }
      next.metadata = meta as Meta;
      if (!NO_STATUS_SUBRESOURCE.has(resource.kind) && 'status' in current) next.status = current.status;
      else if (!NO_STATUS_SUBRESOURCE.has(resource.kind)) delete next.status;
      const specOf = (o: Obj) =>
        'spec' in o
          ? o.spec
          : Object.fromEntries(
              Object.entries(o).filter(([k]) => !['metadata', 'status', 'apiVersion', 'kind'].includes(k)),
            );
      if (!sameJson(specOf(current), specOf(next)))
        meta.generation = (Number(currentMeta.generation) || 0) + 1;
    }
    next.apiVersion = apiVersionOf(resource);
    next.kind = resource.kind;
    (next.metadata as Meta).managedFields =
      ownership ??
      updateChange(this.writer(resource, options), current, next, managedFieldsOf(incoming, current));
    if (options.dryRun) return next;
    const key = objectKey(current) as string;
    const meta = next.metadata as Meta;
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0)
      return this.commit(collection, key, 'DELETED', next, current);
    return this.commit(collection, key, 'MODIFIED', next, current);
  }

  /**
   * Deletes now, or marks for deletion while finalizers remain; then plays the garbage collector
   * (kube-controller-manager's, which a real API server leaves to it) for the object's dependents:
   * `Background` (the default) deletes them after the owner, `Orphan` removes their owner
   * reference, `Foreground` keeps the owner with a `foregroundDeletion` finalizer until its
   * dependents are gone. Preconditions on uid and resourceVersion answer 409 when they differ.
   */
  delete(resource: ResourceType, name: string, options: DeleteOptions = {}): Obj {
    const collection = this.collection(resource);
    const current = this.get(resource, name, options.namespace ?? 'default');
    checkDeletePreconditions(resource, current, options.preconditions);
    const key = objectKey(current) as string;
    if (options.dryRun) return current;
    const policy = options.propagationPolicy ?? 'Background';
    const uid = current.metadata?.uid;
    if (policy === 'Orphan' && uid) this.orphanDependents(uid);
    const finalizers = [...(current.metadata?.finalizers ?? [])];
    if (policy === 'Foreground' && uid && this.dependentsOf(uid).length > 0) {
      if (!finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    }
    if (finalizers.length > 0) {
      if (
        current.metadata?.deletionTimestamp &&
        finalizers.length === (current.metadata.finalizers ?? []).length
      )
        return current;
      const next = cloneObject(current);
      (next.metadata as Meta).finalizers = finalizers;
      (next.metadata as Meta).deletionTimestamp ??= new Date(this.scheduler.now()).toISOString();
      (next.metadata as Meta).deletionGracePeriodSeconds = 0;
      const marked = this.commit(collection, key, 'MODIFIED', next, current);
      if (finalizers.includes('foregroundDeletion') && uid) {
        this.foreground.set(uid, `${resourceId(resource)} ${key}`);
        this.collectDependents(uid, 'Foreground');
        this.finishForegroundDeletions();
      }
      return this.collection(resource).objects.get(key) ?? marked;
    }
    return this.commit(collection, key, 'DELETED', cloneObject(current), current);
  }

  /** Deletes every object of the collection that matches the namespace and selectors. */
  deleteCollection(resource: ResourceType, options: DeleteCollectionOptions = {}): ListResult {
    const matching = this.currentObjects(resource, objectFilter(resource, options));
    const items = matching.map((o) =>
      this.delete(resource, o.metadata?.name as string, { ...options, namespace: o.metadata?.namespace }),
    );
    return { items, metadata: { resourceVersion: String(this.rv) } };
  }

  /** Every stored object with an owner reference to `uid`, with its resource. */
  private dependentsOf(uid: string): { resource: ResourceType; object: Obj }[] {
    const found: { resource: ResourceType; object: Obj }[] = [];
    for (const ref of this.dependents.get(uid) ?? []) {
      const space = ref.indexOf(' ');
      const collection = this.collections.get(ref.slice(0, space));
      const object = collection?.objects.get(ref.slice(space + 1));
      if (collection && object && ownedBy(object, uid)) found.push({ resource: collection.resource, object });
    }
    return found;
  }

  /** Keeps the owner -> dependents index in step with one write. */
  private indexOwners(ref: string, before: Obj | undefined, after: Obj | undefined): void {
    for (const owner of ownerUids(before)) this.dependents.get(owner)?.delete(ref);
    for (const owner of ownerUids(after)) {
      const set = this.dependents.get(owner) ?? new Set<string>();
      this.dependents.set(owner, set);
      set.add(ref);
    }
  }

  private orphanDependents(uid: string): void {
    for (const { resource, object } of this.dependentsOf(uid)) {
      const next = withoutOwner(cloneObject(object), uid);
      this.commit(this.collection(resource), objectKey(object) as string, 'MODIFIED', next as Obj, object);
    }
  }

  /** The garbage collector's pass over `uid`'s dependents once the owner is deleted (or being). */
  private collectDependents(uid: string, policy: 'Background' | 'Foreground'): void {
    for (const { resource, object } of this.dependentsOf(uid)) {
      if (object.metadata?.deletionTimestamp) continue;
      this.delete(resource, object.metadata?.name as string, {
        namespace: object.metadata?.namespace,
        propagationPolicy: policy,
      });
    }
  }

  /** Removes `foregroundDeletion` from owners whose dependents are all gone, as the collector does. */
  private finishForegroundDeletions(): void {
    for (const [uid, ref] of [...this.foreground]) {
      const space = ref.indexOf(' ');
      const collection = this.collections.get(ref.slice(0, space));
      const owner = collection?.objects.get(ref.slice(space + 1));
      if (!collection || !owner?.metadata?.finalizers?.includes('foregroundDeletion')) {
        this.foreground.delete(uid);
        continue;
      }
      if (this.dependentsOf(uid).length > 0) continue;
      this.foreground.delete(uid);
      const next = cloneObject(owner);
      (next.metadata as Meta).finalizers = owner.metadata.finalizers.filter(
        (f) => f !== 'foregroundDeletion',
      );
      this.update(collection.resource, owner, next);
    }
  }

  /**
   * Server-side apply (`PATCH` with `application/apply-patch+yaml`): creates the object when it is
   * absent, else merges the configuration with field ownership and conflicts (`apply/`).
   */
  apply(resource: ResourceType, name: string, body: unknown, options: WriteOptions = {}): Obj {
    if (!options.fieldManager)
      throw statusError(400, 'PATCH, application/apply-patch+yaml requires fieldManager to be set');
    const config = cloneObject(typeof body === 'string' ? parseApplyBody(body) : body);
    rejectPrototypeKeysIn(resource, config, 'the applied configuration', name);
    if (typeof config.apiVersion !== 'string' || typeof config.kind !== 'string')
      throw statusError(400, 'apiVersion and kind must be set in an applied configuration');
    if (config.metadata?.name !== undefined && config.metadata.name !== name)
      throw statusError(
        400,
        `the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`,
      );
    const namespace = options.namespace ?? config.metadata?.namespace ?? 'default';
    const key = resource.namespaced ? `${namespace}/${name}` : name;
    const live = this.collection(resource).objects.get(key);
    if (!live && options.subresource)
      throw statusError(404, `${resource.plural} "${name}" not found`, 'NotFound');
    const scoped = scopeOf(config, options.subresource, !NO_STATUS_SUBRESOURCE.has(resource.kind));
    const change = applyChange(this.writer(resource, options), live, scoped, options.force === true);
    if (!live) {
      const object = { ...change.object, metadata: { ...(change.object.metadata as Meta), name } };
      return this.create(resource, object, { ...options, namespace }, change.managedFields);
    }
    if (change.unchanged) return live;
    return this.update(resource, live, change.object as Obj, options, change.managedFields);
  }

  /** Who a write is by, for managedFields. */
  private writer(resource: ResourceType, options: WriteOptions): Writer {
    return {
      ctx: { kind: resource.kind, builtin: BUILTIN_IDS.has(resourceId(resource)) },
      manager: options.fieldManager ?? IN_PROCESS_MANAGER,
      apiVersion: apiVersionOf(resource),
      ...(options.subresource ? { subresource: options.subresource } : {}),
      time: new Date(this.scheduler.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }

  private commit(
    collection: Collection,
    key: string,
    type: LogEntry['type'],
    object: Obj,
    oldObject: Obj | undefined,
  ): Obj {
    const rv = ++this.rv;
    (object.metadata as Meta).resourceVersion = String(rv);
    const stored = freeze(object, true);
    if (type === 'DELETED') collection.objects.delete(key);
    else collection.objects.set(key, stored);
    if (oldObject?.metadata?.ownerReferences || stored.metadata?.ownerReferences)
      this.indexOwners(
        `${resourceId(collection.resource)} ${key}`,
        oldObject,
        type === 'DELETED' ? undefined : stored,
      );
    const entry: LogEntry = {
      rv,
      resourceId: resourceId(collection.resource),
      type,
      object: stored,
      ...(oldObject ? { oldObject } : {}),
    };
    this.log.push(entry);
    if (this.log.length > this.eventWindow) {
      const dropped = this.log.splice(0, this.log.length - this.eventWindow);
      this.compactedRv = (dropped[dropped.length - 1] as LogEntry).rv;
    }
    for (const sink of [...this.sinks]) if (sink.resourceId === entry.resourceId) sink.deliver(entry);
    if (type === 'DELETED') this.afterDeletion(stored);
    return stored;
  }

  /** The garbage collector's reaction to a deletion: dependents go, foreground owners may finish. */
  private afterDeletion(deleted: Obj): void {
    const uid = deleted.metadata?.uid;
    if (uid && this.dependents.get(uid)?.size) this.collectDependents(uid, 'Background');
    if (this.foreground.size > 0) this.finishForegroundDeletions();
  }

  private nextUid(): string {
    const n = (++this.uidCounter).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }

  /** A created CustomResourceDefinition makes its served versions available, as the API server does. */
  private registerCrd(crd: Obj): void {
    const spec = crd.spec as
      | {
          group?: string;
          names?: { plural?: string; kind?: string };
          scope?: string;
          versions?: { name: string; served?: boolean }[];
        }
      | undefined;
    if (!spec?.group || !spec.names?.plural || !spec.names.kind) return;
    for (const version of spec.versions ?? []) {
      if (version.served === false) continue;
      this.register({
        group: spec.group,
        version: version.name,
        plural: spec.names.plural,
        kind: spec.names.kind,
        namespaced: spec.scope !== 'Cluster',
      });
    }
  }
}

/** What a watch sends for a log entry, given its filter: selector transitions become ADDED/DELETED. */
export function watchEventFor(entry: LogEntry, matches: (o: Obj) => boolean): RawWatchEvent | undefined {
  const now = matches(entry.object);
  const before = entry.oldObject !== undefined && matches(entry.oldObject);
  switch (entry.type) {
    case 'ADDED':
      return now ? { type: 'ADDED', object: entry.object } : undefined;
    case 'DELETED':
      return now || before ? { type: 'DELETED', object: entry.object } : undefined;
    case 'MODIFIED':
      if (now && before) return { type: 'MODIFIED', object: entry.object };
      if (now) return { type: 'ADDED', object: entry.object };
      if (before) return { type: 'DELETED', object: entry.object };
      return undefined;
  }
}
