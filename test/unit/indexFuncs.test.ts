import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { byField, byLabel, byNamespace, byOwner, type KubeObject, NAMESPACE_INDEX } from '../../src/index.js';
import { pod } from '../../src/testing/index.js';

describe('built-in index functions', () => {
  it('NAMESPACE_INDEX is client-go\'s "namespace"', () => {
    expect(NAMESPACE_INDEX).toBe('namespace');
  });

  it('byNamespace files under the namespace, "" for cluster-scoped objects', () => {
    expect(byNamespace(pod('a', '1', { namespace: 'prod' }))).toEqual(['prod']);
    expect(byNamespace({ kind: 'Node', metadata: { name: 'n1' } })).toEqual(['']);
    expect(byNamespace({})).toEqual(['']);
  });

  it('byLabel files under the label value; objects without the label are not indexed', () => {
    const byApp = byLabel('app.kubernetes.io/name');
    expect(byApp(pod('a', '1', { labels: { 'app.kubernetes.io/name': 'web', app: 'x' } }))).toEqual(['web']);
    expect(byApp(pod('a', '1', { labels: { app: 'web' } }))).toEqual([]);
    expect(byApp(pod('a', '1'))).toEqual([]);
    expect(byApp({})).toEqual([]);
    expect(byLabel('empty')(pod('a', '1', { labels: { empty: '' } }))).toEqual(['']);
  });

  it('byOwner files under every owner uid', () => {
    expect(byOwner(pod('a', '1', { ownerUid: 'rs-uid-1' }))).toEqual(['rs-uid-1']);
    const twoOwners: KubeObject = {
      metadata: {
        name: 'x',
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'u1' },
          { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' },
        ],
      },
    };
    expect(byOwner(twoOwners)).toEqual(['u1', 'u2']);
    expect(byOwner(pod('a', '1'))).toEqual([]);
    expect(byOwner({})).toEqual([]);
  });

  it("byField('spec.nodeName') files under the node; unscheduled pods are not indexed", () => {
    const byNode = byField('spec.nodeName');
    expect(byNode(pod('a', '1', { nodeName: 'worker-1' }))).toEqual(['worker-1']);
    expect(byNode(pod('a', '1'))).toEqual([]);
    expect(byNode({})).toEqual([]);
    expect(byNode(null)).toEqual([]);
  });

  it('byField stringifies numbers and booleans, and skips objects, arrays and nulls', () => {
    expect(byField('metadata.generation')({ metadata: { generation: 3 } })).toEqual(['3']);
    expect(byField('spec.hostNetwork')({ spec: { hostNetwork: false } })).toEqual(['false']);
    expect(byField('status.phase')(pod('a', '1', { phase: 'Running' }))).toEqual(['Running']);
    expect(byField('spec')(pod('a', '1'))).toEqual([]);
    expect(byField('spec.containers')(pod('a', '1'))).toEqual([]);
    expect(byField('spec.nodeName')({ spec: null })).toEqual([]);
    expect(byField('spec.nodeName.deeper')({ spec: { nodeName: 'n1' } })).toEqual([]);
    expect(byField('a.b.c')({ a: { b: { c: 'deep' } } })).toEqual(['deep']);
  });

  it('are usable as IndexFunc<V1Pod>', () => {
    const fns: Array<(p: V1Pod) => readonly string[]> = [
      byNamespace,
      byLabel('app'),
      byOwner,
      byField('spec.nodeName'),
    ];
    const p = pod('a', '1', { namespace: 'ns', labels: { app: 'web' }, ownerUid: 'o', nodeName: 'n' });
    expect(fns.map((fn) => fn(p))).toEqual([['ns'], ['web'], ['o'], ['n']]);
  });
});
