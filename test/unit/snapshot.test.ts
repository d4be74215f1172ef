import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  byField,
  byLabel,
  type DeepReadonly,
  DeletedFinalStateUnknown,
  type Delta,
  type DeltaBatch,
  type Indexers,
  IndexFunctionError,
  IndexNotFoundError,
  KubeRxError,
  NAMESPACE_INDEX,
  Snapshot,
  snapshotOf,
  UncacheableObjectError,
} from '../../src/index.js';
import { pod } from '../../src/testing/index.js';

const batch = (deltas: Delta<V1Pod>[], resourceVersion: string, synced = true): DeltaBatch<V1Pod> => ({
  deltas,
  resourceVersion,
  synced,
  initialList: false,
});
const addedDelta = (p: V1Pod): Delta<V1Pod> => ({
  type: 'Added',
  key: `${p.metadata?.namespace}/${p.metadata?.name}`,
  object: p,
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const names = (ps: readonly DeepReadonly<V1Pod>[]) => ps.map((p) => p.metadata?.name).sort();

const indexers: Indexers<V1Pod> = { app: byLabel('app'), node: byField('spec.nodeName') };

describe('Snapshot.empty', () => {
  it('is empty, unsynced, with the namespace index always present', () => {
    const s = Snapshot.empty<V1Pod>(indexers);
    expect(s.size).toBe(0);
    expect(s.resourceVersion).toBe('');
    expect(s.synced).toBe(false);
    expect(s.keys()).toEqual([]);
    expect(s.list()).toEqual([]);
    expect(s.indexNames()).toEqual([NAMESPACE_INDEX, 'app', 'node']);
    expect(s.indexValues('app')).toEqual([]);
    expect(s.indexValues(NAMESPACE_INDEX)).toEqual([]);
    expect(Snapshot.empty().indexNames()).toEqual(['namespace']);
  });
});

describe('Snapshot.apply', () => {
  it('adds, updates and deletes, maintaining indexes', () => {
    const a1 = pod('a', '1', { labels: { app: 'web' }, nodeName: 'n1' });
    const b1 = pod('b', '1', { namespace: 'prod', labels: { app: 'web' }, nodeName: 'n1' });
    const s1 = Snapshot.empty(indexers).apply(batch([addedDelta(a1), addedDelta(b1)], '1'));
    expect(s1.size).toBe(2);
    expect(s1.keys().sort()).toEqual(['default/a', 'prod/b']);
    expect(s1.has('prod/b')).toBe(true);
    expect(s1.indexKeys('app', 'web').sort()).toEqual(['default/a', 'prod/b']);
    expect(s1.indexKeys(NAMESPACE_INDEX, 'prod')).toEqual(['prod/b']);

    const a2 = pod('a', '2', { labels: { app: 'db' }, nodeName: 'n2' });
    const s2 = s1.apply(batch([{ type: 'Updated', key: 'default/a', object: a2, oldObject: a1 }], '2'));
    expect(s2.get('default/a')).toBe(a2);
    expect(s2.indexKeys('app', 'web')).toEqual(['prod/b']);
    expect(s2.indexKeys('app', 'db')).toEqual(['default/a']);
    expect(s2.indexValues('node').sort()).toEqual(['n1', 'n2']);

    const s3 = s2.apply(batch([{ type: 'Deleted', key: 'prod/b', object: b1, oldObject: b1 }], '3'));
    expect(s3.keys()).toEqual(['default/a']);
    expect(s3.has('prod/b')).toBe(false);
    // index values with no keys left disappear
    expect(s3.indexValues('app')).toEqual(['db']);
    expect(s3.indexValues('node')).toEqual(['n2']);
    expect(s3.indexValues(NAMESPACE_INDEX)).toEqual(['default']);
    expect(s3.byIndex('app', 'web')).toEqual([]);
    expect(s3.resourceVersion).toBe('3');
  });

  it('Replaced and Sync deltas store the object like an update', () => {
    const a1 = pod('a', '1', { nodeName: 'n1' });
    const a2 = pod('a', '2', { nodeName: 'n2' });
    const s1 = Snapshot.empty(indexers).apply(batch([addedDelta(a1)], '1'));
    const s2 = s1.apply(batch([{ type: 'Replaced', key: 'default/a', object: a2, oldObject: a1 }], '2'));
    expect(s2.get('default/a')).toBe(a2);
    expect(s2.indexValues('node')).toEqual(['n2']);
    const s3 = s2.apply(batch([{ type: 'Sync', key: 'default/a', object: a2, oldObject: a2 }], '2'));
    expect(s3.get('default/a')).toBe(a2);
    expect(s3.indexKeys('node', 'n2')).toEqual(['default/a']);
  });

  it('a tombstoned Deleted removes the key; a Deleted of an unknown key is ignored', () => {
    const a = pod('a', '1', { labels: { app: 'web' } });
    const s1 = Snapshot.empty(indexers).apply(batch([addedDelta(a)], '1'));
    const s2 = s1.apply(
      batch(
        [
          { type: 'Deleted', key: 'default/ghost', object: pod('ghost', '1') },
          {
            type: 'Deleted',
            key: 'default/a',
            object: a,
            tombstone: new DeletedFinalStateUnknown('default/a', a),
          },
        ],
        '5',
      ),
    );
    expect(s2.size).toBe(0);
    expect(s2.indexValues('app')).toEqual([]);
    expect(s2.resourceVersion).toBe('5');
  });

  it('applies deltas in order within one batch', () => {
    const a1 = pod('a', '1');
    const a2 = pod('a', '2');
    const s = Snapshot.empty<V1Pod>().apply(
      batch(
        [
          addedDelta(a1),
          { type: 'Deleted', key: 'default/a', object: a1 },
          { type: 'Added', key: 'default/a', object: a2 },
        ],
        '2',
      ),
    );
    expect(s.get('default/a')).toBe(a2);
    expect(s.size).toBe(1);
  });

  it('an empty batch returns the same snapshot unless the resourceVersion or sync flag changes', () => {
    const s1 = Snapshot.empty<V1Pod>().apply(batch([addedDelta(pod('a', '1'))], '1'));
    expect(s1.apply(batch([], '1'))).toBe(s1);
    const s2 = s1.apply(batch([], '7'));
    expect(s2).not.toBe(s1);
    expect(s2.resourceVersion).toBe('7');
    expect(s2.get('default/a')).toBe(s1.get('default/a'));
    const s3 = s1.apply(batch([], '1', false));
    expect(s3.synced).toBe(false);
    expect(s1.synced).toBe(true);
  });

  it('deep-freezes objects on the way in', () => {
    const a = pod('a', '1', { labels: { app: 'web' }, ownerUid: 'o1' });
    const s = Snapshot.empty<V1Pod>().apply(batch([addedDelta(a)], '1'));
    const stored = s.get('default/a');
    expect(stored).toBe(a);
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(stored?.metadata?.labels)).toBe(true);
    expect(Object.isFrozen(stored?.metadata?.ownerReferences?.[0])).toBe(true);
    expect(Object.isFrozen(stored?.spec?.containers[0])).toBe(true);
  });

  it('leaves older snapshots unchanged (persistence)', () => {
    const a1 = pod('a', '1', { labels: { app: 'web' } });
    const s1 = Snapshot.empty(indexers).apply(batch([addedDelta(a1)], '1'));
    let s = s1;
    for (let i = 2; i < 40; i++)
      s = s.apply(batch([addedDelta(pod(`p${i}`, `${i}`, { labels: { app: 'web' } }))], `${i}`));
    s = s.apply(batch([{ type: 'Deleted', key: 'default/a', object: a1 }], '40'));
    expect(s.size).toBe(38);
    expect(s.indexKeys('app', 'web')).toHaveLength(38);
    expect(s1.size).toBe(1);
    expect(s1.keys()).toEqual(['default/a']);
    expect(s1.get('default/a')).toBe(a1);
    expect(s1.byIndex('app', 'web')).toEqual([a1]);
    expect(s1.resourceVersion).toBe('1');
  });
});

describe('Snapshot queries', () => {
  const pods = [
    pod('web-1', '1', { labels: { app: 'web', tier: 'fe' } }),
    pod('web-2', '2', { namespace: 'prod', labels: { app: 'web', tier: 'edge' } }),
    pod('db-0', '3', { namespace: 'prod', labels: { app: 'db' } }),
    pod('bare', '4'),
  ];
  const s = snapshotOf(pods, indexers, '4');

  it('snapshotOf builds a synced snapshot', () => {
    expect(s.size).toBe(4);
    expect(s.synced).toBe(true);
    expect(s.resourceVersion).toBe('4');
    expect(() => snapshotOf([{ metadata: {} }])).toThrow(KubeRxError);
  });

  it('list filters by any selector form', () => {
    expect(names(s.list())).toEqual(['bare', 'db-0', 'web-1', 'web-2']);
    expect(names(s.list('app=web'))).toEqual(['web-1', 'web-2']);
    expect(names(s.list('tier'))).toEqual(['web-1', 'web-2']);
    expect(names(s.list('tier!=fe'))).toEqual(['bare', 'db-0', 'web-2']);
    expect(names(s.list({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }))).toEqual(['bare']);
  });

  it('namespace listers read the namespace index', () => {
    expect(names(s.namespace('prod').list())).toEqual(['db-0', 'web-2']);
    expect(names(s.namespace('prod').list('app=web'))).toEqual(['web-2']);
    expect(s.namespace('prod').get('db-0')?.metadata?.name).toBe('db-0');
    expect(s.namespace('default').get('db-0')).toBeUndefined();
    expect(s.namespace('nowhere').list()).toEqual([]);
  });

  it('cluster-scoped objects are keyed by name and live in namespace ""', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', resourceVersion: '1', labels: { zone: 'a' } },
    };
    const cs = snapshotOf([node]);
    expect(cs.keys()).toEqual(['n1']);
    expect(cs.get('n1')).toBe(node);
    expect(cs.namespace('').get('n1')).toBe(node);
    expect(cs.namespace('').list('zone=a')).toEqual([node]);
    expect(cs.indexValues(NAMESPACE_INDEX)).toEqual(['']);
  });

  it('unknown indexes throw IndexNotFoundError with the index name', () => {
    for (const query of [
      () => s.byIndex('nope', 'x'),
      () => s.indexKeys('nope', 'x'),
      () => s.indexValues('nope'),
    ]) {
      const error = thrown(query);
      expect(error).toBeInstanceOf(IndexNotFoundError);
      expect((error as IndexNotFoundError).index).toBe('nope');
    }
  });

  it('an invalid selector throws', () => {
    expect(() => s.list('a in (b')).toThrow('invalid label selector');
  });
});

describe('index function failures', () => {
  it('a throwing index function fails apply with IndexFunctionError and applies nothing', () => {
    const cause = new Error('nope');
    const failing: Indexers<V1Pod> = {
      app: byLabel('app'),
      picky: (p) => {
        if (p.metadata?.labels?.bad === 'yes') throw cause;
        return [p.metadata?.name ?? ''];
      },
    };
    const ok = pod('ok', '1', { labels: { app: 'web' } });
    const s1 = Snapshot.empty(failing).apply(batch([addedDelta(ok)], '1'));
    const fresh = pod('fresh', '2', { labels: { app: 'web' } });
    const bad = pod('ok', '3', { labels: { app: 'db', bad: 'yes' } });
    const error = thrown(() =>
      s1.apply(
        batch([addedDelta(fresh), { type: 'Updated', key: 'default/ok', object: bad, oldObject: ok }], '3'),
      ),
    );
    expect(error).toBeInstanceOf(IndexFunctionError);
    expect(error).toBeInstanceOf(KubeRxError);
    const e = error as IndexFunctionError;
    expect(e.name).toBe('IndexFunctionError');
    expect(e.index).toBe('picky');
    expect(e.key).toBe('default/ok');
    expect(e.cause).toBe(cause);
    // s1 is exactly as before: no half-applied batch
    expect(s1.keys()).toEqual(['default/ok']);
    expect(s1.get('default/ok')).toBe(ok);
    expect(s1.indexKeys('app', 'web')).toEqual(['default/ok']);
    expect(s1.indexValues('app')).toEqual(['web']);
    expect(s1.indexValues('picky')).toEqual(['ok']);
    expect(s1.resourceVersion).toBe('1');
    // and it still accepts later batches
    expect(
      s1
        .apply(batch([addedDelta(fresh)], '4'))
        .indexKeys('app', 'web')
        .sort(),
    ).toEqual(['default/fresh', 'default/ok']);
  });

  it('an index function returning a non-array or non-strings is an IndexFunctionError', () => {
    const notArray = { x: (() => 'web') as unknown as Indexers<V1Pod>[string] };
    const notStrings = { x: (() => [1]) as unknown as Indexers<V1Pod>[string] };
    for (const idx of [notArray, notStrings]) {
      const error = thrown(() => Snapshot.empty<V1Pod>(idx).apply(batch([addedDelta(pod('a', '1'))], '1')));
      expect(error).toBeInstanceOf(IndexFunctionError);
      expect(((error as IndexFunctionError).cause as Error).message).toBe('expected an array of strings');
    }
  });
});

describe('index function failures with onError: one object, one index (issue 14)', () => {
  /** Throws for pods labelled bad=yes; files the others under their name. */
  const picky = (p: DeepReadonly<V1Pod>): readonly string[] => {
    if (p.metadata?.labels?.bad === 'yes') throw new Error('cannot index a bad pod');
    return [p.metadata?.name ?? ''];
  };
  const failing: Indexers<V1Pod> = { app: byLabel('app'), picky };

  it('a throwing index function is reported with index, key and resource; the object stays cached and in every other index', () => {
    const errors: KubeRxError[] = [];
    const empty = Snapshot.empty(failing, { onError: (e) => errors.push(e), resource: 'pods.v1' });
    const ok = pod('ok', '1', { labels: { app: 'web' } });
    const bad = pod('bad', '2', { labels: { app: 'web', bad: 'yes' } });
    const later = pod('later', '3', { labels: { app: 'web' } });
    const s1 = empty.apply(batch([addedDelta(ok), addedDelta(bad)], '2'));
    const s2 = s1.apply(batch([addedDelta(later)], '3'));
    expect(s2.keys().sort()).toEqual(['default/bad', 'default/later', 'default/ok']);
    expect(s2.get('default/bad')).toBe(bad);
    expect(s2.indexKeys('app', 'web').sort()).toEqual(['default/bad', 'default/later', 'default/ok']);
    expect(s2.indexKeys(NAMESPACE_INDEX, 'default')).toHaveLength(3);
    expect(s2.indexValues('picky').sort()).toEqual(['later', 'ok']);
    expect(s2.resourceVersion).toBe('3');
    expect(errors).toHaveLength(1);
    const e = errors[0] as IndexFunctionError;
    expect(e).toBeInstanceOf(IndexFunctionError);
    expect([e.index, e.key, e.resource]).toEqual(['picky', 'default/bad', 'pods.v1']);
    expect(e.message).toBe(
      'pods.v1: index function "picky" failed for "default/bad": Error: cannot index a bad pod',
    );
  });

  it('an object whose index function starts failing leaves that index; once it works again it is back', () => {
    const errors: KubeRxError[] = [];
    const s1 = Snapshot.empty(failing, { onError: (e) => errors.push(e) }).apply(
      batch([addedDelta(pod('a', '1', { labels: { app: 'web' } }))], '1'),
    );
    const a1 = s1.get('default/a') as V1Pod;
    const a2 = pod('a', '2', { labels: { app: 'db', bad: 'yes' } });
    const s2 = s1.apply(batch([{ type: 'Updated', key: 'default/a', object: a2, oldObject: a1 }], '2'));
    expect(s2.indexValues('picky')).toEqual([]);
    expect(s2.indexKeys('app', 'db')).toEqual(['default/a']);
    expect(s2.indexValues('app')).toEqual(['db']);
    const a3 = pod('a', '3', { labels: { app: 'db' } });
    const s3 = s2.apply(batch([{ type: 'Updated', key: 'default/a', object: a3, oldObject: a2 }], '3'));
    expect(s3.indexKeys('picky', 'a')).toEqual(['default/a']);
    // deleting it while it fails reports nothing more: it was reported when it came in
    const s4 = s2.apply(batch([{ type: 'Deleted', key: 'default/a', object: a2 }], '4'));
    expect(s4.size).toBe(0);
    expect(errors.map((e) => (e as IndexFunctionError).key)).toEqual(['default/a']);
  });

  it('an index function returning a string or non-strings is reported and that index skips the object', () => {
    const errors: KubeRxError[] = [];
    const odd: Indexers<V1Pod> = {
      notArray: (() => 'web') as unknown as Indexers<V1Pod>[string],
      numbers: (() => [1]) as unknown as Indexers<V1Pod>[string],
      app: byLabel('app'),
    };
    const s = Snapshot.empty(odd, { onError: (e) => errors.push(e) }).apply(
      batch([addedDelta(pod('a', '1', { labels: { app: 'web' } }))], '1'),
    );
    expect(s.indexValues('notArray')).toEqual([]);
    expect(s.indexValues('numbers')).toEqual([]);
    expect(s.indexKeys('app', 'web')).toEqual(['default/a']);
    expect(errors.map((e) => (e as IndexFunctionError).index)).toEqual(['notArray', 'numbers']);
  });

  it('a delta whose object nests deeper than 1000 levels is reported and skipped with onError, thrown without', () => {
    let inner: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) inner = { a: inner };
    const deep = { ...pod('deep', '2'), spec: { containers: [], nested: inner } } as V1Pod;
    const errors: KubeRxError[] = [];
    const s = Snapshot.empty(indexers, { onError: (e) => errors.push(e), resource: 'pods.v1' }).apply(
      batch([addedDelta(pod('a', '1')), addedDelta(deep)], '2'),
    );
    expect(s.keys()).toEqual(['default/a']);
    expect(errors.map((e) => e.message)).toEqual([
      'pods.v1 default/deep: the object nests deeper than 1000 levels; skipped',
    ]);
    expect(errors[0]).toBeInstanceOf(UncacheableObjectError);
    expect(thrown(() => Snapshot.empty(indexers).apply(batch([addedDelta(deep)], '2')))).toBeInstanceOf(
      UncacheableObjectError,
    );
  });

  it('selector lists treat labels: null, a string or an array as no labels', () => {
    const odd = (name: string, labels: unknown) =>
      ({ ...pod(name, '1'), metadata: { ...pod(name, '1').metadata, labels } }) as V1Pod;
    const s = snapshotOf([
      odd('n', null),
      odd('s', 'app=web'),
      odd('a', ['web']),
      pod('w', '1', { labels: { app: 'web' } }),
    ]);
    expect(names(s.list('app=web'))).toEqual(['w']);
    expect(names(s.list('!app'))).toEqual(['a', 'n', 's']);
    expect(names(s.namespace('default').list('app notin (web)'))).toEqual(['a', 'n', 's']);
  });
});
