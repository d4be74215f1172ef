import type { ServerResponse } from 'node:http';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawWatchEvent } from '../../src/core/client.js';
import { KubeRxError, StatusError, WatchProtocolError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { kubeClient, watchIdleTimeoutFor } from '../../src/transport/kubeClient.js';
import { TransportError, WatchIdleTimeoutError } from '../../src/transport/transportErrors.js';
import {
  expectNoSecret,
  type Handler,
  kubeConfigFor,
  rejectionOf,
  sendJson,
  sleep,
  startServer,
  status,
  type TestServer,
  TOKEN,
  within,
} from './transportHarness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler): Promise<TestServer> {
  server = await startServer(handler);
  return server;
}

const pod = (name: string, rv: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: rv, ...extra },
});
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;

/** Writes `chunks` with a pause between them so each arrives as its own TCP read. */
async function writeSlowly(res: ServerResponse, chunks: (string | Buffer)[], pauseMs = 15): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  for (const chunk of chunks) {
    res.write(chunk);
    await sleep(pauseMs);
  }
}

const collect = (events: Promise<RawWatchEvent[]>) => within(events, 5000, 'watch');

describe('kubeClient watch', () => {
  it('is cold: nothing is requested until subscribe, and each subscription sends one request', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.end(line('ADDED', pod('a', '1')));
    });
    const watch = kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {});
    await sleep(30);
    expect(srv.requests).toHaveLength(0);
    await collect(lastValueFrom(watch.pipe(toArray())));
    await collect(lastValueFrom(watch.pipe(toArray())));
    expect(srv.requests).toHaveLength(2);
  });

  it('sends the watch query and the bearer token', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.end();
    });
    await collect(
      lastValueFrom(
        kubeClient(kubeConfigFor(srv.url))
          .watch(resources.deployments, {
            namespace: 'prod',
            labelSelector: 'app=web',
            fieldSelector: 'metadata.name=web',
            resourceVersion: '',
            resourceVersionMatch: 'NotOlderThan',
            allowWatchBookmarks: true,
            sendInitialEvents: true,
            timeoutSeconds: 315,
          })
          .pipe(toArray()),
      ),
    );
    const [req] = srv.requests;
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.url.pathname).toBe('/apis/apps/v1/namespaces/prod/deployments');
    expect(Object.fromEntries(req?.url.searchParams ?? [])).toEqual({
      watch: 'true',
      labelSelector: 'app=web',
      fieldSelector: 'metadata.name=web',
      resourceVersionMatch: 'NotOlderThan',
      allowWatchBookmarks: 'true',
      sendInitialEvents: 'true',
      timeoutSeconds: '315',
    });
  });

  it('reassembles lines split across chunks, including a multi-byte character split in two', async () => {
    const first = line('ADDED', pod('a', '1'));
    const second = line('MODIFIED', pod('a', '2', { annotations: { note: 'héllo 😀 wörld' } }));
    const bytes = Buffer.from(second, 'utf8');
    const emoji = bytes.indexOf(Buffer.from('😀', 'utf8'));
    const srv = await serve((_req, res) => {
      void writeSlowly(res, [
        first.slice(0, 10),
        first.slice(10) + second.slice(0, 5), // a line ends and the next begins in one chunk
        bytes.subarray(5, emoji + 2), // ends inside the 4-byte emoji
        bytes.subarray(emoji + 2, bytes.length - 1),
        bytes.subarray(bytes.length - 1), // the newline alone
        '\n  \n', // keep-alive blank lines
        line('BOOKMARK', { kind: 'Pod', metadata: { resourceVersion: '3' } }),
      ]).then(() => res.end());
    });
    const events = await collect(
      lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {}).pipe(toArray())),
    );
    expect(events).toEqual([
      { type: 'ADDED', object: pod('a', '1') },
      { type: 'MODIFIED', object: pod('a', '2', { annotations: { note: 'héllo 😀 wörld' } }) },
      { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '3' } } },
    ]);
  });

  it('completes when the server ends the response, emitting a last line that has no newline', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.end(line('ADDED', pod('a', '1')) + line('DELETED', pod('a', '2')).trimEnd());
    });
    const events = await collect(
      lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {}).pipe(toArray())),
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('errors with a WatchProtocolError on a malformed line, after the good events, without quoting it', async () => {
    const srv = await serve((_req, res) => {
      void writeSlowly(res, [line('ADDED', pod('a', '1')), '{"type":"ADDED","object":{"data":"c2VjcmV0"}\n']);
    });
    const seen: RawWatchEvent[] = [];
    const watch = kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {});
    const error = await within(
      new Promise((resolve) => watch.subscribe({ next: (e) => seen.push(e), error: resolve })),
      5000,
      'error',
    );
    expect(seen.map((e) => e.type)).toEqual(['ADDED']);
    expect(error).toBeInstanceOf(WatchProtocolError);
    expect((error as Error).message).not.toContain('c2VjcmV0');
    await within(srv.requests[0]!.socketClosed, 2000, 'socket close');
  });

  it('errors with a WatchProtocolError on a JSON line that is not a watch event', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.end('{"kind":"Pod"}\n');
    });
    const error = await rejectionOf(
      lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {})),
    );
    expect(error).toBeInstanceOf(WatchProtocolError);
  });

  it('errors with a TransportError when the connection is reset in the middle of a line', async () => {
    const srv = await serve((req, res) => {
      void writeSlowly(res, [line('ADDED', pod('a', '1')), '{"type":"MODIFIED","obj']).then(() =>
        req.socket.destroy(),
      );
    });
    const seen: RawWatchEvent[] = [];
    const watch = kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {});
    const error = await within(
      new Promise((resolve) =>
        watch.subscribe({ next: (e) => seen.push(e), error: resolve, complete: () => resolve('completed') }),
      ),
      5000,
      'error',
    );
    expect(seen.map((e) => e.type)).toEqual(['ADDED']);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toBeInstanceOf(KubeRxError);
    expect((error as Error).message).toContain('in the middle of an event');
  });

  it('errors with a TransportError (not completion) when the connection is reset between lines', async () => {
    const srv = await serve((req, res) => {
      void writeSlowly(res, [line('ADDED', pod('a', '1'))]).then(() => req.socket.destroy());
    });
    const error = await within(
      rejectionOf(lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {}))),
      5000,
      'error',
    );
    expect(error).toBeInstanceOf(TransportError);
  });

  it('errors with the StatusError of a refused watch (410 Gone)', async () => {
    const srv = await serve((_req, res) =>
      sendJson(res, 410, status(410, 'Expired', 'too old resource version')),
    );
    const error = await rejectionOf(
      lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {})),
    );
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('errors with a StatusError carrying the HTTP code for an HTML error page', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'text/html' });
      res.end('<html><body>Service Unavailable</body></html>');
    });
    const error = await rejectionOf(
      lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {})),
    );
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({ code: 503 });
    expect((error as Error).message).toContain('Service Unavailable');
  });

  it('errors with a typed 403 that does not show the token', async () => {
    const srv = await serve((req, res) =>
      sendJson(res, 403, status(403, 'Forbidden', `user with ${req.headers.authorization} cannot watch`)),
    );
    const error = await rejectionOf(
      lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {})),
    );
    expect(error).toMatchObject({ code: 403, reason: 'Forbidden' });
    expectNoSecret(error);
  });

  it('redacts the token in an in-stream ERROR event', async () => {
    const srv = await serve((req, res) => {
      res.writeHead(200);
      res.end(line('ERROR', status(500, 'InternalError', `echo ${req.headers.authorization}`)));
    });
    const [event] = await collect(
      lastValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {}).pipe(toArray())),
    );
    expect(event?.type).toBe('ERROR');
    expect(event?.object).toMatchObject({ code: 500, message: 'echo [redacted]' });
    expect(JSON.stringify(event)).not.toContain(TOKEN);
  });

  it('closes the socket when unsubscribed', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.write(line('ADDED', pod('a', '1'))); // and keeps the stream open
    });
    const first = await collect(
      firstValueFrom(kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {}).pipe(take(1), toArray())),
    );
    expect(first).toEqual([{ type: 'ADDED', object: pod('a', '1') }]);
    await within(srv.requests[0]!.socketClosed, 2000, 'socket close after unsubscribe');
  });

  it('closes the socket when unsubscribed before the response arrives', async () => {
    const srv = await serve(() => {}); // never answers
    const subscription = kubeClient(kubeConfigFor(srv.url)).watch(resources.pods, {}).subscribe();
    const req = await within(srv.nextRequest(), 2000, 'request');
    subscription.unsubscribe();
    await within(req.socketClosed, 2000, 'socket close after unsubscribe');
  });

  it('errors with a WatchIdleTimeoutError when no byte arrives for watchIdleTimeoutMs, and closes the socket', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.write(line('ADDED', pod('a', '1'))); // then silence: a half-open connection
    });
    const seen: RawWatchEvent[] = [];
    const watch = kubeClient(kubeConfigFor(srv.url), { watchIdleTimeoutMs: 150 }).watch(resources.pods, {
      timeoutSeconds: 300,
    });
    const error = await within(
      new Promise((resolve) =>
        watch.subscribe({ next: (e) => seen.push(e), error: resolve, complete: () => resolve('completed') }),
      ),
      3000,
      'idle error',
    );
    expect(seen).toHaveLength(1);
    expect(error).toBeInstanceOf(WatchIdleTimeoutError);
    expect(error).toMatchObject({ idleMs: 150 });
    await within(srv.requests[0]!.socketClosed, 2000, 'socket close');
  });

  it('fires the idle watchdog before the response headers too', async () => {
    const srv = await serve(() => {}); // accepts the request, never answers
    const watch = kubeClient(kubeConfigFor(srv.url), { watchIdleTimeoutMs: 100 }).watch(resources.pods, {});
    const error = await within(rejectionOf(lastValueFrom(watch)), 3000, 'idle error');
    expect(error).toBeInstanceOf(WatchIdleTimeoutError);
  });

  it('does not fire the idle watchdog while bytes keep arriving', async () => {
    const srv = await serve((_req, res) => {
      const chunks = Array.from({ length: 12 }, (_, i) => line('MODIFIED', pod('a', String(i))));
      void writeSlowly(res, chunks, 50).then(() => res.end()); // ~600 ms in total, 50 ms apart
    });
    const watch = kubeClient(kubeConfigFor(srv.url), { watchIdleTimeoutMs: 300 }).watch(resources.pods, {});
    const events = await collect(lastValueFrom(watch.pipe(toArray())));
    expect(events).toHaveLength(12);
  });

  it('defaults the idle timeout to timeoutSeconds + 30 s, or 330 s, unless configured (0 disables)', () => {
    expect(watchIdleTimeoutFor({}, { timeoutSeconds: 300 })).toBe(330_000);
    expect(watchIdleTimeoutFor({}, { timeoutSeconds: 600 })).toBe(630_000);
    expect(watchIdleTimeoutFor({}, {})).toBe(330_000);
    expect(watchIdleTimeoutFor({ watchIdleTimeoutMs: 5000 }, { timeoutSeconds: 600 })).toBe(5000);
    expect(watchIdleTimeoutFor({ watchIdleTimeoutMs: 0 }, {})).toBe(0);
  });
});
