/**
 * The transport's defect classes of issue 14, against the hostile server: politeness (Retry-After
 * on lists, watches and writes; the client-side rate limit), stuck connections (the idle watchdog
 * and TCP keepalive), error bodies of any size, and secrets echoed in forms that raw-text
 * redaction would miss (percent-encoded, \u-escaped, HTML-escaped, deep in a Status). Unit tests
 * of the same behaviour, with exact bounds, are `test/unit/transport*.test.ts`.
 */
import { Socket } from 'node:net';
import { expect, vi } from 'vitest';
import { StatusError } from '../../../src/core/errors.js';
import { resources } from '../../../src/core/resources.js';
import { TCP_KEEPALIVE_DELAY_MS } from '../../../src/transport/http.js';
import { kubeClient, watchIdleTimeoutFor } from '../../../src/transport/kubeClient.js';
import type { AdversarialCase, StandaloneCase } from '../support/adversarialCase.js';
import { describeCases, expectNoLongStall } from '../support/assertions.js';
import { startHostileServer } from '../support/hostileServer.js';
import { added, pod, pods } from '../support/objects.js';
import { json, okList, rawBody, sequence, status, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';
import { TOKEN } from '../support/secrets.js';

const listed = pods(3);
const a = pod('a', '11');

/** Milliseconds between the first and second request of `verb`. */
function gapMs(run: InformerRun, verb: 'list' | 'watch' | 'other'): number {
  const [first, second] = run.server.requestsOf(verb);
  if (!first || !second) throw new Error(`expected two ${verb} requests`);
  return second.at - first.at;
}

/** Fails the case if nothing was reported (a no-secret check over no error means nothing). */
const reportedAnError = (run: InformerRun) => expect(run.reported.length).toBeGreaterThan(0);

const politeness: AdversarialCase[] = [
  {
    name: 'a list answered 429 with Retry-After: 1 is retried no sooner than a second later',
    defectClass: 'politeness',
    server: {
      list: sequence(
        status(429, 'TooManyRequests', 'slow down', { 'retry-after': '1' }),
        okList(listed, '3'),
      ),
      watch: watchLines([], 'hang'),
      valid: listed,
    },
    runMs: 2000,
    check: (run) => expect(gapMs(run, 'list')).toBeGreaterThanOrEqual(950),
  },
  {
    name: 'a watch answered 503 with Retry-After: 1 is retried no sooner than a second later',
    defectClass: 'politeness',
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        status(503, 'ServiceUnavailable', 'apiserver is shutting down', { 'retry-after': '1' }),
        watchLines([], 'hang'),
      ),
      valid: listed,
    },
    runMs: 2000,
    check: (run) => expect(gapMs(run, 'watch')).toBeGreaterThanOrEqual(950),
  },
  {
    name: 'a list answered 503 with Retry-After as an HTTP date two seconds ahead waits until then',
    defectClass: 'politeness',
    server: {
      list: sequence(
        // Whole seconds: the date is 1 to 2 s ahead when it is read, and rounds up to 2 s.
        () =>
          status(503, 'ServiceUnavailable', 'busy', {
            'retry-after': new Date(Date.now() + 2000).toUTCString(),
          }),
        okList(listed, '3'),
      ),
      watch: watchLines([], 'hang'),
      valid: listed,
    },
    runMs: 3000,
    check: (run) => {
      expect(gapMs(run, 'list')).toBeGreaterThanOrEqual(950);
      // 2, or 1 when the date, cut to whole seconds, was read a little more than a second ahead.
      expect(run.reported[0]?.error).toMatchObject({ code: 503 });
      expect([1, 2]).toContain((run.reported[0]?.error as StatusError | undefined)?.retryAfterSeconds);
    },
  },
  {
    name: 'a create answered 429 with Retry-After: 1 is retried after a second and succeeds',
    defectClass: 'politeness',
    run: async () => {
      const created = pod('new', '5');
      const server = await startHostileServer({
        list: okList([], '1'),
        watch: watchLines([], 'hang'),
        other: sequence(
          status(429, 'TooManyRequests', 'slow down', { 'retry-after': '1' }),
          json(201, created),
        ),
      });
      try {
        await expect(kubeClient(server.kubeConfig).create(resources.pods, created)).resolves.toMatchObject({
          metadata: { name: 'new' },
        });
        expect(gapMs({ server } as InformerRun, 'other')).toBeGreaterThanOrEqual(950);
      } finally {
        await server.close();
      }
    },
  } satisfies StandaloneCase,
  {
    name: 'a patch answered 503 with Retry-After: 0 forever gives up after 10 retries (11 requests) with the StatusError',
    defectClass: 'politeness',
    run: async () => {
      const server = await startHostileServer({
        list: okList([], '1'),
        watch: watchLines([], 'hang'),
        other: status(503, 'ServiceUnavailable', 'no endpoints', { 'retry-after': '0' }),
      });
      try {
        const patching = kubeClient(server.kubeConfig).patch(resources.pods, 'p', { metadata: {} }, 'merge', {
          namespace: 'default',
        });
        await expect(patching).rejects.toMatchObject({ code: 503, retryAfterSeconds: 0 });
        expect(server.requestsOf('other')).toHaveLength(11);
      } finally {
        await server.close();
      }
    },
  } satisfies StandaloneCase,
  {
    name: 'a create answered 500 with Retry-After is not retried (it may have been applied)',
    defectClass: 'politeness',
    run: async () => {
      const server = await startHostileServer({
        list: okList([], '1'),
        watch: watchLines([], 'hang'),
        other: sequence(status(500, 'InternalError', 'etcd timeout', { 'retry-after': '1' }), json(201, a)),
      });
      try {
        await expect(kubeClient(server.kubeConfig).create(resources.pods, a)).rejects.toBeInstanceOf(
          StatusError,
        );
        expect(server.requestsOf('other')).toHaveLength(1);
      } finally {
        await server.close();
      }
    },
  } satisfies StandaloneCase,
  {
    name: 'with no backoff, a client-side rate limit keeps a failing list under 10 requests a second',
    defectClass: 'politeness',
    informer: { backoff: { initialMs: 0, maxMs: 0, jitter: 0 } },
    server: { list: status(500, 'InternalError', 'boom'), watch: watchLines([], 'hang') },
    // Burst 10, then 5 a second: at most 10 + 5 t requests in t seconds, 8.3 a second over 3 s.
    runMs: 3000,
    maxRate: { list: 10 },
  },
  {
    name: 'with no backoff, a client-side rate limit keeps failing watches under 10 requests a second',
    defectClass: 'politeness',
    informer: { backoff: { initialMs: 0, maxMs: 0, jitter: 0 } },
    server: {
      list: okList(listed, '3'),
      watch: status(500, 'InternalError', 'watch cache not ready'),
      valid: listed,
    },
    runMs: 3000,
    maxRate: { list: 10, watch: 10 },
  },
];

const stuck: AdversarialCase[] = [
  {
    name: 'a watch that goes silent on an open socket is given up at the idle timeout and re-watched',
    defectClass: 'stuck',
    client: { watchIdleTimeoutMs: 300 },
    server: {
      list: okList(listed, '3'),
      watch: sequence(watchLines([], 'hang'), watchLines([added(a)], 'hang')),
      valid: [...listed, a],
    },
    runMs: 1500,
    check: (run) => {
      expect(run.reported.map((r) => r.error.name)).toContain('WatchIdleTimeoutError');
      expect(run.server.requestsOf('list')).toHaveLength(1);
    },
  },
  {
    name: "with default options the Reflector's silent watch is given up after 75 s, a vanished peer's after about 40 s",
    defectClass: 'stuck',
    run: () => {
      // The Reflector asks for bookmarks (about one a minute) with timeoutSeconds 300..600.
      for (const timeoutSeconds of [300, 450, 600])
        expect(watchIdleTimeoutFor({}, { allowWatchBookmarks: true, timeoutSeconds })).toBe(75_000);
      // Keepalive probes after 30 s; Node sends 10 probes 1 s apart before the socket fails.
      expect(TCP_KEEPALIVE_DELAY_MS + 10 * 1000).toBeLessThanOrEqual(60_000);
    },
  } satisfies StandaloneCase,
  {
    name: 'list, write and watch sockets enable TCP keepalive with a 30 s delay',
    defectClass: 'stuck',
    run: async () => {
      const server = await startHostileServer({
        list: okList([], '1'),
        watch: watchLines([], 'hang'),
        other: json(200, a),
      });
      const keepalive = vi.spyOn(Socket.prototype, 'setKeepAlive');
      try {
        const client = kubeClient(server.kubeConfig);
        await client.list(resources.pods, {});
        await client.get(resources.pods, 'a', { namespace: 'default' });
        const watch = client.watch(resources.pods, { resourceVersion: '1' }).subscribe({ error: () => {} });
        await vi.waitFor(() => expect(server.requestsOf('watch')).toHaveLength(1));
        watch.unsubscribe();
        expect(
          keepalive.mock.calls.filter(([on, delay]) => on === true && delay === 30_000).length,
        ).toBeGreaterThanOrEqual(3);
      } finally {
        keepalive.mockRestore();
        await server.close();
      }
    },
  } satisfies StandaloneCase,
];

const MIB = 1024 * 1024;

const errorBodies: AdversarialCase[] = [
  {
    name: 'a list error body of 8 MiB is read only up to its cap; the informer recovers at once',
    defectClass: 'exhaustion',
    server: {
      list: sequence(
        rawBody(500, Buffer.alloc(8 * MIB, '<'), { 'content-type': 'text/html' }),
        okList(listed, '3'),
      ),
      watch: watchLines([], 'hang'),
      valid: listed,
    },
    check: (run) => {
      expectNoLongStall(run);
      expect(run.reported[0]?.error).toMatchObject({ code: 500 });
    },
  },
  {
    name: "a watch error page of 100k '&#' openings and '</' after a <style> does not block the event loop",
    defectClass: 'exhaustion',
    server: {
      list: okList(listed, '3'),
      watch: sequence(
        rawBody(502, `${'&#'.repeat(50_000)}<style>${'</'.repeat(50_000)}`, { 'content-type': 'text/html' }),
        watchLines([added(a)], 'hang'),
      ),
      valid: [...listed, a],
    },
    check: (run) => expectNoLongStall(run),
  },
];

/** Every character of the token as a \u escape: legal JSON that no text form of it matches. */
const escapedEveryChar = [...TOKEN]
  .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  .join('');

const secrets: AdversarialCase[] = [
  {
    name: 'a token echoed percent-encoded (a redirect URL) in a list 503 body is redacted',
    defectClass: 'secrets',
    server: {
      list: sequence(
        rawBody(503, `redirect to https://sso.example/cb?token=${encodeURIComponent(TOKEN)} failed`, {
          'content-type': 'text/plain',
        }),
        okList(listed, '2'),
      ),
      watch: watchLines([], 'hang'),
      valid: listed,
    },
    check: (run) => {
      reportedAnError(run);
      expect(run.reported[0]?.error.message).not.toContain(encodeURIComponent(TOKEN));
      expect(run.reported[0]?.error.message).toContain('[redacted]');
    },
  },
  {
    name: 'a token \\u-escaped character by character in a watch 500 Status is redacted once decoded',
    defectClass: 'secrets',
    server: {
      list: okList(listed, '2'),
      watch: sequence(
        rawBody(500, `{"kind":"Status","code":500,"message":"webhook saw ${escapedEveryChar}"}`, {
          'content-type': 'application/json',
        }),
        watchLines([added(a)], 'hang'),
      ),
      valid: [...listed, a],
    },
    check: (run) => {
      reportedAnError(run);
      expect(run.reported[0]?.error.message).toBe('500 InternalError: webhook saw [redacted]');
    },
  },
  {
    name: 'a token HTML-escaped in a proxy’s 502 page is redacted',
    defectClass: 'secrets',
    server: {
      list: sequence(
        rawBody(502, `<html><body><p>upstream rejected ${TOKEN.replaceAll('&', '&amp;')}</p></body></html>`, {
          'content-type': 'text/html',
        }),
        okList(listed, '2'),
      ),
      watch: watchLines([], 'hang'),
      valid: listed,
    },
    check: (run) => {
      reportedAnError(run);
      expect(run.reported[0]?.error.message).not.toContain(TOKEN.replaceAll('&', '&amp;'));
    },
  },
  {
    name: 'a token in the reason, details and causes of a list 422 Status is redacted everywhere in it',
    defectClass: 'secrets',
    server: {
      list: sequence(
        rawBody(
          422,
          JSON.stringify({
            kind: 'Status',
            code: 422,
            reason: TOKEN,
            message: 'invalid',
            details: { name: TOKEN, causes: [{ field: 'spec', message: `saw ${TOKEN}` }] },
          }).replaceAll('&', '\\u0026'),
          { 'content-type': 'application/json' },
        ),
        okList(listed, '2'),
      ),
      watch: watchLines([], 'hang'),
      valid: listed,
    },
    check: (run) => {
      reportedAnError(run);
      expect(JSON.stringify((run.reported[0]?.error as StatusError | undefined)?.status)).not.toContain(
        TOKEN,
      );
    },
  },
];

describeCases('transport: politeness (Retry-After, client-side rate limit)', politeness);
describeCases('transport: stuck connections (idle watchdog, TCP keepalive)', stuck);
describeCases('transport: error bodies of any size or shape', errorBodies, { sequential: true });
describeCases('transport: secrets echoed in any form', secrets);
