/**
 * Checks that a text is one JSON value without building it, and picks out the values at a few
 * paths (an object's name, namespace, labels; a field an index reads) while it goes. The cache
 * keeps an object as its text and decodes it on first read (core/encodedObject.ts); it must know
 * on arrival that the text decodes, and what its key is. A full `JSON.parse` answers both but
 * builds a few hundred objects that die at once; this scan answers them in about half the time,
 * because it skips the inside of each string with one native `indexOf`.
 *
 * The scan is sound, not complete: `true` means `JSON.parse(text)` succeeds, gives exactly the
 * captured values at their paths, and nests no deeper than `MAX_OBJECT_DEPTH`. `false` means only
 * "not decided here", and the caller parses the text the ordinary way, which then decides (and
 * reports) exactly as without the scan. Rules, each checked before the scan trusts the text:
 * - No character below U+0020 anywhere (one native regex test first, which must match the whole
 *   text: a greedy run to the end is about a fifth cheaper than searching for one of them). JSON
 *   forbids them raw in strings, and allows only `\t`, `\n`, `\r` between tokens; a Go server
 *   writes compact JSON with none of them, so the scan accepts no whitespace but the space.
 * - Strings: the next `"` ends a string that has no backslash before it; from a backslash on, the
 *   string is walked character by character, and an escape must be one of JSON's eight or `\u`
 *   with four hex digits.
 * - Numbers, `true`, `false`, `null`: JSON's grammar exactly.
 * - Containers: brackets must match; after a value comes `,` or the closing bracket; an object's
 *   members are a string key, `:`, a value. A container deeper than the limit is not decided here.
 * - Captures: a key on a captured path that has a backslash is not decided here (its decoded
 *   text might differ from the raw one). A key that repeats on a path with captures below it is
 *   not decided either (`JSON.parse` keeps the last value, and the earlier one's captures would
 *   be stale). A captured leaf that repeats keeps the last value, as `JSON.parse` does. A captured
 *   value is `JSON.parse` of its own text, so it is what the full parse has at that path.
 */
import { MAX_OBJECT_DEPTH } from './objects.js';

/**
 * The paths a scan captures, as a trie over object keys: `keys[i]` leads to `next[i]`, a node
 * (go on into an object there) or a number (capture the value there into that slot).
 */
export interface CaptureTrie {
  readonly keys: readonly string[];
  readonly next: readonly (CaptureTrie | number)[];
  /** This node's own bit, for telling a repeated key on the path; at most 30 nodes per trie. */
  readonly bit: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const NO_CONTROL = /^[^\u0000-\u001f]*$/;
const OBJECT = 1;
const ARRAY = 2;
/** Open containers allowed: the top level is depth 0, and `MAX_OBJECT_DEPTH` the deepest. */
const MAX_OPEN = MAX_OBJECT_DEPTH + 1;

// One scan at a time (the scan never calls out): the stacks are shared, not allocated per text.
const kinds = new Uint8Array(MAX_OPEN + 1);
const tries: (CaptureTrie | undefined)[] = new Array(MAX_OPEN + 1).fill(undefined);
const slots = new Int32Array(MAX_OPEN + 1);
const starts = new Int32Array(MAX_OPEN + 1);

/**
 * True when `text` is certainly one JSON value within the depth limit. Then `spans` holds, for
 * each slot of `root` whose path the text has, where its value starts and ends (`2 * slot` and
 * `2 * slot + 1`); a slot whose path the text lacks is left as it was. `false`: parse it to decide.
 *
 * @example
 * ```ts
 * const spans = new Int32Array(2).fill(-1);
 * const trie = { keys: ['metadata'], next: [{ keys: ['name'], next: [0], bit: 2 }], bit: 1 };
 * scanJson('{"metadata":{"name":"a"}}', trie, spans); // true; spans is [20, 23]: '"a"'
 * ```
 */
export function scanJson(text: string, root: CaptureTrie | undefined, spans: Int32Array): boolean {
  if (!NO_CONTROL.test(text)) return false;
  const n = text.length;
  let i = 0;
  let depth = 0;
  let backslash = nextBackslash(text, 0);
  let seen = 0;
  let pendingTrie: CaptureTrie | undefined = root;
  let pendingSlot = -1;
  let c = 0;
  for (;;) {
    // A value starts at i (after spaces).
    c = text.charCodeAt(i);
    while (c === 32) c = text.charCodeAt(++i);
    const trie = pendingTrie;
    const slot = pendingSlot;
    pendingTrie = undefined;
    pendingSlot = -1;
    if (c === 0x7b || c === 0x5b) {
      if (depth >= MAX_OPEN) return false;
      // A path can go on into an array by index (`byField('a.0')`); the trie only follows keys.
      if (c === 0x5b && trie !== undefined) return false;
      kinds[depth] = c === 0x7b ? OBJECT : ARRAY;
      tries[depth] = c === 0x7b ? trie : undefined;
      slots[depth] = slot;
      starts[depth] = i;
      depth++;
      c = text.charCodeAt(++i);
      while (c === 32) c = text.charCodeAt(++i);
      // An empty container is closed below; otherwise its first item or member follows.
      if (!closes(c, kinds[depth - 1] as number)) {
        if (kinds[depth - 1] === ARRAY) continue;
        const at = member(text, i, backslash, tries[depth - 1], seen);
        if (at === undefined) return false;
        ({ i, backslash, seen, pendingTrie, pendingSlot } = at);
        continue;
      }
    } else {
      const end = c === 0x22 ? stringEnd(text, i, backslash) : scalarEnd(text, i, c);
      if (end < 0) return false;
      if (end > backslash) backslash = nextBackslash(text, end);
      if (slot >= 0) {
        spans[2 * slot] = i;
        spans[2 * slot + 1] = end;
      }
      i = end;
      c = text.charCodeAt(i);
      while (c === 32) c = text.charCodeAt(++i);
    }
    // After a value: close containers, or go on to the next member or item.
    for (;;) {
      if (depth === 0) return i === n;
      const kind = kinds[depth - 1] as number;
      if (closes(c, kind)) {
        depth--;
        i++;
        const captured = slots[depth] as number;
        if (captured >= 0) {
          spans[2 * captured] = starts[depth] as number;
          spans[2 * captured + 1] = i;
        }
        // The text's last bracket: only spaces may follow. Not reading past the end here keeps
        // the optimised scan from being thrown away at its first text (an out-of-bounds read).
        if (depth === 0) return onlySpacesFrom(text, i);
        c = text.charCodeAt(i);
        while (c === 32) c = text.charCodeAt(++i);
        continue;
      }
      if (c !== 0x2c) return false;
      i++;
      if (kind === OBJECT) {
        const at = member(text, i, backslash, tries[depth - 1], seen);
        if (at === undefined) return false;
        ({ i, backslash, seen, pendingTrie, pendingSlot } = at);
      }
      break;
    }
  }
}

/** True when `text` has nothing but spaces from `i` on. */
function onlySpacesFrom(text: string, i: number): boolean {
  const n = text.length;
  while (i < n && text.charCodeAt(i) === 32) i++;
  return i === n;
}

function closes(c: number, kind: number): boolean {
  return kind === OBJECT ? c === 0x7d : c === 0x5d;
}

/** Where the scan stands after an object member's key and `:`. */
interface AfterKey {
  i: number;
  backslash: number;
  seen: number;
  pendingTrie: CaptureTrie | undefined;
  pendingSlot: number;
}

const afterKey: AfterKey = { i: 0, backslash: 0, seen: 0, pendingTrie: undefined, pendingSlot: -1 };

/** Reads `"key" :` from `i` (spaces allowed around), matching the key against `trie`. */
function member(
  text: string,
  i: number,
  backslash: number,
  trie: CaptureTrie | undefined,
  seen: number,
): AfterKey | undefined {
  let c = text.charCodeAt(i);
  while (c === 32) c = text.charCodeAt(++i);
  if (c !== 0x22) return undefined;
  const end = stringEnd(text, i, backslash);
  if (end < 0) return undefined;
  afterKey.pendingTrie = undefined;
  afterKey.pendingSlot = -1;
  if (trie !== undefined) {
    // A key with an escape on a captured path: its decoded form is not its text.
    if (end > backslash) return undefined;
    const length = end - i - 2;
    const { keys, next } = trie;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      if (key.length !== length || !text.startsWith(key, i + 1)) continue;
      const to = next[k] as CaptureTrie | number;
      if (typeof to === 'number') afterKey.pendingSlot = to;
      else {
        if ((seen & to.bit) !== 0) return undefined;
        seen |= to.bit;
        afterKey.pendingTrie = to;
      }
      break;
    }
  }
  if (end > backslash) backslash = nextBackslash(text, end);
  i = end;
  c = text.charCodeAt(i);
  while (c === 32) c = text.charCodeAt(++i);
  if (c !== 0x3a) return undefined;
  afterKey.i = i + 1;
  afterKey.backslash = backslash;
  afterKey.seen = seen;
  return afterKey;
}

function nextBackslash(text: string, from: number): number {
  const at = text.indexOf('\\', from);
  return at < 0 ? text.length : at;
}

/** The index after the string that opens at `i`, or -1; `backslash` is the first one at or after `i`. */
function stringEnd(text: string, i: number, backslash: number): number {
  let quote = text.indexOf('"', i + 1);
  if (quote < 0) return -1;
  if (quote < backslash) return quote + 1;
  // Escapes inside: check each, and jump from one to the next (or to the closing quote).
  let at = backslash;
  for (;;) {
    const e = text.charCodeAt(at + 1);
    if (e === 0x75) {
      for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(at + k))) return -1;
      at += 6;
    } else if (isEscape(e)) at += 2;
    else return -1;
    if (quote < at) {
      quote = text.indexOf('"', at);
      if (quote < 0) return -1;
    }
    at = text.indexOf('\\', at);
    if (at < 0 || at > quote) return quote + 1;
  }
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** `"`, `\`, `/`, `b`, `f`, `n`, `r`, `t`. */
function isEscape(c: number): boolean {
  return (
    c === 0x22 ||
    c === 0x5c ||
    c === 0x2f ||
    c === 0x62 ||
    c === 0x66 ||
    c === 0x6e ||
    c === 0x72 ||
    c === 0x74
  );
}

/** The index after the number or literal that starts at `i` with `c`, or -1. */
function scalarEnd(text: string, i: number, c: number): number {
  if (c === 0x74) return text.startsWith('true', i) ? i + 4 : -1;
  if (c === 0x66) return text.startsWith('false', i) ? i + 5 : -1;
  if (c === 0x6e) return text.startsWith('null', i) ? i + 4 : -1;
  if (c === 0x2d) c = text.charCodeAt(++i);
  if (c === 0x30) c = text.charCodeAt(++i);
  else if (isDigit(c)) {
    do c = text.charCodeAt(++i);
    while (isDigit(c));
  } else return -1;
  if (c === 0x2e) {
    c = text.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    do c = text.charCodeAt(++i);
    while (isDigit(c));
  }
  if (c === 0x65 || c === 0x45) {
    c = text.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    do c = text.charCodeAt(++i);
    while (isDigit(c));
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
