/**
 * An object the cache turns away is reported as the object it is, with or without deferred
 * decoding: the watch decoder makes no cell of it (core/encodedObject.ts `encodedObject`), so
 * `InvalidObjectError.object` is the decoded object, never an `EncodedObject`.
 */
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import { EncodedObject } from '../../src/core/encodedObject.js';
import { InvalidObjectError, type KubeRxError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { informer } from '../../src/runtime/informer.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { kubeConfigFor, sendJson, startServer, type TestServer } from '../unit/transportHarness.js';

let server: TestServer | undefined;
afterEach(() => server?.close());

const bad = { kind: 'Pod', metadata: { name: 'a/b', namespace: 'ns', resourceVersion: '2' }, spec: { x: 1 } };
const good = { kind: 'Pod', metadata: { name: 'ok', namespace: 'ns', resourceVersion: '3' } };

it.each([false, true])(
  'deferDecoding %s: an object turned away is reported decoded',
  async (deferDecoding) => {
    server = await startServer((_req, res, recorded) => {
      if (recorded.url.searchParams.get('watch') === null) {
        sendJson(res, 200, {
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '1' },
          items: [],
        });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(
        `${JSON.stringify({ type: 'ADDED', object: bad })}\n${JSON.stringify({ type: 'ADDED', object: good })}\n`,
      );
    });
    const errors: KubeRxError[] = [];
    const pods = informer(kubeClient(kubeConfigFor(server.url), { rateLimit: false }), resources.pods, {
      deferDecoding,
      onError: (error) => errors.push(error),
    });
    const subscription = pods.store$.subscribe();
    const snapshot = await firstValueFrom(pods.store$.pipe(filter((s) => s.has('ns/ok'))));
    subscription.unsubscribe();
    expect(snapshot.size).toBe(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(InvalidObjectError);
    const { object } = errors[0] as InvalidObjectError;
    expect(object).not.toBeInstanceOf(EncodedObject);
    expect(object).toEqual(bad);
  },
);
