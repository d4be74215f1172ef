/**
 * The cache's deferred objects (core/encodedObject.ts, issue 17): an `EncodedObject` cell decodes
 * its JSON text once, deep-frozen, to what `JSON.parse` gives (test/unit/deferredRecord.test.ts
 * has the deltas that hold cells).
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { encodedObject, readObject, readOptional } from '../../src/core/encodedObject.js';
import type { KubeObject } from '../../src/core/objects.js';
import { cellOf, deeplyFrozen } from '../support/cells.js';

/** Kubernetes-shaped objects with arbitrary JSON besides: the texts a watch carries. */
const objectArb = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Pod'),
  metadata: fc.record(
    {
      name: fc.string({ minLength: 1 }),
      namespace: fc.string(),
      resourceVersion: fc.nat().map(String),
      labels: fc.dictionary(fc.string(), fc.string()),
    },
    { requiredKeys: ['name'] },
  ),
  spec: fc.jsonValue(),
  status: fc.dictionary(fc.string(), fc.jsonValue()),
});
const textArb = objectArb.map((object) => JSON.stringify(object));

describe('EncodedObject', () => {
  test.prop([textArb])('decode gives a deep-frozen object equal to JSON.parse of the text', (text) => {
    const cell = cellOf(text);
    const decoded = cell.decode();
    expect(decoded).toEqual(JSON.parse(text));
    expect(deeplyFrozen(decoded)).toBe(true);
  });

  test.prop([textArb])('decode returns the same object on every call, and readObject does too', (text) => {
    const cell = cellOf(text);
    const first = cell.decode();
    expect(cell.decode()).toBe(first);
    expect(readObject(cell)).toBe(first);
    expect(readOptional(cell)).toBe(first);
  });

  it('is encoded until the first decode, and reading it through readObject decodes it', () => {
    const text = '{"metadata":{"name":"web","namespace":"default","resourceVersion":"7"},"spec":{"a":[1]}}';
    const cell = cellOf(text);
    expect(cell.encoded).toBe(true);
    expect(cell.metadata).toEqual({ name: 'web', namespace: 'default', resourceVersion: '7' });
    expect(cell.encoded).toBe(true);
    const pod = readObject<KubeObject>(cell);
    expect(cell.encoded).toBe(false);
    expect(pod).toEqual(JSON.parse(text));
    expect(Object.isFrozen(pod)).toBe(true);
  });

  it('keeps own "__proto__" keys as JSON.parse does, frozen, without touching a prototype', () => {
    const text = '{"metadata":{"name":"x"},"spec":{"__proto__":{"polluted":true}}}';
    const decoded = cellOf(text).decode() as { spec: Record<string, unknown> };
    expect(decoded).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(decoded.spec)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded.spec, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(deeplyFrozen(decoded)).toBe(true);
  });

  it('readObject returns a plain stored value itself, and readOptional passes undefined through', () => {
    const plain = { metadata: { name: 'a' } };
    expect(readObject(plain)).toBe(plain);
    expect(readOptional(plain)).toBe(plain);
    expect(readOptional(undefined)).toBeUndefined();
  });

  it('encodedObject keeps the key fields, uid, labels and owners as parsed, and makes no cell for an object the cache turns away', () => {
    const parsed = {
      metadata: { name: 'a', namespace: 'ns', uid: 'u', labels: { a: 'b' }, annotations: { x: 'y' } },
    };
    expect(encodedObject(JSON.stringify(parsed), parsed)?.metadata).toEqual({
      name: 'a',
      namespace: 'ns',
      resourceVersion: undefined,
      uid: 'u',
      labels: { a: 'b' },
      ownerReferences: undefined,
    });
    const turnedAway = [
      null,
      [],
      'x',
      { metadata: null },
      { metadata: ['name'] },
      { metadata: { name: 5 } },
      { metadata: { name: '' } },
      { metadata: { name: 'a/b' } },
      { metadata: { name: 'a', namespace: 'x/y' } },
      { metadata: { name: 'a', resourceVersion: 7 } },
      { metadata: { name: 'a', resourceVersion: '' } },
    ];
    for (const value of turnedAway) expect(encodedObject(JSON.stringify(value), value)).toBeUndefined();
  });
});
