/**
 * Where `kube-rx watch` finds its cluster, in kubectl's order (client-go's `clientcmd` loading
 * rules): `--kubeconfig FILE`; else the files listed in `KUBECONFIG` (merged, the first file to
 * define a name or set `current-context` wins, missing files are skipped); else `~/.kube/config`;
 * else the in-cluster service account. `--context` picks another context, and the context's
 * namespace becomes the default one. With no kubeconfig at all it falls back to the embedded fake
 * cluster, so `kube-rx watch pods` shows something on any machine, and says why in one line.
 *
 * client-node's own `loadFromDefault` is not used: when it finds nothing it silently targets
 * `http://localhost:8080`, and it reads `process.env`, which tests cannot replace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { type ClientNodeModule, loadClientNode } from '../transport/clientNode.js';
import { CliFailure } from './failures.js';

/** The environment the lookup reads (the process's, or a test's). */
export interface KubeConfigLookup {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Prepended to the service account directory; tests point it at a temporary directory. */
  readonly serviceAccountPrefix?: string;
}

/** A usable kubeconfig with its current context set to the one to use. */
export interface KubeConfigSource {
  readonly kind: 'kubeconfig';
  readonly kubeConfig: KubeConfig;
  /** Where it came from, for messages: `/path/config`, `KUBECONFIG`, `in-cluster service account`. */
  readonly origin: string;
  readonly context: string;
  readonly server: string;
  /** The context's namespace; undefined when it names none (kubectl then uses `default`). */
  readonly namespace?: string;
}

/** No kubeconfig (or `--embedded`): the embedded fake cluster. */
export interface EmbeddedSource {
  readonly kind: 'embedded';
  /** Why, as one line; absent when `--embedded` asked for it. */
  readonly notice?: string;
}

export type ClusterSource = KubeConfigSource | EmbeddedSource;

/** What the lookup needs from the command line. */
export interface SourceArgs {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly embedded?: boolean;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** client-node through the library's loader: never a 2.x on a Node it cannot run on (that import kills the process). */
async function clientNode(): Promise<ClientNodeModule> {
  try {
    return await loadClientNode();
  } catch (error) {
    throw new CliFailure(messageOf(error));
  }
}

function homeDir(env: KubeConfigLookup['env']): string {
  return env.HOME || env.USERPROFILE || homedir();
}

/** Loads one file; paths inside it (certificates, token files) are taken relative to it. */
function loadFile(KubeConfigClass: typeof KubeConfig, file: string): KubeConfig {
  const kc = new KubeConfigClass();
  try {
    kc.loadFromFile(file);
  } catch (error) {
    throw new CliFailure(`cannot load kubeconfig ${file}: ${messageOf(error)}`);
  }
  return kc;
}

/** Merges files like kubectl: the first definition of a name and the first `current-context` win. */
function merge(KubeConfigClass: typeof KubeConfig, configs: readonly KubeConfig[]): KubeConfig {
  const first = <T extends { name: string }>(lists: readonly (readonly T[])[]): T[] => {
    const byName = new Map<string, T>();
    for (const list of lists)
      for (const item of list) if (!byName.has(item.name)) byName.set(item.name, item);
    return [...byName.values()];
  };
  const merged = new KubeConfigClass();
  merged.loadFromOptions({
    clusters: first(configs.map((c) => c.getClusters())),
    users: first(configs.map((c) => c.getUsers())),
    contexts: first(configs.map((c) => c.getContexts())),
    currentContext: configs.map((c) => c.getCurrentContext()).find((name) => !!name) ?? '',
  });
  return merged;
}

/** client-go's `rest.InClusterConfig`: the service account token, CA and namespace files. */
function inClusterConfig(
  KubeConfigClass: typeof KubeConfig,
  lookup: KubeConfigLookup,
): { kc: KubeConfig; namespace?: string } | undefined {
  const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = lookup.env;
  const dir = `${lookup.serviceAccountPrefix ?? ''}${SERVICE_ACCOUNT}`;
  if (!host || !port || !existsSync(join(dir, 'token'))) return undefined;
  const kc = new KubeConfigClass();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        // Without the CA file the system roots are used (client-go logs and goes on, too).
        caFile: existsSync(join(dir, 'ca.crt')) ? join(dir, 'ca.crt') : undefined,
        skipTLSVerify: false,
      },
    ],
    // client-node re-reads a token file on every request, so projected tokens that rotate keep working.
    users: [
      { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } },
    ],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  const namespaceFile = join(dir, 'namespace');
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
  return { kc, namespace: namespace || undefined };
}

/** Picks the context (`--context` or the current one) and checks that it leads to a server. */
function select(kc: KubeConfig, origin: string, wanted: string | undefined): KubeConfigSource {
  const known = kc
    .getContexts()
    .map((c) => c.name)
    .join(', ');
  const context = wanted ?? kc.getCurrentContext();
  if (!context)
    throw new CliFailure(`${origin} sets no current-context; pass --context (contexts: ${known || 'none'})`);
  const contextObject = kc.getContextObject(context);
  if (!contextObject)
    throw new CliFailure(`context "${context}" does not exist in ${origin} (contexts: ${known || 'none'})`);
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new CliFailure(
      `context "${context}" names cluster "${contextObject.cluster}", which ${origin} lacks`,
    );
  return {
    kind: 'kubeconfig',
    kubeConfig: kc,
    origin,
    context,
    server: cluster.server,
    namespace: contextObject.namespace || undefined,
  };
}

/**
 * Finds the cluster to watch. Throws a {@link CliFailure} when the kubeconfig named or found cannot
 * be read, or the context does not exist.
 *
 * @example
 * ```ts
 * const source = await resolveClusterSource({ context: 'kind-dev' }, { env: process.env });
 * if (source.kind === 'kubeconfig') console.log(source.server, source.namespace ?? 'default');
 * ```
 */
export async function resolveClusterSource(
  args: SourceArgs,
  lookup: KubeConfigLookup,
): Promise<ClusterSource> {
  if (args.embedded) return { kind: 'embedded' };
  const looked: string[] = [];
  let files: string[];
  let origin: string;
  if (args.kubeconfig !== undefined) {
    files = [args.kubeconfig];
    origin = args.kubeconfig;
  } else if (lookup.env.KUBECONFIG) {
    const listed = lookup.env.KUBECONFIG.split(delimiter).filter((file) => file !== '');
    files = listed.filter((file) => existsSync(file));
    origin = files.length === 1 ? (files[0] as string) : `KUBECONFIG (${files.join(delimiter)})`;
    if (files.length === 0) looked.push(`KUBECONFIG=${lookup.env.KUBECONFIG} names no existing file`);
  } else {
    const file = join(homeDir(lookup.env), '.kube', 'config');
    files = existsSync(file) ? [file] : [];
    origin = file;
    if (files.length === 0) looked.push(`KUBECONFIG is not set, ${file} does not exist`);
  }
  const { KubeConfig: KubeConfigClass } = await clientNode();
  if (files.length > 0) {
    const configs = files.map((file) => loadFile(KubeConfigClass, file));
    return select(
      configs.length === 1 ? (configs[0] as KubeConfig) : merge(KubeConfigClass, configs),
      origin,
      args.context,
    );
  }
  const inCluster = inClusterConfig(KubeConfigClass, lookup);
  if (inCluster) {
    const source = select(inCluster.kc, 'the in-cluster service account', args.context);
    return { ...source, namespace: inCluster.namespace };
  }
  looked.push('not running in a cluster');
  if (args.context !== undefined)
    throw new CliFailure(`context "${args.context}" does not exist: no kubeconfig (${looked.join(', ')})`);
  return {
    kind: 'embedded',
    notice: `no kubeconfig (${looked.join(', ')}): watching the embedded fake cluster`,
  };
}
