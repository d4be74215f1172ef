/**
 * The fake cluster copies every body it is handed with `jsonClone` instead of a round trip
 * through JSON text. It must give what the round trip gives for any value (or throw what it
 * throws): the same JSON, the same own keys in the same order, plain prototypes, and a copy that
 * shares nothing with its source.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { jsonClone } from '../../src/testing/fakeCluster/jsonClone.js';

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value) as string);

/** Own keys, order and prototypes, all the way down: what `toEqual` alone would not tell apart. */
function shape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return [typeof value, Object.is(value, -0) ? '-0' : value];
  const prototype = Object.getPrototypeOf(value);
  const kind = Array.isArray(value) ? 'array' : prototype === Object.prototype ? 'object' : 'other';
  return [
    kind,
    Reflect.ownKeys(value).map((key) => [
      String(key),
      shape((value as Record<string, unknown>)[key as string]),
    ]),
  ];
}

/** Leaves JSON copies as they are, and ones it changes or drops. */
const leaf = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(undefined, -0, Number.NaN, Number.POSITIVE_INFINITY, () => 1, Symbol('s')),
  fc.date({ noInvalidDate: true }),
  fc.constant({ toJSON: () => 'custom' }),
);
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', '0', '10', 'toJSON'),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('record')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  record: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => {
    const record: Record<string, unknown> = {};
    for (const [k, v] of entries)
      Object.defineProperty(record, k, { value: v, enumerable: true, writable: true, configurable: true });
    return record;
  }),
}));

describe('jsonClone', () => {
  test.prop([value])('gives what the round trip through JSON text gives', (input) => {
    let expected: unknown;
    let error: unknown;
    try {
      expected = roundTrip(input);
    } catch (caught) {
      error = caught;
    }
    if (error !== undefined) {
      expect(() => jsonClone(input)).toThrow((error as Error).message);
      return;
    }
    const copy = jsonClone(input);
    expect(shape(copy)).toEqual(shape(expected));
  });

  test.prop([fc.jsonValue()])('shares no object with its source', (input) => {
    const copy = jsonClone(input);
    const sources = new Set<unknown>();
    const collect = (v: unknown, into: Set<unknown>) => {
      if (v === null || typeof v !== 'object') return;
      into.add(v);
      for (const child of Object.values(v)) collect(child, into);
    };
    collect(input, sources);
    const copies = new Set<unknown>();
    collect(copy, copies);
    for (const object of copies) expect(sources.has(object)).toBe(false);
  });

  it('throws the round trip error for a cycle, and copies nesting deeper than its own limit', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => jsonClone(cyclic)).toThrow(/circular/i);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 500; i++) deep = { next: deep };
    expect(jsonClone(deep)).toEqual(deep);
  });

  it('keeps `__proto__` as an own key, never as the prototype', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"a":[1,-0]}') as Record<string, unknown>;
    const copy = jsonClone(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.is((copy.a as number[])[1], 0)).toBe(true);
  });
});
