/**
 * An HTTP front that serves P4's clients recorded responses of the fake cluster, so that the
 * clients, not the server, set the pace. Served live, the fake cluster encodes every watch event
 * with `JSON.stringify` and writes it as its own chunk; at that rate both clients sat idle 40-55%
 * of the time (their CPU profiles), and a throughput ratio measured the server, not the clients.
 *
 * - The pod watch from resourceVersion 1 is recorded once, line by line, from the live server and
 *   replayed from memory in chunks of whole events (about 64 KB each), honouring back-pressure;
 *   the response then stays open, like a watch with nothing more to say.
 * - Other watches are passed through, live.
 * - Any other GET (the lists, every page) is fetched from the live server the first time its exact
 *   URL is asked for and replayed byte for byte after that; P4 runs one unmeasured warm-up round
 *   so that every measured request is a replay.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Recorded {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** A running front: its URL and how to stop it. */
export interface ReplayFront {
  readonly url: string;
  close(): Promise<void>;
}

const CHUNK_BYTES = 64 * 1024;

/** A client's request headers for the upstream server (its own `host`, not the front's). */
function forwardedHeaders(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  const forwarded = { ...headers };
  delete forwarded.host;
  return forwarded;
}

/** GETs `path` from `upstream` and resolves with the response once it is complete. */
function fetchUpstream(
  upstream: string,
  path: string,
  headers: IncomingMessage['headers'],
): Promise<Recorded> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${upstream}${path}`,
      { method: 'GET', headers: forwardedHeaders(headers) },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 502,
            contentType: String(res.headers['content-type'] ?? 'application/json'),
            body: Buffer.concat(parts),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Reads a watch from `upstream` until `events` lines have arrived, then closes it; returns the
 * lines packed into buffers of whole lines.
 */
export function recordWatch(
  upstream: string,
  path: string,
  token: string,
  events: number,
): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const req = request(`${upstream}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`recording ${path}: HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let current: Buffer[] = [];
      let currentBytes = 0;
      let seen = 0;
      let tail = Buffer.alloc(0);
      res.on('data', (part: Buffer) => {
        const data = tail.length > 0 ? Buffer.concat([tail, part]) : part;
        let start = 0;
        let newline = data.indexOf(10, start);
        while (newline >= 0 && seen < events) {
          const line = data.subarray(start, newline + 1);
          current.push(line);
          currentBytes += line.length;
          seen++;
          if (currentBytes >= CHUNK_BYTES) {
            chunks.push(Buffer.concat(current));
            current = [];
            currentBytes = 0;
          }
          start = newline + 1;
          newline = data.indexOf(10, start);
        }
        tail = Buffer.from(data.subarray(start));
        if (seen === events) {
          if (current.length > 0) chunks.push(Buffer.concat(current));
          req.destroy();
          resolve(chunks);
        }
      });
      res.on('end', () =>
        reject(new Error(`recording ${path}: the watch ended after ${seen} of ${events} events`)),
      );
      res.on('error', () => undefined);
    });
    // Destroying the request after the last line errors it too; the promise is settled by then.
    req.on('error', reject);
    req.end();
  });
}

/** Streams a live upstream response (a watch the front did not record) to `res`. */
function proxyLive(upstream: string, path: string, req: IncomingMessage, res: ServerResponse): void {
  const live = request(`${upstream}${path}`, { headers: forwardedHeaders(req.headers) }, (upstreamRes) => {
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
    res.flushHeaders();
    upstreamRes.pipe(res);
  });
  live.on('error', () => res.destroy());
  res.on('close', () => live.destroy());
  live.end();
}

/** Writes `chunks` to `res`, waiting for 'drain' whenever the socket's buffer is full. */
function replayChunks(res: ServerResponse, chunks: readonly Buffer[]): void {
  let next = 0;
  const pump = () => {
    while (next < chunks.length && !res.destroyed) {
      if (!res.write(chunks[next++] as Buffer)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/**
 * Starts the front on a free port of 127.0.0.1. `isRecordedWatch` picks the requests that get
 * `watchChunks`.
 */
export async function startReplayFront(
  upstream: string,
  watchChunks: readonly Buffer[],
  isRecordedWatch: (url: URL) => boolean,
): Promise<ReplayFront> {
  const cache = new Map<string, Promise<Recorded>>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const url = new URL(path, 'http://front');
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (isRecordedWatch(url)) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      res.flushHeaders();
      replayChunks(res, watchChunks);
      return;
    }
    if (url.searchParams.has('watch')) {
      proxyLive(upstream, path, req, res);
      return;
    }
    let recorded = cache.get(path);
    if (!recorded) {
      recorded = fetchUpstream(upstream, path, req.headers);
      cache.set(path, recorded);
    }
    recorded.then(
      (r) =>
        res
          .writeHead(r.status, { 'content-type': r.contentType, 'content-length': r.body.length })
          .end(r.body),
      (error: unknown) => res.writeHead(502).end(String(error)),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
