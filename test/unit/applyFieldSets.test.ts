import { describe, expect, it } from 'vitest';
import { FieldSet } from '../../src/testing/fakeCluster/apply/fieldSet.js';
import { mergeApplied, removeFields } from '../../src/testing/fakeCluster/apply/mergeApplied.js';
import { appliedFields, compareObjects } from '../../src/testing/fakeCluster/apply/objectFields.js';
import { pathText } from '../../src/testing/fakeCluster/apply/pathElements.js';

const deployment = { kind: 'Deployment', builtin: true };
const configMap = { kind: 'ConfigMap', builtin: true };
const custom = { kind: 'Widget', builtin: false };

describe('field sets of applied configurations', () => {
  it('owns leaves, keyed items by their merge keys, and never server metadata', () => {
    const set = appliedFields(deployment, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          spec: {
            containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], args: ['-v'] }],
          },
        },
      },
    });
    expect(set.toFieldsV1()).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"web"}': {
                '.': {},
                'f:args': {},
                'f:image': {},
                'f:name': {},
                'f:ports': {
                  'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
                },
              },
            },
          },
        },
      },
    });
  });

  it('treats lists of custom resources as atomic and finalizers as a set', () => {
    const set = appliedFields(custom, { metadata: { finalizers: ['a'] }, spec: { items: [{ name: 'x' }] } });
    expect(set.paths()).toEqual([
      ['f:metadata', 'f:finalizers', 'v:"a"'],
      ['f:spec', 'f:items'],
    ]);
  });

  it('round-trips through FieldsV1', () => {
    const set = new FieldSet([['f:data'], ['f:data', 'f:a'], ['f:spec', 'f:x']]);
    expect(set.toFieldsV1()).toEqual({ 'f:data': { '.': {}, 'f:a': {} }, 'f:spec': { 'f:x': {} } });
    expect(FieldSet.fromFieldsV1(set.toFieldsV1()).paths()).toEqual(set.paths());
  });

  it('prints paths as the API server does in conflicts', () => {
    expect(pathText(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'])).toBe(
      '.spec.containers[name="web"].image',
    );
    expect(pathText(['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'])).toBe(
      '.ports[containerPort=80,protocol="TCP"]',
    );
  });
});

describe('compare', () => {
  it('lists added nodes with their children, and modified and removed leaves', () => {
    const c = compareObjects(
      configMap,
      { data: { a: '1', b: '2' } },
      { data: { a: '9' }, metadata: { labels: { x: 'y' } } },
    );
    expect(c.modified.paths()).toEqual([['f:data', 'f:a']]);
    expect(c.removed.paths()).toEqual([['f:data', 'f:b']]);
    expect(c.added.paths()).toEqual(
      new FieldSet([['f:metadata'], ['f:metadata', 'f:labels'], ['f:metadata', 'f:labels', 'f:x']]).paths(),
    );
  });
});

describe('merge', () => {
  it('merges keyed lists item by item and replaces atomic lists', () => {
    const live = {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'a:1', args: ['x'] },
              { name: 'b', image: 'b:1' },
            ],
          },
        },
      },
    };
    const merged = mergeApplied(deployment, live, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'c', image: 'c:1' },
              { name: 'a', args: ['y'] },
            ],
          },
        },
      },
    });
    expect(merged).toEqual({
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'c', image: 'c:1' },
              { name: 'a', image: 'a:1', args: ['y'] },
              { name: 'b', image: 'b:1' },
            ],
          },
        },
      },
    });
  });

  it('removes fields, items and the maps they leave empty', () => {
    const object = { metadata: { name: 'x', labels: { a: '1' } }, data: { k: 'v' } };
    expect(
      removeFields(configMap, object, [
        ['f:metadata', 'f:labels', 'f:a'],
        ['f:data', 'f:k'],
      ]),
    ).toEqual({ metadata: { name: 'x' } });
  });
});
