/**
 * Deferred records (core/deferredRecord.ts, issue 17): a delta or informer event whose objects are
 * cells decodes them when read, yet compares, spreads, serialises, prints and freezes like a plain
 * record, and is cheap to make (one is made per watch event).
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { deferredDelta, deferredRecord, isDeferred, storedField } from '../../src/core/deferredRecord.js';
import type { Delta } from '../../src/core/events.js';
import { deepFreeze, type KubeObject } from '../../src/core/objects.js';
import { cellOf, deeplyFrozen } from '../support/cells.js';

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

  it('reads decoded through descriptors and entries, and keeps the cells until then', () => {
    const object = cellOf(newText);
    const delta = deferredDelta<Delta<KubeObject>>('Added', 'ns/a', object, undefined);
    expect(storedField(delta, 'object')).toBe(object);
    expect(storedField(delta, 'oldObject')).toBeUndefined();
    expect(object.encoded).toBe(true);
    const descriptor = Object.getOwnPropertyDescriptor(delta, 'object');
    expect(descriptor?.value).toEqual(JSON.parse(newText));
    expect(descriptor?.enumerable).toBe(true);
    expect(Object.entries(delta)).toEqual([
      ['type', 'Added'],
      ['key', 'ns/a'],
      ['object', JSON.parse(newText)],
    ]);
    expect(Object.getOwnPropertySymbols(delta)).toEqual([]);
  });

  it('freezes like a plain delta: the objects are decoded first, then read the same', () => {
    const object = cellOf(newText);
    const oldObject = cellOf(oldText);
    const delta = deferredDelta<Delta<KubeObject>>('Updated', 'ns/a', object, oldObject);
    Object.freeze(delta);
    expect(Object.isFrozen(delta)).toBe(true);
    expect(object.encoded).toBe(false);
    expect(delta.object).toBe(object.decode());
    expect((delta as { oldObject: unknown }).oldObject).toBe(oldObject.decode());
    expect(Object.getOwnPropertyDescriptor(delta, 'object')?.value).toBe(object.decode());
    expect(() => {
      (delta as { key: string }).key = 'other';
    }).toThrow(TypeError);
  });

  it('prints the decoded record, not its cells', () => {
    const delta = deferredDelta<Delta<KubeObject>>('Added', 'ns/a', cellOf(newText), undefined);
    const printed = inspect(delta, { depth: 4 });
    expect(printed).toBe(inspect({ type: 'Added', key: 'ns/a', object: JSON.parse(newText) }, { depth: 4 }));
    expect(printed).not.toContain('EncodedObject');
    // Inside another value, to the depth left there, as a plain record would print.
    const nested = { batch: { deltas: [delta] } };
    const plainNested = { batch: { deltas: [{ type: 'Added', key: 'ns/a', object: JSON.parse(newText) }] } };
    expect(inspect(nested, { depth: 3 })).toBe(inspect(plainNested, { depth: 3 }));
  });

  it('reads the stored fields of an object made on its prototype without the Proxy', () => {
    const delta = deferredDelta<Delta<KubeObject>>('Added', 'ns/a', cellOf(newText), undefined);
    const copy = Object.assign(Object.create(Object.getPrototypeOf(delta) as object), { object: 7 });
    expect(isDeferred(copy)).toBe(true);
    expect(storedField(copy, 'object')).toBe(7);
    expect(storedField(copy, 'oldObject')).toBeUndefined();
  });

  it('is refused by structuredClone, as any Proxy is, and its spread is not', () => {
    const delta = deferredDelta<Delta<KubeObject>>('Added', 'ns/a', cellOf(newText), undefined);
    expect(() => structuredClone(delta)).toThrow();
    expect(structuredClone({ ...delta })).toEqual({
      type: 'Added',
      key: 'ns/a',
      object: JSON.parse(newText),
    });
  });

  it('makes any record deferred: its other fields read as they are, in their order', () => {
    const record = deferredRecord<Record<string, unknown>>({
      type: 'update',
      oldObject: cellOf(oldText),
      object: cellOf(newText),
      resync: false,
    });
    expect(isDeferred(record)).toBe(true);
    expect(Object.keys(record)).toEqual(['type', 'oldObject', 'object', 'resync']);
    expect(record).toStrictEqual({
      type: 'update',
      oldObject: JSON.parse(oldText),
      object: JSON.parse(newText),
      resync: false,
    });
  });
});
