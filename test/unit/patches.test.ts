import { describe, expect, it } from 'vitest';
import { StatusError } from '../../src/core/errors.js';
import { applyJsonPatch, applyMergePatch, type JsonPatchOperation } from '../../src/testing/index.js';
import { guardPrototypes } from './prototypePollution.js';

/** Runs a patch expected to fail and returns the StatusError it threw. */
function failure(run: () => unknown): StatusError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StatusError);
    return error as StatusError;
  }
  throw new Error('expected the patch to fail');
}

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = () => ({
    metadata: { name: 'web', labels: { app: 'web' } as Record<string, string> },
    spec: { list: ['a', 'b', 'c'], nested: { x: 1 } },
  });

  it('add sets a new member, replaces an existing one and inserts into arrays', () => {
    const patch: JsonPatchOperation[] = [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/spec/nested/x', value: 2 },
      { op: 'add', path: '/spec/list/1', value: 'inserted' },
      { op: 'add', path: '/spec/list/-', value: 'last' },
      { op: 'add', path: '/spec/list/0', value: 'first' },
    ];
    expect(applyJsonPatch(doc(), patch)).toEqual({
      metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
      spec: { list: ['first', 'a', 'inserted', 'b', 'c', 'last'], nested: { x: 2 } },
    });
  });

  it('add at the array length appends, past it is out of bounds (422)', () => {
    expect(applyJsonPatch(doc(), [{ op: 'add', path: '/spec/list/3', value: 'd' }]).spec.list).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'add', path: '/spec/list/4', value: 'e' }])).code).toBe(
      422,
    );
  });

  it('add with an empty path replaces the whole document', () => {
    expect(applyJsonPatch(doc(), [{ op: 'add', path: '', value: { other: true } }])).toEqual({ other: true });
  });

  it('add under a missing parent fails with 422', () => {
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'add', path: '/nope/child', value: 1 }])).code).toBe(
      422,
    );
  });

  it('remove deletes members and array elements, and fails on a missing path', () => {
    const result = applyJsonPatch(doc(), [
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'remove', path: '/spec/list/0' },
    ]);
    expect(result.metadata.labels).toEqual({});
    expect(result.spec.list).toEqual(['b', 'c']);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'remove', path: '/metadata/missing' }])).code).toBe(
      422,
    );
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'remove', path: '/spec/list/3' }])).code).toBe(422);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'remove', path: '' }])).code).toBe(422);
  });

  it('replace changes existing values only', () => {
    const result = applyJsonPatch(doc(), [
      { op: 'replace', path: '/metadata/name', value: 'api' },
      { op: 'replace', path: '/spec/list/2', value: 'C' },
    ]);
    expect(result.metadata.name).toBe('api');
    expect(result.spec.list).toEqual(['a', 'b', 'C']);
    expect(
      failure(() => applyJsonPatch(doc(), [{ op: 'replace', path: '/spec/missing', value: 1 }])).code,
    ).toBe(422);
    expect(
      failure(() => applyJsonPatch(doc(), [{ op: 'replace', path: '/spec/list/3', value: 1 }])).code,
    ).toBe(422);
    expect(
      failure(() => applyJsonPatch(doc(), [{ op: 'replace', path: '/spec/list/-', value: 1 }])).code,
    ).toBe(422);
  });

  it('move removes from the source and adds at the target', () => {
    const result = applyJsonPatch(doc(), [
      { op: 'move', from: '/spec/nested/x', path: '/spec/moved' },
      { op: 'move', from: '/spec/list/0', path: '/spec/list/-' },
    ]);
    expect(result.spec).toEqual({ list: ['b', 'c', 'a'], nested: {}, moved: 1 });
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'move', from: '/spec/none', path: '/x' }])).code).toBe(
      422,
    );
  });

  it('copy duplicates a value without aliasing it', () => {
    const result = applyJsonPatch(doc(), [
      { op: 'copy', from: '/spec/nested', path: '/spec/copied' },
      { op: 'replace', path: '/spec/copied/x', value: 9 },
      { op: 'copy', from: '/spec/list/1', path: '/spec/list/0' },
    ]) as ReturnType<typeof doc> & { spec: { copied: { x: number } } };
    expect(result.spec.nested).toEqual({ x: 1 });
    expect(result.spec.copied).toEqual({ x: 9 });
    expect(result.spec.list).toEqual(['b', 'a', 'b', 'c']);
  });

  it('test passes on deep equality and fails with 422 otherwise, leaving the target untouched', () => {
    const target = doc();
    const ok = applyJsonPatch(target, [
      { op: 'test', path: '/spec', value: { nested: { x: 1 }, list: ['a', 'b', 'c'] } },
      { op: 'replace', path: '/spec/nested/x', value: 5 },
    ]);
    expect(ok.spec.nested.x).toBe(5);
    const error = failure(() =>
      applyJsonPatch(target, [
        { op: 'replace', path: '/metadata/name', value: 'changed' },
        { op: 'test', path: '/spec/list', value: ['a', 'b'] },
      ]),
    );
    expect(error.code).toBe(422);
    expect(error.message).toContain('/spec/list');
    expect(
      failure(() => applyJsonPatch(target, [{ op: 'test', path: '/spec/nested/x', value: '1' }])).code,
    ).toBe(422);
    expect(
      failure(() => applyJsonPatch(target, [{ op: 'test', path: '/spec/nested', value: { x: 1, y: 2 } }]))
        .code,
    ).toBe(422);
    // The input is never mutated, even by the operations applied before a failure.
    expect(target).toEqual(doc());
  });

  it('decodes ~1 as "/" and ~0 as "~" in pointers, in that order', () => {
    const target = {
      metadata: {
        annotations: { 'example.com/owner': 'a', 'x~y': 'b', '~1': 'c' } as Record<string, string>,
      },
    };
    const result = applyJsonPatch(target, [
      { op: 'replace', path: '/metadata/annotations/example.com~1owner', value: 'A' },
      { op: 'test', path: '/metadata/annotations/x~0y', value: 'b' },
      { op: 'remove', path: '/metadata/annotations/~01' },
      { op: 'add', path: '/metadata/annotations/new~1key', value: 'n' },
    ]);
    expect(result.metadata.annotations).toEqual({ 'example.com/owner': 'A', 'x~y': 'b', 'new/key': 'n' });
  });

  it('rejects a non-array patch (400), an unknown op (400) and a relative pointer (422)', () => {
    expect(failure(() => applyJsonPatch(doc(), { op: 'add' })).code).toBe(400);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'frobnicate', path: '/a' }])).code).toBe(400);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'add', path: 'spec', value: 1 }])).code).toBe(422);
  });

  it('does not alias the patch value into the result', () => {
    const value = { deep: ['x'] };
    const result = applyJsonPatch({ a: {} as Record<string, unknown> }, [{ op: 'add', path: '/a/v', value }]);
    value.deep.push('y');
    expect(result.a.v).toEqual({ deep: ['x'] });
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects recursively, null deletes, scalars and arrays replace', () => {
    const target = {
      metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
      spec: { replicas: 1, ports: [80, 443], template: { image: 'nginx:1', args: ['-v'] } },
    };
    const result = applyMergePatch(target, {
      metadata: { labels: { tier: null, env: 'prod' } },
      spec: { replicas: 3, ports: [8080], template: { args: null } },
    });
    expect(result).toEqual({
      metadata: { name: 'web', labels: { app: 'web', env: 'prod' } },
      spec: { replicas: 3, ports: [8080], template: { image: 'nginx:1' } },
    });
    // The target is not mutated.
    expect(target.metadata.labels).toEqual({ app: 'web', tier: 'front' });
  });

  it('follows the RFC 7386 appendix examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['c', 'd'],
      ],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, expected] of cases) expect(applyMergePatch(target, patch)).toEqual(expected);
  });
});

/**
 * Issue 14: a patch naming `__proto__`, `constructor` or `prototype` is a 422 Invalid naming the
 * field, and nothing is written through a prototype (`add /__proto__/x` once wrote into
 * `Object.prototype` of the whole process). Patches are parsed from JSON, as a server gets them:
 * `"__proto__"` is then an own key.
 */
describe('prototype keys in patches', () => {
  const expectNoPollution = guardPrototypes();
  const doc = () => ({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { list: ['a'] } });

  /** Asserts the 422 Invalid names `field` as the message and the cause say. */
  function expectInvalidField(run: () => unknown, field: string): void {
    const error = failure(run);
    expect(error.code).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.message).toContain(`${field}: Forbidden`);
    expect(error.status.details?.causes).toEqual([expect.objectContaining({ field })]);
    expectNoPollution();
  }

  const jsonPatchCases: [string, JsonPatchOperation, string][] = [
    ['add /__proto__/x', { op: 'add', path: '/__proto__/x', value: 'polluted' }, '__proto__'],
    [
      'add /metadata/__proto__/x',
      { op: 'add', path: '/metadata/__proto__/x', value: 1 },
      'metadata.__proto__',
    ],
    [
      'replace /metadata/__proto__ (would swap the prototype of metadata)',
      { op: 'replace', path: '/metadata/__proto__', value: { x: 'polluted' } },
      'metadata.__proto__',
    ],
    [
      'add /constructor/prototype/x',
      { op: 'add', path: '/constructor/prototype/x', value: 1 },
      'constructor',
    ],
    [
      'add /metadata/constructor/prototype/x',
      { op: 'add', path: '/metadata/constructor/prototype/x', value: 1 },
      'metadata.constructor',
    ],
    [
      'add /spec/list/0/prototype',
      { op: 'add', path: '/spec/list/0/prototype', value: 1 },
      'spec.list[0].prototype',
    ],
    [
      'remove /__proto__/toLocaleString (would delete from Object.prototype)',
      { op: 'remove', path: '/__proto__/toLocaleString' },
      '__proto__',
    ],
    ['copy from /__proto__', { op: 'copy', from: '/__proto__', path: '/spec/copied' }, '__proto__'],
    [
      'move from /metadata/__proto__',
      { op: 'move', from: '/metadata/__proto__', path: '/spec/moved' },
      'metadata.__proto__',
    ],
    ['test /__proto__', { op: 'test', path: '/__proto__', value: {} }, '__proto__'],
    [
      'add a value holding a __proto__ key',
      { op: 'add', path: '/spec/v', value: JSON.parse('{"a":{"__proto__":{"x":"polluted"}}}') },
      'spec.v.a.__proto__',
    ],
  ];
  for (const [name, operation, field] of jsonPatchCases) {
    it(`JSON patch ${name}: 422 naming ${field}, no prototype touched`, () => {
      const target = doc();
      expectInvalidField(() => applyJsonPatch(target, [operation]), field);
      expect(Object.getPrototypeOf(target.metadata)).toBe(Object.prototype);
      expect(target).toEqual(doc());
    });
  }

  const mergePatchCases: [string, string, string][] = [
    ['a top-level __proto__ key', '{"__proto__":{"x":"polluted"}}', '__proto__'],
    ['a nested __proto__ key', '{"metadata":{"__proto__":{"x":"polluted"}}}', 'metadata.__proto__'],
    ['constructor.prototype', '{"constructor":{"prototype":{"x":"polluted"}}}', 'constructor'],
    ['a prototype key that deletes', '{"spec":{"prototype":null}}', 'spec.prototype'],
    [
      'a __proto__ key inside an array value',
      '{"spec":{"list":[{"__proto__":{"x":"polluted"}}]}}',
      'spec.list[0].__proto__',
    ],
  ];
  for (const [name, text, field] of mergePatchCases) {
    it(`merge patch with ${name}: 422 naming ${field}, no prototype touched`, () => {
      const target = doc();
      expectInvalidField(() => applyMergePatch(target, JSON.parse(text)), field);
      expect(target).toEqual(doc());
    });
  }

  it('keys that only look like prototype keys are ordinary fields', () => {
    const patched = applyMergePatch(doc(), {
      metadata: { labels: { proto: 'a', __proto: 'b', constructors: 'c' } },
    });
    expect(patched.metadata.labels).toEqual({ app: 'web', proto: 'a', __proto: 'b', constructors: 'c' });
    const added = applyJsonPatch(doc(), [{ op: 'add', path: '/metadata/labels/prototypes', value: 'd' }]);
    expect(added.metadata.labels).toEqual({ app: 'web', prototypes: 'd' });
    expectNoPollution();
  });

  it('a path member inherited from Object.prototype does not exist (422), it is not walked into', () => {
    expect(
      failure(() => applyJsonPatch(doc(), [{ op: 'add', path: '/metadata/toString/x', value: 1 }])).code,
    ).toBe(422);
    expect(
      failure(() => applyJsonPatch(doc(), [{ op: 'replace', path: '/metadata/hasOwnProperty', value: 1 }]))
        .code,
    ).toBe(422);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'remove', path: '/metadata/valueOf' }])).code).toBe(
      422,
    );
    expectNoPollution();
  });

  it('an operation that is not an object or has no string path is a 422, not a TypeError', () => {
    expect(failure(() => applyJsonPatch(doc(), [null])).code).toBe(422);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'add', value: 1 }])).code).toBe(422);
    expect(failure(() => applyJsonPatch(doc(), [{ op: 'copy', path: '/spec/x' }])).code).toBe(422);
  });
});
