/**
 * From client-node's `KubeConfig` to Node request options. client-node is only a type here: its
 * 2.x does not load on Node 20, so the default config is loaded through `loadClientNode`
 * (a checked, once-per-process `import()`) the first time a request needs it, and a
 * user-supplied `KubeConfig` (1.4 or 2.x) is used through the few methods both versions have:
 * `getCurrentCluster` and `applyToHTTPSOptions`.
 *
 * `applyToHTTPSOptions` is called for every request, not once: exec and OIDC credential plugins
 * rotate tokens, and client-node refreshes them inside that call. It fills the Authorization
 * header, CA, client certificate and key, `rejectUnauthorized`, the TLS server name and a new
 * agent, which is replaced by the shared keep-alive one (agents.ts) unless it is a proxy's.
 */
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { keepAliveAgent } from './agents.js';
import { type ClientNodeLoader, installedClientNode, loadClientNode } from './clientNode.js';
import { type Redactor, redactor, secretsOf } from './redact.js';
import { KubeConfigError } from './transportErrors.js';

/**
 * Loads the default kubeconfig like kubectl: `KUBECONFIG`, then `~/.kube/config`, then the
 * in-cluster service account. Rejects with `ClientNodeUnavailableError` when client-node cannot
 * load on this Node (that is permanent: it is imported at most once per process) and with
 * {@link KubeConfigError} when no usable kubeconfig is found (that may change by the next attempt).
 *
 * @example
 * ```ts
 * const kc = await loadDefaultKubeConfig();
 * console.log(kc.getCurrentContext());
 * ```
 */
export function loadDefaultKubeConfig(): Promise<KubeConfig> {
  return loadDefaultKubeConfigWith(installedClientNode);
}

/** {@link loadDefaultKubeConfig} with client-node found and imported by `loader`. */
export async function loadDefaultKubeConfigWith(loader: ClientNodeLoader): Promise<KubeConfig> {
  const clientNode = await loadClientNode(loader);
  try {
    const kc = new clientNode.KubeConfig();
    kc.loadFromDefault();
    return kc;
  } catch (error) {
    throw new KubeConfigError(`cannot load the default kubeconfig: ${redactor()(messageOf(error))}`);
  }
}

/** Options for one request, with the redactor that knows its credentials. */
export interface PreparedRequest {
  readonly protocol: 'http:' | 'https:';
  /** The server's host and port as in its URL (`10.0.0.1:6443`), for request metrics. */
  readonly host: string;
  readonly options: RequestOptions;
  readonly redact: Redactor;
}

/** What to send, relative to the cluster's server URL. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path with query string, e.g. `/api/v1/pods?limit=500`. */
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  /** The `Accept` header; default `application/json` (a metadata-only list or watch asks for more). */
  readonly accept?: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Builds Node request options for the current context's cluster and user; a `pooled` request
 * goes through the shared keep-alive agent (agents.ts), any other through its own connection.
 * Throws {@link KubeConfigError} (redacted) when the kubeconfig cannot make a request.
 */
export async function prepareRequest(
  kc: KubeConfig,
  spec: RequestSpec,
  userAgent: string,
  pooled = false,
): Promise<PreparedRequest> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeConfigError('the kubeconfig has no current cluster (check current-context)');
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new KubeConfigError(`cluster ${JSON.stringify(cluster.name)} has an invalid server URL`);
  }
  if (server.protocol !== 'http:' && server.protocol !== 'https:')
    throw new KubeConfigError(`cluster ${JSON.stringify(cluster.name)}: server must be http: or https:`);

  const headers: Record<string, string> = {
    Accept: spec.accept ?? 'application/json',
    'User-Agent': userAgent,
  };
  if (spec.body !== undefined) {
    headers['Content-Type'] = spec.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(spec.body));
  }
  const options: RequestOptions = {
    method: spec.method,
    protocol: server.protocol,
    // URL keeps IPv6 literals in brackets; Node's request wants the bare address.
    hostname: server.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: server.port || undefined,
    // A server URL may carry a path prefix (Rancher, kubectl proxy --api-prefix).
    path: server.pathname.replace(/\/+$/, '') + spec.path,
    headers,
  };
  // client-node only sets rejectUnauthorized when the context has a user; the kubeconfig's
  // insecure-skip-tls-verify must hold without one too (and only when it says so).
  if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
  try {
    // A Promise in client-node 1.x and 2.x; awaiting also covers a synchronous implementation.
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    throw new KubeConfigError(
      `cannot apply kubeconfig credentials for cluster ${JSON.stringify(cluster.name)}: ${redactor(
        secretsOf(options),
      )(messageOf(error))}`,
    );
  }
  // client-node made a new agent for this one request; only a proxy's is worth keeping.
  if (pooled && !cluster.proxyUrl) options.agent = keepAliveAgent(server.protocol);
  return { protocol: server.protocol, host: server.host, options, redact: redactor(secretsOf(options)) };
}
