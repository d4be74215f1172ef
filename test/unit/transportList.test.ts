import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isPersistentFailure, isResourceExpired, StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import {
  IdleTimeoutError,
  KubeConfigError,
  RequestAbortedError,
  TransportError,
} from '../../src/transport/transportErrors.js';
import {
  expectNoSecret,
  type Handler,
  kubeConfigFor,
  rejectionOf,
  sendJson,
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

const podList = {
  kind: 'PodList',
  apiVersion: 'v1',
  metadata: { resourceVersion: '42', continue: 'next-page', remainingItemCount: 3 },
  items: [{ metadata: { name: 'a', namespace: 'default', resourceVersion: '40' } }],
};

describe('kubeClient list', () => {
  it('sends the bearer token and the list query, and returns items and metadata', async () => {
    const srv = await serve((_req, res) => sendJson(res, 200, podList));
    const client = kubeClient(kubeConfigFor(srv.url));
    const result = await client.list(resources.pods, {
      namespace: 'default',
      labelSelector: 'app in (web,api),tier!=db',
      fieldSelector: 'status.phase=Running',
      limit: 500,
      continue: 'tok/en=',
      resourceVersion: '7',
      resourceVersionMatch: 'NotOlderThan',
    });
    // The body as the server sent it (kind and apiVersion included): the Reflector checks its shape.
    expect(result).toEqual(podList);
    expect(result.metadata).toEqual({ resourceVersion: '42', continue: 'next-page', remainingItemCount: 3 });
    const [req] = srv.requests;
    expect(req?.method).toBe('GET');
    expect(req?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.url.pathname).toBe('/api/v1/namespaces/default/pods');
    expect(Object.fromEntries(req?.url.searchParams ?? [])).toEqual({
      labelSelector: 'app in (web,api),tier!=db',
      fieldSelector: 'status.phase=Running',
      limit: '500',
      continue: 'tok/en=',
      resourceVersion: '7',
      resourceVersionMatch: 'NotOlderThan',
    });
  });

  it('lists all namespaces, grouped resources and cluster-scoped resources on their paths', async () => {
    const srv = await serve((_req, res) =>
      sendJson(res, 200, { metadata: { resourceVersion: '1' }, items: [] }),
    );
    const client = kubeClient(kubeConfigFor(srv.url));
    await client.list(resources.pods, {});
    await client.list(resources.deployments, { namespace: 'prod' });
    await client.list(resources.nodes, { namespace: 'ignored' });
    expect(srv.requests.map((r) => r.url.pathname + r.url.search)).toEqual([
      '/api/v1/pods',
      '/apis/apps/v1/namespaces/prod/deployments',
      '/api/v1/nodes',
    ]);
  });

  it('treats items: null (a Go nil slice) as an empty list and passes a malformed list on unchanged', async () => {
    const srv = await serve((req, res) =>
      sendJson(
        res,
        200,
        req.url?.includes('limit=1') ? { kind: 'PodList' } : { kind: 'PodList', items: null },
      ),
    );
    const client = kubeClient(kubeConfigFor(srv.url));
    expect(await client.list(resources.pods, {})).toEqual({ kind: 'PodList', items: [] });
    // No items, no resourceVersion: not normalised into an empty list (the Reflector rejects it).
    expect(await client.list(resources.pods, { limit: 1 })).toEqual({ kind: 'PodList' });
  });

  it('rejects a body that is not a JSON object with a typed error', async () => {
    const srv = await serve((_req, res) => sendJson(res, 200, []));
    await expect(kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {})).rejects.toBeInstanceOf(
      TransportError,
    );
  });

  it('keeps a server URL path prefix', async () => {
    const srv = await serve((_req, res) =>
      sendJson(res, 200, { metadata: { resourceVersion: '1' }, items: [] }),
    );
    await kubeClient(kubeConfigFor(`${srv.url}/k8s/clusters/c-1/`)).list(resources.pods, {});
    expect(srv.requests[0]?.url.pathname).toBe('/k8s/clusters/c-1/api/v1/pods');
  });

  it('applies credentials per request, so a rotated token is used by the next request', async () => {
    const srv = await serve((_req, res) =>
      sendJson(res, 200, { metadata: { resourceVersion: '1' }, items: [] }),
    );
    const kc = kubeConfigFor(srv.url);
    const client = kubeClient(kc);
    await client.list(resources.pods, {});
    kc.loadFromOptions({
      clusters: kc.clusters,
      contexts: kc.contexts,
      users: [{ name: 'u', token: 'rotated-token-456' }],
      currentContext: 'x',
    });
    await client.list(resources.pods, {});
    expect(srv.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      'Bearer rotated-token-456',
    ]);
  });
});

describe('kubeClient errors', () => {
  it('turns an HTML error page into a StatusError with the HTTP code and a short text snippet', async () => {
    const page = `<html><head><style>body{color:red}</style></head><body><h1>502 Bad Gateway</h1>${'x'.repeat(
      1000,
    )}</body></html>`;
    const srv = await serve((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end(page);
    });
    const error = await rejectionOf(kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {}));
    expect(error).toBeInstanceOf(StatusError);
    const statusErr = error as StatusError;
    expect(statusErr.code).toBe(502);
    expect(statusErr.status.message).toMatch(/^HTTP 502: 502 Bad Gateway x+\.\.\.$/);
    expect(statusErr.message).not.toContain('<');
    expect(statusErr.message).not.toContain('color:red');
    expect(statusErr.message.length).toBeLessThan(300);
  });

  it('keeps reason and message of a Status and takes the HTTP code when the Status has none', async () => {
    const srv = await serve((_req, res) =>
      sendJson(res, 429, status(undefined, 'TooManyRequests', 'slow down')),
    );
    const error = await rejectionOf(kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {}));
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({
      code: 429,
      reason: 'TooManyRequests',
      message: '429 TooManyRequests: slow down',
    });
  });

  it('keeps the Status code (410 Expired is recognised for a relist)', async () => {
    const srv = await serve((_req, res) =>
      sendJson(res, 410, status(410, 'Expired', 'too old resource version')),
    );
    const error = await rejectionOf(kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {}));
    expect(isResourceExpired(error)).toBe(true);
  });

  it.each([
    [401, 'Unauthorized'],
    [403, 'Forbidden'],
  ])('types %i as a persistent StatusError and redacts the token the server echoed', async (code, reason) => {
    const srv = await serve((req, res) =>
      sendJson(res, code, status(code, reason, `rejected ${req.headers.authorization} (token ${TOKEN})`)),
    );
    const error = await rejectionOf(kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {}));
    expect(error).toBeInstanceOf(StatusError);
    expect(error).toMatchObject({ code, reason });
    expect(isPersistentFailure(error)).toBe(true);
    expect((error as Error).message).toContain('[redacted]');
    expectNoSecret(error);
  });

  it('redacts the token from a non-JSON error body', async () => {
    const srv = await serve((req, res) => {
      res.writeHead(401, { 'Content-Type': 'text/plain' });
      res.end(`bad credentials: ${req.headers.authorization}`);
    });
    const error = await rejectionOf(
      kubeClient(kubeConfigFor(srv.url)).get(resources.pods, 'a', { namespace: 'n' }),
    );
    expect(error).toMatchObject({ code: 401 });
    expectNoSecret(error);
  });

  it('rejects a 2xx body that is not JSON with a TransportError that does not quote the body', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"kind":"SecretList","items":[{"data":{"password":"aHVudGVyMg=="}}');
    });
    const error = await rejectionOf(kubeClient(kubeConfigFor(srv.url)).list(resources.secrets, {}));
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).not.toContain('aHVudGVyMg');
  });

  it('rejects a connection failure with a TransportError carrying the Node error code', async () => {
    const srv = await serve(() => {});
    const url = srv.url;
    await srv.close();
    server = undefined;
    const error = await rejectionOf(kubeClient(kubeConfigFor(url)).list(resources.pods, {}));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expectNoSecret(error);
  });

  it('rejects a kubeconfig without a current cluster with a KubeConfigError', async () => {
    const kc = kubeConfigFor('http://127.0.0.1:1');
    kc.setCurrentContext('missing');
    const error = await rejectionOf(kubeClient(kc).list(resources.pods, {}));
    expect(error).toBeInstanceOf(KubeConfigError);
  });

  it('refuses an http: server without insecure-skip-tls-verify, without sending anything', async () => {
    const srv = await serve((_req, res) => sendJson(res, 200, { items: [] }));
    const error = await rejectionOf(
      kubeClient(kubeConfigFor(srv.url, { skipTLSVerify: false })).list(resources.pods, {}),
    );
    expect(error).toBeInstanceOf(KubeConfigError);
    expectNoSecret(error);
    expect(srv.requests).toHaveLength(0);
  });
});

describe('kubeClient cancellation and timeouts', () => {
  it('aborts a list when its AbortSignal fires, closing the socket', async () => {
    const srv = await serve(() => {}); // never answers
    const abort = new AbortController();
    const listing = kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {}, abort.signal);
    const req = await within(srv.nextRequest(), 2000, 'request');
    abort.abort();
    const error = await within(rejectionOf(listing), 2000, 'rejection');
    expect(error).toBeInstanceOf(RequestAbortedError);
    await within(req.socketClosed, 2000, 'socket close');
  });

  it('aborts a list whose body is streaming when the signal fires', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"kind":"PodList","items":['); // and never finishes
    });
    const abort = new AbortController();
    const listing = kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {}, abort.signal);
    const req = await within(srv.nextRequest(), 2000, 'request');
    setTimeout(() => abort.abort(), 50);
    expect(await within(rejectionOf(listing), 2000, 'rejection')).toBeInstanceOf(RequestAbortedError);
    await within(req.socketClosed, 2000, 'socket close');
  });

  it('does not send a request whose signal is already aborted', async () => {
    const srv = await serve((_req, res) => sendJson(res, 200, { items: [] }));
    const abort = new AbortController();
    abort.abort();
    const error = await rejectionOf(
      kubeClient(kubeConfigFor(srv.url)).list(resources.pods, {}, abort.signal),
    );
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(srv.requests).toHaveLength(0);
  });

  it('fails a request that receives nothing for requestIdleTimeoutMs', async () => {
    const srv = await serve(() => {}); // never answers
    const client = kubeClient(kubeConfigFor(srv.url), { requestIdleTimeoutMs: 100 });
    const error = await within(rejectionOf(client.list(resources.pods, {})), 2000, 'idle timeout');
    expect(error).toBeInstanceOf(IdleTimeoutError);
    expect(error).toMatchObject({ idleMs: 100 });
    await within(srv.requests[0]!.socketClosed, 2000, 'socket close');
  });
});

describe('kubeClient default kubeconfig', () => {
  let dir: string | undefined;
  const saved = process.env.KUBECONFIG;
  afterEach(() => {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('loads KUBECONFIG lazily on the first request', async () => {
    const srv = await serve((_req, res) =>
      sendJson(res, 200, { metadata: { resourceVersion: '5' }, items: [] }),
    );
    dir = mkdtempSync(join(tmpdir(), 'kube-rx-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: c\n  cluster:\n    server: ${srv.url}\n    insecure-skip-tls-verify: true`,
        'users:',
        `- name: u\n  user:\n    token: ${TOKEN}`,
        'contexts:',
        '- name: x\n  context:\n    cluster: c\n    user: u',
        'current-context: x',
      ].join('\n'),
    );
    process.env.KUBECONFIG = '/nonexistent/kube-rx-config';
    const client = kubeClient(); // nothing is read yet
    process.env.KUBECONFIG = file;
    const result = await client.list(resources.pods, {});
    expect(result.metadata.resourceVersion).toBe('5');
    expect(srv.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});
