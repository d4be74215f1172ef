/**
 * A list response whose items are kept as their JSON text, each decoded on first read (see
 * core/encodedObject.ts): the list half of `deferDecoding`. The page is never parsed as a whole;
 * each item's bytes are cut out and checked on their own (scanned, or parsed where the scan is
 * unsure; core/scannedObject.ts), so the cache holds one string per item instead of a decoded page.
 *
 * How the items are found without a JSON tokenizer: an API server writes a list as
 * `{...,"items":[<item>,<item>,...]}` and every item of a page starts the same way (`{"metadata":`
 * for built-in kinds, `{"apiVersion":` for custom resources). So the items are cut at each `},`
 * followed by that start. A cut that falls inside an item (an array of objects that start the same
 * way, like a StatefulSet's volumeClaimTemplates) leaves a text that is not one JSON value; the
 * item is then extended to the next cut. A text that checks is exactly one JSON value, so it is the
 * whole item. The rest of the page (everything but the items) is parsed on its own and must have an
 * empty `items` there. Whatever does not fit this shape, or needs more than a few extensions,
 * returns `undefined`, and the caller parses the page the ordinary way: the result is then the same
 * as without deferring, errors included.
 */
import type { ListResult } from '../core/client.js';
import { encodedObject } from '../core/encodedObject.js';
import { scannedObject } from '../core/scannedObject.js';

const ITEMS = Buffer.from('"items":[');
const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
/** Cuts inside one item the cutter tries before the page is parsed the ordinary way instead. */
const MAX_EXTENSIONS = 16;

/** The bytes every item boundary of this page looks like: `},` and the first item's first key. */
function boundaryOf(body: Buffer, first: number): Buffer | undefined {
  if (body[first] !== OPEN_BRACE || body[first + 1] !== QUOTE) return undefined;
  const keyEnd = body.indexOf(QUOTE, first + 2);
  if (keyEnd < 0 || body.subarray(first + 2, keyEnd).includes(BACKSLASH)) return undefined;
  return Buffer.concat([Buffer.from('},'), body.subarray(first, keyEnd + 2)]);
}

/** What {@link itemOf} gives for a text that is not one JSON value (a cut inside an item). */
const NOT_A_VALUE: unique symbol = Symbol('not a value');

/**
 * One item: a cell when the cache can defer it (from a scan, or else a parse), else the parsed
 * value as it is; {@link NOT_A_VALUE} when `text` is not one JSON value.
 */
function itemOf(text: string): unknown {
  const cell = scannedObject(text);
  if (cell !== undefined) return cell;
  const parsed = tryParse(text);
  if (parsed === undefined) return NOT_A_VALUE;
  return encodedObject(text, parsed.value) ?? parsed.value;
}

function tryParse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * The list in `body` with its items deferred, or `undefined` to parse it the ordinary way.
 *
 * @example
 * ```ts
 * const page = deferredList(Buffer.from('{"metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"a"}}]}'));
 * page?.items[0]; // an EncodedObject for "a"
 * ```
 */
export function deferredList(body: Buffer): ListResult<unknown> | undefined {
  const itemsAt = body.indexOf(ITEMS);
  if (itemsAt < 0) return undefined;
  const first = itemsAt + ITEMS.length;
  const boundary = boundaryOf(body, first);
  if (boundary === undefined) return undefined;
  const close = body.lastIndexOf(CLOSE_BRACKET);
  if (close <= first || body[close - 1] !== CLOSE_BRACE) return undefined;
  const items: unknown[] = [];
  let extensions = 0;
  let start = first;
  let searchFrom = first;
  for (;;) {
    const cut = body.indexOf(boundary, searchFrom);
    const last = cut < 0 || cut >= close;
    const end = last ? close : cut + 1;
    const text = body.toString('utf8', start, end);
    const item = itemOf(text);
    if (item === NOT_A_VALUE) {
      if (last || ++extensions > MAX_EXTENSIONS) return undefined;
      searchFrom = cut + 1;
      continue;
    }
    items.push(item);
    if (last) break;
    start = cut + 2;
    searchFrom = start;
    extensions = 0;
  }
  return listAround(body.toString('utf8', 0, first), body.toString('utf8', close), items);
}

/**
 * The list whose text is `prefix` + the items + `suffix`, with `items`, or undefined. The rest of
 * the page is parsed with a marker where the items were cut, and the list's own `items` must be
 * that marker: a cut at a nested `"items":[` (or at the first of two `items` keys) is not the
 * list's, and the page is then parsed the ordinary way.
 */
function listAround(prefix: string, suffix: string, items: unknown[]): ListResult<unknown> | undefined {
  const rest = tryParse(`${prefix}0${suffix}`);
  const list = rest?.value as { items?: unknown } | undefined;
  if (list === null || typeof list !== 'object' || Array.isArray(list)) return undefined;
  const marker = list.items;
  if (!Array.isArray(marker) || marker.length !== 1 || marker[0] !== 0) return undefined;
  return { ...(list as ListResult<unknown>), items };
}

/** Items longer than this without a cut are left to {@link deferredList} at the end of the body. */
const MAX_PENDING_BYTES = 1 << 20;

/**
 * {@link deferredList} as the body arrives: each item is cut and parsed as soon as its bytes are in,
 * so decoding a page overlaps its transfer instead of following it. `end` returns the list, or
 * `undefined` for the ordinary parse; when the page does not fit the shape as it streams (or an
 * item grows past 1 MiB), `end` tries {@link deferredList} on the whole body first.
 *
 * @example
 * ```ts
 * const reader = new DeferredListReader();
 * for (const chunk of chunks) reader.write(chunk);
 * reader.end(Buffer.concat(chunks));
 * ```
 */
export class DeferredListReader {
  /** Bytes before the items (while looking for them), then the list's prefix up to `[`. */
  private head: Buffer = Buffer.alloc(0);
  private inItems = false;
  /** Bytes from the start of the current item on. */
  private pending: Buffer = Buffer.alloc(0);
  private boundary: Buffer | undefined;
  private searchFrom = 0;
  private extensions = 0;
  private readonly items: unknown[] = [];
  /** The streaming cut gave up; `end` decides from the whole body. */
  private gaveUp = false;

  /** Feeds the next chunk of the body. */
  write(chunk: Buffer): void {
    if (this.gaveUp) return;
    if (!this.inItems) {
      this.head = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
      const at = this.head.indexOf(ITEMS);
      if (at < 0) {
        if (this.head.length > MAX_PENDING_BYTES) this.gaveUp = true;
        return;
      }
      const first = at + ITEMS.length;
      this.pending = this.head.subarray(first);
      this.head = Buffer.from(this.head.subarray(0, first));
      this.inItems = true;
    } else {
      this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    }
    this.cut();
  }

  /**
   * The list, or undefined for the ordinary parse. `body` is the whole body, or a function that
   * makes it: it is only needed when the cut as the chunks came gave up.
   */
  end(body: Buffer | (() => Buffer)): ListResult<unknown> | undefined {
    const whole = () => deferredList(typeof body === 'function' ? body() : body);
    if (this.gaveUp || !this.inItems) return whole();
    const pending = this.pending;
    const close = pending.lastIndexOf(CLOSE_BRACKET);
    if (close <= 0 || pending[close - 1] !== CLOSE_BRACE) return whole();
    const text = pending.toString('utf8', 0, close);
    const item = itemOf(text);
    if (item === NOT_A_VALUE) return whole();
    this.items.push(item);
    return listAround(this.head.toString('utf8'), pending.toString('utf8', close), this.items);
  }

  /** Cuts and parses every complete item in `pending`. */
  private cut(): void {
    if (this.boundary === undefined) {
      // The first item's first key, and the colon after it, must be in before the boundary is known.
      const keyEnd = this.pending.indexOf(QUOTE, 2);
      if (keyEnd < 0 || this.pending.length < keyEnd + 2) return;
      this.boundary = boundaryOf(this.pending, 0);
      if (this.boundary === undefined) {
        this.gaveUp = true;
        return;
      }
    }
    const boundary = this.boundary;
    for (;;) {
      const cut = this.pending.indexOf(boundary, this.searchFrom);
      if (cut < 0) {
        this.searchFrom = Math.max(0, this.pending.length - boundary.length + 1);
        if (this.pending.length > MAX_PENDING_BYTES) this.gaveUp = true;
        return;
      }
      const text = this.pending.toString('utf8', 0, cut + 1);
      const item = itemOf(text);
      if (item === NOT_A_VALUE) {
        if (++this.extensions > MAX_EXTENSIONS) {
          this.gaveUp = true;
          return;
        }
        this.searchFrom = cut + 1;
        continue;
      }
      this.items.push(item);
      this.pending = this.pending.subarray(cut + 2);
      this.searchFrom = 0;
      this.extensions = 0;
    }
  }
}
