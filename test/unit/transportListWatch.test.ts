/** The Reflector (`listWatch`) on the HTTP transport: list, then watch from the list's resourceVersion. */
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { listWatch } from '../../src/sources/listWatch.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { kubeConfigFor, sendJson, startServer, type TestServer, within } from './transportHarness.js';

let server: TestServer;
afterEach(async () => {
  await server.close();
});

const pod = (name: string, rv: string) => ({ metadata: { name, namespace: 'default', resourceVersion: rv } });

it('lists, then watches from the list resourceVersion, and closes the watch socket on unsubscribe', async () => {
  server = await startServer((req, res) => {
    if (!req.url?.includes('watch=true')) {
      sendJson(res, 200, { kind: 'PodList', metadata: { resourceVersion: '10' }, items: [pod('a', '9')] });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(
      `${JSON.stringify({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', ...pod('b', '11') } })}\n`,
    );
  });
  const events = await within(
    firstValueFrom(
      listWatch(kubeClient(kubeConfigFor(server.url)), resources.pods, {
        namespace: 'default',
        watchTimeoutSeconds: 300,
      }).pipe(take(2), toArray()),
    ),
    5000,
    'events',
  );
  expect(events).toEqual([
    {
      type: 'REPLACE',
      resourceVersion: '10',
      objects: [{ apiVersion: 'v1', kind: 'Pod', ...pod('a', '9') }],
    },
    { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', ...pod('b', '11') } },
  ]);
  const [list, watch] = server.requests;
  expect(list?.url.searchParams.get('limit')).toBe('500');
  expect(Object.fromEntries(watch?.url.searchParams ?? [])).toMatchObject({
    watch: 'true',
    resourceVersion: '10',
    allowWatchBookmarks: 'true',
    timeoutSeconds: '300',
  });
  await within(watch!.socketClosed, 2000, 'watch socket close');
});
