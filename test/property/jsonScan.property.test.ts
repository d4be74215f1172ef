/**
 * The JSON scan (core/jsonScan.ts) lets a cell skip `JSON.parse` on arrival, so what it says has to
 * be what the parse would say. It is sound: whenever `scanJson` returns true, `JSON.parse` takes
 * the text, the parse nests no deeper than `MAX_OBJECT_DEPTH`, every captured span parses to the
 * value an own-property walk of the parse finds at that slot's path (the last of repeated keys, as
 * `JSON.parse` keeps), and every slot it leaves unset has no value in the parse. That must hold for
 * any text, so it is checked on generated JSON (repeated keys, escaped keys, escapes in strings,
 * every number form, every JSON whitespace), on those texts with a few characters deleted,
 * inserted, replaced or copied (mostly not JSON any more), and on texts nested right at the limit.
 *
 * It is also complete where it matters: on generated JSON it decides exactly the texts its
 * documented rules do not turn away (no character below U+0020, no escaped key and no repeated key
 * on a captured path, no array on one, nothing too deep), so it decides all of JSON.stringify's
 * output that has no array on a captured path. And a scanned cell (core/scannedObject.ts) is the
 * cell a parse would make: the same key, the same metadata, the same decoded object.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { captureSetup, captureSlot } from '../../src/core/capturedPaths.js';
import { type EncodedObject, encodedObject, readObject } from '../../src/core/encodedObject.js';
import { type CaptureTrie, scanJson } from '../../src/core/jsonScan.js';
import { type KubeObject, MAX_OBJECT_DEPTH, parsedNestsWithinLimit } from '../../src/core/objects.js';
import { scannedObject } from '../../src/core/scannedObject.js';
import { cellMetadata } from '../support/cellMetadata.js';

// ---- Captured paths, and what the parse has at them ----

/** The paths the scan captures here, by slot: a cell's metadata, a byField path, and a deeper one. */
const PATHS: readonly (readonly string[])[] = [
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'resourceVersion'],
  ['metadata', 'uid'],
  ['metadata', 'labels'],
  ['metadata', 'ownerReferences'],
  ['spec', 'nodeName'],
  ['spec', 'template', 'nodeName'],
];

/** {@link PATHS} as a trie, written out (not the process-wide registry's). */
const TRIE: CaptureTrie = {
  keys: ['metadata', 'spec'],
  next: [
    {
      keys: ['name', 'namespace', 'resourceVersion', 'uid', 'labels', 'ownerReferences'],
      next: [0, 1, 2, 3, 4, 5],
      bit: 2,
    },
    { keys: ['nodeName', 'template'], next: [6, { keys: ['nodeName'], next: [7], bit: 8 }], bit: 4 },
  ],
  bit: 1,
};

const TRIES: readonly [string, CaptureTrie | undefined][] = [
  ['captured paths', TRIE],
  ['no captures', undefined],
];

type Found = { found: true; value: unknown } | { found: false };

/** The value at `path` in a parse, walking own properties of non-array objects only. */
function valueAtPath(parsed: unknown, path: readonly string[]): Found {
  let value = parsed;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key))
      return { found: false };
    value = (value as Record<string, unknown>)[key];
  }
  return { found: true, value };
}

/** Containers on the deepest path of a parse: within the limit means at most MAX_OBJECT_DEPTH + 1. */
function containers(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const item of Object.values(value)) deepest = Math.max(deepest, containers(item));
  return deepest + 1;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

const spans = new Int32Array(2 * PATHS.length);

/** `scanJson` with every span reset first. */
function scan(text: string, trie: CaptureTrie | undefined): boolean {
  spans.fill(-1);
  return scanJson(text, trie, spans);
}

/**
 * Scans `text` and, when the scan decides it, checks all the scan promises against `JSON.parse`.
 * Returns whether the scan decided it.
 */
function expectSound(text: string, trie: CaptureTrie | undefined): boolean {
  if (!scan(text, trie)) return false;
  const where = JSON.stringify(text);
  let parsed: unknown;
  expect(() => {
    parsed = JSON.parse(text);
  }, `decided, yet JSON.parse throws: ${where}`).not.toThrow();
  expect(containers(parsed), `decided, yet too deep: ${where}`).toBeLessThanOrEqual(MAX_OBJECT_DEPTH + 1);
  PATHS.forEach((path, slot) => {
    const start = spans[2 * slot] as number;
    const end = spans[2 * slot + 1] as number;
    const found: Found = trie === undefined ? { found: false } : valueAtPath(parsed, path);
    const name = `${path.join('.')} in ${where}`;
    if (start < 0) {
      expect(start, name).toBe(-1);
      expect(end, name).toBe(-1);
      expect(found.found, `nothing captured, yet the parse has ${name}`).toBe(false);
    } else {
      if (!found.found) expect.fail(`captured, yet the parse lacks ${name}`);
      expect(start < end && end <= text.length, name).toBe(true);
      const piece = text.slice(start, end);
      expect(JSON.parse(piece), `${name} captured as ${piece}`).toStrictEqual(found.value);
    }
  });
  return true;
}

// ---- Generated JSON, token by token ----

/** JSON as its tokens: scalars as their text, keys as their text and what they decode to. */
type Json =
  | { readonly kind: 'scalar'; readonly text: string }
  | { readonly kind: 'array'; readonly items: readonly Json[] }
  | { readonly kind: 'object'; readonly members: readonly Member[] };
interface Member {
  readonly key: string;
  readonly raw: string;
  readonly value: Json;
}

/**
 * How one code unit of a string is written: as is (escaped only where JSON needs it, as
 * JSON.stringify does), as `\u` with lower- or upper-case hex, or in its two-character form (`\/`).
 */
type Escape = 'as is' | 'u' | 'U' | 'short';
const SHORT: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** `value` as a JSON string literal, code unit `i` written as `escapes[i % length]` says. */
function quoted(value: string, escapes: readonly Escape[]): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const unit = value[i] as string;
    const how = escapes.length === 0 ? 'as is' : (escapes[i % escapes.length] as Escape);
    const hex = value.charCodeAt(i).toString(16).padStart(4, '0');
    if (how === 'u') out += `\\u${hex}`;
    else if (how === 'U') out += `\\u${hex.toUpperCase()}`;
    else if (how === 'short' && SHORT[unit] !== undefined) out += SHORT[unit];
    else out += JSON.stringify(unit).slice(1, -1);
  }
  return `${out}"`;
}

/** How a string is escaped: as JSON.stringify would, `plain` times out of `plain + 1`; else at random. */
const escapesArb = (plain: number): fc.Arbitrary<readonly Escape[]> =>
  fc.oneof(
    { weight: plain, arbitrary: fc.constant<readonly Escape[]>([]) },
    {
      weight: 1,
      arbitrary: fc.array(fc.constantFrom<Escape>('as is', 'as is', 'u', 'U', 'short'), {
        minLength: 1,
        maxLength: 4,
      }),
    },
  );

/** Characters of strings and keys: mostly plain, often ones JSON escapes or that are not ASCII. */
const charArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...'abemnz0-./') },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '"',
      '\\',
      '/',
      '\u0000',
      '\u001f',
      '\t',
      '\n',
      '\r',
      '\b',
      '\f',
      ' ',
      '\u2028',
      '\ud800',
      '\udfff',
      'é',
      '😀',
    ),
  },
);
const textArb = fc.array(charArb, { maxLength: 8 }).map((chars) => chars.join(''));

/** A JSON string literal for a string from `arb`, written with random escapes now and then. */
const literal = (arb: fc.Arbitrary<string>, plain = 3) =>
  fc.tuple(arb, escapesArb(plain)).map(([value, escapes]) => ({ value, raw: quoted(value, escapes) }));

const CAPTURED_KEYS = [
  'metadata',
  'spec',
  'name',
  'namespace',
  'resourceVersion',
  'uid',
  'labels',
  'ownerReferences',
  'nodeName',
  'template',
];
const OTHER_KEYS = ['', 'app', 'nam', 'names', 'Name', 'name ', '__proto__', 'items'];
const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CAPTURED_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...OTHER_KEYS) },
  { weight: 1, arbitrary: textArb },
);

const digits = (minLength: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength, maxLength: 4 });
const numberArb = fc.oneof(
  fc.constantFrom(
    '0',
    '-0',
    '1',
    '-1',
    '0.0',
    '-0.0',
    '1e5',
    '1E5',
    '1e+5',
    '1E-5',
    '1.5E-3',
    '-1.5e+300',
    '1e400',
    '-1e-400',
    '0e0',
    '5e-324',
    '123456789012345678901234567890',
  ),
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.oneof(
        fc.constant('0'),
        fc.tuple(fc.constantFrom(...'123456789'), digits(0)).map(([d, ds]) => d + ds),
      ),
      fc.oneof(
        fc.constant(''),
        digits(1).map((ds) => `.${ds}`),
      ),
      fc.oneof(
        fc.constant(''),
        fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1)).map((p) => p.join('')),
      ),
    )
    .map((parts) => parts.join('')),
);

const scalar = (text: string): Json => ({ kind: 'scalar', text });
const stringArb: fc.Arbitrary<Json> = literal(textArb).map(({ raw }) => scalar(raw));
const scalarArb: fc.Arbitrary<Json> = fc.oneof(
  stringArb,
  numberArb.map(scalar),
  fc.constantFrom('true', 'false', 'null').map(scalar),
);
const objectOf = (members: readonly Member[]): Json => ({ kind: 'object', members });
const arrayOf = (items: readonly Json[]): Json => ({ kind: 'array', items });

const { value: jsonArb } = fc.letrec<{ value: Json; member: Member }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('value'), { maxLength: 4 }).map(arrayOf),
    fc.array(tie('member'), { maxLength: 5 }).map(objectOf),
  ),
  member: fc
    .tuple(literal(keyArb), tie('value'))
    .map(([key, value]) => ({ key: key.value, raw: key.raw, value })),
}));

/** A member with a key from `keys` (escaped now and then) and a value from `value`. */
const memberArb = (keys: fc.Arbitrary<string>, value: fc.Arbitrary<Json>): fc.Arbitrary<Member> =>
  fc.tuple(literal(keys, 40), value).map(([key, v]) => ({ key: key.value, raw: key.raw, value: v }));
const namedArb = (...keys: string[]) => fc.constantFrom(...keys);
/** A member with any value, its key mostly one JSON.stringify writes without escapes. */
const anyMemberArb: fc.Arbitrary<Member> = memberArb(
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...CAPTURED_KEYS, ...OTHER_KEYS) },
    { weight: 1, arbitrary: textArb },
  ),
  jsonArb,
);
/** Mostly none, sometimes a few. */
const few = <T>(arb: fc.Arbitrary<T>, maxLength: number) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant<T[]>([]) },
    { weight: 1, arbitrary: fc.array(arb, { maxLength }) },
  );
/** Mostly `usual`, sometimes any JSON (a null name, an array for labels, ...). */
const mostly = (usual: fc.Arbitrary<Json>) =>
  fc.oneof({ weight: 5, arbitrary: usual }, { weight: 1, arbitrary: jsonArb });
/** An object of members from `member`, keys repeating as they come. */
const membersArb = (member: fc.Arbitrary<Member>, maxLength = 6) =>
  fc.array(member, { maxLength }).map(objectOf);

/** Names, mostly usable as a key (short, long, not ASCII), sometimes empty or with a `/`. */
const nameArb: fc.Arbitrary<Json> = literal(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('web-0', 'a', 'default', 'a-rather-long-pod-name-0123', 'é😀') },
    { weight: 1, arbitrary: textArb },
  ),
).map(({ raw }) => scalar(raw));
const labelsArb = mostly(membersArb(memberArb(namedArb('app', 'tier', '', 'name'), stringArb)));
const ownerArb = membersArb(
  fc.oneof(
    memberArb(namedArb('apiVersion', 'kind', 'name', 'uid'), stringArb),
    memberArb(namedArb('controller'), fc.constantFrom('true', 'false').map(scalar)),
  ),
);
const metadataFieldArb = fc.oneof(
  {
    weight: 3,
    arbitrary: memberArb(namedArb('name', 'namespace', 'resourceVersion', 'uid'), mostly(nameArb)),
  },
  { weight: 1, arbitrary: memberArb(namedArb('labels'), labelsArb) },
  { weight: 1, arbitrary: memberArb(namedArb('ownerReferences'), mostly(fc.array(ownerArb).map(arrayOf))) },
  { weight: 1, arbitrary: anyMemberArb },
);
const metadataArb = mostly(
  fc
    .tuple(
      fc.array(metadataFieldArb, { maxLength: 3 }),
      fc.option(memberArb(namedArb('name'), mostly(nameArb)), { freq: 8, nil: undefined }),
      fc.array(metadataFieldArb, { maxLength: 4 }),
    )
    .map(([before, name, after]) => objectOf([...before, ...(name ? [name] : []), ...after])),
);
const specArb = mostly(
  membersArb(
    fc.oneof(
      { weight: 2, arbitrary: memberArb(namedArb('nodeName'), mostly(stringArb)) },
      {
        weight: 1,
        arbitrary: memberArb(
          namedArb('template'),
          mostly(membersArb(fc.oneof(memberArb(namedArb('nodeName'), stringArb), anyMemberArb))),
        ),
      },
      { weight: 3, arbitrary: anyMemberArb },
    ),
    4,
  ),
);
const metadataMemberArb = memberArb(namedArb('metadata'), metadataArb);
const specMemberArb = memberArb(namedArb('spec'), specArb);
/**
 * Object-shaped JSON: mostly one metadata (a name in it, mostly) and a spec, among other members;
 * now and then a repeated metadata or spec, an escaped key, or a value of another kind.
 */
const podArb: fc.Arbitrary<Json> = fc
  .tuple(
    fc.array(anyMemberArb, { maxLength: 2 }),
    fc.option(metadataMemberArb, { freq: 6, nil: undefined }),
    fc.option(specMemberArb, { freq: 3, nil: undefined }),
    few(fc.oneof({ weight: 3, arbitrary: anyMemberArb }, metadataMemberArb, specMemberArb), 2),
  )
  .map(([before, metadata, spec, after]) =>
    objectOf([...before, ...(metadata ? [metadata] : []), ...(spec ? [spec] : []), ...after]),
  );

/** Whitespace between tokens, taken in turn: JSON's four characters, or spaces only. */
const anySpaceArb = fc.array(fc.constantFrom('', '', '', ' ', '  ', '\t', '\n', '\r', '\r\n '), {
  minLength: 1,
  maxLength: 6,
});
const spacesArb = fc.array(fc.constantFrom('', '', ' ', '  '), { minLength: 1, maxLength: 4 });

/** `value`'s text, with `space[k]` (cycling) between any two tokens and around the whole. */
function render(value: Json, space: readonly string[]): string {
  let k = 0;
  const ws = () => space[k++ % space.length] as string;
  const out: string[] = [ws()];
  const walk = (v: Json): void => {
    if (v.kind === 'scalar') out.push(v.text);
    else if (v.kind === 'array') {
      out.push('[', ws());
      v.items.forEach((item, i) => {
        if (i > 0) out.push(',', ws());
        walk(item);
        out.push(ws());
      });
      out.push(']');
    } else {
      out.push('{', ws());
      v.members.forEach((member, i) => {
        if (i > 0) out.push(',', ws());
        out.push(member.raw, ws(), ':', ws());
        walk(member.value);
        out.push(ws());
      });
      out.push('}');
    }
  };
  walk(value);
  out.push(ws());
  return out.join('');
}

/** A parse as tokens, written as JSON.stringify writes it. */
function tokensOf(value: unknown): Json {
  if (value === null || typeof value !== 'object') return scalar(JSON.stringify(value));
  if (Array.isArray(value)) return arrayOf(value.map(tokensOf));
  return objectOf(
    Object.entries(value).map(([key, v]) => ({ key, raw: JSON.stringify(key), value: tokensOf(v) })),
  );
}

/**
 * Whether the scan's rules let it decide `value` (which is valid JSON) with `trie`, written from
 * its header: on a captured path no key with a backslash, no repeated key that leads on to more
 * captures, and no array (the top level is on every path); nothing deeper than the limit.
 */
function decidable(value: Json, trie: CaptureTrie | undefined, depth = 0): boolean {
  if (value.kind === 'scalar') return true;
  if (depth > MAX_OBJECT_DEPTH) return false;
  if (value.kind === 'array')
    return trie === undefined && value.items.every((item) => decidable(item, undefined, depth + 1));
  const seen = new Set<string>();
  return value.members.every(({ key, raw, value: v }) => {
    let next: CaptureTrie | undefined;
    if (trie !== undefined) {
      if (raw.includes('\\')) return false;
      const to = trie.next[trie.keys.indexOf(key)];
      if (typeof to === 'object') {
        if (seen.has(key)) return false;
        seen.add(key);
        next = to;
      }
    }
    return decidable(v, next, depth + 1);
  });
}

// ---- Ordinary objects, as JSON.stringify writes them ----

const keyNameArb = fc.string({ unit: 'binary', minLength: 1 }).filter((name) => !name.includes('/'));
const ordinaryArb = fc.record(
  {
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Pod'),
    metadata: fc.record(
      {
        name: keyNameArb,
        namespace: fc.oneof(keyNameArb, fc.constant('')),
        resourceVersion: fc.nat().map(String),
        uid: fc.uuid(),
        labels: fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
        annotations: fc.dictionary(fc.string(), fc.string()),
        ownerReferences: fc.array(
          fc.record({
            apiVersion: fc.constant('apps/v1'),
            kind: fc.constant('ReplicaSet'),
            name: fc.string(),
            uid: fc.uuid(),
            controller: fc.boolean(),
          }),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: ['name'] },
    ),
    spec: fc.record(
      {
        nodeName: fc.string(),
        template: fc.record({ nodeName: fc.string() }, { requiredKeys: [] }),
        containers: fc.array(fc.jsonValue(), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
    status: fc.jsonValue(),
  },
  { requiredKeys: ['metadata'] },
);

// ---- Mutations ----

/** Characters an edit puts in: JSON's own, separators most often, and control characters. */
const editCharArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...',:"{}[] ') },
  { weight: 2, arbitrary: fc.constantFrom(...'0123456789.eE+-\\') },
  { weight: 1, arbitrary: fc.constantFrom(...'tfnlrua', '\u0000', '\u001f', '\t', '\n', '\r') },
);

/**
 * One edit: a character deleted, inserted or replaced at a position (mostly at or next to an
 * occurrence of `near`, so edits land by brackets, commas, quotes and numbers), or a piece of the
 * text copied elsewhere.
 */
type Edit =
  | {
      readonly kind: 'delete' | 'insert' | 'replace';
      readonly at: number;
      readonly near: string | undefined;
      readonly offset: -1 | 0 | 1;
      readonly char: string;
    }
  | { readonly kind: 'copy'; readonly at: number; readonly from: number; readonly length: number };
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('delete' as const, 'insert' as const, 'replace' as const),
    at: fc.nat(),
    near: fc.option(fc.constantFrom(...'{}[],:".eE-\\'), { nil: undefined }),
    offset: fc.constantFrom(-1 as const, 0 as const, 1 as const),
    char: editCharArb,
  }),
  fc.record({
    kind: fc.constant('copy' as const),
    at: fc.nat(),
    from: fc.nat(),
    length: fc.nat({ max: 24 }),
  }),
);

/** Where `edit` applies in `text`: by an occurrence of its `near` if it has one, else anywhere. */
function position(text: string, edit: Edit): number {
  if (edit.kind !== 'copy' && edit.near !== undefined) {
    const occurrences: number[] = [];
    for (let at = text.indexOf(edit.near); at >= 0; at = text.indexOf(edit.near, at + 1))
      occurrences.push(at);
    if (occurrences.length > 0)
      return Math.max(0, (occurrences[edit.at % occurrences.length] as number) + edit.offset);
  }
  return edit.at % (text.length + 1);
}

/** `text` with `edits` applied in turn. */
function mutate(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const edit of edits) {
    const at = position(out, edit);
    if (edit.kind === 'copy') {
      const from = edit.from % (out.length + 1);
      out = out.slice(0, at) + out.slice(from, from + edit.length) + out.slice(at);
    } else if (edit.kind === 'insert') out = out.slice(0, at) + edit.char + out.slice(at);
    else if (edit.kind === 'delete') out = out.slice(0, at) + out.slice(at + 1);
    else out = out.slice(0, at) + edit.char + out.slice(at + 1);
  }
  return out;
}

/** Valid texts of every kind above, compact or spaced; short ones too, where edits hit numbers. */
const validTextArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.oneof(podArb, jsonArb), fc.oneof(spacesArb, anySpaceArb))
      .map(([v, s]) => render(v, s)),
  },
  { weight: 1, arbitrary: ordinaryArb.map((object) => JSON.stringify(object)) },
  { weight: 1, arbitrary: fc.json() },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.array(scalarArb, { maxLength: 3 }), spacesArb)
      .map(([items, s]) => render(arrayOf(items), s)),
  },
);
const mutatedArb = fc
  .tuple(validTextArb, fc.array(editArb, { minLength: 1, maxLength: 3 }))
  .map(([text, edits]) => mutate(text, edits));

// ---- Deep nesting ----

/** Containers nested along one path, outermost first, with a shallow sibling here and there. */
function nested(levels: readonly { array: boolean; before?: boolean; after?: boolean }[]): string {
  const innermost = levels.at(-1);
  let text = innermost?.array ? '[]' : '{}';
  for (let i = levels.length - 2; i >= 0; i--) {
    const { array, before = false, after = false } = levels[i] as (typeof levels)[number];
    text = array
      ? `[${before ? '0,[],' : ''}${text}${after ? ',"x"' : ''}]`
      : `{${before ? '"a":{"b":1},' : ''}"":${text}${after ? ',"z":null' : ''}}`;
  }
  return text;
}

const SHAPES: readonly [string, (i: number) => boolean][] = [
  ['arrays', () => true],
  ['objects', () => false],
  ['objects and arrays in turn', (i) => i % 2 === 1],
];

// ---- The properties ----

describe('scanJson', () => {
  test.prop([fc.oneof(podArb, jsonArb), fc.oneof(anySpaceArb, spacesArb)], { numRuns: 1500 })(
    'decides generated JSON exactly where its rules allow, and soundly',
    (value, space) => {
      const text = render(value, space);
      expect(() => JSON.parse(text)).not.toThrow();
      for (const [, trie] of TRIES)
        expect(expectSound(text, trie), text).toBe(!hasControl(text) && decidable(value, trie));
    },
  );

  test.prop(
    [
      fc.oneof(
        fc.json(),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
    ],
    { numRuns: 500 },
  )("decides JSON.stringify's output but where a captured path has an array or an escaped key", (text) => {
    const expected = decidable(tokensOf(JSON.parse(text)), TRIE);
    expect(expectSound(text, TRIE), text).toBe(expected);
    expect(expectSound(text, undefined), text).toBe(true);
  });

  test.prop([ordinaryArb], { numRuns: 300 })(
    'decides any ordinary object as JSON.stringify writes it',
    (object) => {
      const text = JSON.stringify(object);
      expect(expectSound(text, TRIE), text).toBe(true);
      expect(text.slice(spans[0], spans[1])).toBe(JSON.stringify(object.metadata.name));
    },
  );

  for (const [label, trie] of TRIES)
    test.prop([mutatedArb], { numRuns: 5000 })(
      `is sound on valid texts with a few characters deleted, inserted, replaced or copied (${label})`,
      (text) => {
        expectSound(text, trie);
      },
    );

  it('decides the examples, none of the near misses, and leaves what its rules say to the parse', () => {
    const good = [
      '{"metadata":{"name":"a"}}',
      ' { "metadata" : { "name" : "a" , "name" : "b" } } ',
      '{"metadata":{"labels":{"a":"b"},"labels":null}}',
      '{"spec":{"nodeName":"n","template":{"nodeName":"t"}},"items":[1,-0,0.0,1e5,1.5E-3,true,false,null]}',
      '"\\ud800\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"',
      '-0',
      '{}',
      '{"a":[]} ',
      '{"metadata":{}}   ',
    ];
    for (const text of good) expect(expectSound(text, TRIE), text).toBe(true);
    const notJson = [
      '{"metadata":{"name":"a"},}',
      '{"metadata":{"name":"a"}',
      '{"metadata":{"name":"a"}}}',
      '{"metadata":{"name":"a"}} }',
      '{"metadata":{"name":"a"}}x',
      '{} ,',
      '[]]',
      '[1,]',
      '[01]',
      '[1.]',
      '[.5]',
      '[1e]',
      '[+1]',
      '[tru]',
      '[nul]',
      '[nulL]',
      '[1e+]',
      '[1E-]',
      '[1.e5]',
      '[-]',
      '[1}',
      '{"a":1]',
      '[{]}',
      '"\\x"',
      '"\\u12G4"',
      '"a',
      '{"a" 1}',
      '{"a":}',
      '{,"a":1}',
      '1 2',
      '',
      ' ',
      '{"metadata":{"name":"a\tb"}}',
    ];
    for (const text of notJson) {
      expect(() => JSON.parse(text), text).toThrow();
      for (const [, trie] of TRIES) expect(scan(text, trie), text).toBe(false);
    }
    const leftToTheParse = [
      '{"metadata":{"na\\u006de":"a"}}',
      '{"metadata":{"name":"a"},"meta\\u0064ata":5}',
      '{"metadata":{"name":"a","x\\"y":1}}',
      '{"metadata":{"name":"a"},"metadata":{"name":"b"}}',
      '{"metadata":[{"name":"a"}]}',
      '[{"metadata":{"name":"a"}}]',
      '{"metadata":{"name":"a"}}\n',
      '{"metadata":{"name":"a"},\r\n"spec":{}}',
    ];
    for (const text of leftToTheParse) {
      expect(() => JSON.parse(text), text).not.toThrow();
      expect(scan(text, TRIE), text).toBe(false);
    }
  });

  it('captures the last of repeated leaves, and what the parse has under escaped keys off the paths', () => {
    const text =
      '{"metadata":{"name":"a","name":"b","labels":{"k":"v"},"labels":{"\\u006b":"w"}},"status":{"x\\"y":1}}';
    expect(expectSound(text, TRIE)).toBe(true);
    expect(text.slice(spans[0], spans[1])).toBe('"b"');
    expect(text.slice(spans[8], spans[9])).toBe('{"\\u006b":"w"}');
  });

  describe.each(SHAPES)('nesting %s', (_, isArray) => {
    for (const count of [
      MAX_OBJECT_DEPTH,
      MAX_OBJECT_DEPTH + 1,
      MAX_OBJECT_DEPTH + 2,
      MAX_OBJECT_DEPTH + 3,
    ]) {
      const within = count <= MAX_OBJECT_DEPTH + 1;
      const title = within
        ? 'is decided (the parse is within the limit)'
        : 'is never decided (the parse is too deep)';
      it(`${count} containers deep ${title}`, () => {
        const text = nested(Array.from({ length: count }, (_, i) => ({ array: isArray(i) })));
        const parsed: unknown = JSON.parse(text);
        expect(containers(parsed)).toBe(count);
        expect(parsedNestsWithinLimit(parsed)).toBe(within);
        expect(expectSound(text, undefined)).toBe(within);
        // A top-level array is on every captured path: not decided with captures.
        expect(expectSound(text, TRIE)).toBe(within && !isArray(0));
        // The same depth under a captured leaf: the two outer objects count.
        const inner = nested(Array.from({ length: count - 2 }, (_, i) => ({ array: isArray(i) })));
        const under = `{"metadata":{"name":"a","labels":${inner}},"spec":{"nodeName":"n"}}`;
        expect(containers(JSON.parse(under))).toBe(count);
        expect(expectSound(under, TRIE)).toBe(within);
        if (within) expect(under.slice(spans[8], spans[9])).toBe(inner);
      });
    }
  });

  test.prop(
    [
      fc.array(fc.record({ array: fc.boolean(), before: fc.boolean(), after: fc.boolean() }), {
        minLength: MAX_OBJECT_DEPTH - 8,
        maxLength: MAX_OBJECT_DEPTH + 8,
      }),
    ],
    { numRuns: 60 },
  )('never decides a text nested past the limit, and decides any within it', (levels) => {
    const text = nested(levels);
    const within = levels.length <= MAX_OBJECT_DEPTH + 1;
    expect(expectSound(text, undefined)).toBe(within);
    expect(expectSound(text, TRIE)).toBe(within && !levels[0]?.array);
  });
});

describe('scannedObject', () => {
  const NODE_NAME = captureSlot('spec.nodeName') as number;

  /** Checks a cell scanned from `text` against the cell a parse makes; returns the scanned cell. */
  function expectLikeParse(text: string): EncodedObject | undefined {
    const cell = scannedObject(text);
    if (cell === undefined) return undefined;
    const where = JSON.stringify(text);
    let parsed: unknown;
    expect(() => {
      parsed = JSON.parse(text);
    }, where).not.toThrow();
    const parsedCell = encodedObject(text, parsed);
    expect(parsedCell, `scanned, but a parse is not admitted: ${where}`).toBeDefined();
    expect(cell.key, where).toBe(parsedCell?.key);
    expect(cell.encoded).toBe(true);
    const meta = (parsed as KubeObject).metadata as Record<string, unknown>;
    const own = (key: string) => (Object.hasOwn(meta, key) ? meta[key] : undefined);
    const view = cellMetadata(cell);
    expect(view, where).toStrictEqual({
      name: own('name'),
      namespace: own('namespace'),
      resourceVersion: own('resourceVersion'),
      uid: own('uid'),
      labels: own('labels'),
      ownerReferences: own('ownerReferences'),
    });
    expect(view).toStrictEqual(cellMetadata(parsedCell as EncodedObject));
    const nodeName = valueAtPath(parsed, ['spec', 'nodeName']);
    expect(cell.capturedField(NODE_NAME), where).toStrictEqual(nodeName.found ? nodeName.value : undefined);
    const decoded = readObject(cell);
    expect(decoded).toStrictEqual(parsed);
    expect(cell.metadata).toBe((decoded as KubeObject).metadata);
    return cell;
  }

  test.prop([ordinaryArb], { numRuns: 300 })(
    'makes a cell for any ordinary object with a key, the cell a parse makes',
    (object) => {
      const text = JSON.stringify(object);
      expect(expectLikeParse(text), text).toBeDefined();
    },
  );

  test.prop([fc.oneof(podArb, jsonArb), fc.oneof(spacesArb, anySpaceArb)], { numRuns: 1000 })(
    'makes the cell a parse makes, and turns away only what its rules leave to the parse',
    (value, space) => {
      const text = render(value, space);
      if (expectLikeParse(text) !== undefined) return;
      // No cell, yet a parse would make one: only where the scan does not decide.
      if (encodedObject(text, JSON.parse(text)) !== undefined)
        expect(!hasControl(text) && decidable(value, captureSetup().trie), text).toBe(false);
    },
  );

  test.prop([mutatedArb], { numRuns: 1000 })(
    'makes only the cell a parse makes from mutated texts',
    (text) => {
      expectLikeParse(text);
    },
  );
});
