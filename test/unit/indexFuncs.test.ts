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

/** An object whose metadata is whatever a hostile or buggy server sent. */
const withMetadata = (metadata: Record<string, unknown>) => ({ metadata }) as unknown as KubeObject;

describe('built-in index functions on malformed metadata (issue 14)', () => {
  it("byLabel('constructor') reads own labels only, never Object.prototype.constructor", () => {
    expect(byLabel('constructor')(pod('a', '1', { labels: { app: 'web' } }))).toEqual([]);
    expect(byLabel('toString')(pod('a', '1'))).toEqual([]);
    expect(byLabel('__proto__')(withMetadata({ labels: {} }))).toEqual([]);
    expect(byLabel('constructor')(pod('a', '1', { labels: { constructor: 'real' } }))).toEqual(['real']);
  });

  it('byLabel treats labels that are null, a string, an array or a number as no labels', () => {
    for (const labels of [null, 'app=web', ['web'], 5])
      expect(byLabel('app')(withMetadata({ name: 'a', labels }))).toEqual([]);
    expect(byLabel('0')(withMetadata({ name: 'a', labels: ['web'] }))).toEqual([]);
  });

  it('byLabel leaves out label values that are not strings', () => {
    expect(byLabel('app')(withMetadata({ labels: { app: 5 } }))).toEqual([]);
    expect(byLabel('app')(withMetadata({ labels: { app: null } }))).toEqual([]);
    expect(byLabel('app')(withMetadata({ labels: { app: { v: 'web' } } }))).toEqual([]);
  });

  it('byOwner ignores ownerReferences that is {}, null or a string, and entries that are null or lack string fields', () => {
    for (const ownerReferences of [{}, null, 'rs-1', { uid: 'u1' }])
      expect(byOwner(withMetadata({ ownerReferences }))).toEqual([]);
    const good = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'u1' };
    const entries = [
      null,
      'u0',
      ['u0'],
      { ...good, uid: 5 },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r' },
      { ...good, name: undefined },
      Object.create({ uid: 'inherited', apiVersion: 'v1', kind: 'K', name: 'n' }),
      good,
    ];
    expect(byOwner(withMetadata({ ownerReferences: entries }))).toEqual(['u1']);
  });

  it('byNamespace files a namespace that is not a string under "" (the cache turns such objects away)', () => {
    expect(byNamespace(withMetadata({ name: 'a', namespace: 5 }))).toEqual(['']);
    expect(byNamespace(withMetadata({ name: 'a', namespace: null }))).toEqual(['']);
  });

  it('byField reads own properties only', () => {
    expect(byField('metadata.constructor.name')(pod('a', '1'))).toEqual([]);
    expect(byField('metadata.labels.constructor')(pod('a', '1', { labels: {} }))).toEqual([]);
    expect(byField('spec.containers.0.name')(pod('a', '1'))).toEqual(['main']);
    expect(byField('spec.containers.length')(pod('a', '1'))).toEqual(['1']);
  });
});
