/**
 * What the fake cluster's writes reuse instead of recomputing (together most of a status write's
 * cost): a manager's stored trie when its fields did not change, and the stored object's parts a
 * status write leaves alone. Reuse must never hand out a trie that someone could have changed.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { asyncScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { FieldSet } from '../../src/testing/fakeCluster/apply/fieldSet.js';
import { createFakeCluster } from '../../src/testing/fakeCluster/fakeCluster.js';

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

function isDeepFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

const pod: V1Pod = {
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
  status: { phase: 'Pending', containerStatuses: [{ name: 'web', ready: false, restartCount: 0 } as never] },
};

const withStatus = (stored: V1Pod, restartCount: number): V1Pod => ({
  ...stored,
  status: {
    ...stored.status,
    containerStatuses: [{ name: 'web', ready: restartCount % 2 === 0, restartCount } as never],
  },
});

describe('fake cluster writes', () => {
  it('a status write of fields its manager owns keeps every managedFields trie and shares the untouched parts', async () => {
    const { admin } = createFakeCluster();
    const created = await admin.create(resources.pods, pod);
    const first = await admin.replace(resources.pods, withStatus(created, 1), { subresource: 'status' });
    const second = await admin.replace(resources.pods, withStatus(first, 2), { subresource: 'status' });

    expect(second.status?.containerStatuses?.[0]?.restartCount).toBe(2);
    const entries = (o: V1Pod) => o.metadata?.managedFields ?? [];
    expect(entries(second).map((e) => [e.manager, e.subresource ?? ''])).toEqual([
      ['kube-rx', ''],
      ['kube-rx', 'status'],
    ]);
    // The same fields are owned, so the same (frozen) tries are stored again, not rendered anew.
    entries(second).forEach((entry, i) => {
      expect(entry.fieldsV1).toBe(entries(first)[i]?.fieldsV1);
    });
    expect(second.spec).toBe(first.spec);
    expect(second.metadata?.labels).toBe(first.metadata?.labels);
    expect(isDeepFrozen(second)).toBe(true);
    expect(second.metadata?.resourceVersion).not.toBe(first.metadata?.resourceVersion);
    expect(first.status?.containerStatuses?.[0]?.restartCount).toBe(1);
  });

  it('managedFields a client sends back as it read them count as not sent; changed ones replace the live ones', async () => {
    const { admin } = createFakeCluster({
      scheduler: { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) },
    });
    const labelled = (stored: V1Pod, managedFields: unknown) => ({
      ...stored,
      metadata: { ...stored.metadata, labels: { app: 'web', tier: 'front' }, managedFields },
    });
    const a = await admin.create(resources.pods, pod);
    const b = await admin.create(resources.pods, { ...pod, metadata: { ...pod.metadata, name: 'web-b' } });
    const echoed = await admin.replace(
      resources.pods,
      labelled(a, JSON.parse(JSON.stringify(a.metadata?.managedFields))) as V1Pod,
    );
    const unsent = await admin.replace(resources.pods, labelled(b, undefined) as V1Pod);
    expect(echoed.metadata?.managedFields).toEqual(unsent.metadata?.managedFields);
    expect(JSON.stringify(echoed.metadata?.managedFields)).toContain('f:tier');

    const sent = [
      {
        manager: 'other',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } },
      },
    ];
    const reset = await admin.replace(resources.pods, {
      ...echoed,
      metadata: { ...echoed.metadata, managedFields: sent },
    } as V1Pod);
    expect(reset.metadata?.managedFields).toEqual(sent);
  });
});

describe('FieldSet reuse', () => {
  const set = new FieldSet([
    ['f:metadata', 'f:labels', 'f:app'],
    ['f:spec', 'f:replicas'],
  ]);

  it('renders to the frozen trie it was read from until an operation changes it, and reads any trie anew', () => {
    const frozen = deepFreeze(set.toFieldsV1());
    const read = FieldSet.fromFieldsV1(frozen);
    expect(read.paths()).toEqual(set.paths());
    expect(read.toFieldsV1()).toBe(frozen);
    expect(read.difference(new FieldSet([['f:data']])).toFieldsV1()).toBe(frozen);
    const changed = read.difference(new FieldSet([['f:spec', 'f:replicas']])).toFieldsV1();
    expect(changed).toEqual({ 'f:metadata': { 'f:labels': { 'f:app': {} } } });
    expect(FieldSet.fromFieldsV1(frozen).paths()).toEqual(set.paths());

    const handedOut = new FieldSet([['f:data', 'f:a']]).toFieldsV1();
    (handedOut['f:data'] as Record<string, unknown>)['f:b'] = {};
    const unfrozen = FieldSet.fromFieldsV1(handedOut);
    expect(unfrozen.paths()).toEqual([
      ['f:data', 'f:a'],
      ['f:data', 'f:b'],
    ]);
    expect(unfrozen.toFieldsV1()).not.toBe(handedOut);
    expect(unfrozen.toFieldsV1()).toEqual(handedOut);
  });

  it('renders again a trie handed out unfrozen, whatever its holder did to it', () => {
    const own = new FieldSet([['f:data', 'f:a']]);
    const handedOut = own.toFieldsV1();
    delete (handedOut['f:data'] as Record<string, unknown>)['f:a'];
    expect(own.toFieldsV1()).toEqual({ 'f:data': { 'f:a': {} } });
  });

  it('returns itself from an operation that changes nothing, and keeps its paths unchangeable', () => {
    expect(set.union(new FieldSet([['f:spec', 'f:replicas']]))).toBe(set);
    expect(set.difference(new FieldSet([['f:data']]))).toBe(set);
    expect(set.difference(new FieldSet())).toBe(set);
    expect(set.union(new FieldSet([['f:data']])).size).toBe(3);
    expect(set.difference(new FieldSet([['f:spec', 'f:replicas']])).paths()).toEqual([
      ['f:metadata', 'f:labels', 'f:app'],
    ]);
    const path = set.paths()[0] as string[];
    expect(() => path.push('f:x')).toThrow(TypeError);
    expect(set.has(['f:metadata', 'f:labels', 'f:app'])).toBe(true);
  });
});
