/**
 * Deltas and informer events whose `object` and `oldObject` are cells, decoded when read.
 *
 * Why a Proxy: one is made for every watch event, and nothing in an informer's own pipeline reads
 * its objects. The record it replaces, an object literal with two getters that closed over the
 * cells, cost about 700 bytes and 1 µs to make (each instance had its own getter functions, so V8
 * kept it as a dictionary); a Proxy over a plain object holding the cells costs about 110 bytes and
 * 0.1 µs. Measured in issue 17's eighth round (docs/benchmarks.md).
 *
 * What a reader sees is a plain record. `type`, `key` and the other fields read as stored. `object`
 * and `oldObject` read decoded and frozen, the same object on every read, through `get`,
 * `getOwnPropertyDescriptor`, spread (`{ ...delta }`), `JSON.stringify`, `Object.entries` and
 * vitest's `toEqual`. `constructor` is `Object` and the keys are a plain record's, so it compares
 * like one too. `util.inspect` prints the decoded record, not the cells.
 *
 * Where it differs from a plain record:
 * - Freezing it (or defining a property on it) decodes both objects first: a frozen Proxy must
 *   answer with what its target holds.
 * - `structuredClone` and `postMessage` refuse any Proxy: clone `{ ...delta }` instead.
 * - Reading a field costs a trap call (tens of nanoseconds), not a property load.
 */
import { EncodedObject, readObject, type Stored } from './encodedObject.js';

/**
 * The prototype of deferred records' targets. Its constructor is `Object` (inherited), so a record
 * compares like a plain one; {@link isDeferred} tells them apart.
 */
const DEFERRED: object = Object.create(Object.prototype, {
  [Symbol.for('nodejs.util.inspect.custom')]: {
    // `this` is the Proxy (Node's inspect calls it on the Proxy, without a trap): print the record
    // a reader sees, to the depth left at this level.
    value(
      this: object,
      depth: number | null,
      options: object,
      inspect: (value: unknown, options: object) => string,
    ) {
      return inspect({ ...this }, { ...options, depth });
    },
  },
});

/** The target behind a deferred record, read through the Proxy with this private key. */
const TARGET: unique symbol = Symbol('target');

type Target = Record<PropertyKey, unknown>;

function isLazy(property: PropertyKey): boolean {
  return property === 'object' || property === 'oldObject';
}

/**
 * Replaces the target's cells with their decoded objects, before it is frozen or redefined (once:
 * freezing redefines each property in turn, and a frozen one is not written again).
 */
function materialize(target: Target): void {
  if (target.object instanceof EncodedObject) target.object = target.object.decode();
  if (target.oldObject instanceof EncodedObject) target.oldObject = target.oldObject.decode();
}

const HANDLER: ProxyHandler<Target> = {
  get(target, property, receiver) {
    if (property === TARGET) return target;
    const value = Reflect.get(target, property, receiver);
    return isLazy(property) ? readObject(value as Stored<unknown>) : value;
  },
  getOwnPropertyDescriptor(target, property) {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, property);
    if (descriptor !== undefined && isLazy(property))
      descriptor.value = readObject(descriptor.value as Stored<unknown>);
    return descriptor;
  },
  defineProperty(target, property, descriptor) {
    materialize(target);
    return Reflect.defineProperty(target, property, descriptor);
  },
  preventExtensions(target) {
    materialize(target);
    return Reflect.preventExtensions(target);
  },
};

/**
 * `fields` as a record whose `object` and `oldObject` (cells or decoded objects) read decoded. The
 * record keeps `fields` as its target, whose prototype it sets; its keys keep their order.
 */
export function deferredRecord<R>(fields: Record<string, unknown>): R {
  Object.setPrototypeOf(fields, DEFERRED);
  return new Proxy(fields, HANDLER) as unknown as R;
}

/** True for a record made by {@link deferredRecord}: its objects decode when read. */
export function isDeferred(value: object): boolean {
  return Object.getPrototypeOf(value) === DEFERRED;
}

/**
 * What a deferred record stores under `field` (`object` or `oldObject`): a cell, or an object
 * already decoded; undefined when the record has no such field.
 */
export function storedField<T>(record: object, field: 'object' | 'oldObject'): Stored<T> | undefined {
  // A record made on the prototype without the Proxy has no target: it holds its fields itself.
  const target = ((record as { [TARGET]?: Target })[TARGET] ?? record) as Target;
  return target[field] as Stored<T> | undefined;
}

/**
 * A delta whose `object` and `oldObject` are stored values (cells) that decode when read: a
 * pipeline that only needs keys never decodes them. It spreads, serialises and compares like a
 * plain delta (see the module comment).
 */
export function deferredDelta<D>(
  type: string,
  key: string,
  object: Stored<unknown>,
  oldObject: Stored<unknown> | undefined,
): D {
  return deferredRecord<D>(
    oldObject === undefined ? { type, key, object } : { type, key, object, oldObject },
  );
}
