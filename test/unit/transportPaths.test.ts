import { describe, expect, it } from 'vitest';
import { defineResource, resources } from '../../src/core/resources.js';
import { listQuery, queryString, resourcePath, watchQuery, writeQuery } from '../../src/transport/paths.js';

describe('resourcePath', () => {
  it.each([
    [resources.pods, {}, '/api/v1/pods'],
    [resources.pods, { namespace: 'ns' }, '/api/v1/namespaces/ns/pods'],
    [resources.pods, { namespace: 'ns', name: 'p' }, '/api/v1/namespaces/ns/pods/p'],
    [
      resources.pods,
      { namespace: 'ns', name: 'p', subresource: 'status' },
      '/api/v1/namespaces/ns/pods/p/status',
    ],
    [resources.nodes, { namespace: 'ns', name: 'n1' }, '/api/v1/nodes/n1'],
    [resources.deployments, {}, '/apis/apps/v1/deployments'],
    [
      resources.deployments,
      { namespace: 'ns', name: 'd', subresource: 'scale' },
      '/apis/apps/v1/namespaces/ns/deployments/d/scale',
    ],
    [
      resources.customResourceDefinitions,
      { namespace: 'x', name: 'a.b.c' },
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b.c',
    ],
  ] as const)('%o %o -> %s', (resource, target, expected) => {
    expect(resourcePath(resource, target)).toBe(expected);
  });

  it('ignores a subresource without a name, and percent-encodes segments', () => {
    expect(resourcePath(resources.pods, { namespace: 'ns', subresource: 'status' })).toBe(
      '/api/v1/namespaces/ns/pods',
    );
    const roles = defineResource({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'clusterroles',
      kind: 'ClusterRole',
      namespaced: false,
    });
    expect(resourcePath(roles, { name: 'system:controller/x' })).toBe(
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Acontroller%2Fx',
    );
  });
});

describe('query strings', () => {
  it('skips undefined and empty values and encodes the rest', () => {
    expect(queryString({})).toBe('');
    expect(queryString({ a: undefined, b: '' })).toBe('');
    expect(new URLSearchParams(queryString({ s: 'a in (x, y),b!=c', n: 5, t: true }))).toEqual(
      new URLSearchParams({ s: 'a in (x, y),b!=c', n: '5', t: 'true' }),
    );
  });

  it('list: selectors, paging and resourceVersion', () => {
    expect(
      Object.fromEntries(
        new URLSearchParams(
          listQuery({
            namespace: 'ignored-here',
            labelSelector: 'a=b',
            fieldSelector: 'f=g',
            limit: 10,
            continue: 'c',
            resourceVersion: '0',
            resourceVersionMatch: 'NotOlderThan',
          }),
        ),
      ),
    ).toEqual({
      labelSelector: 'a=b',
      fieldSelector: 'f=g',
      limit: '10',
      continue: 'c',
      resourceVersion: '0',
      resourceVersionMatch: 'NotOlderThan',
    });
  });

  it('watch: watch=true, bookmarks only when asked, sendInitialEvents when set', () => {
    expect(watchQuery({})).toBe('?watch=true');
    expect(watchQuery({ allowWatchBookmarks: false })).toBe('?watch=true');
    expect(
      Object.fromEntries(
        new URLSearchParams(
          watchQuery({
            resourceVersion: '5',
            allowWatchBookmarks: true,
            sendInitialEvents: false,
            timeoutSeconds: 0,
          }),
        ),
      ),
    ).toEqual({
      watch: 'true',
      resourceVersion: '5',
      allowWatchBookmarks: 'true',
      sendInitialEvents: 'false',
      timeoutSeconds: '0',
    });
  });

  it('write: force only for apply, dryRun=All', () => {
    expect(writeQuery({ force: true })).toBe('');
    expect(writeQuery({ force: true, fieldManager: 'm' }, true)).toBe('?fieldManager=m&force=true');
    expect(writeQuery({ dryRun: true })).toBe('?dryRun=All');
    expect(writeQuery({ dryRun: false })).toBe('');
  });
});
