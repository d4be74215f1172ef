/**
 * The deferred list reader (transport/deferredList.ts, issue 17) gives what the ordinary parse
 * gives, or nothing: for generated list bodies, `deferredList(body)` and a `DeferredListReader` fed
 * the body in random chunks return either `undefined` (the caller parses the page the ordinary
 * way) or a list that, with every item read through `readObject`, deep-equals `JSON.parse(body)`
 * as kubeClient's list hands it on (`items: null` as `[]`). Bodies are what an API server writes
 * (built-in kinds starting `{"metadata":`, custom resources starting `{"apiVersion":`, StatefulSets
 * whose volumeClaimTemplates and custom resources whose managedFields are arrays of objects that
 * start the same way, strings holding `},{"metadata":`) and what it never does (mixed first keys,
 * escaped keys, empty and non-object items, duplicate `items` keys, fields after the items,
 * whitespace, truncation, trailing garbage). A page written the API server's way is never left to
 * the ordinary parse, and every item the cache admits is a cell, encoded until read, whose metadata
 * view is what it decodes to; one the cache turns away (name "a/b", nesting past the limit) is
 * passed on decoded. Over HTTP, `kubeClient().list` with `deferDecoding` gives the same list and
 * the same error as without, the server writing the body in random chunks with small delays.
 */
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResult } from '../../src/core/client.js';
import { EncodedObject, encodedObject, readObject } from '../../src/core/encodedObject.js';
import { MAX_OBJECT_DEPTH } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { DeferredListReader, deferredList } from '../../src/transport/deferredList.js';
import { type HttpKubeClient, kubeClient } from '../../src/transport/kubeClient.js';
import { cellMetadata } from '../support/cellMetadata.js';
import {
  kubeConfigFor,
  rejectionOf,
  sleep,
  startServer,
  type TestServer,
  within,
} from './transportHarness.js';

// ---------------------------------------------------------------------------------------------
// Items

/** One item's JSON text, its first key as written, and whether an API server could write it so. */
interface ItemText {
  readonly text: string;
  /** `metadata` or `apiVersion` for the shapes an API server writes; anything else otherwise. */
  readonly family: 'metadata' | 'apiVersion' | 'other';
}

/** Strings that need escaping, and some that look like the boundaries the reader cuts at. */
const textArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(
    '},{"metadata":',
    '"},{"metadata":{"name":"z"}}',
    '},{"apiVersion":"v1"',
    '],"items":[',
    '"items":[]',
    ']}',
    '}]',
    'back\\slash',
    '\u2028',
    'ünï ✓ 𝄞',
  ),
);

const labelsArb = fc.dictionary(fc.constantFrom('app', 'tier', 'x'), fc.constantFrom('web', 'db', ''), {
  maxKeys: 2,
});

const metadataArb = fc.record(
  {
    name: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/),
    namespace: fc.constantFrom('default', 'kube-system', 'a'),
    resourceVersion: fc.nat().map(String),
    uid: fc.uuid(),
    labels: labelsArb,
    annotations: fc.dictionary(fc.constantFrom('note', 'k', '},{"metadata":'), textArb, { maxKeys: 2 }),
    ownerReferences: fc.array(
      fc.record({
        apiVersion: fc.constant('apps/v1'),
        kind: fc.constant('ReplicaSet'),
        name: fc.constant('rs'),
        uid: fc.uuid(),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['name'] },
);

/** A pod as kube-apiserver writes it in a list: no kind, metadata first. */
const podArb: fc.Arbitrary<ItemText> = fc
  .record({
    metadata: metadataArb,
    spec: fc.record({
      nodeName: fc.constantFrom('n1', 'n2'),
      containers: fc.array(
        fc.record({ name: textArb, image: fc.constant('nginx'), args: fc.array(textArb) }),
        {
          minLength: 1,
          maxLength: 2,
        },
      ),
    }),
    status: fc.record({ phase: fc.constantFrom('Running', 'Pending') }),
  })
  .map((pod) => ({ text: JSON.stringify(pod), family: 'metadata' as const }));

/** A StatefulSet: its volumeClaimTemplates are objects that start `{"metadata":` too. */
const statefulSetArb: fc.Arbitrary<ItemText> = fc
  .record({
    metadata: metadataArb,
    spec: fc.record({
      replicas: fc.nat(5),
      volumeClaimTemplates: fc.array(
        fc.record({
          metadata: fc.record({ name: fc.constantFrom('data', 'logs', 'a/b') }),
          spec: fc.record({ accessModes: fc.constant(['ReadWriteOnce']), storageClassName: textArb }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
      template: fc.record({ metadata: fc.record({ labels: labelsArb }), spec: fc.constant({}) }),
    }),
  })
  .map((sts) => ({ text: JSON.stringify(sts), family: 'metadata' as const }));

/** Keys sorted, as an API server writes an unstructured object (a custom resource). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/**
 * A custom resource: keys sorted, so it starts `{"apiVersion":`, and so do its managedFields
 * entries and owner references (arrays of objects starting like the item).
 */
const customResourceArb: fc.Arbitrary<ItemText> = fc
  .record({
    apiVersion: fc.constant('example.com/v1'),
    kind: fc.constant('Widget'),
    metadata: fc.tuple(metadataArb, fc.nat(3)).map(([metadata, managers]) => ({
      ...metadata,
      managedFields: Array.from({ length: managers }, (_, i) => ({
        apiVersion: 'example.com/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': {} },
        manager: `m${i}`,
        operation: 'Update',
      })),
    })),
    spec: fc.record({
      size: fc.nat(),
      parts: fc.array(fc.record({ apiVersion: fc.constant('v1'), name: textArb }), { maxLength: 3 }),
    }),
  })
  .map((cr) => ({ text: sortedJson(cr), family: 'apiVersion' as const }));

/**
 * Items the cache turns away, written the API server's way (metadata first): passed on decoded, as
 * without deferring, and the page is deferred all the same.
 */
const turnedAwayArb: fc.Arbitrary<ItemText> = fc
  .constantFrom(
    '{"metadata":{"name":"a/b","namespace":"default"}}',
    '{"metadata":{"namespace":"default"}}',
    '{"metadata":{"name":"x","resourceVersion":7}}',
    '{"metadata":{"name":"x","resourceVersion":""}}',
    '{"metadata":null}',
    '{"metadata":{"name":"x","namespace":{"n":1}}}',
    `{"metadata":{"name":"deep"},"spec":${'['.repeat(MAX_OBJECT_DEPTH + 1)}${']'.repeat(MAX_OBJECT_DEPTH + 1)}}`,
    `{"metadata":{"name":"deep-enough"},"spec":${'['.repeat(MAX_OBJECT_DEPTH - 1)}${']'.repeat(MAX_OBJECT_DEPTH - 1)}}`,
  )
  .map((text) => ({ text, family: 'metadata' as const }));

/** Items an API server never writes. */
const oddItemArb: fc.Arbitrary<ItemText> = fc.oneof(
  // Duplicate keys: the last metadata wins in both parses.
  fc.tuple(metadataArb, metadataArb).map(([first, last]) => ({
    text: `{"metadata":${JSON.stringify(first)},"spec":{},"metadata":${JSON.stringify(last)}}`,
    family: 'metadata' as const,
  })),
  // An escaped first key, equal to "metadata" once parsed.
  metadataArb.map((m) => ({ text: `{"\\u006detadata":${JSON.stringify(m)}}`, family: 'other' as const })),
  // Another first key, spaces, empty objects, values that are no objects.
  metadataArb.map((m) => ({ text: JSON.stringify({ kind: 'Pod', metadata: m }), family: 'other' as const })),
  metadataArb.map((m) => ({ text: `{ "metadata" : ${JSON.stringify(m)} }`, family: 'other' as const })),
  fc
    .constantFrom(
      '{}',
      '1',
      'null',
      '"pod"',
      '[]',
      '[{"metadata":{"name":"in-array"}}]',
      'true',
      '{"metadata":{}}',
    )
    .map((text) => ({ text, family: 'other' as const })),
);

const apiItemArb = fc.oneof(
  { weight: 4, arbitrary: podArb },
  { weight: 2, arbitrary: statefulSetArb },
  { weight: 1, arbitrary: turnedAwayArb },
);

// ---------------------------------------------------------------------------------------------
// Pages

/** A page's text, and whether it is written exactly as an API server writes one (never undefined). */
interface Page {
  readonly text: string;
  readonly apiShaped: boolean;
}

const listMetadataArb = fc
  .record(
    {
      resourceVersion: fc.nat().map(String),
      continue: fc.base64String({ maxLength: 12 }),
      remainingItemCount: fc.nat(),
    },
    { requiredKeys: ['resourceVersion'] },
  )
  .map((m) => JSON.stringify(m));

/** `{"kind":...,"apiVersion":...,"metadata":...,"items":[...]}` with items of one family. */
const apiPageArb: fc.Arbitrary<Page> = fc
  .tuple(
    fc.oneof(
      fc
        .array(apiItemArb, { minLength: 1, maxLength: 6 })
        .map((items) => ({ kind: 'PodList', apiVersion: 'v1', items })),
      fc
        .array(customResourceArb, { minLength: 1, maxLength: 6 })
        .map((items) => ({ kind: 'WidgetList', apiVersion: 'example.com/v1', items })),
    ),
    listMetadataArb,
  )
  .map(([{ kind, apiVersion, items }, metadata]) => ({
    text: `{"kind":"${kind}","apiVersion":"${apiVersion}","metadata":${metadata},"items":[${items.map((i) => i.text).join(',')}]}\n`,
    apiShaped: true,
  }));

const anyItemArb = fc.oneof(
  { weight: 3, arbitrary: apiItemArb },
  { weight: 1, arbitrary: customResourceArb },
  { weight: 2, arbitrary: oddItemArb },
);
/** Items of one family (the reader may cut them), or of any kinds mixed. */
const itemListArb = fc.oneof(
  fc.array(apiItemArb, { maxLength: 5 }),
  fc.array(customResourceArb, { maxLength: 4 }),
  fc.array(anyItemArb, { maxLength: 5 }),
);

const separatorArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(',') },
  { weight: 1, arbitrary: fc.constantFrom(', ', ',\n', ' ,') },
);

/**
 * Every way the items field may be written (or not be there). `nestedAfter` allows an `items` key
 * nested in a later field; with the list's own items written otherwise than `"items":[` (a space,
 * an escape), the nested array is the first `"items":[` in the body, and the reader must not take
 * it for the list's items (test/unit/deferredListNestedItems.test.ts has the fixed example).
 */
const itemsFieldArb: fc.Arbitrary<{ fields: readonly string[]; nestedAfter: boolean }> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(itemListArb, separatorArb).map(([items, sep]) => ({
      fields: [`"items":[${items.map((i) => i.text).join(sep)}]`],
      nestedAfter: true,
    })),
  },
  {
    weight: 1,
    arbitrary: itemListArb.map((items) => ({
      fields: [`"items":[ ${items.map((i) => i.text).join(',')} ]`],
      nestedAfter: true,
    })),
  },
  {
    weight: 1,
    arbitrary: itemListArb.map((items) => ({
      fields: [`"items": [${items.map((i) => i.text).join(',')}]`],
      nestedAfter: true,
    })),
  },
  {
    weight: 1,
    arbitrary: itemListArb.map((items) => ({
      fields: [`"\\u0069tems":[${items.map((i) => i.text).join(',')}]`],
      nestedAfter: true,
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(itemListArb, itemListArb).map(([a, b]) => ({
      fields: [`"items":[${a.map((i) => i.text).join(',')}]`, `"items":[${b.map((i) => i.text).join(',')}]`],
      nestedAfter: true,
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(['"items":null'], [], ['"items":{}'], ['"items":"x"'], ['"items":[]'])
      .map((fields) => ({ fields, nestedAfter: true })),
  },
);

/** Fields after the items, some holding `]`, `}]` or arrays of objects that start like items. */
const afterFields = [
  '"extra":1',
  '"x":"]"',
  '"x":"}]"',
  '"arr":[{"metadata":{}}]',
  '"metadata":{"resourceVersion":"9"}',
  '"items":null',
  '"kind":"PodList"',
];
/** An `items` key nested in a field, before the list's items or (see above) after them. */
const NESTED_ITEMS = '"extra":{"items":[{"metadata":{"name":"q"}},{"metadata":{"name":"r"}}]}';

/** Fields before the items. */
const beforeFieldArb = fc.oneof(
  listMetadataArb.map((m) => `"metadata":${m}`),
  fc.constantFrom(
    NESTED_ITEMS,
    '"kind":"PodList"',
    '"apiVersion":"v1"',
    '"note":"\\"items\\":[{\\"metadata\\":"',
    '"arr":[{"metadata":{"name":"b"}}]',
  ),
);

/** Pages written in any of these ways, some cut short or followed by garbage. */
const oddPageArb: fc.Arbitrary<Page> = fc
  .record({
    before: fc.array(beforeFieldArb, { maxLength: 3 }),
    items: itemsFieldArb,
    after: fc.array(fc.constantFrom(...afterFields, NESTED_ITEMS), { maxLength: 2 }),
    lead: fc.constantFrom('', '', ' ', '\n\t'),
    trail: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('', '\n', ' \r\n') },
      { weight: 1, arbitrary: fc.constantFrom('x', '}', ',', ']') },
    ),
    open: fc.constantFrom('{', '{', '{ '),
  })
  .map(({ before, items, after, lead, trail, open }) => ({
    text: `${lead}${open}${[...before, ...items.fields, ...(items.nestedAfter ? after : after.filter((f) => f !== NESTED_ITEMS))].join(',')}}${trail}`,
    apiShaped: false,
  }));

/** A page cut at a random byte (maybe inside a multi-byte character). */
const truncatedArb: fc.Arbitrary<{ body: Buffer; apiShaped: boolean }> = fc
  .tuple(fc.oneof(apiPageArb, oddPageArb), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([page, at]) => {
    const bytes = Buffer.from(page.text);
    return { body: bytes.subarray(0, Math.floor(at * bytes.length)), apiShaped: false };
  });

const bodyArb: fc.Arbitrary<{ body: Buffer; apiShaped: boolean }> = fc.oneof(
  { weight: 3, arbitrary: apiPageArb.map((p) => ({ body: Buffer.from(p.text), apiShaped: p.apiShaped })) },
  { weight: 4, arbitrary: oddPageArb.map((p) => ({ body: Buffer.from(p.text), apiShaped: p.apiShaped })) },
  { weight: 1, arbitrary: truncatedArb },
);

/** Chunk sizes, used in turn until the body is split (1 byte at a time among them). */
const chunkSizesArb = fc.array(fc.integer({ min: 1, max: 96 }), { minLength: 1, maxLength: 8 });

function chunksOf(body: Buffer, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < body.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(body.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// The oracle

/** What kubeClient's list hands on after the ordinary parse (toListResult): `items: null` as []. */
function asListed(parsed: unknown): unknown {
  const list = parsed as { items?: unknown };
  return list.items === null ? { ...list, items: [] } : list;
}

/**
 * Checks a deferred result against the ordinary parse of `body`; returns whether it was deferred.
 * Items are checked as cells (or not) before anything reads them.
 */
function checkAgainstParse(body: Buffer, result: ListResult<unknown> | undefined): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // The ordinary parse fails: so must the request, hence no deferred list.
    expect(result).toBeUndefined();
    return false;
  }
  if (result === undefined) return false;
  expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
  const expected = asListed(parsed) as { items: unknown[] };
  expect(Array.isArray(result.items)).toBe(true);
  expect(result.items).toHaveLength(expected.items.length);
  result.items.forEach((item, i) => {
    const value = expected.items[i];
    // A cell exactly when the cache admits the item as it is.
    const admitted = encodedObject(JSON.stringify(value), value) !== undefined;
    expect(item instanceof EncodedObject).toBe(admitted);
    if (item instanceof EncodedObject) {
      expect(item.encoded).toBe(true);
      const { name, namespace, resourceVersion, uid, labels, ownerReferences } = (
        value as { metadata: Record<string, unknown> }
      ).metadata;
      expect(cellMetadata(item)).toEqual({ name, namespace, resourceVersion, uid, labels, ownerReferences });
    }
  });
  expect({ ...result, items: result.items.map((item) => readObject(item)) }).toEqual(expected);
  return true;
}

/** A streaming reader fed `chunks`, then ended with the whole body. */
function streamed(body: Buffer, chunks: readonly Buffer[]): ListResult<unknown> | undefined {
  const reader = new DeferredListReader();
  for (const chunk of chunks) reader.write(chunk);
  return reader.end(body);
}

describe('deferredList and DeferredListReader', () => {
  test.prop([bodyArb, chunkSizesArb], { numRuns: 400 })(
    'give undefined or, items read, exactly the ordinary parse; a page written the API server way is deferred',
    ({ body, apiShaped }, sizes) => {
      const whole = deferredList(body);
      const cut = streamed(body, chunksOf(body, sizes));
      const oneChunk = streamed(body, [body]);
      const deferred = [whole, cut, oneChunk].map((result) => checkAgainstParse(body, result));
      if (apiShaped) expect(deferred).toEqual([true, true, true]);
    },
  );

  test.prop([apiPageArb, chunkSizesArb], { numRuns: 200 })(
    'a page written the API server way is deferred however it is chunked, one byte at a time included',
    (page, sizes) => {
      const body = Buffer.from(page.text);
      for (const chunks of [
        chunksOf(body, sizes),
        chunksOf(body, [1]),
        [Buffer.alloc(0), body, Buffer.alloc(0)],
      ]) {
        expect(checkAgainstParse(body, streamed(body, chunks))).toBe(true);
        // Cut as it arrived: the reader needs no second look at the whole body (it would only
        // take one when the streaming cut gave up, which such a page never makes it do).
        expect(checkAgainstParse(body, streamed(Buffer.from('not the body'), chunks))).toBe(true);
      }
    },
  );

  it('cuts StatefulSets at their own boundaries, not at their volumeClaimTemplates', () => {
    const sts = (name: string) => ({
      metadata: { name, namespace: 'db' },
      spec: {
        volumeClaimTemplates: [
          { metadata: { name: 'data' } },
          { metadata: { name: 'logs' } },
          { metadata: { name: 'x' } },
        ],
      },
    });
    const list = {
      kind: 'StatefulSetList',
      metadata: { resourceVersion: '3' },
      items: [sts('a'), sts('b'), sts('c')],
    };
    const body = Buffer.from(JSON.stringify(list));
    for (const result of [deferredList(body), streamed(body, chunksOf(body, [7]))]) {
      expect(result?.items.every((item) => item instanceof EncodedObject && item.encoded)).toBe(true);
      expect(result?.items.map((item) => (item as EncodedObject).metadata.name)).toEqual(['a', 'b', 'c']);
      expect({ ...result, items: result?.items.map((item) => readObject(item)) }).toEqual(list);
    }
  });

  it('passes an item the cache turns away on decoded, and defers the rest of the page', () => {
    const text =
      '{"metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"ok"}},{"metadata":{"name":"a/b"}},{"metadata":{"name":"fine","resourceVersion":"4"}}]}';
    const result = deferredList(Buffer.from(text));
    expect(result?.items.map((item) => item instanceof EncodedObject)).toEqual([true, false, true]);
    expect(result?.items[1]).toEqual({ metadata: { name: 'a/b' } });
    expect(result?.metadata).toEqual({ resourceVersion: '5' });
  });

  it('leaves shapes it does not cut to the ordinary parse', () => {
    for (const text of [
      '{"metadata":{"resourceVersion":"1"},"items":[]}',
      '{"metadata":{"resourceVersion":"1"},"items":null}',
      '{"metadata":{"resourceVersion":"1"}}',
      '{"items":[{"metadata":{"name":"a"}},1]}',
      '{"items":[1,{"metadata":{"name":"a"}}]}',
      '{"items":[{"metadata":{"name":"a"}},{"kind":"Pod","metadata":{"name":"b"}}]}',
      '{"items":[{"metadata":{"name":"a"}}],"items":[{"metadata":{"name":"b"}}]}',
      '{"items":[{"metadata":{"name":"a"}}],"items":null}',
      '{"items":[{"metadata":{"name":"a"}}]',
      '{"items":[{"\\u006detadata":{"name":"a"}}]}',
      '[{"items":[{"metadata":{"name":"a"}}]}]',
    ]) {
      const body = Buffer.from(text);
      expect([text, deferredList(body)]).toEqual([text, undefined]);
      expect([text, streamed(body, chunksOf(body, [3]))]).toEqual([text, undefined]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Over HTTP

let server: TestServer;
let client: HttpKubeClient;
/** The body the next list is answered with, and how it is written. */
let answer: { body: Buffer; sizes: readonly number[]; delays: readonly number[] } = {
  body: Buffer.alloc(0),
  sizes: [1],
  delays: [0],
};

beforeAll(async () => {
  server = await startServer((_req, res) => {
    const { body, sizes, delays } = answer;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    void (async () => {
      const chunks = chunksOf(body, sizes);
      for (const [i, chunk] of chunks.entries()) {
        res.write(chunk);
        const delay = delays[i % delays.length] as number;
        if (delay > 0) await sleep(delay);
      }
      res.end();
    })();
  });
  client = kubeClient(kubeConfigFor(server.url), { rateLimit: false });
});
afterAll(() => server.close());

type Outcome = { list: unknown } | { error: { type: unknown; message: string } };

/** One list of pods answered with the current `answer`, as data (items read) or its error. */
async function listed(deferDecoding: boolean): Promise<Outcome> {
  try {
    const list = await within(client.list(resources.pods, { deferDecoding }), 5000, 'list');
    return { list: { ...list, items: list.items.map((item) => readObject(item)) } };
  } catch (error) {
    return { error: { type: (error as Error).constructor, message: (error as Error).message } };
  }
}

describe('kubeClient().list with deferDecoding over HTTP', () => {
  test.prop([bodyArb, chunkSizesArb, fc.array(fc.constantFrom(0, 0, 1, 2), { minLength: 1, maxLength: 4 })], {
    numRuns: 60,
  })('gives the list (items read) or the error the ordinary parse gives', async ({ body }, sizes, delays) => {
    answer = { body, sizes: sizes.map((s) => s * 8), delays };
    const eager = await listed(false);
    const deferred = await listed(true);
    expect(deferred).toEqual(eager);
  });

  it('keeps the items of a page written the API server way as cells, encoded until read', async () => {
    const pods = ['a', 'b', 'c'].map((name) => ({
      metadata: { name, namespace: 'default', resourceVersion: '4', labels: { app: 'web' } },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] },
    }));
    const text = JSON.stringify({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '9' },
      items: pods,
    });
    answer = { body: Buffer.from(text), sizes: [5, 17, 2], delays: [1, 0] };
    const list = await client.list(resources.pods, { deferDecoding: true });
    expect(list.items.every((item) => item instanceof EncodedObject && item.encoded)).toBe(true);
    expect(list.metadata).toEqual({ resourceVersion: '9' });
    expect(list.items.map((item) => readObject(item))).toEqual(pods);
    const eager = await client.list(resources.pods, {});
    expect(eager.items.some((item) => item instanceof EncodedObject)).toBe(false);
  });

  it('a truncated page fails the same way deferred or not', async () => {
    const text = '{"metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"a"}},{"metadata":{"na';
    answer = { body: Buffer.from(text), sizes: [4], delays: [0] };
    const eager = await rejectionOf(client.list(resources.pods, {}));
    const deferred = await rejectionOf(client.list(resources.pods, { deferDecoding: true }));
    expect((deferred as Error).constructor).toBe((eager as Error).constructor);
    expect((deferred as Error).message).toBe((eager as Error).message);
  });
});
