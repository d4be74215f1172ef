/**
 * `kubeClient`: the production {@link KubeClient}, speaking raw JSON to the API server over
 * `node:http`/`node:https` with credentials from client-node's `KubeConfig`.
 *
 * Like client-go's `rest.Config` + `RESTClient`, it is a thin layer: build the REST path, apply
 * the kubeconfig's TLS and auth, send, and turn failures into typed errors. Retries, relists and
 * backoff belong to the Reflector (`listWatch`), not here. What the transport does add is
 * liveness: every request has an idle watchdog, so a half-open connection errors instead of
 * hanging the informer forever (client-node #958, #596).
 *
 * Layer `transport`: the {@link KubeClient} over HTTP (kubeconfig, requests, watch decoding, typed
 * transport errors). It implements `core`'s interface and knows nothing of informers. May import: `core`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { defer, type Observable } from 'rxjs';
import type {
  APIResourceList,
  KubeClient,
  ListOptions,
  ListResult,
  PatchType,
  RawWatchEvent,
  WatchOptions,
  WriteOptions,
} from '../core/client.js';
import type { DeepReadonly, KubeObject } from '../core/objects.js';
import { PATCH_CONTENT_TYPES } from '../core/protocol.js';
import { apiVersionOf, describeResource, type ResourceType } from '../core/resources.js';
import { type Connection, requestJson } from './http.js';
import { loadDefaultKubeConfig, type RequestSpec } from './kubeConfig.js';
import { listQuery, resourcePath, watchQuery, writeQuery } from './paths.js';
import { InvalidRequestError, TransportError } from './transportErrors.js';
import { watchStream } from './watchStream.js';

/**
 * Options of {@link kubeClient}.
 *
 * @example
 * ```ts
 * kubeClient(kc, { watchIdleTimeoutMs: 120_000, fieldManager: 'my-operator', userAgent: 'my-operator/1.0' });
 * ```
 */
export interface KubeClientOptions {
  /**
   * Error a watch with `WatchIdleTimeoutError` when no byte arrives for this many ms (0
   * disables). Default, for a watch that allows bookmarks (the Reflector's always do): 75 s, the
   * API server's bookmark period (60 s) plus 15 s of slack, capped by the watch's `timeoutSeconds`
   * + 30 s. For a watch without bookmarks: `timeoutSeconds` + 30 s (the server should have closed
   * the stream by then), or 330 s when it has no `timeoutSeconds`. A peer that is gone is noticed
   * sooner, by TCP keepalive (about 40 s); see {@link watchIdleTimeoutFor}.
   */
  watchIdleTimeoutMs?: number;
  /** Error any other request with `IdleTimeoutError` after this many silent ms. Default 60 000; 0 disables. */
  requestIdleTimeoutMs?: number;
  /**
   * The longest watch event accepted, in bytes: a line that grows past it without a newline ends
   * the watch with `WatchFrameTooLargeError` (the Reflector re-watches) instead of being buffered
   * until memory runs out. Default 16 MiB, client-go's frame limit; the API server's storage
   * limit keeps real objects far below it (etcd refuses requests over 1.5 MiB by default).
   */
  maxWatchFrameBytes?: number;
  /** `fieldManager` of server-side apply patches that do not name one. Default `'kube-rx'`. */
  fieldManager?: string;
  /** `User-Agent` header. Default `'kube-rx'`. */
  userAgent?: string;
}

/**
 * The {@link KubeClient} `kubeClient` builds: its `list` is always a Promise (HTTP), which lets
 * callers `await` it without `from()`.
 *
 * @example
 * ```ts
 * const { items, metadata } = await kubeClient().list(resources.pods, { namespace: 'default', limit: 50 });
 * ```
 */
export interface HttpKubeClient extends KubeClient {
  /** Lists a collection over HTTP; `signal` aborts the request. */
  list(resource: ResourceType<KubeObject>, options: ListOptions, signal?: AbortSignal): Promise<ListResult>;
}

/** Server-side watch timeout plus this is when the client gives up on a silent watch. */
const WATCH_IDLE_GRACE_MS = 30_000;
const DEFAULT_WATCH_IDLE_MS = 330_000;
const DEFAULT_REQUEST_IDLE_MS = 60_000;
/** client-go's streaming decoder refuses a frame longer than this. */
const DEFAULT_MAX_WATCH_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * How often kube-apiserver sends a bookmark on an idle watch that allows them: its watch cache's
 * `defaultBookmarkFrequency` (one minute), plus one 2 s before the watch's deadline.
 */
const BOOKMARK_PERIOD_MS = 60_000;
/**
 * Silence past the bookmark period before a watch is presumed dead. The server dispatches
 * bookmarks in one-second buckets on a jittered one-second timer, so a healthy idle watch can be
 * silent for about 61-62 s; add network delay, a busy server and GC pauses. 15 s is the margin
 * kube-apiserver itself keeps past the bookmark period (its watch cache holds events for
 * `defaultBookmarkFrequency + 15 s`, DefaultEventFreshDuration), so a re-watch after the watchdog
 * still resumes from the server's history.
 */
const BOOKMARK_GRACE_MS = 15_000;

/**
 * The idle timeout of one watch: the configured one; else, when the watch allows bookmarks, the
 * bookmark period plus its slack (75 s), or less when the server closes the watch sooner; else
 * `timeoutSeconds` + 30 s, or 330 s without `timeoutSeconds`.
 *
 * Why not less than the bookmark period: a shorter watchdog would end every idle watch just before
 * its bookmark, so a quiet informer would re-watch every minute, report an error each time, and
 * never advance its resourceVersion (a later re-watch then risks 410 and a relist). A dead peer is
 * noticed sooner anyway, by TCP keepalive (30 s idle, then 10 probes 1 s apart: about 40 s); the
 * watchdog is for a connection whose other end still answers TCP but sends nothing (a frozen
 * server, a proxy whose upstream is gone).
 */
export function watchIdleTimeoutFor(options: KubeClientOptions, watch: WatchOptions): number {
  if (options.watchIdleTimeoutMs !== undefined) return options.watchIdleTimeoutMs;
  const untilServerCloses =
    watch.timeoutSeconds !== undefined
      ? watch.timeoutSeconds * 1000 + WATCH_IDLE_GRACE_MS
      : DEFAULT_WATCH_IDLE_MS;
  return watch.allowWatchBookmarks
    ? Math.min(BOOKMARK_PERIOD_MS + BOOKMARK_GRACE_MS, untilServerCloses)
    : untilServerCloses;
}

function toListResult(body: unknown, what: string): ListResult {
  const list = body as { items?: unknown; metadata?: ListResult['metadata'] } | null | undefined;
  if (list === null || typeof list !== 'object' || (list.items != null && !Array.isArray(list.items)))
    throw new TransportError(`${what}: the response is not a list`);
  const meta = list.metadata ?? { resourceVersion: '' };
  const metadata: ListResult['metadata'] = { resourceVersion: meta.resourceVersion ?? '' };
  if (meta.continue) metadata.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) metadata.remainingItemCount = meta.remainingItemCount;
  return { items: (list.items as unknown[] | null | undefined) ?? [], metadata };
}

/**
 * The body of a create or replace: the object with `apiVersion`/`kind` filled in from the resource
 * when missing. kube-apiserver defaults them for built-in types but rejects a custom resource
 * without them (400 "Object 'Kind' is missing"). Subresource bodies other than status (an
 * Eviction, a Scale) are of another kind and are sent as they are.
 */
function writeBody(resource: ResourceType<KubeObject>, object: KubeObject, subresource?: string): string {
  if ((subresource && subresource !== 'status') || (object.apiVersion && object.kind))
    return JSON.stringify(object);
  return JSON.stringify({
    ...object,
    apiVersion: object.apiVersion ?? apiVersionOf(resource),
    kind: object.kind ?? resource.kind,
  });
}

/** The path of one object; rejects requests that cannot address one. */
function objectPath(
  resource: ResourceType<KubeObject>,
  name: string | undefined,
  namespace: string | undefined,
  subresource?: string,
): string {
  if (!name) throw new InvalidRequestError(`${describeResource(resource)}: an object name is required`);
  if (resource.namespaced && !namespace)
    throw new InvalidRequestError(
      `${describeResource(resource)} is namespaced: pass options.namespace (or metadata.namespace)`,
    );
  return resourcePath(resource, { namespace, name, subresource });
}

/**
 * Builds a {@link KubeClient} on a kubeconfig. Without `kc`, the default kubeconfig (`KUBECONFIG`,
 * `~/.kube/config`, in-cluster) is loaded on the first request, importing client-node then (so
 * this module loads on any Node version client-node does not support). Credentials are applied
 * per request, so rotating exec/OIDC tokens are picked up.
 *
 * @example
 * ```ts
 * import { KubeConfig } from '@kubernetes/client-node';
 * const kc = new KubeConfig();
 * kc.loadFromDefault();
 * const client = kubeClient(kc);
 * listWatch(client, resources.pods, { namespace: 'default' }).subscribe(console.log);
 * await client.patch(resources.deployments, 'web', { spec: { replicas: 3 } }, 'merge', { namespace: 'default' });
 * ```
 */
export function kubeClient(kc?: KubeConfig, options: KubeClientOptions = {}): HttpKubeClient {
  return kc ? kubeClientOn(() => Promise.resolve(kc), options) : kubeClientOn(loadDefaultKubeConfig, options);
}

/**
 * {@link kubeClient} on any source of `KubeConfig`, asked on the first request and again after
 * a failure (tests pass a source whose client-node cannot load).
 */
export function kubeClientOn(
  loadConfig: () => Promise<KubeConfig>,
  options: KubeClientOptions = {},
): HttpKubeClient {
  let config: Promise<KubeConfig> | undefined;
  const connection: Connection = {
    userAgent: options.userAgent ?? 'kube-rx',
    config: () => {
      if (!config) {
        const loading = loadConfig();
        config = loading;
        // Do not cache a failure: the kubeconfig may exist by the next attempt. (A client-node
        // that cannot load is remembered by loadClientNode, which never imports it twice.)
        loading.catch(() => {
          if (config === loading) config = undefined;
        });
      }
      return config;
    },
  };
  const idleTimeoutMs = options.requestIdleTimeoutMs ?? DEFAULT_REQUEST_IDLE_MS;
  const send = (spec: RequestSpec, signal?: AbortSignal) =>
    requestJson(connection, spec, { signal, idleTimeoutMs });
  const fieldManager = options.fieldManager ?? 'kube-rx';

  return {
    async list(resource, listOptions: ListOptions, signal?: AbortSignal): Promise<ListResult> {
      const path = resourcePath(resource, { namespace: listOptions.namespace }) + listQuery(listOptions);
      return toListResult(await send({ method: 'GET', path }, signal), `list ${describeResource(resource)}`);
    },

    watch(resource, watchOptions: WatchOptions): Observable<RawWatchEvent> {
      // Deferred: a request that cannot be built (InvalidRequestError) errors the stream, not the caller.
      return defer(() => {
        const path = resourcePath(resource, { namespace: watchOptions.namespace }) + watchQuery(watchOptions);
        return watchStream(
          connection,
          { method: 'GET', path },
          {
            idleTimeoutMs: watchIdleTimeoutFor(options, watchOptions),
            maxFrameBytes: options.maxWatchFrameBytes ?? DEFAULT_MAX_WATCH_FRAME_BYTES,
          },
        );
      });
    },

    async get<T extends KubeObject>(resource: ResourceType<T>, name: string, opts: WriteOptions = {}) {
      const path = objectPath(resource, name, opts.namespace, opts.subresource);
      return (await send({ method: 'GET', path })) as T;
    },

    async create<T extends KubeObject>(
      resource: ResourceType<T>,
      object: T | DeepReadonly<T>,
      opts: WriteOptions = {},
    ) {
      const namespace = opts.namespace ?? object.metadata?.namespace;
      if (resource.namespaced && !namespace)
        throw new InvalidRequestError(
          `${describeResource(resource)} is namespaced: pass options.namespace (or metadata.namespace)`,
        );
      // A subresource create (pods/eviction, pods/binding) addresses the parent object.
      const path = opts.subresource
        ? objectPath(resource, object.metadata?.name, namespace, opts.subresource)
        : resourcePath(resource, { namespace });
      const body = writeBody(resource, object, opts.subresource);
      return (await send({ method: 'POST', path: path + writeQuery(opts), body })) as T;
    },

    async replace<T extends KubeObject>(
      resource: ResourceType<T>,
      object: T | DeepReadonly<T>,
      opts: WriteOptions = {},
    ) {
      const namespace = opts.namespace ?? object.metadata?.namespace;
      const path = objectPath(resource, object.metadata?.name, namespace, opts.subresource);
      const body = writeBody(resource, object, opts.subresource);
      return (await send({ method: 'PUT', path: path + writeQuery(opts), body })) as T;
    },

    async patch<T extends KubeObject>(
      resource: ResourceType<T>,
      name: string,
      patch: unknown,
      type: PatchType,
      opts: WriteOptions = {},
    ) {
      const contentType = PATCH_CONTENT_TYPES[type];
      if (!contentType) throw new InvalidRequestError(`unknown patch type ${JSON.stringify(type)}`);
      const path = objectPath(resource, name, opts.namespace, opts.subresource);
      const apply = type === 'apply';
      const query = writeQuery(
        apply ? { ...opts, fieldManager: opts.fieldManager ?? fieldManager } : opts,
        apply,
      );
      // A string is sent as is: pre-serialised JSON, or YAML for server-side apply.
      const body = typeof patch === 'string' ? patch : JSON.stringify(patch);
      return (await send({ method: 'PATCH', path: path + query, body, contentType })) as T;
    },

    async delete(resource, name: string, opts: WriteOptions = {}): Promise<unknown> {
      const path = objectPath(resource, name, opts.namespace, opts.subresource);
      return send({ method: 'DELETE', path: path + writeQuery({ dryRun: opts.dryRun }) });
    },

    async discover(groupVersion: string): Promise<APIResourceList> {
      const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      return (await send({ method: 'GET', path })) as APIResourceList;
    },
  };
}
