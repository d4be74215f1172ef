/**
 * The watch decoder's deferred path (transport/watchStream.ts `deferredEvent`, issue 17) decides
 * every line as the whole-line decode does: over real HTTP through `kubeClient().watch`, the same
 * response read with `deferDecoding` on and off gives the same events (objects read through
 * `readObject`) and the same error, class and message. Lines are what an API server writes plus
 * what it never does (other key order, spaces, CRLF, trailing garbage, duplicate keys, truncation,
 * bookmarks and errors, objects without usable metadata, nesting past the cache's 1,000 levels).
 * A cell is made exactly for an object event written the API server's way whose object has
 * metadata and nests no deeper than the limit, and its metadata view matches what it decodes to.
 */
import { fc, test } from '@fast-check/vitest';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawWatchEvent } from '../../src/core/client.js';
import { EncodedObject, readObject } from '../../src/core/encodedObject.js';
import { MAX_OBJECT_DEPTH, objectKeyProblem } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { type HttpKubeClient, kubeClient } from '../../src/transport/kubeClient.js';
import { cellMetadata } from '../support/cellMetadata.js';
import { kubeConfigFor, startServer, type TestServer, TOKEN, within } from './transportHarness.js';

let server: TestServer;
let client: HttpKubeClient;
/** What the server answers the next watch with; the two watches of one comparison run in turn. */
let body = '';

beforeAll(async () => {
  server = await startServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  client = kubeClient(kubeConfigFor(server.url), { rateLimit: false });
});
afterAll(() => server.close());

interface Outcome {
  readonly events: RawWatchEvent[];
  readonly error?: unknown;
}

/** Every event of one watch answered with `text`, and its error if it failed. */
async function watchOf(text: string, deferDecoding: boolean): Promise<Outcome> {
  body = text;
  const events: RawWatchEvent[] = [];
  try {
    await within(
      lastValueFrom(
        client.watch(resources.pods, { deferDecoding }).pipe(
          tap((event) => events.push(event)),
          toArray(),
        ),
      ),
      5000,
      'watch',
    );
  } catch (error) {
    return { events, error };
  }
  return { events };
}

/** An event as a reader sees it: the object read through `readObject`. */
const read = (event: RawWatchEvent) => ({
  type: event.type,
  object: event.object instanceof EncodedObject ? readObject(event.object) : event.object,
});

/** An object's JSON text, and whether the deferred path must keep it as a cell. */
interface ObjectText {
  readonly text: string;
  readonly cellable: boolean;
}

/** `[[[...]]]` `levels` deep inside an object with a key: its deepest array at depth `levels`. */
const nested = (levels: number): ObjectText => ({
  text: `{"metadata":{"name":"deep"},"spec":${'['.repeat(levels)}${']'.repeat(levels)}}`,
  cellable: levels <= MAX_OBJECT_DEPTH,
});

/** Strings that need escaping in JSON, and some that do not. */
const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('web', 'a"b', 'back\\slash', 'line\nbreak', '\u2028', '}', '"}', '{"type":"ADDED"}'),
);

const metadataArb = fc.record(
  {
    name: textArb,
    namespace: fc.oneof(textArb, fc.constant(null)),
    resourceVersion: fc.nat().map(String),
    labels: fc.dictionary(textArb, textArb, { maxKeys: 3 }),
    uid: fc.uuid(),
  },
  { requiredKeys: [] },
);

const goodObjectArb: fc.Arbitrary<ObjectText> = fc
  .record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('Pod'),
    metadata: metadataArb,
    spec: fc.jsonValue({ maxDepth: 4 }),
    status: fc.dictionary(textArb, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  })
  .map((object) => ({ text: JSON.stringify(object), cellable: objectKeyProblem(object) === undefined }));

/**
 * Metadata that is there (an object) but whose key fields the cache turns away: decoded at once, so
 * the object is reported as it is.
 */
const oddKeyArb: fc.Arbitrary<ObjectText> = fc
  .record({
    name: fc.constantFrom<unknown>(5, null, '', 'a/b', { n: 'a' }, ['a'], true),
    namespace: fc.constantFrom<unknown>(undefined, 7, {}, ['ns'], 'a/b', ''),
    resourceVersion: fc.constantFrom<unknown>(undefined, 3, { v: 4 }, '', null),
  })
  .map((metadata) => ({ text: JSON.stringify({ kind: 'Pod', metadata }), cellable: false }));

/** No metadata object at all: decoded at once. */
const noMetadataArb: fc.Arbitrary<ObjectText> = fc
  .constantFrom<unknown>(undefined, null, 'web', 5, ['web'], true)
  .map((metadata) => ({ text: JSON.stringify({ kind: 'Pod', metadata }), cellable: false }));

/** An object event whose object is not an object. */
const notAnObjectArb: fc.Arbitrary<ObjectText> = fc
  .constantFrom('null', '5', '"pod"', '[1,{"metadata":{"name":"a"}}]', 'true', ' {} ')
  .map((text) => ({ text, cellable: false }));

/** Duplicate keys inside the object: the last metadata wins, in the cell's view too. */
const duplicateKeysArb: fc.Arbitrary<ObjectText> = fc
  .tuple(metadataArb, metadataArb)
  .map(([first, last]) => ({
    text: `{"metadata":${JSON.stringify(first)},"spec":{},"metadata":${JSON.stringify(last)}}`,
    cellable: objectKeyProblem({ metadata: last }) === undefined,
  }));

const deepArb: fc.Arbitrary<ObjectText> = fc
  .constantFrom(MAX_OBJECT_DEPTH - 1, MAX_OBJECT_DEPTH, MAX_OBJECT_DEPTH + 1, 1500)
  .map(nested);

const objectArb: fc.Arbitrary<ObjectText> = fc.oneof(
  { weight: 6, arbitrary: goodObjectArb },
  { weight: 2, arbitrary: oddKeyArb },
  { weight: 1, arbitrary: noMetadataArb },
  { weight: 1, arbitrary: notAnObjectArb },
  { weight: 2, arbitrary: duplicateKeysArb },
  { weight: 1, arbitrary: deepArb },
);

const typeArb = fc.constantFrom('ADDED', 'MODIFIED', 'DELETED');
const spaceArb = fc.stringMatching(/^[ \t\r]{1,3}$/);

/** One line, and whether the deferred path must make a cell of it (undefined: no expectation). */
interface Line {
  readonly line: string;
  readonly cell?: boolean;
}

/** The ways a line may be written around an object event. */
const lineArb: fc.Arbitrary<Line> = fc.oneof(
  // As the API server writes it, and with JSON whitespace where the deferred path allows it.
  {
    weight: 6,
    arbitrary: fc
      .tuple(typeArb, objectArb)
      .map(([t, o]) => ({ line: `{"type":"${t}","object":${o.text}}`, cell: o.cellable })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(typeArb, objectArb, spaceArb, spaceArb, spaceArb).map(([t, o, a, b, c]) => ({
      line: `{"type":"${t}","object":${a}${o.text}${b}}${c}`,
      cell: o.cellable,
    })),
  },
  // Other field orders, spaces in the prefix, extra fields, duplicate and escaped keys: never cells.
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, objectArb)
      .map(([t, o]) => ({ line: `{"object":${o.text},"type":"${t}"}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, objectArb)
      .map(([t, o]) => ({ line: `{ "type": "${t}", "object": ${o.text} }`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, objectArb)
      .map(([t, o]) => ({ line: `{"type":"${t}","object":${o.text},"extra":{"a":1}}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, objectArb)
      .map(([t, o]) => ({ line: `{"type":"${t}","extra":1,"object":${o.text}}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, objectArb, objectArb)
      .map(([t, o, p]) => ({ line: `{"type":"${t}","object":${o.text},"object":${p.text}}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, typeArb, objectArb)
      .map(([t, u, o]) => ({ line: `{"type":"${t}","object":${o.text},"type":"${u}"}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, typeArb, objectArb)
      .map(([t, u, o]) => ({ line: `{"type":"${t}","type":"${u}","object":${o.text}}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: objectArb.map((o) => ({ line: `{"type":"ADD\\u0045D","object":${o.text}}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: objectArb.map((o) => ({ line: `{"type":"added","object":${o.text}}`, cell: false })),
  },
  {
    weight: 1,
    arbitrary: objectArb.map((o) => ({ line: `{"type":"ADDEDX","object":${o.text}}`, cell: false })),
  },
  { weight: 1, arbitrary: fc.constant({ line: '{"type":"ADDED"}', cell: false }) },
  // Trailing garbage and truncated lines: errors, the same ones.
  {
    weight: 1,
    arbitrary: fc
      .tuple(typeArb, objectArb, fc.constantFrom('x', '}', ',', ']', ' }', '{}', ',"a":1}'))
      .map(([t, o, junk]) => ({ line: `{"type":"${t}","object":${o.text}}${junk}` })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(typeArb, objectArb, fc.nat()).map(([t, o, n]) => {
      const whole = `{"type":"${t}","object":${o.text}}`;
      return { line: whole.slice(0, n % whole.length) };
    }),
  },
  // Bookmarks, errors (their Status is redacted), keep-alives and lines that are no event.
  {
    weight: 1,
    arbitrary: fc.nat().map((rv) => ({
      line: `{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"${rv}"}}}`,
      cell: false,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constant({
      line: `{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old (Bearer ${TOKEN})"}}`,
      cell: false,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom({ line: '' }, { line: '  \t' }, { line: '\r' }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { line: 'hello' },
      { line: '[1,2]' },
      { line: 'null' },
      { line: '{"type":5}' },
    ),
  },
);

/** A response: lines with LF or CRLF ends, the last one with or without its newline. */
const responseArb = fc.record({
  lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
});

const isBlank = (line: string) => line.trim() === '';

describe('watch decoding with deferDecoding', () => {
  test.prop([responseArb], { numRuns: 200 })(
    'gives the events and the error the whole-line decode gives',
    async ({ lines, crlf, finalNewline }) => {
      const end = crlf ? '\r\n' : '\n';
      const text = lines.map((l) => l.line).join(end) + (finalNewline ? end : '');
      const eager = await watchOf(text, false);
      const deferred = await watchOf(text, true);

      expect(eager.events.some((e) => e.object instanceof EncodedObject)).toBe(false);
      expect(deferred.events.map(read)).toEqual(eager.events);
      expect(deferred.error === undefined).toBe(eager.error === undefined);
      if (eager.error !== undefined) {
        expect((deferred.error as Error).constructor).toBe((eager.error as Error).constructor);
        expect((deferred.error as Error).message).toBe((eager.error as Error).message);
      }

      // Each line that is not blank gives one event until the first that fails.
      const eventLines = lines.filter((l) => !isBlank(l.line)).slice(0, deferred.events.length);
      deferred.events.forEach((event, i) => {
        const expected = (eventLines[i] as Line).cell;
        if (expected !== undefined) expect(event.object instanceof EncodedObject).toBe(expected);
        if (event.object instanceof EncodedObject) {
          // The view the cell answers from before it is decoded, then what the decoding has.
          const view = cellMetadata(event.object);
          const { name, namespace, resourceVersion, uid, labels, ownerReferences } = (
            readObject(event.object) as { metadata: Record<string, unknown> }
          ).metadata;
          expect(view).toEqual({
            name,
            namespace,
            resourceVersion,
            uid,
            labels,
            ownerReferences,
          });
        }
      });
    },
  );

  it('keeps an object written the API server way as a cell, encoded until read', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', resourceVersion: '5' },
    };
    const { events, error } = await watchOf(`${JSON.stringify({ type: 'MODIFIED', object: pod })}\n`, true);
    expect(error).toBeUndefined();
    const cell = events[0]?.object as EncodedObject;
    expect(cell).toBeInstanceOf(EncodedObject);
    expect(cell.encoded).toBe(true);
    expect(cellMetadata(cell)).toEqual({ name: 'web', namespace: 'default', resourceVersion: '5' });
    expect(readObject(cell)).toEqual(pod);
    expect(Object.isFrozen(readObject(cell))).toBe(true);
  });

  it('makes a cell of an object exactly as deep as the cache takes, and not of one a level deeper', async () => {
    for (const levels of [MAX_OBJECT_DEPTH, MAX_OBJECT_DEPTH + 1]) {
      const { events, error } = await watchOf(`{"type":"ADDED","object":${nested(levels).text}}\n`, true);
      expect(error).toBeUndefined();
      expect(events[0]?.object instanceof EncodedObject).toBe(levels <= MAX_OBJECT_DEPTH);
    }
  });

  it('leaves objects plain without deferDecoding', async () => {
    const { events } = await watchOf('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n', false);
    expect(events).toEqual([{ type: 'ADDED', object: { metadata: { name: 'a' } } }]);
    expect(events[0]?.object).not.toBeInstanceOf(EncodedObject);
  });
});
