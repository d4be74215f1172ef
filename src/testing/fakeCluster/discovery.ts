/**
 * Discovery documents of the fake cluster, shared by the in-process client and the HTTP server.
 */
import type { APIResourceList } from '../../core/client.js';
import { statusError } from '../../core/errors.js';
import type { ResourceType } from '../../core/resources.js';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** `GET /api/v1` or `/apis/{group}/{version}`; 404 when nothing is served there. */
export function resourceList(registered: readonly ResourceType[], groupVersion: string): APIResourceList {
  const slash = groupVersion.indexOf('/');
  const [group, version] =
    slash < 0 ? ['', groupVersion] : [groupVersion.slice(0, slash), groupVersion.slice(slash + 1)];
  const matching = registered.filter((r) => r.group === group && r.version === version);
  if (matching.length === 0)
    throw statusError(404, `the server could not find the requested resource (${groupVersion})`);
  return {
    kind: 'APIResourceList',
    groupVersion,
    resources: matching.flatMap((r) => [
      {
        name: r.plural,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: VERBS,
      },
      {
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      },
    ]),
  };
}

/** `GET /apis` */
export function groupList(registered: readonly ResourceType[]): unknown {
  const groups = new Map<string, Set<string>>();
  for (const r of registered)
    if (r.group) groups.set(r.group, (groups.get(r.group) ?? new Set()).add(r.version));
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => {
      const list = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: list, preferredVersion: list[0] };
    }),
  };
}
