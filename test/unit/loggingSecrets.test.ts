/**
 * No log line carries a secret: a server that echoes the bearer token back in its error messages
 * (a 403 on the list, an in-stream ERROR on the watch) is read through `kubeClient` and
 * `listWatch`, both with a capturing logger. The request lines (debug) have method, host, path,
 * code and duration and nothing else; the reflector's lines have the resource and the redacted
 * message; no line, in any field, contains the token or an Authorization header.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resources } from '../../src/core/resources.js';
import { listWatch } from '../../src/sources/listWatch.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { capturingLogger } from '../support/capturingLogger.js';
import {
  kubeConfigFor,
  sendJson,
  sleep,
  startServer,
  status,
  type TestServer,
  TOKEN,
} from './transportHarness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('logging and secrets', () => {
  it('request and reflector lines name what happened and never the token', async () => {
    let lists = 0;
    server = await startServer((req, res) => {
      const echoed = `you sent ${req.headers.authorization}`;
      if (req.url?.includes('watch=true')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`${JSON.stringify({ type: 'ERROR', object: status(500, 'InternalError', echoed) })}\n`);
        return;
      }
      lists++;
      if (lists === 1) sendJson(res, 403, status(403, 'Forbidden', echoed));
      else sendJson(res, 200, { kind: 'PodList', items: [], metadata: { resourceVersion: '1' } });
    });
    const { logger, lines } = capturingLogger();
    const client = kubeClient(kubeConfigFor(server.url), { logger, rateLimit: false });
    const subscription = listWatch(client, resources.pods, {
      logger,
      backoff: { initialMs: 5, maxMs: 10 },
    }).subscribe();
    for (
      let i = 0;
      i < 200 && !lines.some((l) => l.message === 'reflector error' && l.fields.phase === 'watch');
      i++
    )
      await sleep(5);
    subscription.unsubscribe();

    const requests = lines.filter((l) => l.message === 'request');
    expect(requests[0]).toMatchObject({
      level: 'debug',
      fields: { method: 'GET', path: '/api/v1/pods', code: '403' },
    });
    for (const line of requests)
      expect(Object.keys(line.fields).sort()).toEqual(
        expect.arrayContaining(['code', 'durationMs', 'host', 'method', 'path']),
      );
    const errors = lines.filter((l) => l.message === 'reflector error');
    expect(errors.map((l) => [l.level, l.fields.resource, l.fields.phase])).toEqual(
      expect.arrayContaining([
        ['warn', 'pods.v1', 'list'],
        ['warn', 'pods.v1', 'watch'],
      ]),
    );
    expect(lines.some((l) => l.message === 'list finished')).toBe(true);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(TOKEN);
    expect(everything.toLowerCase()).not.toContain('bearer');
    expect(everything.toLowerCase()).not.toContain('authorization');
  });
});
