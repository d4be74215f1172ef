/**
 * Politeness (issue 14): the server's Retry-After reaches every StatusError (lists and watches, for
 * the Reflector), writes are retried after it (429 and 503 for every method, other 5xx and
 * connection resets for GET), a bounded number of times; a client-side token bucket (client-go's
 * QPS 5, burst 10) paces every request, a watch once when it starts. Waits run on an injected
 * clock, so most of this is checked without waiting.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import type { TransportClock } from '../../src/transport/clock.js';
import { type KubeClientOptions, kubeClient } from '../../src/transport/kubeClient.js';
import { requestThrottle } from '../../src/transport/rateLimit.js';
import { retryWaitSeconds } from '../../src/transport/retries.js';
import { parseRetryAfter } from '../../src/transport/retryAfter.js';
import { RequestAbortedError, TransportError } from '../../src/transport/transportErrors.js';
import {
  kubeConfigFor,
  rejectionOf,
  sendJson,
  startServer,
  status,
  type TestServer,
  within,
} from './transportHarness.js';

/** A clock whose sleeps end at once and move its time forward; it records what was asked. */
function fakeClock(start = Date.parse('2025-01-01T00:00:00Z')) {
  let now = start;
  const sleeps: number[] = [];
  const clock: TransportClock = {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
  return { clock, sleeps, elapsed: () => now - start };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** When each request reached the server (performance.now()). */
let arrivals: number[] = [];

/** Answers the n-th request (0-based) with `script[n]`, the last entry for every later one. */
async function scripted(script: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  let n = 0;
  arrivals = [];
  server = await startServer((req, res) => {
    arrivals.push(performance.now());
    script[Math.min(n++, script.length - 1)]?.(req, res);
  });
  return server;
}

const refuse =
  (code: number, retryAfter?: string) =>
  (_req: IncomingMessage, res: ServerResponse): void => {
    const body = JSON.stringify(
      status(code, code === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'busy'),
    );
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json' };
    if (retryAfter !== undefined) headers['Retry-After'] = retryAfter;
    res.writeHead(code, headers);
    res.end(body);
  };
const ok =
  (body: unknown = { metadata: { name: 'x' } }) =>
  (req: IncomingMessage, res: ServerResponse): void =>
    sendJson(res, req.method === 'POST' ? 201 : 200, body);
const reset = (req: IncomingMessage) => req.socket.destroy();

function client(srv: TestServer, options: KubeClientOptions = {}) {
  return kubeClient(kubeConfigFor(srv.url), options);
}

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  it('reads seconds and HTTP dates (IMF-fixdate, RFC 850, asctime), rounding a date up', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['7', '9'], now)).toBe(7);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5);
    expect(parseRetryAfter('Wednesday, 21-Oct-15 07:28:10 GMT', now)).toBe(10);
    expect(parseRetryAfter('Wed Oct 21 07:28:03 2015', now)).toBe(3);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:01 GMT', now - 500)).toBe(2);
  });

  it('a date in the past is 0; nothing, junk, negative or fractional values are undefined', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
    for (const junk of [undefined, '', '-5', '1.5', 'soon', '1e3', []])
      expect(parseRetryAfter(junk as string | undefined, now)).toBeUndefined();
  });
});

describe('Retry-After on every StatusError', () => {
  it('a list answered 429 with Retry-After: 3 rejects at once with retryAfterSeconds 3 (the Reflector waits)', async () => {
    const srv = await scripted([refuse(429, '3'), ok()]);
    const { clock, sleeps } = fakeClock();
    const error = await rejectionOf(client(srv, { clock }).list(resources.pods, {}));
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({ code: 429, retryAfterSeconds: 3 });
    expect(srv.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('a list answered 503 with an HTTP-date Retry-After gets the seconds until then, on the injected clock', async () => {
    const { clock } = fakeClock(Date.parse('2025-01-01T00:00:00Z'));
    const srv = await scripted([refuse(503, 'Wed, 01 Jan 2025 00:00:42 GMT')]);
    expect(await rejectionOf(client(srv, { clock }).list(resources.pods, {}))).toMatchObject({
      code: 503,
      retryAfterSeconds: 42,
    });
  });

  it('a watch answered 503 or 429 with Retry-After errors with retryAfterSeconds', async () => {
    const srv = await scripted([refuse(503, '2'), refuse(429, 'Wed, 01 Jan 2025 00:00:09 GMT')]);
    const { clock } = fakeClock(Date.parse('2025-01-01T00:00:00Z'));
    const c = client(srv, { clock });
    expect(await rejectionOf(firstValueFrom(c.watch(resources.pods, {})))).toMatchObject({
      code: 503,
      retryAfterSeconds: 2,
    });
    expect(await rejectionOf(firstValueFrom(c.watch(resources.pods, {})))).toMatchObject({
      code: 429,
      retryAfterSeconds: 9,
    });
    expect(srv.requests).toHaveLength(2);
  });

  it('without the header, the Status details.retryAfterSeconds is kept; with neither it is undefined', async () => {
    const srv = await scripted([
      (_req, res) =>
        sendJson(res, 429, { ...status(429, 'TooManyRequests', 'x'), details: { retryAfterSeconds: 4 } }),
      refuse(503),
    ]);
    const c = client(srv, { maxRetries: 0 });
    expect(await rejectionOf(c.list(resources.pods, {}))).toMatchObject({ retryAfterSeconds: 4 });
    expect(await rejectionOf(c.list(resources.pods, {}))).toMatchObject({ retryAfterSeconds: undefined });
  });
});

describe('writes are retried after Retry-After', () => {
  const cm = { metadata: { name: 'c', namespace: 'n' } };

  it.each([
    ['create', 429],
    ['create', 503],
    ['replace', 429],
    ['patch', 503],
    ['delete', 429],
    ['get', 503],
  ] as const)('%s answered %i with Retry-After: 1 is retried after 1 s and succeeds', async (verb, code) => {
    const srv = await scripted([refuse(code, '1'), ok()]);
    const { clock, sleeps } = fakeClock();
    const c = client(srv, { clock, rateLimit: false });
    const calls = {
      create: () => c.create(resources.configMaps, cm),
      replace: () => c.replace(resources.configMaps, cm),
      patch: () => c.patch(resources.configMaps, 'c', { data: {} }, 'merge', { namespace: 'n' }),
      delete: () => c.delete(resources.configMaps, 'c', { namespace: 'n' }),
      get: () => c.get(resources.configMaps, 'c', { namespace: 'n' }),
    };
    await expect(calls[verb]()).resolves.toBeDefined();
    expect(sleeps).toEqual([1000]);
    expect(srv.requests).toHaveLength(2);
    // The body is sent again, whole.
    expect(srv.requests[1]?.body).toBe(srv.requests[0]?.body);
  });

  it('a retry waits in real time too: the second request comes at least a second later', async () => {
    const srv = await scripted([refuse(429, '1'), ok()]);
    await client(srv).create(resources.configMaps, cm);
    expect(arrivals).toHaveLength(2);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up after 10 retries (client-go), with the last StatusError; maxRetries bounds it', async () => {
    const srv = await scripted([refuse(429, '2')]);
    const { clock, sleeps } = fakeClock();
    const error = await rejectionOf(
      client(srv, { clock, rateLimit: false }).create(resources.configMaps, cm),
    );
    expect(error).toMatchObject({ code: 429, retryAfterSeconds: 2 });
    expect(srv.requests).toHaveLength(11);
    expect(sleeps).toEqual(Array(10).fill(2000));
    srv.requests.length = 0;
    await rejectionOf(client(srv, { clock, maxRetries: 2 }).create(resources.configMaps, cm));
    expect(srv.requests).toHaveLength(3);
    srv.requests.length = 0;
    await rejectionOf(client(srv, { clock, maxRetries: 0 }).create(resources.configMaps, cm));
    expect(srv.requests).toHaveLength(1);
  });

  it('a Retry-After above maxRetryAfterSeconds (30) is not waited out: the caller gets it', async () => {
    let srv = await scripted([refuse(503, '120'), ok()]);
    const { clock, sleeps } = fakeClock();
    const error = await rejectionOf(client(srv, { clock }).create(resources.configMaps, cm));
    expect(error).toMatchObject({ code: 503, retryAfterSeconds: 120 });
    expect(sleeps).toEqual([]);
    await srv.close();
    srv = await scripted([refuse(503, '120'), ok()]);
    await client(srv, { clock, maxRetryAfterSeconds: 300 }).get(resources.configMaps, 'c', {
      namespace: 'n',
    });
    expect(sleeps).toEqual([120_000]);
  });

  it('not retried: 429 without Retry-After, a POST answered 500 or 504; a GET answered 500 with it is', async () => {
    const { clock, sleeps } = fakeClock();
    let srv = await scripted([refuse(429), ok()]);
    await rejectionOf(client(srv, { clock }).create(resources.configMaps, cm));
    expect(srv.requests).toHaveLength(1);
    await srv.close();
    const serverError = (code: number) => (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(code, { 'Retry-After': '1', 'Content-Type': 'text/plain' });
      res.end('may still be processing');
    };
    srv = await scripted([serverError(504), ok()]);
    expect(await rejectionOf(client(srv, { clock }).create(resources.configMaps, cm))).toMatchObject({
      code: 504,
    });
    expect(srv.requests).toHaveLength(1);
    await srv.close();
    srv = await scripted([serverError(500), ok()]);
    await client(srv, { clock }).get(resources.configMaps, 'c', { namespace: 'n' });
    expect(srv.requests).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  it('a GET whose connection is reset is retried after 1 s; a POST is not (it may have been applied)', async () => {
    const { clock, sleeps } = fakeClock();
    let srv = await scripted([reset, ok()]);
    await client(srv, { clock }).get(resources.configMaps, 'c', { namespace: 'n' });
    expect(srv.requests).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
    await srv.close();
    srv = await scripted([reset, ok()]);
    expect(await rejectionOf(client(srv, { clock }).create(resources.configMaps, cm))).toBeInstanceOf(
      TransportError,
    );
    expect(srv.requests).toHaveLength(1);
  });

  it('the caller’s signal aborts the wait before a retry, in real time, with RequestAbortedError', async () => {
    const srv = await scripted([refuse(429, '20'), ok()]);
    const abort = new AbortController();
    const started = performance.now();
    const pending = rejectionOf(client(srv).create(resources.configMaps, cm, { signal: abort.signal }));
    setTimeout(() => abort.abort(), 100);
    const error = await within(pending, 3000, 'abort during the wait');
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(srv.requests).toHaveLength(1);
  });

  it('retryWaitSeconds: the policy in one table', () => {
    const withWait = (code: number) =>
      new StatusError({ kind: 'Status', code, message: 'x' }, code, 3) as unknown as Error;
    expect(retryWaitSeconds(withWait(429), 'POST')).toBe(3);
    expect(retryWaitSeconds(withWait(503), 'PATCH')).toBe(3);
    expect(retryWaitSeconds(withWait(500), 'DELETE')).toBeUndefined();
    expect(retryWaitSeconds(withWait(502), 'GET')).toBe(3);
    expect(retryWaitSeconds(withWait(409), 'GET')).toBeUndefined();
    expect(retryWaitSeconds(new TransportError('x', { code: 'ECONNRESET' }), 'GET')).toBe(1);
    expect(retryWaitSeconds(new TransportError('x', { code: 'ECONNREFUSED' }), 'GET')).toBeUndefined();
    expect(retryWaitSeconds(new TransportError('x', { code: 'ECONNRESET' }), 'PUT')).toBeUndefined();
  });
});

describe('client-side rate limit', () => {
  it('30 requests with the defaults (QPS 5, burst 10) take at least (30 - 10) / 5 = 4 s of the clock', async () => {
    const srv = await scripted([ok({ kind: 'PodList', metadata: { resourceVersion: '1' }, items: [] })]);
    const { clock, elapsed, sleeps } = fakeClock();
    const c = client(srv, { clock });
    for (let i = 0; i < 30; i++) await c.list(resources.pods, {});
    expect(sleeps).toHaveLength(20);
    expect(elapsed()).toBeGreaterThanOrEqual(4000);
    expect(elapsed()).toBeLessThan(4100);
  });

  it('concurrent requests queue in order; real time: 6 requests at QPS 20, burst 2 take at least 200 ms', async () => {
    const srv = await scripted([ok()]);
    const c = client(srv, { rateLimit: { qps: 20, burst: 2 } });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => c.get(resources.configMaps, `c${i}`, { namespace: 'n' })),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(srv.requests.map((r) => r.url.pathname.split('/').at(-1))).toEqual([
      'c0',
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
    ]);
  });

  it('rateLimit: false turns it off; a bucket refills while idle', async () => {
    const srv = await scripted([ok()]);
    const off = fakeClock();
    const c = client(srv, { clock: off.clock, rateLimit: false });
    for (let i = 0; i < 30; i++) await c.get(resources.configMaps, 'c', { namespace: 'n' });
    expect(off.sleeps).toEqual([]);

    const { clock, sleeps } = fakeClock();
    const throttle = requestThrottle({ qps: 5, burst: 10 }, clock);
    for (let i = 0; i < 10; i++) await throttle();
    expect(sleeps).toEqual([]);
    await clock.sleep(2000); // idle: 10 tokens back
    sleeps.length = 0;
    for (let i = 0; i < 10; i++) await throttle();
    expect(sleeps).toEqual([]);
    await throttle();
    expect(sleeps).toEqual([200]);
  });

  it('a rate limit that cannot work is refused when the client is built', () => {
    const kc = kubeConfigFor('http://127.0.0.1:1');
    expect(() => kubeClient(kc, { rateLimit: { qps: 0 } })).toThrow(RangeError);
    expect(() => kubeClient(kc, { rateLimit: { qps: -1 } })).toThrow(RangeError);
    expect(() => kubeClient(kc, { rateLimit: { burst: 0 } })).toThrow(RangeError);
    expect(() => kubeClient(kc, { rateLimit: { qps: Number.POSITIVE_INFINITY } })).not.toThrow();
  });

  it('a watch takes one token when it starts, however many events it streams', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200);
      for (let i = 1; i <= 50; i++)
        res.write(
          `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: `p${i}`, resourceVersion: String(i) } } })}\n`,
        );
      res.end();
    });
    const { clock, sleeps } = fakeClock();
    const c = client(server, { clock, rateLimit: { qps: 1, burst: 1 } });
    const events = await lastValueFrom(c.watch(resources.pods, {}).pipe(toArray()));
    expect(events).toHaveLength(50);
    expect(sleeps).toEqual([]);
    // The next request finds the bucket empty: one watch was one token.
    await lastValueFrom(c.watch(resources.pods, {}).pipe(take(1)));
    expect(sleeps).toEqual([1000]);
  });

  it('a request aborted while it waits for a token is never sent; a watch waiting for one has no watchdog yet', async () => {
    const srv = await scripted([
      ok(),
      (_req, res) => {
        res.writeHead(200);
        res.end(
          `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } })}\n`,
        );
      },
    ]);
    const c = client(srv, { rateLimit: { qps: 4, burst: 1 }, watchIdleTimeoutMs: 100 });
    await c.get(resources.configMaps, 'c', { namespace: 'n' });
    const abort = new AbortController();
    const aborted = rejectionOf(c.get(resources.configMaps, 'c', { namespace: 'n', signal: abort.signal }));
    abort.abort();
    expect(await aborted).toBeInstanceOf(RequestAbortedError);
    expect(srv.requests).toHaveLength(1);
    // Waits ~250 ms for its token, longer than its 100 ms idle timeout, and still gets its event.
    const event = await within(firstValueFrom(c.watch(resources.pods, {})), 3000, 'watch');
    expect(event.type).toBe('ADDED');
  });
});
