/**
 * A cell made from a scan of the object's text instead of a parse (core/jsonScan.ts): the scan
 * checks that the text decodes and picks out the key, the resourceVersion and the captured fields
 * in about half the time of a `JSON.parse`, and builds nothing that dies at once. Labels and owner
 * references are kept as where they are in the text, and parsed when first read (a label
 * selector, `byLabel`, `byOwner`), since most caches never read them.
 *
 * What a scanned cell promises is what a parsed one does (core/encodedObject.ts): it is made only
 * for an object the cache would admit (a key, a non-empty string resourceVersion if any, no
 * deeper than the limit), and every value read from it is what the parse of its text has there.
 * A text the scan does not decide, or an object it would not admit, gets no scanned cell; the
 * caller parses it, which then decides and reports exactly as before.
 */
import {
  captureSetup,
  FIRST_FIELD_SLOT,
  LABELS_SLOT,
  NAME_SLOT,
  NAMESPACE_SLOT,
  OWNER_REFERENCES_SLOT,
  RESOURCE_VERSION_SLOT,
  UID_SLOT,
} from './capturedPaths.js';
import { type CellMetadata, EncodedObject } from './encodedObject.js';
import { scanJson } from './jsonScan.js';
import { cacheableResourceVersion, objectKey } from './objects.js';
import { sharedString } from './sharedStrings.js';

/** Where each captured value is in the text being scanned (two entries per slot; -1: absent). */
let spans = new Int32Array(64);

const UNREAD: unique symbol = Symbol('unread');

/** A cell's metadata read from its text: labels and owner references parsed on first read. */
class ScannedMetadata implements CellMetadata {
  readonly #text: string;
  readonly #labelsStart: number;
  readonly #labelsEnd: number;
  readonly #ownersStart: number;
  readonly #ownersEnd: number;
  #labels: unknown = UNREAD;
  #ownerReferences: unknown = UNREAD;

  constructor(
    readonly name: string,
    readonly namespace: unknown,
    readonly resourceVersion: string | undefined,
    readonly uid: unknown,
    text: string,
    labelsStart: number,
    labelsEnd: number,
    ownersStart: number,
    ownersEnd: number,
  ) {
    this.#text = text;
    this.#labelsStart = labelsStart;
    this.#labelsEnd = labelsEnd;
    this.#ownersStart = ownersStart;
    this.#ownersEnd = ownersEnd;
  }

  get labels(): unknown {
    if (this.#labels === UNREAD) this.#labels = valueAt(this.#text, this.#labelsStart, this.#labelsEnd);
    return this.#labels;
  }

  get ownerReferences(): unknown {
    if (this.#ownerReferences === UNREAD)
      this.#ownerReferences = valueAt(this.#text, this.#ownersStart, this.#ownersEnd);
    return this.#ownerReferences;
  }
}

/**
 * A cell for the object whose JSON text is `text`, or `undefined` when the scan does not decide
 * the text or the cache would not admit the object as it is: parse it then.
 *
 * @example
 * ```ts
 * scannedObject('{"metadata":{"name":"a","namespace":"b"}}')?.key; // 'b/a'
 * scannedObject('{"metadata":{"name":"a"},}'); // undefined: parse it (which fails)
 * ```
 */
export function scannedObject(text: string): EncodedObject | undefined {
  const { trie, slots } = captureSetup();
  if (spans.length < 2 * slots) spans = new Int32Array(2 * slots);
  spans.fill(-1, 0, 2 * slots);
  if (!scanJson(text, trie, spans)) return undefined;
  const namespace = shared(captured(text, NAMESPACE_SLOT));
  // The name as cut out of the text (a view of it), only to make the key from: the cell keeps
  // the part of the key that is the name instead, so the text is not held and no third copy made.
  const cut = captured(text, NAME_SLOT, false);
  const viewKey = objectKey({ metadata: { name: cut, namespace } as never });
  if (viewKey === undefined) return undefined;
  const length = (cut as string).length;
  // A cluster-scoped object's key is its name: the view then becomes a copy.
  const key = viewKey.length === length ? copied(viewKey) : viewKey;
  const name = key.length === length ? key : key.slice(key.length - length);
  const resourceVersion = captured(text, RESOURCE_VERSION_SLOT);
  if (!cacheableResourceVersion(resourceVersion)) return undefined;
  const metadata = new ScannedMetadata(
    name,
    namespace,
    resourceVersion as string | undefined,
    captured(text, UID_SLOT),
    text,
    spans[2 * LABELS_SLOT] as number,
    spans[2 * LABELS_SLOT + 1] as number,
    spans[2 * OWNER_REFERENCES_SLOT] as number,
    spans[2 * OWNER_REFERENCES_SLOT + 1] as number,
  );
  let fields: unknown[] | undefined;
  if (slots > FIRST_FIELD_SLOT) {
    fields = new Array(slots);
    for (let slot = FIRST_FIELD_SLOT; slot < slots; slot++) fields[slot] = shared(captured(text, slot));
  }
  return new EncodedObject(text, metadata, key, undefined, fields);
}

/** `value` as the one string equal values share (see sharedStrings.ts), when it is a string. */
function shared(value: unknown): unknown {
  return typeof value === 'string' ? sharedString(value) : value;
}

/** The value the last scan captured into `slot`; a string is a view of the text unless `copy`. */
function captured(text: string, slot: number, copy = true): unknown {
  return valueAt(text, spans[2 * slot] as number, spans[2 * slot + 1] as number, copy);
}

/**
 * The value from `start` to `end` in `text`: `undefined` when absent (`start` < 0), a string
 * without escapes cut out of the text (copied, so it does not hold the text, unless `copy` is
 * false), anything else parsed.
 */
function valueAt(text: string, start: number, end: number, copy = true): unknown {
  if (start < 0) return undefined;
  if (text.charCodeAt(start) === 0x22 && !hasBackslash(text, start + 1, end - 1)) {
    const piece = text.slice(start + 1, end - 1);
    return copy ? copied(piece) : piece;
  }
  return JSON.parse(text.slice(start, end));
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 0x5c) return true;
  return false;
}

/**
 * `piece` as a string of its own. V8 makes a slice of 13 or more characters a view that keeps the
 * whole text alive; a key or an index value outlives its cell's text (dropped once decoded), so it
 * must not be a view. Joining two parts makes V8 copy the characters into one flat string (a
 * template would make a cons string, and slicing that a view of its flattened copy: two objects).
 */
function copied(piece: string): string {
  return piece.length < 13 ? piece : [piece.slice(0, 1), piece.slice(1)].join('');
}
