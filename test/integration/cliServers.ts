/**
 * Servers and kubeconfig files for the `kube-rx watch` tests: a loopback port nothing listens
 * on, a server that answers every request with one Kubernetes `Status` (401, 403, 400, 503), and
 * one that accepts connections and never answers. Each one counts the requests it received.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A loopback server and the requests it received. */
export interface TestServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

async function serve(server: Server, requests: string[]): Promise<TestServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Answers every request with a `Status` of `code`, as the API server does. */
export function statusServer(code: number, reason: string, message: string): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const body = JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code,
      reason,
      message,
    });
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  return serve(server, requests);
}

/** Accepts every request and never answers (a proxy or API server that hangs). */
export function silentServer(): Promise<TestServer> {
  const requests: string[] = [];
  const server = createServer((req) => {
    requests.push(`${req.method} ${req.url}`);
  });
  return serve(server, requests);
}

/** A loopback URL with nothing listening: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const server = await serve(createServer(), []);
  await server.close();
  return server.url;
}

/** A kubeconfig file for `url` (token auth, plain HTTP), with a namespace in its context when given. */
export function kubeconfigFile(url: string, namespace?: string, name = 'fake'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kube-rx-cli-kubeconfig-')), 'config');
  const context = `{ cluster: ${name}, user: ${name}${namespace ? `, namespace: ${namespace}` : ''} }`;
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: ${name}, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]`,
      `users: [{ name: ${name}, user: { token: fake-cluster-token } }]`,
      `contexts: [{ name: ${name}, context: ${context} }]`,
      `current-context: ${name}`,
      '',
    ].join('\n'),
  );
  return file;
}
