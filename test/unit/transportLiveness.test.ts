/**
 * Stuck for good, the transport's part (issue 14): every socket has TCP keepalive (a dead peer
 * fails it in about 40 s), and the idle watchdog of a watch that allows bookmarks follows the API
 * server's bookmark period (75 s by default) instead of the watch timeout plus 30 s (5.5 to
 * 10.5 minutes).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { TCP_KEEPALIVE_DELAY_MS } from '../../src/transport/http.js';
import { kubeClient, watchIdleTimeoutFor } from '../../src/transport/kubeClient.js';
import { WatchIdleTimeoutError } from '../../src/transport/transportErrors.js';
import { kubeConfigFor, sendJson, startServer, type TestServer, within } from './transportHarness.js';

let server: TestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

/** The kernel's view of the client socket connected from `localPort`, from `ss` (Linux), if any. */
function kernelTimer(localPort: number): string | undefined {
  try {
    return execFileSync('ss', ['-tnoH', 'state', 'established', `( sport = :${localPort} )`], {
      encoding: 'utf8',
    });
  } catch {
    return undefined;
  }
}

/** Answers lists and writes with JSON; a watch gets its headers and one event, then silence. */
function silentWatchServer(tls?: { cert: string; key: string }) {
  return startServer((req, res) => {
    if (req.url?.includes('watch=true')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '5' } } })}\n`);
      return;
    }
    sendJson(res, 200, { kind: 'PodList', metadata: { resourceVersion: '5' }, items: [] });
  }, tls);
}

/** Runs a list, a write and two watches (one left open); returns the open watch's client port. */
async function exercise(srv: TestServer, kc = kubeConfigFor(srv.url)) {
  const client = kubeClient(kc);
  await client.list(resources.pods, {});
  await client.get(resources.pods, 'p', { namespace: 'n' });
  const watch = client.watch(resources.pods, { allowWatchBookmarks: true }).subscribe({ error: () => {} });
  await within(firstValueFrom(client.watch(resources.pods, {})), 5000, 'watch event');
  const open = srv.requests.find((r) => r.url.searchParams.has('allowWatchBookmarks'));
  return { openWatchPort: open?.socket.remotePort ?? 0, stop: () => watch.unsubscribe() };
}

describe('TCP keepalive', () => {
  it(`is enabled with a ${TCP_KEEPALIVE_DELAY_MS / 1000} s delay on the socket of every list, write and watch`, async () => {
    const keepalive = vi.spyOn(Socket.prototype, 'setKeepAlive');
    server = await silentWatchServer();
    const { openWatchPort, stop } = await exercise(server);
    expect(keepalive.mock.calls.length).toBeGreaterThanOrEqual(4);
    for (const call of keepalive.mock.calls) expect(call).toEqual([true, TCP_KEEPALIVE_DELAY_MS]);
    // The kernel agrees: the open watch socket runs a keepalive timer of at most 30 s.
    const timer = kernelTimer(openWatchPort);
    if (timer !== undefined) expect(timer).toMatch(/timer:\(keepalive,(\d|[12]\d|30)(\.\d+)?sec/);
    stop();
  });

  describe('over https', () => {
    let dir: string;
    let pem: { cert: string; key: string };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'kube-rx-keepalive-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-subj',
        ].concat(['/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'k'), '-out', join(dir, 'c')]),
        { stdio: 'pipe' },
      );
      pem = { cert: readFileSync(join(dir, 'c'), 'utf8'), key: readFileSync(join(dir, 'k'), 'utf8') };
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reaches the TCP socket under TLS', async () => {
      const keepalive = vi.spyOn(Socket.prototype, 'setKeepAlive');
      server = await silentWatchServer(pem);
      const { openWatchPort, stop } = await exercise(
        server,
        kubeConfigFor(server.url, { skipTLSVerify: true }),
      );
      expect(keepalive).toHaveBeenCalledWith(true, TCP_KEEPALIVE_DELAY_MS);
      const timer = kernelTimer(openWatchPort);
      if (timer !== undefined) expect(timer).toMatch(/timer:\(keepalive,/);
      stop();
    });
  });
});

describe('the idle watchdog follows the bookmark period', () => {
  it('a watch the Reflector opens (bookmarks, timeoutSeconds 300..600) gives up after 75 s of silence', () => {
    for (const timeoutSeconds of [300, 450, 600, undefined])
      expect(watchIdleTimeoutFor({}, { allowWatchBookmarks: true, timeoutSeconds })).toBe(75_000);
  });

  it('a shorter server timeout wins; without bookmarks it is timeoutSeconds + 30 s; configured wins', () => {
    expect(watchIdleTimeoutFor({}, { allowWatchBookmarks: true, timeoutSeconds: 20 })).toBe(50_000);
    expect(watchIdleTimeoutFor({}, { timeoutSeconds: 300 })).toBe(330_000);
    expect(watchIdleTimeoutFor({}, {})).toBe(330_000);
    expect(watchIdleTimeoutFor({ watchIdleTimeoutMs: 60_000 }, { allowWatchBookmarks: true })).toBe(60_000);
    expect(watchIdleTimeoutFor({ watchIdleTimeoutMs: 0 }, { allowWatchBookmarks: true })).toBe(0);
  });

  it('a half-open watch (headers and a bookmark, then silence on an open socket) errors and closes', async () => {
    server = await silentWatchServer();
    const client = kubeClient(kubeConfigFor(server.url), { watchIdleTimeoutMs: 300 });
    const events: string[] = [];
    const started = performance.now();
    const error = await within(
      new Promise<unknown>((resolve) =>
        client.watch(resources.pods, { allowWatchBookmarks: true }).subscribe({
          next: (e) => events.push(e.type),
          error: resolve,
          complete: () => resolve('completed'),
        }),
      ),
      5000,
      'watchdog',
    );
    expect(events).toEqual(['BOOKMARK']);
    expect(error).toBeInstanceOf(WatchIdleTimeoutError);
    expect((error as WatchIdleTimeoutError).idleMs).toBe(300);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    await within(server.requests[0]?.socketClosed ?? Promise.resolve(), 2000, 'socket closed');
  });
});
