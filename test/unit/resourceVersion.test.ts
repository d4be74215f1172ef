import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergePatchOf } from '../../src/api/mergePatch.js';
import { resourceVersionAtLeast } from '../../src/api/resourceVersion.js';
import { resourceVersionOf } from '../../src/core/objects.js';

describe('resourceVersionAtLeast', () => {
  it('compares decimal resourceVersions as integers, beyond 2^53', () => {
    expect(resourceVersionAtLeast('100', '99')).toBe(true);
    expect(resourceVersionAtLeast('99', '100')).toBe(false);
    expect(resourceVersionAtLeast('9007199254740993', '9007199254740992')).toBe(true);
    expect(resourceVersionAtLeast('9007199254740992', '9007199254740993')).toBe(false);
  });
  it('falls back to equality for opaque resourceVersions', () => {
    expect(resourceVersionAtLeast('abc', 'abc')).toBe(true);
    expect(resourceVersionAtLeast('abd', 'abc')).toBe(false);
    expect(resourceVersionAtLeast('012', '11')).toBe(false);
    expect(resourceVersionAtLeast(undefined, '1')).toBe(false);
  });
  it('agrees with integer order for every pair of integers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 70n }), fc.bigInt({ min: 0n, max: 2n ** 70n }), (a, b) => {
        expect(resourceVersionAtLeast(String(a), String(b))).toBe(a >= b);
      }),
    );
  });
  it('reads the resourceVersion of an object', () => {
    expect(resourceVersionOf({ metadata: { resourceVersion: '7' } })).toBe('7');
    expect(resourceVersionOf({ metadata: {} })).toBe('');
  });
});

/** RFC 7386 application, to check that a computed patch turns `before` into `after`. */
function applyMerge(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete (base as Record<string, unknown>)[k];
    else (base as Record<string, unknown>)[k] = applyMerge((base as Record<string, unknown>)[k], v);
  }
  return base;
}

describe('mergePatchOf', () => {
  it('sets, removes (null) and replaces arrays whole', () => {
    expect(
      mergePatchOf({ a: 1, b: { c: 2, d: 3 }, l: [1] }, { a: 1, b: { c: 2 }, l: [1, 2], e: 'x' }),
    ).toEqual({
      b: { d: null },
      l: [1, 2],
      e: 'x',
    });
    expect(mergePatchOf({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBeUndefined();
  });
  it('treats keys named like Object.prototype members as data (found by the property, seed 256343333)', () => {
    expect(mergePatchOf({ b: { valueOf: 0 } }, { b: {} })).toEqual({ b: { valueOf: null } });
    expect(mergePatchOf({ data: {} }, { data: { constructor: 'x', toString: 'y' } })).toEqual({
      data: { constructor: 'x', toString: 'y' },
    });
    expect(mergePatchOf({ data: { hasOwnProperty: '1' } }, { data: {} })).toEqual({
      data: { hasOwnProperty: null },
    });
  });
  it('produces a patch that turns before into after (JSON without nulls)', () => {
    const json = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('null'));
    const obj = fc.dictionary(fc.constantFrom('a', 'b', 'c'), json);
    fc.assert(
      fc.property(obj, obj, (before, after) => {
        const patch = mergePatchOf(before, after);
        expect(patch === undefined ? before : applyMerge(before, patch)).toEqual(after);
      }),
    );
  });
});
