/**
 * `kubeClient`: the production {@link KubeClient}, speaking raw JSON to the API server over
 * `node:http`/`node:https` with credentials from client-node's `KubeConfig`.
 *
 * Like client-go's `rest.Config` + `RESTClient`, it is a thin layer: build the REST path, apply
 * the kubeconfig's TLS and auth, send, and turn failures into typed errors. Relists and backoff
 * belong to the Reflector (`listWatch`), not here. What the transport adds, as client-go's rest
 * client does:
 * - politeness: a client-side rate limit (token bucket, QPS 5, burst 10), and retries of the
 *   calls a controller makes when the server says when to come back (`Retry-After` on 429/503,
 *   at most 10 times; `retries.ts`); every `StatusError` carries `retryAfterSeconds`;
 * - liveness: TCP keepalive on every socket and an idle watchdog on every request, so a half-open
 *   connection errors instead of hanging the informer forever (client-node #958, #596);
 * - bounds: a watch frame limit (16 MiB) and a cap on error bodies.
 * Defaults and their reasons are in `clientOptions.ts`.
 *
 * Layer `transport`: the {@link KubeClient} over HTTP (kubeconfig, requests, watch decoding, typed
 * transport errors). It implements `core`'s interface and knows nothing of informers. May import: `core`.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { defer, type Observable } from 'rxjs';
import type {
  APIResourceList,
  DeleteCollectionOptions,
  DeleteOptions,
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
import type { RequestReporting } from '../core/requestReport.js';
import { apiVersionOf, describeResource, type ResourceType } from '../core/resources.js';
import { clientSettings, type KubeClientOptions, watchIdleTimeoutFor } from './clientOptions.js';
import { DeferredListReader } from './deferredList.js';
import { deleteBody } from './deleteBody.js';
import { type BodyDecoder, type Connection, requestJson } from './http.js';
import { loadDefaultKubeConfig, type RequestSpec } from './kubeConfig.js';
import { listAccept, watchAccept } from './metadataAccept.js';
import { listQuery, resourcePath, watchQuery, writeQuery } from './paths.js';
import { requestObservers } from './requestObservers.js';
import { withRetries } from './retries.js';
import { InvalidRequestError, TransportError } from './transportErrors.js';
import { watchStream } from './watchStream.js';

export { type KubeClientOptions, watchIdleTimeoutFor } from './clientOptions.js';

/**
 * {@link WriteOptions} of one call over HTTP, with its cancellation.
 *
 * @example
 * ```ts
 * await client.get(resources.pods, 'web', { namespace: 'default', signal: AbortSignal.timeout(10_000) });
 * ```
 */
export interface HttpWriteOptions extends WriteOptions {
  /** Aborts the request, and any wait for the rate limit or before a retry (`RequestAbortedError`). */
  signal?: AbortSignal;
}

/** {@link DeleteOptions} of one call over HTTP, with its cancellation. */
export interface HttpDeleteOptions extends DeleteOptions {
  /** Aborts the request, and any wait for the rate limit or before a retry (`RequestAbortedError`). */
  signal?: AbortSignal;
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
export interface HttpKubeClient extends KubeClient, RequestReporting {
  /** Lists a collection over HTTP, items typed by the resource; `signal` aborts the request. */
  list<T extends KubeObject>(
    resource: ResourceType<T>,
    options: ListOptions,
    signal?: AbortSignal,
  ): Promise<ListResult<T>>;
  /** Reads one object; retried as {@link KubeClientOptions.maxRetries} says; `options.signal` aborts. */
  get<T extends KubeObject>(resource: ResourceType<T>, name: string, options?: HttpWriteOptions): Promise<T>;
  /** Creates an object; retried on 429/503 with `Retry-After`; `options.signal` aborts. */
  create<T extends KubeObject>(
    resource: ResourceType<T>,
    object: T | DeepReadonly<T>,
    options?: HttpWriteOptions,
  ): Promise<T>;
  /** Replaces an object; retried on 429/503 with `Retry-After`; `options.signal` aborts. */
  replace<T extends KubeObject>(
    resource: ResourceType<T>,
    object: T | DeepReadonly<T>,
    options?: HttpWriteOptions,
  ): Promise<T>;
  /** Patches an object; retried on 429/503 with `Retry-After`; `options.signal` aborts. */
  patch<T extends KubeObject>(
    resource: ResourceType<T>,
    name: string,
    patch: unknown,
    type: PatchType,
    options?: HttpWriteOptions,
  ): Promise<T>;
  /** Deletes an object; retried on 429/503 with `Retry-After`; `options.signal` aborts. */
  delete(resource: ResourceType<KubeObject>, name: string, options?: HttpDeleteOptions): Promise<unknown>;
  /** Deletes the matching objects of a collection (`DELETE` on it); `options.signal` aborts. */
  deleteCollection(
    resource: ResourceType<KubeObject>,
    options?: DeleteCollectionOptions & { signal?: AbortSignal },
  ): Promise<unknown>;
}

function toListResult<T>(body: unknown, what: string): ListResult<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new TransportError(`${what}: the response is not a JSON object`);
  // Passed on as the server sent it, so the Reflector's list-shape check sees what came: a
  // missing `items` or resourceVersion, or a 200 that is a Status, must not turn into an empty
  // list here. Only Go's encoding of an empty (nil) slice, `items: null`, becomes [].
  const list = body as ListResult<T> & { items: T[] | null };
  return list.items === null ? { ...list, items: [] } : list;
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
  const settings = clientSettings(options);
  const requests = requestObservers(options.onRequest, options.logger);
  let config: Promise<KubeConfig> | undefined;
  const connection: Connection = {
    userAgent: options.userAgent ?? 'kube-rx',
    throttle: settings.throttle,
    clock: settings.clock,
    observe: requests.observe,
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
  const idleTimeoutMs = settings.requestIdleTimeoutMs;
  /** One attempt; lists go this way (the Reflector retries them). */
  const sendOnce = (spec: RequestSpec, signal?: AbortSignal, decoder?: () => BodyDecoder) =>
    requestJson(connection, spec, { signal, idleTimeoutMs, ...(decoder ? { decoder } : {}) });
  /** Every other call: retried when the server says when to come back. */
  const send = (spec: RequestSpec, signal?: AbortSignal) =>
    withRetries(() => sendOnce(spec, signal), spec, settings.retries, signal);
  const fieldManager = options.fieldManager ?? 'kube-rx';

  return {
    observeRequests: requests.add,

    async list<T extends KubeObject>(
      resource: ResourceType<T>,
      listOptions: ListOptions,
      signal?: AbortSignal,
    ): Promise<ListResult<T>> {
      const path = resourcePath(resource, { namespace: listOptions.namespace }) + listQuery(listOptions);
      const decoder = listOptions.deferDecoding ? () => new DeferredListReader() : undefined;
      return toListResult<T>(
        await sendOnce({ method: 'GET', path, accept: listAccept(listOptions) }, signal, decoder),
        `list ${describeResource(resource)}`,
      );
    },

    watch(resource, watchOptions: WatchOptions): Observable<RawWatchEvent> {
      // Deferred: a request that cannot be built (InvalidRequestError) errors the stream, not the caller.
      return defer(() => {
        const path = resourcePath(resource, { namespace: watchOptions.namespace }) + watchQuery(watchOptions);
        return watchStream(
          connection,
          { method: 'GET', path, accept: watchAccept(watchOptions) },
          {
            idleTimeoutMs: watchIdleTimeoutFor(options, watchOptions),
            maxFrameBytes: settings.maxWatchFrameBytes,
            deferDecoding: watchOptions.deferDecoding === true,
          },
        );
      });
    },

    async get<T extends KubeObject>(resource: ResourceType<T>, name: string, opts: HttpWriteOptions = {}) {
      const path = objectPath(resource, name, opts.namespace, opts.subresource);
      return (await send({ method: 'GET', path }, opts.signal)) as T;
    },

    async create<T extends KubeObject>(
      resource: ResourceType<T>,
      object: T | DeepReadonly<T>,
      opts: HttpWriteOptions = {},
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
      return (await send({ method: 'POST', path: path + writeQuery(opts), body }, opts.signal)) as T;
    },

    async replace<T extends KubeObject>(
      resource: ResourceType<T>,
      object: T | DeepReadonly<T>,
      opts: HttpWriteOptions = {},
    ) {
      const namespace = opts.namespace ?? object.metadata?.namespace;
      const path = objectPath(resource, object.metadata?.name, namespace, opts.subresource);
      const body = writeBody(resource, object, opts.subresource);
      return (await send({ method: 'PUT', path: path + writeQuery(opts), body }, opts.signal)) as T;
    },

    async patch<T extends KubeObject>(
      resource: ResourceType<T>,
      name: string,
      patch: unknown,
      type: PatchType,
      opts: HttpWriteOptions = {},
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
      return (await send({ method: 'PATCH', path: path + query, body, contentType }, opts.signal)) as T;
    },

    async delete(resource, name: string, opts: HttpDeleteOptions = {}): Promise<unknown> {
      const path =
        objectPath(resource, name, opts.namespace, opts.subresource) + writeQuery({ dryRun: opts.dryRun });
      const body = deleteBody(opts);
      return send(
        body === undefined
          ? { method: 'DELETE', path }
          : { method: 'DELETE', path, body, contentType: 'application/json' },
        opts.signal,
      );
    },

    async deleteCollection(resource, opts: DeleteCollectionOptions & { signal?: AbortSignal } = {}) {
      const selectors = listQuery({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
      const dryRun = writeQuery({ dryRun: opts.dryRun });
      const query = selectors + (dryRun ? (selectors ? `&${dryRun.slice(1)}` : dryRun) : '');
      const path = resourcePath(resource, { namespace: opts.namespace }) + query;
      const body = deleteBody(opts);
      return send(
        body === undefined
          ? { method: 'DELETE', path }
          : { method: 'DELETE', path, body, contentType: 'application/json' },
        opts.signal,
      );
    },

    async discover(groupVersion: string): Promise<APIResourceList> {
      const path = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      return (await send({ method: 'GET', path })) as APIResourceList;
    },
  };
}
