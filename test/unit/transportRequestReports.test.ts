/**
 * Every HTTP request the transport sends is reported (`onRequest`, `observeRequests`), as
 * client-go's rest client feeds `rest_client_*`: method, the server's host:port, the path without
 * its query, the status code or `<error>` when no response came, the duration on the transport's
 * clock; each retry is a request, and a watch is timed to its response headers. A request that
 * never went out (aborted while waiting for the rate limit) is not one; an observer that throws
 * does not fail the request.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestReport } from '../../src/core/requestReport.js';
import { reportsRequests } from '../../src/core/requestReport.js';
import { resources } from '../../src/core/resources.js';
import type { TransportClock } from '../../src/transport/clock.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import {
  kubeConfigFor,
  rejectionOf,
  sendJson,
  startServer,
  status,
  type TestServer,
} from './transportHarness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A clock that moves 5 ms every time it is read, and whose sleeps end at once. */
function tickingClock(): TransportClock {
  let now = 0;
  return {
    now: () => (now += 5),
    sleep: async (ms) => {
      now += ms;
    },
  };
}

const brief = (r: RequestReport) => `${r.method} ${r.path} ${r.code}${r.watch ? ' watch' : ''}`;

describe('kubeClient request reports', () => {
  it('reports lists, every retry, writes, errors and watches, with host and duration', async () => {
    let gets = 0;
    server = await startServer((req, res) => {
      if (req.url?.includes('watch=true')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(
          `${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '2' } } })}\n`,
        );
        return;
      }
      if (req.method === 'GET' && req.url?.includes('/configmaps/web')) {
        gets++;
        if (gets === 1) {
          res.setHeader('Retry-After', '1');
          sendJson(res, 429, status(429, 'TooManyRequests', 'slow down'));
          return;
        }
        sendJson(res, 200, { metadata: { name: 'web' } });
        return;
      }
      if (req.method === 'DELETE') {
        sendJson(res, 404, status(404, 'NotFound', 'configmaps "gone" not found'));
        return;
      }
      sendJson(res, 200, { kind: 'ConfigMapList', items: [], metadata: { resourceVersion: '1' } });
    });
    const reports: RequestReport[] = [];
    const client = kubeClient(kubeConfigFor(server.url), {
      onRequest: (report) => reports.push(report),
      clock: tickingClock(),
      rateLimit: false,
    });
    expect(reportsRequests(client)).toBe(true);
    const later: RequestReport[] = [];
    const stop = client.observeRequests((report) => later.push(report));

    await client.list(resources.configMaps, { namespace: 'default', labelSelector: 'app=web', limit: 5 });
    await client.get(resources.configMaps, 'web', { namespace: 'default' });
    expect(
      await rejectionOf(client.delete(resources.configMaps, 'gone', { namespace: 'default' })),
    ).toMatchObject({
      code: 404,
    });
    await firstValueFrom(
      client
        .watch(resources.configMaps, {
          namespace: 'default',
          resourceVersion: '1',
          allowWatchBookmarks: true,
        })
        .pipe(take(1), toArray()),
    );
    stop();
    await client.list(resources.configMaps, {});

    expect(reports.map(brief)).toEqual([
      'GET /api/v1/namespaces/default/configmaps 200',
      'GET /api/v1/namespaces/default/configmaps/web 429',
      'GET /api/v1/namespaces/default/configmaps/web 200',
      'DELETE /api/v1/namespaces/default/configmaps/gone 404',
      'GET /api/v1/namespaces/default/configmaps 200 watch',
      'GET /api/v1/configmaps 200',
    ]);
    expect(later.map(brief)).toEqual(reports.slice(0, 5).map(brief));
    const host = new URL(server.url).host;
    expect(new Set(reports.map((r) => r.host))).toEqual(new Set([host]));
    for (const report of reports) expect(report.durationMs).toBeGreaterThan(0);
  });

  it('reports <error> when no response came, and nothing for a request that never went out', async () => {
    server = await startServer((_req, res) => res.destroy());
    const reports: RequestReport[] = [];
    const client = kubeClient(kubeConfigFor(server.url), {
      onRequest: (report) => reports.push(report),
      maxRetries: 0,
      rateLimit: { qps: 1, burst: 1 },
    });
    await rejectionOf(client.list(resources.pods, {}));
    // The bucket is empty now: this one waits for a token and is aborted before it goes out.
    const abort = new AbortController();
    const waiting = rejectionOf(
      client.get(resources.pods, 'web', { namespace: 'default', signal: abort.signal }),
    );
    abort.abort();
    await waiting;
    expect(reports.map(brief)).toEqual(['GET /api/v1/pods <error>']);
  });

  it('an observer that throws does not fail the request', async () => {
    server = await startServer((_req, res) =>
      sendJson(res, 200, { kind: 'PodList', items: [], metadata: { resourceVersion: '1' } }),
    );
    const client = kubeClient(kubeConfigFor(server.url), {
      onRequest: () => {
        throw new Error('metrics broke');
      },
    });
    await expect(client.list(resources.pods, {})).resolves.toMatchObject({
      metadata: { resourceVersion: '1' },
    });
  });
});
