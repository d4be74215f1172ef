/**
 * TLS through the kubeconfig: a loopback HTTPS server with a self-signed certificate made by the
 * `openssl` CLI (no network). Proves that applyToHTTPSOptions' CA, insecure-skip-tls-verify and
 * client certificate reach node:https.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { TransportError } from '../../src/transport/transportErrors.js';
import {
  expectNoSecret,
  kubeConfigFor,
  rejectionOf,
  sendJson,
  startServer,
  status,
  type TestServer,
  TOKEN,
} from './transportHarness.js';

interface Pem {
  cert: string;
  key: string;
}

function selfSigned(dir: string, name: string, subject: string, san?: string): Pem {
  const keyout = join(dir, `${name}.key`);
  const out = join(dir, `${name}.crt`);
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
      subject,
      ...(san ? ['-addext', `subjectAltName=${san}`] : []),
      '-days',
      '2',
      '-keyout',
      keyout,
      '-out',
      out,
    ],
    { stdio: 'pipe' },
  );
  return { cert: readFileSync(out, 'utf8'), key: readFileSync(keyout, 'utf8') };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

let dir: string;
let serverPem: Pem;
let clientPem: Pem;
let server: TestServer;
let peerSubjects: (string | undefined)[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kube-rx-tls-'));
  serverPem = selfSigned(dir, 'server', '/CN=127.0.0.1', 'IP:127.0.0.1');
  clientPem = selfSigned(dir, 'client', '/CN=kube-rx-test-user');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  peerSubjects = [];
  server = await startServer(
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const cn = peer?.subject?.CN;
      peerSubjects.push(Array.isArray(cn) ? cn.join(',') : cn);
      if (req.url?.includes('forbidden')) sendJson(res, 403, status(403, 'Forbidden', 'no'));
      else sendJson(res, 200, { metadata: { resourceVersion: '9' }, items: [] });
    },
    // Ask for a client certificate but accept any: the test inspects what was presented.
    { cert: serverPem.cert, key: serverPem.key, requestCert: true, rejectUnauthorized: false },
  );
});
afterEach(async () => {
  await server.close();
});

describe('kubeClient over https', () => {
  it('rejects a self-signed server certificate when the kubeconfig does not skip verification', async () => {
    const error = await rejectionOf(
      kubeClient(kubeConfigFor(server.url, { skipTLSVerify: false })).list(resources.pods, {}),
    );
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(server.requests).toHaveLength(0);
    expectNoSecret(error);
  });

  it('accepts it with insecure-skip-tls-verify', async () => {
    const result = await kubeClient(kubeConfigFor(server.url, { skipTLSVerify: true })).list(
      resources.pods,
      {},
    );
    expect(result.metadata.resourceVersion).toBe('9');
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('honours insecure-skip-tls-verify for a context without a user (client-node skips it then)', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: server.url, skipTLSVerify: true }],
      users: [],
      contexts: [{ name: 'x', cluster: 'c', user: 'nobody' }],
      currentContext: 'x',
    });
    const result = await kubeClient(kc).list(resources.pods, {});
    expect(result.metadata.resourceVersion).toBe('9');
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('verifies it against the certificate-authority-data of the kubeconfig', async () => {
    const kc = kubeConfigFor(server.url, { skipTLSVerify: false, caData: b64(serverPem.cert) });
    const result = await kubeClient(kc).list(resources.pods, {});
    expect(result.metadata.resourceVersion).toBe('9');
  });

  it('presents the client certificate, and never shows the client key in an error', async () => {
    const kc = kubeConfigFor(server.url, {
      skipTLSVerify: false,
      caData: b64(serverPem.cert),
      certData: b64(clientPem.cert),
      keyData: b64(clientPem.key),
    });
    const client = kubeClient(kc);
    await client.list(resources.pods, {});
    expect(peerSubjects).toEqual(['kube-rx-test-user']);
    const error = await rejectionOf(client.get(resources.pods, 'forbidden', { namespace: 'n' }));
    expect(error).toBeInstanceOf(StatusError);
    const keyBody = clientPem.key.split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(20);
    expectNoSecret(error, keyBody);
    expectNoSecret(error, b64(clientPem.key).slice(0, 40));
  });

  it('sends consecutive requests over one TLS connection (no handshake per request)', async () => {
    const client = kubeClient(
      kubeConfigFor(server.url, { skipTLSVerify: false, caData: b64(serverPem.cert) }),
    );
    for (let i = 0; i < 3; i++) await client.list(resources.pods, {});
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.socket)).size).toBe(1);
  });

  it('never hands a connection opened with one client certificate to a request without it', async () => {
    const ca = b64(serverPem.cert);
    const withCert = kubeClient(
      kubeConfigFor(server.url, {
        skipTLSVerify: false,
        caData: ca,
        certData: b64(clientPem.cert),
        keyData: b64(clientPem.key),
      }),
    );
    const without = kubeClient(kubeConfigFor(server.url, { skipTLSVerify: false, caData: ca }));
    await withCert.list(resources.pods, {});
    await without.list(resources.pods, {});
    await withCert.list(resources.pods, {});
    expect(peerSubjects).toEqual(['kube-rx-test-user', undefined, 'kube-rx-test-user']);
    const [first, second, third] = server.requests.map((r) => r.socket);
    expect(second).not.toBe(first);
    expect(third).toBe(first);
  });
});
