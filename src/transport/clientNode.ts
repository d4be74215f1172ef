/**
 * Finding and importing `@kubernetes/client-node`, at most once per process, and only when the
 * installed version can run on this Node.
 *
 * Why the check comes before the import: client-node 2.x needs Node >= 22.19 (its undici 8 does).
 * Importing it on Node 20 fails, and the failure is not only a rejected `import()`: Node's ESM
 * loader also leaves a rejection of its own unhandled, which kills the process (reproduced with
 * client-node 2.0.1 on Node 20.20). No `catch` can prevent that, so kube-rx reads the installed
 * package.json first and does not import a version that cannot load. The outcome is memoised
 * per loader, so retries and a second `kubeClient()` never import again.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClientNodeUnavailableError } from '../core/errors.js';

/** The part of client-node kube-rx uses: its `KubeConfig` class. */
export interface ClientNodeModule {
  readonly KubeConfig: new () => KubeConfig;
}

/** How client-node is found and imported (tests inject one that fails). */
export interface ClientNodeLoader {
  /** The installed version from its package.json, or `undefined` when it cannot be found. */
  installedVersion(): string | undefined;
  /** Imports the package. */
  load(): Promise<ClientNodeModule>;
  /** The running Node version. Default `process.versions.node` (tests pretend another one). */
  readonly nodeVersion?: string;
}

/** Node needed by each client-node major, from its dependencies' `engines` (undici 8: >= 22.19). */
const NODE_NEEDED_BY_MAJOR: ReadonlyArray<{ readonly major: number; readonly node: string }> = [
  { major: 2, node: '22.19.0' },
];

/** The install advice for this Node: 1.4.x below 22.19, the current major from there. */
export function clientNodeAdvice(nodeVersion: string): string {
  return atLeast(nodeVersion, '22.19.0')
    ? 'install @kubernetes/client-node (npm install @kubernetes/client-node)'
    : `on Node ${major(nodeVersion)} install @kubernetes/client-node@^1.4.0 (2.x needs Node >= 22.19)`;
}

/**
 * The reason this client-node version cannot run on this Node, or `undefined` when it can (or
 * when the version is unknown: then only the import can tell).
 */
export function incompatibility(
  installedVersion: string | undefined,
  nodeVersion: string,
): string | undefined {
  if (installedVersion === undefined) return undefined;
  const needed = NODE_NEEDED_BY_MAJOR.filter((n) => major(installedVersion) >= n.major).at(-1);
  if (needed === undefined || atLeast(nodeVersion, needed.node)) return undefined;
  return `@kubernetes/client-node ${installedVersion} does not run on Node ${nodeVersion} (it needs Node >= ${needed.node})`;
}

function parts(version: string): number[] {
  return version
    .replace(/^v/, '')
    .split(/[.+-]/)
    .slice(0, 3)
    .map((part) => Number.parseInt(part, 10) || 0);
}

function major(version: string): number {
  return parts(version)[0] ?? 0;
}

function atLeast(version: string, minimum: string): boolean {
  const have = parts(version);
  const need = parts(minimum);
  for (let i = 0; i < 3; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** Resolves from this module's location, as the `import()` below does. */
function requireHere(): NodeJS.Require {
  // A CommonJS build may leave `import.meta` empty; it has `__filename` instead. (Not `require`:
  // bundlers replace it with a stub that throws in ESM.)
  return createRequire(typeof import.meta.url === 'string' ? import.meta.url : __filename);
}

/** The client-node next to kube-rx. */
export const installedClientNode: ClientNodeLoader = {
  installedVersion() {
    try {
      const manifest = requireHere().resolve('@kubernetes/client-node/package.json');
      const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
      return typeof version === 'string' ? version : undefined;
    } catch {
      // Not installed, or a package whose exports hide package.json: let the import decide.
      return undefined;
    }
  },
  load: () => import('@kubernetes/client-node'),
};

const loaded = new WeakMap<ClientNodeLoader, Promise<ClientNodeModule>>();

async function loadOnce(loader: ClientNodeLoader): Promise<ClientNodeModule> {
  const nodeVersion = loader.nodeVersion ?? process.versions.node;
  const installedVersion = loader.installedVersion();
  const fail = (what: string, cause?: unknown) =>
    new ClientNodeUnavailableError(`${what}. Fix: ${clientNodeAdvice(nodeVersion)}`, {
      installedVersion,
      nodeVersion,
      cause,
    });
  const reason = incompatibility(installedVersion, nodeVersion);
  if (reason !== undefined) throw fail(reason);
  try {
    return await loader.load();
  } catch (error) {
    if (installedVersion === undefined && isNotFound(error))
      throw fail(`@kubernetes/client-node is not installed (Node ${nodeVersion})`, error);
    const which = installedVersion === undefined ? '' : ` ${installedVersion}`;
    throw fail(
      `cannot load @kubernetes/client-node${which} on Node ${nodeVersion}: ${messageOf(error)}`,
      error,
    );
  }
}

/**
 * Imports client-node once per loader; rejects with {@link ClientNodeUnavailableError} (the same
 * error every time after a failure) without importing a version this Node cannot run.
 *
 * @example
 * ```ts
 * const { KubeConfig } = await loadClientNode();
 * ```
 */
export function loadClientNode(loader: ClientNodeLoader = installedClientNode): Promise<ClientNodeModule> {
  let result = loaded.get(loader);
  if (result === undefined) {
    result = loadOnce(loader);
    // Handled here so that a failure nobody awaits yet is not an unhandled rejection.
    result.catch(() => undefined);
    loaded.set(loader, result);
  }
  return result;
}
