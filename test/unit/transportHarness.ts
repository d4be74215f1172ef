/**
 * Shared fixtures of the transport tests: a loopback HTTP(S) server that records what reaches it
 * (method, URL, headers, body, and when each socket closes) and a KubeConfig pointing at it with
 * the bearer token the tests look for in error messages.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type ServerOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { expect } from 'vitest';

/** The credential no error may ever show. */
export const TOKEN = 'sekret-token-123';

export interface Recorded {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Resolves when the request's socket closes. */
  readonly socketClosed: Promise<void>;
  readonly socket: Socket;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, recorded: Recorded) => void;

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly requests: Recorded[];
  /** Resolves with the next request once its body has been read. */
  nextRequest(): Promise<Recorded>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1, port 0 (loopback only). Pass TLS options for HTTPS. */
export async function startServer(handler: Handler, tls?: ServerOptions): Promise<TestServer> {
  const requests: Recorded[] = [];
  const waiters: ((r: Recorded) => void)[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    const socket = req.socket;
    // Not events.once: a socket the client resets emits 'error' before 'close', and once() would
    // reject with it (nobody awaits most of these promises).
    const socketClosed = socket.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => socket.once('close', () => resolve()));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? '',
        url: new URL(req.url ?? '/', 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socketClosed,
        socket,
      };
      requests.push(recorded);
      waiters.shift()?.(recorded);
      handler(req, res, recorded);
    });
  };
  const server: Server = tls ? createTlsServer(tls, listener) : createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    nextRequest: () => new Promise((resolve) => waiters.push(resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface KubeConfigOverrides {
  skipTLSVerify?: boolean;
  token?: string;
  caData?: string;
  certData?: string;
  keyData?: string;
}

/** A KubeConfig for `server` with a bearer-token user, built with loadFromOptions. */
export function kubeConfigFor(server: string, overrides: KubeConfigOverrides = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server, skipTLSVerify: overrides.skipTLSVerify ?? true, caData: overrides.caData },
    ],
    users: [
      {
        name: 'u',
        token: overrides.token ?? TOKEN,
        certData: overrides.certData,
        keyData: overrides.keyData,
      },
    ],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

/** Answers with JSON. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A Kubernetes Status body. */
export function status(code: number | undefined, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code };
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Asserts that no rendering of an error (message, JSON, inspect with causes) shows a secret. */
export function expectNoSecret(error: unknown, secret: string = TOKEN): void {
  expect(error).toBeInstanceOf(Error);
  const err = error as Error;
  expect(err.message).not.toContain(secret);
  expect(JSON.stringify(err)).not.toContain(secret);
  expect(inspect(err, { depth: 20, showHidden: true })).not.toContain(secret);
  expect(String(err.stack)).not.toContain(secret);
}

/** Resolves after `ms` of real time. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects if `promise` does not settle within `ms`, so a test fails fast instead of timing out. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
