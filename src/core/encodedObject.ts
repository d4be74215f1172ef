/**
 * An object the cache keeps as the JSON text it arrived in, decoded the first time anyone reads it.
 *
 * Why: an informer's cache lives on retained objects, and retaining a decoded object is what costs
 * (a pod is a few hundred small heap objects; the garbage collector copies every one of them out of
 * the young generation, and they take about twice the bytes of their text). The watch decoder parses
 * each object once anyway, to validate it and read its key; when it keeps the text instead of the
 * parse, the parse dies young, the cache holds one string per object, and an object nobody reads is
 * never decoded again. A controller reads one object per deduplicated key; a dashboard reads what it
 * shows.
 *
 * What stays the same for a reader: `read` returns a plain object, deep-frozen, the same one on every
 * read (decoded once, then the text is dropped), equal to what an eager decode would have given. An
 * object only becomes a cell when its text parsed as a plain JSON object with a key, no deeper than
 * `MAX_OBJECT_DEPTH`: everything the cache admits at once, it also admits deferred.
 *
 * Cells never reach user code: `Snapshot` reads, deltas and informer events unwrap them (see
 * {@link readObject}); only the HTTP transport makes them, when a watch asks for `deferDecoding`.
 */
import { type DeepReadonly, deepFreeze, type KubeObject } from './objects.js';

/** What the cache reads of a cell before it is decoded: its key and resourceVersion. */
export interface CellMetadata {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly resourceVersion?: unknown;
}

/**
 * One object as JSON text plus the metadata fields the cache needs (as the parse gave them, any
 * type, so the cache's checks judge them exactly as they judge a decoded object).
 *
 * @example
 * ```ts
 * const text = '{"metadata":{"name":"web","namespace":"default"}}';
 * const cell = new EncodedObject(text, JSON.parse(text).metadata);
 * readObject(cell).metadata.name; // 'web' (decoded now, frozen, kept)
 * ```
 */
export class EncodedObject {
  /** A view shaped like an object's metadata, so key and resourceVersion checks run on the cell. */
  readonly metadata: CellMetadata;
  #text: string | undefined;
  #value: unknown;
  #typeMeta: { readonly apiVersion: string; readonly kind: string } | undefined;

  constructor(text: string, metadata: CellMetadata) {
    this.#text = text;
    this.metadata = metadata;
  }

  /**
   * This cell with `apiVersion` and `kind` filled in when the decoded object lacks either (list
   * items come without them), as the Reflector does for a decoded item. A fresh cell (one list's)
   * is changed in place; one that was decoded already is replaced.
   */
  withTypeMeta(apiVersion: string, kind: string): EncodedObject {
    if (this.#text === undefined) {
      const value = this.#value as KubeObject;
      if (value.apiVersion && value.kind) return this;
      const filled = { ...value, apiVersion: value.apiVersion ?? apiVersion, kind: value.kind ?? kind };
      const cell = new EncodedObject('', this.metadata);
      cell.#text = undefined;
      cell.#value = deepFreeze(filled);
      return cell;
    }
    this.#typeMeta = { apiVersion, kind };
    return this;
  }

  /** The decoded object: parsed and deep-frozen on the first call, the same object after. */
  decode(): unknown {
    const text = this.#text;
    if (text !== undefined) {
      let value = JSON.parse(text) as KubeObject;
      const typeMeta = this.#typeMeta;
      if (typeMeta !== undefined && !(value.apiVersion && value.kind))
        value = {
          ...value,
          apiVersion: value.apiVersion ?? typeMeta.apiVersion,
          kind: value.kind ?? typeMeta.kind,
        };
      this.#value = deepFreeze(value);
      this.#text = undefined;
    }
    return this.#value;
  }

  /** True until the first {@link EncodedObject.decode}. */
  get encoded(): boolean {
    return this.#text !== undefined;
  }
}

/** What a cache stores per key: a decoded (frozen) object, or a cell that decodes to one. */
export type Stored<T> = DeepReadonly<T> | EncodedObject;

/**
 * The object a stored value stands for: the value itself, or a cell decoded (once).
 *
 * @example
 * ```ts
 * const pod = readObject(stored); // a frozen V1Pod either way
 * ```
 */
export function readObject<T>(stored: Stored<T>): DeepReadonly<T> {
  return stored instanceof EncodedObject ? (stored.decode() as DeepReadonly<T>) : stored;
}

/** `readObject` for an optional value. */
export function readOptional<T>(stored: Stored<T> | undefined): DeepReadonly<T> | undefined {
  return stored === undefined ? undefined : readObject<T>(stored);
}

/** The metadata a cell keeps of a parsed object (its key fields and resourceVersion). */
export function cellMetadata(object: KubeObject): CellMetadata | undefined {
  const meta: unknown = object.metadata;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return undefined;
  const { name, namespace, resourceVersion } = meta as CellMetadata;
  return { name, namespace, resourceVersion };
}

/**
 * The prototype of deltas and events whose objects are read through getters (cells, decoded when
 * read). Its constructor is `Object`, so such a delta compares and prints like a plain one.
 */
const DEFERRED: object = Object.create(Object.prototype);

/** True for a delta made by {@link deferredDelta}: its objects decode when read. */
export function isDeferred(value: object): boolean {
  return Object.getPrototypeOf(value) === DEFERRED;
}

/**
 * A delta whose `object` and `oldObject` are own getters over stored values: reading one decodes a
 * cell (once); a pipeline that only needs keys never does. Plain data otherwise: its keys are the
 * same as a plain delta's, so it spreads, serialises and compares like one.
 */
export function deferredDelta<D>(
  type: string,
  key: string,
  object: Stored<unknown>,
  oldObject: Stored<unknown> | undefined,
): D {
  const delta =
    oldObject === undefined
      ? {
          __proto__: DEFERRED,
          type,
          key,
          get object() {
            return readObject(object);
          },
        }
      : {
          __proto__: DEFERRED,
          type,
          key,
          get object() {
            return readObject(object);
          },
          get oldObject() {
            return readObject(oldObject);
          },
        };
  return delta as unknown as D;
}
