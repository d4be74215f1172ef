/**
 * The HTTP side of a manager: `/healthz`, `/readyz` (with `/readyz/<check>`, `?verbose`,
 * `?exclude=`) and `/metrics` on one port, like controller-runtime's health probe and metrics
 * servers. The probes are answered by {@link Probes} (which needs no HTTP, for tests); `/metrics`
 * serves the prom-client registry the user passed, in its own content type. Port 0 picks a free
 * port, for tests. Only GET and HEAD are served; everything else is a 404 or 405.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PromScrapeRegistry } from '../workqueue/promClientShape.js';
import type { Probes } from './probes.js';

/** Where and what {@link serveHealth} serves. */
export interface HealthServerOptions {
  /** TCP port; 0 picks a free one (see {@link HealthServer.port}). */
  readonly port: number;
  /** Interface to bind. Default: every interface, as a kubelet probes the pod's IP. */
  readonly host?: string;
  /** The checks behind `/healthz` and `/readyz`. */
  readonly probes: Probes;
  /** The registry served on `/metrics`; without one `/metrics` is a 404. */
  readonly registry?: PromScrapeRegistry;
}

/** A listening health server. */
export interface HealthServer {
  /** The port it listens on (the chosen one when asked for port 0). */
  readonly port: number;
  /** A base URL that reaches it from this machine, e.g. `http://127.0.0.1:8081`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

function send(res: ServerResponse, status: number, body: string, contentType = TEXT): void {
  res.writeHead(status, {
    'content-type': contentType,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: HealthServerOptions,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed\n');
  }
  const url = req.url ?? '/';
  if (new URL(url, 'http://health.invalid').pathname === '/metrics') {
    if (!options.registry) return send(res, 404, 'no metrics registry\n');
    return send(res, 200, await options.registry.metrics(), options.registry.contentType);
  }
  const answer = await options.probes.answerUrl(url);
  if (!answer) return send(res, 404, '404 page not found\n');
  send(res, answer.status, answer.body);
}

/**
 * Starts the server; resolves once it listens, rejects if it cannot (a port in use).
 *
 * @example
 * ```ts
 * const checks = probes();
 * checks.add('readyz', 'ping', ping);
 * const server = await serveHealth({ port: 0, host: '127.0.0.1', probes: checks });
 * console.log(await (await fetch(`${server.url}/readyz?verbose`)).text());
 * await server.close();
 * ```
 */
export function serveHealth(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `internal server error: ${(error as Error)?.message ?? error}\n`);
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      const { port, address } = server.address() as AddressInfo;
      const wildcard = address === '::' || address === '0.0.0.0';
      const host = wildcard ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
      resolve({
        port,
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
