/**
 * The transport contract. kube-rx's sources talk to a {@link KubeClient}; the production one is
 * built from client-node's KubeConfig (`kubeClient`), the fake cluster and the scripted client in
 * `kube-rx/testing` implement the same interface, so every pipeline runs unchanged against each.
 *
 * Layer `core`: the vocabulary every other layer speaks (objects, resources, events, errors, protocol
 * constants and this interface); it holds no behaviour of its own. May import: nothing.
 */
import type { Observable, ObservableInput } from 'rxjs';
import type { DeepReadonly, KubeObject } from './objects.js';
import type { ResourceType } from './resources.js';

/** Query parameters shared by list and watch. */
export interface SelectorOptions {
  /** Restrict to one namespace; omit for all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** `GET <collection>` parameters. */
export interface ListOptions extends SelectorOptions {
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  /**
   * Ask for metadata only (client-go's metadata client): the server answers with
   * \`PartialObjectMetadata\` objects (a \`PartialObjectMetadataList\` for a list), each holding just
   * \`apiVersion\`, \`kind\` and the full \`metadata\`. Sent as the \`Accept\` header.
   */
  asMetadata?: boolean;
  /**
   * For a cache (the informer sets it): the items may arrive as `EncodedObject` cells that keep
   * each item's JSON text and decode it on first read (see `WatchOptions.deferDecoding`).
   */
  deferDecoding?: boolean;
}

/** `GET <collection>?watch=1` parameters. */
export interface WatchOptions extends SelectorOptions {
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /**
   * Ask for metadata only (client-go's metadata client): the server answers with
   * \`PartialObjectMetadata\` objects (a \`PartialObjectMetadataList\` for a list), each holding just
   * \`apiVersion\`, \`kind\` and the full \`metadata\`. Sent as the \`Accept\` header.
   */
  asMetadata?: boolean;
  /**
   * For a cache (the informer sets it): the objects of `ADDED`, `MODIFIED` and `DELETED` events may
   * arrive as `EncodedObject` cells that keep the object's JSON text and decode it on first read,
   * after the transport checked that it parses and has a key. Clients that decode at once (the
   * fake cluster, test clients) ignore it. Never set it for a stream whose objects you read
   * yourself: read those through `readObject`.
   */
  deferDecoding?: boolean;
}

/** A list response: the items and the collection's resourceVersion (and continue token). */
export interface ListResult<T = unknown> {
  items: T[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

/** One decoded line of a watch stream, before validation. */
export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR' | string;
  object: unknown;
}

/** One entry of a discovery document (`metav1.APIResource`). */
export interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
}

/** A discovery document for one group version (`GET /api/v1`, `GET /apis/{group}/{version}`). */
export interface APIResourceList {
  kind?: 'APIResourceList';
  groupVersion: string;
  resources: APIResource[];
}

/** Patch content types the API server accepts. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Options for writes. */
export interface WriteOptions {
  namespace?: string;
  fieldManager?: string;
  force?: boolean;
  dryRun?: boolean;
  subresource?: 'status' | string;
}

/**
 * Options of a delete: the `DeleteOptions` body the API server reads (propagation of the deletion
 * to dependents, grace period, preconditions) plus the write options (`dryRun`, namespace).
 */
export interface DeleteOptions extends WriteOptions {
  /**
   * How the garbage collector treats dependents (objects whose `ownerReferences` name this one):
   * `Background` deletes the owner now and its dependents after, `Foreground` keeps the owner
   * (with a `foregroundDeletion` finalizer) until the dependents that block it are gone, `Orphan`
   * leaves them. Default: the resource's own (Background for most).
   */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Seconds before the object is deleted (pods); 0 deletes now. Default: the object's own. */
  gracePeriodSeconds?: number;
  /** Delete only if the object still has this uid and/or resourceVersion; else 409 Conflict. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Options of a collection delete: the objects to delete are chosen by namespace and selectors. */
export interface DeleteCollectionOptions extends DeleteOptions, SelectorOptions {}

/**
 * What kube-rx needs from a Kubernetes API connection.
 *
 * `list` may answer with a Promise (HTTP) or an Observable (fakes running on a scheduler, so that
 * virtual time works); the optional `signal` aborts the request. `watch` is cold: subscribing
 * opens the stream, unsubscribing aborts it; it completes when the server closes the stream and
 * errors with a `StatusError` on HTTP failures.
 */
export interface KubeClient {
  /**
   * Lists a collection (`GET`), one page at a time with `limit`/`continue`; `signal` aborts the
   * request. A Promise over HTTP, an Observable for fakes that run on a scheduler. The items are
   * typed by the resource (`list(resources.pods, ...)` gives `ListResult<V1Pod>`): a promise of
   * the type, not a check, so the Reflector still checks each list's shape at run time. With
   * `asMetadata` the items are `PartialObjectMetadata` whatever the resource says.
   */
  list<T extends KubeObject>(
    resource: ResourceType<T>,
    options: ListOptions,
    signal?: AbortSignal,
  ): ObservableInput<ListResult<T>>;
  /**
   * Opens a watch (`GET ...?watch=1`) when subscribed; unsubscribing aborts it. Completes when the
   * server closes the stream, errors with a `StatusError` on HTTP failures.
   */
  watch(resource: ResourceType<KubeObject>, options: WatchOptions): Observable<RawWatchEvent>;
  /** Reads one object by name (`options.namespace` for namespaced resources). */
  get<T extends KubeObject>(resource: ResourceType<T>, name: string, options?: WriteOptions): Promise<T>;
  /**
   * Creates an object (`POST`); resolves with what the server stored. The object is only read, so
   * a cached (read-only) one, or a copy of one, is fine.
   */
  create<T extends KubeObject>(
    resource: ResourceType<T>,
    object: T | DeepReadonly<T>,
    options?: WriteOptions,
  ): Promise<T>;
  /**
   * Replaces an object (`PUT`); a stale `metadata.resourceVersion` is a 409 Conflict. The object is
   * only read: a copy of a cached object with a change spread in is the usual argument.
   */
  replace<T extends KubeObject>(
    resource: ResourceType<T>,
    object: T | DeepReadonly<T>,
    options?: WriteOptions,
  ): Promise<T>;
  /** Patches an object (`PATCH`) with a JSON, merge, strategic-merge or server-side-apply patch. */
  patch<T extends KubeObject>(
    resource: ResourceType<T>,
    name: string,
    patch: unknown,
    type: PatchType,
    options?: WriteOptions,
  ): Promise<T>;
  /**
   * Deletes an object; with finalizers it only gets a `deletionTimestamp` until they are removed.
   * `options` may carry a `DeleteOptions` body (propagation policy, grace period, preconditions).
   */
  delete(resource: ResourceType<KubeObject>, name: string, options?: DeleteOptions): Promise<unknown>;
  /**
   * Deletes every object of a collection that matches the namespace and selectors (`DELETE` on the
   * collection). Optional: `deleteCollection` in `kube-rx`'s api falls back to list and delete.
   */
  deleteCollection?(resource: ResourceType<KubeObject>, options?: DeleteCollectionOptions): Promise<unknown>;
  /** The discovery document of `groupVersion` (`v1` or `group/version`); 404 when it is not served. */
  discover?(groupVersion: string): Promise<APIResourceList>;
}
