/**
 * An object the cache keeps as the JSON text it arrived in, decoded the first time anyone reads it.
 *
 * Why: an informer's cache lives on retained objects, and retaining a decoded object is what costs
 * (a pod is a few hundred small heap objects; the garbage collector copies every one of them out of
 * the young generation, and they take about twice the bytes of their text). The transport checks
 * each object's text when it arrives and reads its key, with a scan that builds nothing
 * (core/scannedObject.ts) or, where the scan is unsure, a parse that dies young; the cache holds one
 * string per object, and an object nobody reads is never decoded. A controller reads one object
 * per deduplicated key; a dashboard reads what it shows.
 *
 * What stays the same for a reader: a read returns a plain object, deep-frozen, the same one on
 * every read (decoded once, then the text is dropped), equal to what an eager decode would have
 * given. An object only becomes a cell when the cache would admit it (a key, a string
 * resourceVersion, no deeper than `MAX_OBJECT_DEPTH`), so a cell always decodes.
 *
 * Only the HTTP transport makes cells, for a watch or list that asks for `deferDecoding` (an
 * informer does). `Snapshot` reads, deltas and informer events unwrap them, so an informer's user
 * never sees one; a `listWatch` with `deferDecoding` hands them out, to be read with
 * {@link readObject}. docs/decoding.md has the whole contract.
 */
import { FIRST_FIELD_SLOT } from './capturedPaths.js';
import {
  cacheableResourceVersion,
  type DeepReadonly,
  deepFreeze,
  type KubeObject,
  objectKey,
  parsedNestsWithinLimit,
  textNestsWithinLimit,
} from './objects.js';

/**
 * What the cache reads of a cell without decoding it: its key, its resourceVersion, and the
 * metadata the built-in indexes and label selectors read (uid, labels, owner references), as the
 * parse gave them.
 */
export interface CellMetadata {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly resourceVersion?: unknown;
  readonly uid?: unknown;
  readonly labels?: unknown;
  readonly ownerReferences?: unknown;
}

/** The index values a cell was filed under, by the snapshot setup that computed them. */
interface IndexedValues {
  readonly by: object;
  readonly values: (readonly string[] | undefined)[];
}

/**
 * One object as JSON text plus the metadata fields the cache reads (see {@link CellMetadata}).
 * The HTTP transport makes them (with `encodedObject`, which checks that the cache would admit the
 * object); caches store them and unwrap them with {@link readObject}.
 *
 * @example
 * ```ts
 * // A listWatch that defers decoding hands cells out; readObject decodes one (once, frozen).
 * listWatch(kubeClient(), resources.pods, { deferDecoding: true }).subscribe((event) => {
 *   if (event.type === 'MODIFIED') console.log(readObject(event.object).metadata?.name);
 * });
 * ```
 */
export class EncodedObject {
  /**
   * A view shaped like an object's metadata, so key and resourceVersion checks run on the cell
   * (an own property: index functions read own properties only); once decoded, the decoded
   * object's own, so what a scan's view held of the text can go with the text.
   */
  readonly metadata: CellMetadata;
  /**
   * The fields a watch event reads of the copy it replaces sit next to `metadata`, at the start
   * of the cell: that copy was cached long ago, so each further object or cache line read from it
   * is a miss in a large cache. The resourceVersion (for the duplicate check) is here as well as
   * in `metadata`, and the first captured `byField` value is here rather than in an array (an
   * array is two more objects to read, and about 100 bytes per cell).
   */
  #resourceVersion: string | undefined;
  /** The value captured at slot `FIRST_FIELD_SLOT` (the first `byField` path), or `NOT_CAPTURED`. */
  #firstField: unknown;
  /** The cache key (`namespace/name`), known good: a cell is only made for an object that has one. */
  readonly key: string;
  #text: string | undefined;
  #value: unknown;
  /**
   * The parse the cell was made from, kept until the cache has filed it in its indexes
   * ({@link EncodedObject.releaseDraft}), so an index that reads more than metadata costs no
   * second parse.
   */
  #draft: unknown;
  #typeMeta: { readonly apiVersion: string; readonly kind: string } | undefined;
  #indexed: IndexedValues | undefined;
  /** Values of the other `byField` paths the JSON scan picked out, from slot `FIRST_FIELD_SLOT + 1` on. */
  #moreFields: readonly unknown[] | undefined;

  constructor(
    text: string,
    metadata: CellMetadata,
    key: string,
    draft?: unknown,
    fields?: readonly unknown[],
  ) {
    this.#text = text;
    this.metadata = metadata;
    this.#resourceVersion = metadata.resourceVersion as string | undefined;
    this.key = key;
    this.#draft = draft;
    const captured = fields === undefined ? 0 : fields.length - FIRST_FIELD_SLOT;
    this.#firstField = captured > 0 ? fields?.[FIRST_FIELD_SLOT] : NOT_CAPTURED;
    this.#moreFields = captured > 1 ? fields?.slice(FIRST_FIELD_SLOT + 1) : undefined;
  }

  /** The cell's resourceVersion (its metadata's), read without reading the metadata. @internal */
  get resourceVersion(): string | undefined {
    return this.#resourceVersion;
  }

  /**
   * The value the JSON scan captured at the path of `slot` (`undefined` where the object has
   * none), or the cache's `NOT_CAPTURED` marker when this cell was not scanned for it (the snapshot
   * then reads a parse).
   */
  capturedField(slot: number): unknown {
    if (slot === FIRST_FIELD_SLOT) return this.#firstField;
    const more = this.#moreFields;
    const at = slot - FIRST_FIELD_SLOT - 1;
    return more !== undefined && at >= 0 && at < more.length ? more[at] : NOT_CAPTURED;
  }

  /**
   * This cell with `apiVersion` and `kind` filled in when the decoded object lacks either (list
   * items come without them), as the Reflector does for a decoded item. A cell not yet decoded
   * (a list's, fresh) records them for its decoding; a decoded one is replaced.
   */
  withTypeMeta(apiVersion: string, kind: string): EncodedObject {
    if (this.#text !== undefined) {
      this.#typeMeta = sharedTypeMeta(apiVersion, kind);
      return this;
    }
    const value = this.#value as KubeObject;
    if (value.apiVersion && value.kind) return this;
    const cell = new EncodedObject('', this.metadata, this.key);
    cell.#firstField = this.#firstField;
    cell.#moreFields = this.#moreFields;
    cell.#text = undefined;
    cell.#value = deepFreeze(withTypeMeta(value, { apiVersion, kind }));
    return cell;
  }

  /** The decoded object: parsed (or the draft) and deep-frozen on the first call, the same object after. */
  decode(): unknown {
    const text = this.#text;
    if (text !== undefined) {
      const parsed = this.#draft === undefined ? JSON.parse(text) : this.#draft;
      const value = deepFreeze(this.#typeMeta ? withTypeMeta(parsed, this.#typeMeta) : parsed);
      this.#value = value;
      this.#text = undefined;
      this.#draft = undefined;
      // The same values, decoded: a scan's view holds the text, which can go now.
      (this as { metadata: CellMetadata }).metadata = (value as KubeObject).metadata as CellMetadata;
    }
    return this.#value;
  }

  /**
   * The object for an index function that reads more than metadata, without decoding the cell
   * for good: the decoded object when there is one, else the draft, else a parse that is dropped
   * after. Index functions are pure (they get it read-only), so a throwaway parse is as good.
   */
  indexInput(): unknown {
    if (this.#text === undefined) return this.#value;
    const parsed = this.#draft === undefined ? JSON.parse(this.#text) : this.#draft;
    return this.#typeMeta ? withTypeMeta(parsed, this.#typeMeta) : parsed;
  }

  /** Drops the draft: the cache has filed the cell, and a later read parses the text. */
  releaseDraft(): void {
    this.#draft = undefined;
  }

  /** The values index `i` of `by` filed this cell under, if it computed them. */
  indexedValues(by: object, i: number): readonly string[] | undefined {
    return this.#indexed?.by === by ? this.#indexed.values[i] : undefined;
  }

  /** Records the values index `i` of `by` filed this cell under (read back when it leaves). */
  recordIndexedValues(by: object, i: number, values: readonly string[]): void {
    if (this.#indexed?.by !== by) this.#indexed = { by, values: [] };
    this.#indexed.values[i] = values;
  }

  /**
   * True when the cell's text (while it is encoded) begins with `prefix`: a look at the first
   * fields as the server wrote them, without decoding anything.
   */
  textStartsWith(prefix: string): boolean {
    return this.#text?.startsWith(prefix) === true;
  }

  /** True until the first {@link EncodedObject.decode}. */
  get encoded(): boolean {
    return this.#text !== undefined;
  }
}

/** {@link EncodedObject.capturedField} for a path the cell was not scanned for: read a parse. */
export const NOT_CAPTURED: unique symbol = Symbol('not captured');

let lastTypeMeta: { readonly apiVersion: string; readonly kind: string } | undefined;

/** One `{ apiVersion, kind }` for a run of cells of one resource (a list's), not one per cell. */
function sharedTypeMeta(
  apiVersion: string,
  kind: string,
): { readonly apiVersion: string; readonly kind: string } {
  if (lastTypeMeta?.apiVersion !== apiVersion || lastTypeMeta.kind !== kind)
    lastTypeMeta = { apiVersion, kind };
  return lastTypeMeta;
}

/**
 * `object` with `apiVersion`/`kind` filled in where missing (a copy; `object` itself when it has
 * both), as the Reflector does for list items, which the API server sends without them.
 *
 * @example
 * ```ts
 * withTypeMeta({ metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Pod' }); // { metadata, apiVersion: 'v1', kind: 'Pod' }
 * ```
 */
export function withTypeMeta<T>(
  object: T,
  typeMeta: { readonly apiVersion: string; readonly kind: string },
): T {
  const value = object as KubeObject;
  if (value.apiVersion && value.kind) return object;
  return {
    ...value,
    apiVersion: value.apiVersion ?? typeMeta.apiVersion,
    kind: value.kind ?? typeMeta.kind,
  } as T;
}

/**
 * A cell for `parsed`, the parse of `text`, or `undefined` when the cache would not admit it as it
 * is (not an object, no usable key, a resourceVersion that is not a non-empty string, nesting
 * deeper than `MAX_OBJECT_DEPTH`): such an object is passed on decoded, so it is reported and
 * turned away exactly as without deferring. `keepDraft` keeps the parse for the cache's indexes
 * (a watch event, filed at once); a list's items do not keep theirs (a whole list would wait).
 *
 * @example
 * ```ts
 * encodedObject('{"metadata":{"name":"a"}}', { metadata: { name: 'a' } }); // an EncodedObject
 * encodedObject('{"metadata":{"name":"a/b"}}', { metadata: { name: 'a/b' } }); // undefined
 * ```
 */
export function encodedObject(text: string, parsed: unknown, keepDraft = false): EncodedObject | undefined {
  // objectKey gives no key exactly where objectKeyProblem names a problem (for any object).
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const key = objectKey(parsed as KubeObject);
  if (key === undefined) return undefined;
  const meta = (parsed as KubeObject).metadata as CellMetadata;
  const rv = meta.resourceVersion;
  if (!cacheableResourceVersion(rv)) return undefined;
  // Most texts are too short for their count of arrays to nest past the limit: no walk.
  if (!textNestsWithinLimit(text) && !parsedNestsWithinLimit(parsed)) return undefined;
  const { name, namespace, uid, labels, ownerReferences } = meta;
  return new EncodedObject(
    text,
    { name, namespace, resourceVersion: rv, uid, labels, ownerReferences },
    key,
    keepDraft ? parsed : undefined,
  );
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
