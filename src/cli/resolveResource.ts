/**
 * Resource names as `kubectl` users type them: plural (`pods`), singular (`pod`), short names
 * (`po`, `deploy`, `cm`, ...), `plural.group` (`deployments.apps`), or `group/version/plural`
 * for anything else, resolved through the discovery endpoints (client-go's RESTMapper).
 */
import type { KubeClient } from '../core/client.js';
import { isStatusError } from '../core/errors.js';
import type { KubeObject } from '../core/objects.js';
import { defineResource, type ResourceType, resources } from '../core/resources.js';
import { UsageError } from './args.js';

/** kubectl's short names of the built-in resources. */
const SHORT_NAMES: Readonly<Record<string, keyof typeof resources>> = {
  po: 'pods',
  svc: 'services',
  cm: 'configMaps',
  sa: 'serviceAccounts',
  ev: 'events',
  pvc: 'persistentVolumeClaims',
  pv: 'persistentVolumes',
  ns: 'namespaces',
  no: 'nodes',
  deploy: 'deployments',
  rs: 'replicaSets',
  sts: 'statefulSets',
  ds: 'daemonSets',
  ing: 'ingresses',
  crd: 'customResourceDefinitions',
  crds: 'customResourceDefinitions',
};

/** The plural names of the built-in resources, for help and error messages. */
export function knownResourceNames(): string[] {
  return Object.values(resources)
    .map((r) => r.plural)
    .sort();
}

/** A built-in resource by any of its names, or undefined. */
export function builtinResource(name: string): ResourceType<KubeObject> | undefined {
  const wanted = name.toLowerCase();
  const short = SHORT_NAMES[wanted];
  if (short) return resources[short];
  for (const resource of Object.values(resources) as ResourceType<KubeObject>[]) {
    const names = [resource.plural, resource.kind.toLowerCase()];
    if (resource.group) names.push(...names.map((n) => `${n}.${resource.group}`));
    if (names.includes(wanted)) return resource;
  }
  return undefined;
}

async function discovered(client: KubeClient, name: string): Promise<ResourceType<KubeObject>> {
  const parts = name.split('/');
  const [group, version, plural] = parts.length === 2 ? ['', parts[0], parts[1]] : parts;
  if (parts.length > 3 || !version || !plural)
    throw new UsageError(
      `cannot read ${JSON.stringify(name)}: use group/version/plural, e.g. apps/v1/deployments`,
    );
  const groupVersion = group ? `${group}/${version}` : version;
  if (!client.discover) throw new UsageError(`cannot resolve ${name}: this client has no discovery`);
  let list: Awaited<ReturnType<NonNullable<KubeClient['discover']>>>;
  try {
    list = await client.discover(groupVersion);
  } catch (error) {
    if (isStatusError(error) && error.code === 404)
      throw new UsageError(`the server does not serve ${groupVersion}`);
    throw error;
  }
  const found = list.resources.find((r) => r.name === plural);
  if (!found) {
    const served = list.resources.filter((r) => !r.name.includes('/')).map((r) => r.name);
    throw new UsageError(
      `${groupVersion} has no resource ${plural}; it serves: ${served.join(', ') || 'nothing'}`,
    );
  }
  return defineResource({
    group: group ?? '',
    version,
    plural,
    kind: found.kind,
    namespaced: found.namespaced,
  });
}

/**
 * Resolves a resource name; throws a {@link UsageError} listing the known names when it cannot.
 * Only `group/version/plural` needs the client (for discovery).
 *
 * @example
 * ```ts
 * await resolveResource('deploy');                          // resources.deployments
 * await resolveResource('example.com/v1/widgets', client);  // via discovery
 * ```
 */
export async function resolveResource(name: string, client?: KubeClient): Promise<ResourceType<KubeObject>> {
  if (name.includes('/')) {
    if (!client) throw new UsageError(`${name} needs a connection to resolve`);
    return discovered(client, name);
  }
  const builtin = builtinResource(name);
  if (builtin) return builtin;
  throw new UsageError(
    `unknown resource ${JSON.stringify(name)}. Known: ${knownResourceNames().join(', ')} ` +
      `(also singular and short names: po, deploy, cm, svc, ns, no, ...), or group/version/plural for others`,
  );
}
