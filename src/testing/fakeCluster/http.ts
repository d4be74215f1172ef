/**
 * The fake cluster over real HTTP: the Kubernetes REST paths (`/api/v1/namespaces/{ns}/pods`,
 * `/apis/{group}/{version}/...`), discovery (`/api`, `/apis`, `/api/v1`, `/apis/{g}/{v}`,
 * `/version`), chunked newline-delimited watch streams, bearer-token auth and `Status` error
 * bodies, so `@kubernetes/client-node`'s typed APIs and `Watch` work against it unchanged.
 * It listens on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import type { DeleteOptions, PatchType, WatchOptions, WriteOptions } from '../../core/client.js';
import { type KubeStatus, StatusError, statusError } from '../../core/errors.js';
import type { KubeObject } from '../../core/objects.js';
import { partialObjectMetadataOf } from '../../core/partialObjectMetadata.js';
import { patchTypeOf } from '../../core/protocol.js';
import { apiVersionOf, type ResourceType } from '../../core/resources.js';
import { managerFromUserAgent } from './apply/defaultManager.js';
import type { ClusterState } from './clusterState.js';
import { groupList, resourceList } from './discovery.js';
import { acceptsMetadata, metadataListBody, metadataWatchEvent } from './metadataOnly.js';
import { type ActiveWatch, openWatch, type WatchSettings } from './watchStream.js';

/** What the server needs from the cluster. */
export interface ServerContext {
  readonly state: ClusterState;
  readonly settings: WatchSettings;
  readonly watches: Set<ActiveWatch>;
  takeFailure(): StatusError | undefined;
  patch(
    resource: ResourceType,
    name: string,
    body: unknown,
    type: PatchType,
    options?: WriteOptions,
  ): KubeObject;
}

/** Options of `FakeCluster.listen`. */
export interface ListenOptions {
  /** Port to listen on; 0 (default) picks a free one. Reuse a port to simulate a restart. */
  port?: number;
  /** Bearer token the server requires. Default `fake-cluster-token`; `null` disables auth. */
  token?: string | null;
}

/** A fake cluster served over HTTP on loopback (from `FakeCluster.listen`). */
export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** A client-node KubeConfig for this server (token auth, `skipTLSVerify` as http needs). */
  readonly kubeConfig: KubeConfig;
  /** The same as a kubeconfig file's YAML, for tools that read files. */
  readonly kubeConfigYaml: string;
  /** Stops listening and drops every connection, watches included. */
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendStatus(res: ServerResponse, error: unknown): void {
  const status: KubeStatus =
    error instanceof StatusError
      ? error.status
      : statusError(500, `fake cluster: ${(error as Error)?.message ?? String(error)}`).status;
  sendJson(res, status.code ?? 500, status);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw statusError(400, 'the request body is not valid JSON (the fake cluster accepts JSON bodies only)');
  }
}

/** The fields of a `DeleteOptions` body the fake cluster honours (the body is optional). */
function deleteOptionsOf(body: unknown): DeleteOptions {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw statusError(400, 'the DeleteOptions body must be a JSON object');
  const { propagationPolicy, gracePeriodSeconds, preconditions } = body as DeleteOptions;
  return {
    ...(propagationPolicy !== undefined ? { propagationPolicy } : {}),
    ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    ...(preconditions !== undefined ? { preconditions } : {}),
  };
}

const bool = (value: string | null) => value === 'true' || value === '1';

interface Route {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** Maps a REST path to a registered resource, namespace, name and subresource. */
function route(state: ClusterState, segments: string[]): Route | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    [group, version, rest] = ['', segments[1] as string, segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    [group, version, rest] = [segments[1] as string, segments[2] as string, segments.slice(3)];
  } else {
    return undefined;
  }
  const find = (plural: string | undefined) =>
    state.registered().find((r) => r.group === group && r.version === version && r.plural === plural);
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const resource = find(rest[2]);
    if (resource?.namespaced) return { resource, namespace: rest[1], name: rest[3], subresource: rest[4] };
  }
  const resource = find(rest[0]);
  return resource ? { resource, name: rest[1], subresource: rest[2] } : undefined;
}

function discovery(state: ClusterState, segments: string[], host: string): unknown {
  const registered = state.registered();
  const path = segments.join('/');
  if (path === 'api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
    };
  }
  if (path === 'apis') return groupList(registered);
  if (path === 'version')
    return { major: '1', minor: '34', gitVersion: 'v1.34.0-kube-rx-fake', platform: 'linux/amd64' };
  const groupVersion =
    segments[0] === 'api' && segments.length === 2
      ? segments[1]
      : segments[0] === 'apis' && segments.length === 3
        ? `${segments[1]}/${segments[2]}`
        : undefined;
  if (groupVersion === undefined) return undefined;
  try {
    return { apiVersion: 'v1', ...resourceList(registered, groupVersion) };
  } catch {
    return undefined;
  }
}

function watchOptions(query: URLSearchParams, namespace: string | undefined): WatchOptions {
  const timeout = query.get('timeoutSeconds');
  const match = query.get('resourceVersionMatch');
  return {
    namespace,
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
    resourceVersion: query.get('resourceVersion') ?? undefined,
    resourceVersionMatch: match === 'NotOlderThan' || match === 'Exact' ? match : undefined,
    allowWatchBookmarks: bool(query.get('allowWatchBookmarks')),
    sendInitialEvents: bool(query.get('sendInitialEvents')),
    timeoutSeconds: timeout ? Number(timeout) : undefined,
  };
}

function serveWatch(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  r: Route,
  query: URLSearchParams,
  served: Set<() => void>,
): void {
  // openWatch may write (replayed events, an in-stream 410) and even end the stream before it
  // returns; both wait until the headers are out, so the lines are never lost.
  const pending: string[] = [];
  const metadataOnly = acceptsMetadata(req.headers.accept);
  let started = false;
  let endPending = false;
  const write = (line: string) => {
    if (started) res.write(`${line}\n`);
    else pending.push(line);
  };
  const end = () => {
    if (started) res.end();
    else endPending = true;
  };
  const stop = openWatch(
    ctx.state,
    r.resource,
    watchOptions(query, r.namespace),
    ctx.settings,
    {
      event: (event) => write(JSON.stringify(metadataOnly ? metadataWatchEvent(event) : event)),
      raw: write,
      end,
    },
    ctx.watches,
  );
  started = true;
  res.writeHead(200, {
    'content-type': 'application/json',
    'transfer-encoding': 'chunked',
    'cache-control': 'no-cache',
  });
  // Like the API server, send the headers at once: clients wait for them before reading events.
  res.flushHeaders();
  for (const line of pending) res.write(`${line}\n`);
  if (endPending) res.end();
  const release = () => {
    served.delete(release);
    stop();
  };
  served.add(release);
  res.on('close', release);
  req.on('close', release);
}

async function handle(
  ctx: ServerContext,
  req: IncomingMessage,
  res: ServerResponse,
  token: string | null,
  served: Set<() => void>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const segments = url.pathname.split('/').filter(Boolean);
  if (['healthz', 'readyz', 'livez'].includes(segments[0] ?? '')) {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (token !== null && req.headers.authorization !== `Bearer ${token}`)
    throw statusError(401, 'Unauthorized');
  const doc = discovery(ctx.state, segments, req.headers.host ?? '');
  if (doc !== undefined && req.method === 'GET') {
    sendJson(res, 200, doc);
    return;
  }
  const r = route(ctx.state, segments);
  if (!r) throw statusError(404, `the server could not find the requested resource (${url.pathname})`);
  const failure = ctx.takeFailure();
  if (failure) throw failure;
  const query = url.searchParams;
  const writeOptions: WriteOptions = {
    namespace: r.namespace,
    subresource: r.subresource,
    // An apply must name its manager; other writes default to the user agent's, as on the API server.
    fieldManager:
      query.get('fieldManager') ??
      (patchTypeOf(req.headers['content-type']) === 'apply'
        ? undefined
        : managerFromUserAgent(req.headers['user-agent'])),
    force: bool(query.get('force')),
    dryRun: query.get('dryRun') === 'All',
  };
  const { state } = ctx;
  switch (req.method) {
    case 'GET':
      if (r.name) {
        const object = state.get(r.resource, r.name, r.namespace);
        return sendJson(
          res,
          200,
          acceptsMetadata(req.headers.accept) ? partialObjectMetadataOf(object) : object,
        );
      }
      if (bool(query.get('watch'))) return serveWatch(ctx, req, res, r, query, served);
      {
        const limit = query.get('limit');
        const match = query.get('resourceVersionMatch');
        const list = state.list(r.resource, {
          namespace: r.namespace,
          labelSelector: query.get('labelSelector') ?? undefined,
          fieldSelector: query.get('fieldSelector') ?? undefined,
          limit: limit ? Number(limit) : undefined,
          continue: query.get('continue') ?? undefined,
          resourceVersion: query.get('resourceVersion') ?? undefined,
          resourceVersionMatch: match === 'NotOlderThan' || match === 'Exact' ? match : undefined,
        });
        if (acceptsMetadata(req.headers.accept)) return sendJson(res, 200, metadataListBody(list));
        return sendJson(res, 200, {
          kind: `${r.resource.kind}List`,
          apiVersion: apiVersionOf(r.resource),
          ...list,
        });
      }
    case 'POST':
      return sendJson(res, 201, state.create(r.resource, await readBody(req), writeOptions));
    case 'PUT':
      if (!r.name) throw statusError(405, 'PUT needs an object name');
      return sendJson(res, 200, state.replace(r.resource, await readBody(req), writeOptions));
    case 'PATCH': {
      if (!r.name) throw statusError(405, 'PATCH needs an object name');
      const type = patchTypeOf(req.headers['content-type']);
      if (!type)
        throw statusError(
          415,
          `unsupported patch content type ${JSON.stringify(req.headers['content-type'])}`,
        );
      if (type === 'apply' && !writeOptions.fieldManager)
        throw statusError(422, 'fieldManager is required for apply requests');
      return sendJson(res, 200, ctx.patch(r.resource, r.name, await readBody(req), type, writeOptions));
    }
    case 'DELETE': {
      const body = deleteOptionsOf(await readBody(req));
      if (!r.name)
        return sendJson(res, 200, {
          kind: `${r.resource.kind}List`,
          apiVersion: apiVersionOf(r.resource),
          ...state.deleteCollection(r.resource, {
            ...writeOptions,
            ...body,
            labelSelector: query.get('labelSelector') ?? undefined,
            fieldSelector: query.get('fieldSelector') ?? undefined,
          }),
        });
      return sendJson(res, 200, state.delete(r.resource, r.name, { ...writeOptions, ...body }));
    }
    default:
      throw statusError(405, `method ${req.method} not allowed`);
  }
}

function kubeConfigYaml(url: string, token: string | null): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kube-rx-fake',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: kube-rx-fake',
    `  user: ${token === null ? '{}' : `\n    token: ${token}`}`,
    'contexts:',
    '- name: kube-rx-fake',
    '  context:',
    '    cluster: kube-rx-fake',
    '    user: kube-rx-fake',
    'current-context: kube-rx-fake',
    '',
  ].join('\n');
}

/** Starts the HTTP server for a cluster. */
export async function listen(ctx: ServerContext, options: ListenOptions = {}): Promise<FakeServer> {
  const token = options.token === undefined ? 'fake-cluster-token' : options.token;
  const sockets = new Set<Socket>();
  /** Stops of the watches this server serves, so close() ends them before it resolves. */
  const served = new Set<() => void>();
  const server = createServer((req, res) => {
    handle(ctx, req, res, token, served).catch((error: unknown) => {
      if (!res.headersSent) sendStatus(res, error);
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'kube-rx-fake', server: url, skipTLSVerify: true }],
    users: [token === null ? { name: 'kube-rx-fake' } : { name: 'kube-rx-fake', token }],
    contexts: [{ name: 'kube-rx-fake', cluster: 'kube-rx-fake', user: 'kube-rx-fake' }],
    currentContext: 'kube-rx-fake',
  });
  return {
    url,
    port,
    kubeConfig,
    kubeConfigYaml: kubeConfigYaml(url, token),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const release of [...served]) release();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
