/**
 * The deferred list reader cuts the list's own `items` only: when the list's `items` is written
 * another way (a space before the bracket, an escaped key) and a field after it holds an `items`
 * array of objects, the nested array must not be taken for the list's items. The rest of the page
 * is parsed with a marker where the items were cut, and the list's own `items` must be that
 * marker; otherwise the page is parsed the ordinary way, as kubeClient without deferDecoding does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResult } from '../../src/core/client.js';
import { readObject } from '../../src/core/encodedObject.js';
import { resources } from '../../src/core/resources.js';
import { DeferredListReader, deferredList } from '../../src/transport/deferredList.js';
import { type HttpKubeClient, kubeClient } from '../../src/transport/kubeClient.js';
import { kubeConfigFor, startServer, type TestServer } from './transportHarness.js';

const BODIES = [
  '{"metadata":{"resourceVersion":"1"},"items": [],"extra":{"items":[{"metadata":{"name":"x"}}]}}',
  '{"metadata":{"resourceVersion":"1"},"\\u0069tems":[],"extra":{"items":[{"metadata":{"name":"x"}},{"metadata":{"name":"y"}}]}}',
];

const read = (list: ListResult<unknown> | undefined) =>
  list && { ...list, items: list.items.map((item) => readObject(item)) };

describe('a nested items array after the list items', () => {
  it('is not taken for the list items (deferredList, DeferredListReader)', () => {
    for (const text of BODIES) {
      const body = Buffer.from(text);
      const reader = new DeferredListReader();
      reader.write(body);
      const expected = JSON.parse(text);
      // Either left to the ordinary parse or equal to it; today both give items [x(, y)], extra.items [].
      for (const result of [deferredList(body), reader.end(body)])
        expect(result === undefined ? expected : read(result)).toEqual(expected);
    }
  });

  describe('over HTTP', () => {
    let server: TestServer;
    let client: HttpKubeClient;
    beforeAll(async () => {
      server = await startServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(BODIES[0]);
      });
      client = kubeClient(kubeConfigFor(server.url), { rateLimit: false });
    });
    afterAll(() => server.close());

    it('kubeClient().list gives the same list with deferDecoding as without', async () => {
      const eager = await client.list(resources.pods, {});
      expect(eager.items).toEqual([]);
      const deferred = await client.list(resources.pods, { deferDecoding: true });
      // Today: items [{ metadata: { name: 'x' } }], extra: { items: [] }.
      expect(read(deferred)).toEqual(eager);
    });
  });
});
