/**
 * The cache's deferred objects (core/encodedObject.ts, issue 17): an `EncodedObject` cell decodes
 * its JSON text once, deep-frozen, to what `JSON.parse` gives, and a `deferredDelta` reads its cells
 * through getters yet compares, spreads and serialises like a plain delta.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  deferredDelta,
  EncodedObject,
  encodedObject,
  isDeferred,
  readObject,
  readOptional,
} from '../../src/core/encodedObject.js';
import type { Delta } from '../../src/core/events.js';
import { deepFreeze, type KubeObject } from '../../src/core/objects.js';

/** True when `value` and every object and array under it is frozen. */
function deeplyFrozen(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(deeplyFrozen);
}

/** A cell over `text`, with the metadata view the transport would give it. */
function cellOf(text: string): EncodedObject {
  // Any metadata, even one the cache would turn away: these tests are about decoding.
  return new EncodedObject(text, (JSON.parse(text) as KubeObject).metadata ?? {}, 'key');
}

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

describe('deferredDelta', () => {
  const oldText = '{"metadata":{"name":"a","namespace":"ns","resourceVersion":"1"},"spec":{"n":1}}';
  const newText = '{"metadata":{"name":"a","namespace":"ns","resourceVersion":"2"},"spec":{"n":2}}';

  it('equals a plain delta with the same content (toEqual), without decoding until read', () => {
    const object = cellOf(newText);
    const oldObject = cellOf(oldText);
    const delta = deferredDelta<Delta<KubeObject>>('Updated', 'ns/a', object, oldObject);
    expect(object.encoded).toBe(true);
    expect(oldObject.encoded).toBe(true);
    expect(delta.type).toBe('Updated');
    expect(delta.key).toBe('ns/a');
    expect(object.encoded).toBe(true);
    expect(delta).toEqual({
      type: 'Updated',
      key: 'ns/a',
      object: JSON.parse(newText),
      oldObject: JSON.parse(oldText),
    });
    expect(object.encoded).toBe(false);
    expect(oldObject.encoded).toBe(false);
    expect(delta).not.toEqual({
      type: 'Updated',
      key: 'ns/a',
      object: JSON.parse(oldText),
      oldObject: JSON.parse(oldText),
    });
  });

  it('has no oldObject key when made without one, like a plain Added delta', () => {
    const delta = deferredDelta<Delta<KubeObject>>('Added', 'ns/a', cellOf(newText), undefined);
    expect(Object.keys(delta)).toEqual(['type', 'key', 'object']);
    expect('oldObject' in delta).toBe(false);
    expect(delta).toEqual({ type: 'Added', key: 'ns/a', object: JSON.parse(newText) });
  });

  it('compares strictly like a plain delta: its constructor is Object', () => {
    const delta = deferredDelta<Delta<KubeObject>>('Added', 'ns/a', cellOf(newText), undefined);
    const plain = { type: 'Added', key: 'ns/a', object: JSON.parse(newText) };
    expect(delta.constructor).toBe(Object);
    expect(delta).toStrictEqual(plain);
    expect(plain).toStrictEqual(delta);
  });

  it('serialises and spreads to the plain shape', () => {
    const delta = deferredDelta<Delta<KubeObject>>('Updated', 'ns/a', cellOf(newText), cellOf(oldText));
    const plain = {
      type: 'Updated',
      key: 'ns/a',
      object: JSON.parse(newText),
      oldObject: JSON.parse(oldText),
    };
    expect(JSON.stringify(delta)).toBe(JSON.stringify(plain));
    const spread = { ...delta };
    expect(Object.getPrototypeOf(spread)).toBe(Object.prototype);
    expect(Object.keys(spread)).toEqual(['type', 'key', 'object', 'oldObject']);
    expect(Object.getOwnPropertyDescriptor(spread, 'object')?.get).toBeUndefined();
    expect(spread).toEqual(plain);
    expect(spread.object).toBe(delta.object);
    expect(isDeferred(spread)).toBe(false);
  });

  it('reads the same frozen object every time', () => {
    const delta = deferredDelta<Delta<KubeObject>>('Updated', 'ns/a', cellOf(newText), cellOf(oldText));
    const first = delta.object;
    expect(delta.object).toBe(first);
    expect(deeplyFrozen(first)).toBe(true);
    const old = (delta as { oldObject: unknown }).oldObject;
    expect((delta as { oldObject: unknown }).oldObject).toBe(old);
    expect(deeplyFrozen(old)).toBe(true);
  });

  it('passes a decoded stored value through as it is', () => {
    const frozen = deepFreeze({ metadata: { name: 'a', namespace: 'ns' } });
    const delta = deferredDelta<Delta<KubeObject>>('Sync', 'ns/a', frozen, frozen);
    expect(delta.object).toBe(frozen);
    expect((delta as { oldObject: unknown }).oldObject).toBe(frozen);
  });

  it('isDeferred tells a deferred delta from a plain one, an empty object and a null-prototype one', () => {
    expect(isDeferred(deferredDelta('Added', 'ns/a', cellOf(newText), undefined))).toBe(true);
    expect(isDeferred(deferredDelta('Deleted', 'ns/a', cellOf(newText), cellOf(oldText)))).toBe(true);
    expect(isDeferred({ type: 'Added', key: 'ns/a', object: JSON.parse(newText) })).toBe(false);
    expect(isDeferred({})).toBe(false);
    expect(isDeferred(Object.create(null))).toBe(false);
  });
});
