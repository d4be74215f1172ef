/**
 * Probes as kube-apiserver and controller-runtime answer them: `ok` or a 500 listing every check,
 * `?verbose`, `?exclude=`, one check by path; first without HTTP, then through the health server
 * (with `/metrics` from a prom-client registry).
 */
import * as prom from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type HealthServer, serveHealth } from '../../src/runtime/healthServer.js';
import { parseProbeUrl, ping, probes } from '../../src/runtime/probes.js';

function sample() {
  const checks = probes();
  let informersSynced = false;
  checks.add('healthz', 'ping', ping);
  checks.add('readyz', 'ping', ping);
  checks.add('readyz', 'informer-sync', () => {
    if (!informersSynced) throw new Error('waiting for the first list of pods.v1');
  });
  checks.add('readyz', 'database', async () => {
    await Promise.resolve();
  });
  return {
    checks,
    sync: () => {
      informersSynced = true;
    },
  };
}

describe('probes without HTTP', () => {
  it('answers ok when every check passes, and lists them with ?verbose', async () => {
    const { checks, sync } = sample();
    sync();
    expect(await checks.answerUrl('/readyz')).toEqual({ status: 200, body: 'ok' });
    expect(await checks.answerUrl('/readyz?verbose')).toEqual({
      status: 200,
      body: '[+]ping ok\n[+]informer-sync ok\n[+]database ok\nreadyz check passed\n',
    });
    expect(await checks.answerUrl('/healthz?verbose=1')).toEqual({
      status: 200,
      body: '[+]ping ok\nhealthz check passed\n',
    });
  });

  it('answers 500 with every check and the failing reason, verbose or not', async () => {
    const { checks } = sample();
    const expected = {
      status: 500,
      body:
        '[+]ping ok\n[-]informer-sync failed: waiting for the first list of pods.v1\n[+]database ok\n' +
        'readyz check failed\n',
    };
    expect(await checks.answerUrl('/readyz')).toEqual(expected);
    expect(await checks.answerUrl('/readyz?verbose')).toEqual(expected);
  });

  it('answers one check by path: ok, the reason, or 404', async () => {
    const { checks, sync } = sample();
    expect(await checks.answerUrl('/readyz/informer-sync')).toEqual({
      status: 500,
      body: 'internal server error: waiting for the first list of pods.v1\n',
    });
    sync();
    expect(await checks.answerUrl('/readyz/informer-sync')).toEqual({ status: 200, body: 'ok' });
    expect(await checks.answerUrl('/readyz/nope')).toEqual({
      status: 404,
      body: 'no readyz check named nope\n',
    });
    expect(await checks.answerUrl('/healthz/informer-sync')).toMatchObject({ status: 404 });
  });

  it('skips excluded checks and warns about unknown ones', async () => {
    const { checks } = sample();
    expect(await checks.answerUrl('/readyz?exclude=informer-sync')).toEqual({ status: 200, body: 'ok' });
    expect(await checks.answerUrl('/readyz?verbose&exclude=informer-sync&exclude=etcd')).toEqual({
      status: 200,
      body:
        '[+]ping ok\n[+]informer-sync excluded: ok\n[+]database ok\n' +
        'warn: some health checks cannot be excluded: no matches for "etcd"\nreadyz check passed\n',
    });
  });

  it('takes any thrown value, rejected promises and multi-line reasons as one line', async () => {
    const checks = probes();
    checks.add('readyz', 'string', () => {
      throw 'plain string';
    });
    checks.add('readyz', 'rejects', () => Promise.reject(new Error('first\n  second')));
    expect(await checks.answerUrl('/readyz')).toEqual({
      status: 500,
      body: '[-]string failed: plain string\n[-]rejects failed: first second\nreadyz check failed\n',
    });
  });

  it('refuses duplicate and unusable names; paths that are not probes are undefined', async () => {
    const checks = probes();
    checks.add('readyz', 'a', ping);
    expect(() => checks.add('readyz', 'a', ping)).toThrow(/already has a check named a/);
    expect(() => checks.add('readyz', 'a/b', ping)).toThrow(/no "\/"/);
    expect(() => checks.add('readyz', '', ping)).toThrow(/non-empty/);
    checks.add('healthz', 'a', ping);
    expect(checks.names('readyz')).toEqual(['a']);
    expect(await checks.answerUrl('/livez')).toBeUndefined();
    expect(await checks.answerUrl('/readyz/a/b')).toBeUndefined();
    expect(parseProbeUrl('/readyz/?verbose&exclude=a,b')).toEqual({
      endpoint: 'readyz',
      verbose: true,
      exclude: ['a', 'b'],
    });
  });
});

describe('the health server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the probes and /metrics over HTTP', async () => {
    const { checks, sync } = sample();
    const registry = new prom.Registry();
    new prom.Counter({ name: 'demo_total', help: 'A demo counter.', registers: [registry] }).inc(3);
    server = await serveHealth({ port: 0, host: '127.0.0.1', probes: checks, registry });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);

    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(500);
    expect(notReady.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await notReady.text()).toContain('[-]informer-sync failed: waiting for the first list');
    sync();
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ok']);
    expect(await (await fetch(`${server.url}/readyz/informer-sync`)).text()).toBe('ok');
    expect(await (await fetch(`${server.url}/healthz?verbose`)).text()).toBe(
      '[+]ping ok\nhealthz check passed\n',
    );

    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe(registry.contentType);
    expect(await metrics.text()).toContain('# TYPE demo_total counter\ndemo_total 3\n');

    const head = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await fetch(`${server.url}/healthz`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${server.url}/`)).status).toBe(404);
  });

  it('answers 404 on /metrics without a registry and 500 when the registry fails', async () => {
    const checks = probes();
    server = await serveHealth({ port: 0, host: '127.0.0.1', probes: checks });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    await server.close();
    server = await serveHealth({
      port: 0,
      host: '127.0.0.1',
      probes: checks,
      registry: {
        getSingleMetric: () => undefined,
        contentType: 'text/plain',
        metrics: () => Promise.reject(new Error('collector failed')),
      },
    });
    const failed = await fetch(`${server.url}/metrics`);
    expect([failed.status, await failed.text()]).toEqual([500, 'internal server error: collector failed\n']);
  });

  it('rejects when the port is taken', async () => {
    server = await serveHealth({ port: 0, host: '127.0.0.1', probes: probes() });
    await expect(serveHealth({ port: server.port, host: '127.0.0.1', probes: probes() })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
