import type { V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import { freeze } from 'immer';
import { describe, expect, it } from 'vitest';
import {
  AlreadyOwnedError,
  controllerReferenceOf,
  setControllerReference,
  setOwnerReference,
} from '../../src/api/ownerReferences.js';
import { KubeRxError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';

const owner = (name: string, uid: string): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'web', uid },
});
const configMap = (): V1ConfigMap => ({ metadata: { name: 'cm', namespace: 'web' }, data: { a: '1' } });

describe('setControllerReference', () => {
  it('adds a controller reference with blockOwnerDeletion, leaving the (frozen) input alone', () => {
    const input = freeze(configMap(), true);
    const out = setControllerReference(owner('site', 'u1'), input);
    expect(out.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'site',
        uid: 'u1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(input.metadata?.ownerReferences).toBeUndefined();
    expect(controllerReferenceOf(out)?.uid).toBe('u1');
  });

  it('is idempotent for the same owner and refuses a second controller with AlreadyOwnedError', () => {
    const once = setControllerReference(owner('site', 'u1'), configMap());
    expect(setControllerReference(owner('site', 'u1'), once).metadata?.ownerReferences).toHaveLength(1);
    const error = (() => {
      try {
        setControllerReference(owner('other', 'u2'), once);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AlreadyOwnedError);
    expect((error as AlreadyOwnedError).existing.name).toBe('site');
  });

  it('takes apiVersion and kind from ownerResource when the owner lacks them', () => {
    const bare: V1Deployment = { metadata: { name: 'site', namespace: 'web', uid: 'u1' } };
    expect(() => setControllerReference(bare, configMap())).toThrow(KubeRxError);
    const out = setControllerReference(bare, configMap(), { ownerResource: resources.deployments });
    expect(out.metadata?.ownerReferences?.[0]).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
  });

  it('refuses a namespaced owner for another namespace or a cluster-scoped dependent', () => {
    expect(() =>
      setControllerReference(owner('site', 'u1'), { metadata: { name: 'cm', namespace: 'other' } }),
    ).toThrow(/namespace/);
    expect(() => setControllerReference(owner('site', 'u1'), { metadata: { name: 'ns' } })).toThrow(
      /cluster-scoped/,
    );
  });
});

describe('setOwnerReference', () => {
  it('adds a non-controller reference next to a controller one, replacing one to the same owner', () => {
    const controlled = setControllerReference(owner('site', 'u1'), configMap());
    const shared = setOwnerReference(owner('other', 'u2'), controlled);
    expect(shared.metadata?.ownerReferences?.map((r) => [r.name, r.controller])).toEqual([
      ['site', true],
      ['other', undefined],
    ]);
    const again = setOwnerReference({ ...owner('other', 'u2'), apiVersion: 'apps/v2' }, shared);
    expect(again.metadata?.ownerReferences).toHaveLength(2);
    expect(again.metadata?.ownerReferences?.[1]?.apiVersion).toBe('apps/v2');
  });
});
