/**
 * A list response whose items are kept as their JSON text, each decoded on first read (see
 * core/encodedObject.ts): the list half of `deferDecoding`. The page is never parsed as a whole;
 * each item's bytes are cut out and parsed on their own (to check them and read their key), and the
 * parse is dropped, so the cache holds one string per item instead of a decoded page.
 *
 * How the items are found without a JSON tokenizer: an API server writes a list as
 * `{...,"items":[<item>,<item>,...]}` and every item of a page starts the same way (`{"metadata":`
 * for built-in kinds, `{"apiVersion":` for custom resources). So the items are cut at each `},`
 * followed by that start. A cut that falls inside an item (an array of objects that start the same
 * way, like a StatefulSet's volumeClaimTemplates) leaves a text that does not parse; the item is
 * then extended to the next cut. A text that parses is exactly one JSON value, so it is the whole
 * item. The rest of the page (everything but the items) is parsed on its own and must have an
 * empty `items` there. Whatever does not fit this shape, or needs more than a few extensions,
 * returns `undefined`, and the caller parses the page the ordinary way: the result is then the same
 * as without deferring, errors included.
 */
import type { ListResult } from '../core/client.js';
import { cellMetadata, EncodedObject } from '../core/encodedObject.js';
import { parsedNestsWithinLimit } from '../core/objects.js';

const ITEMS = Buffer.from('"items":[');
const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
/** Cuts inside items a page may meet before it is parsed the ordinary way instead. */
const MAX_EXTENSIONS = 64;

/** The bytes every item boundary of this page looks like: `},` and the first item's first key. */
function boundaryOf(body: Buffer, first: number): Buffer | undefined {
  if (body[first] !== OPEN_BRACE || body[first + 1] !== QUOTE) return undefined;
  const keyEnd = body.indexOf(QUOTE, first + 2);
  if (keyEnd < 0 || body.subarray(first + 2, keyEnd).includes(BACKSLASH)) return undefined;
  return Buffer.concat([Buffer.from('},'), body.subarray(first, keyEnd + 2)]);
}

/** One item: a cell when the cache can defer it, else the parsed value as it is. */
function itemOf(text: string, parsed: unknown): unknown {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
  const metadata = cellMetadata(parsed);
  if (metadata === undefined || !parsedNestsWithinLimit(parsed)) return parsed;
  return new EncodedObject(text, metadata);
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
    const parsed = tryParse(text);
    if (parsed === undefined) {
      if (last || ++extensions > MAX_EXTENSIONS) return undefined;
      searchFrom = cut + 1;
      continue;
    }
    items.push(itemOf(text, parsed.value));
    if (last) break;
    start = cut + 2;
    searchFrom = start;
  }
  const rest = tryParse(body.toString('utf8', 0, first) + body.toString('utf8', close));
  const list = rest?.value as { items?: unknown } | undefined;
  if (list === null || typeof list !== 'object' || Array.isArray(list)) return undefined;
  if (!Array.isArray(list.items) || list.items.length !== 0) return undefined;
  return { ...(list as ListResult<unknown>), items };
}
