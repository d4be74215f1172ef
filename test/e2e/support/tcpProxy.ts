/**
 * A loopback TCP proxy in front of kube-apiserver (TLS passes through untouched), so a test can
 * take one informer's connections down without touching the server: `cut()` destroys every open
 * connection and refuses new ones until `restore()`. With `delayMs`, every chunk the server sends
 * reaches the client that much later (in order): a slow watch, seen by this client only.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly url: string;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /** Holds each chunk from the server this long before passing it on. Default 0. */
  readonly delayMs?: number;
}

export async function tcpProxy(target: URL, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const delayMs = options.delayMs ?? 0;
  const open = new Set<Socket>();
  let down = false;
  let accepted = 0;
  const server = createServer((downstream) => {
    if (down) {
      downstream.destroy();
      return;
    }
    accepted++;
    const upstream = connect(Number(target.port), target.hostname);
    open.add(downstream);
    open.add(upstream);
    const close = () => {
      downstream.destroy();
      upstream.destroy();
      open.delete(downstream);
      open.delete(upstream);
    };
    for (const s of [downstream, upstream]) s.on('error', close);
    downstream.on('close', close);
    // Chunks still held for the client go out before its side is closed.
    upstream.on('close', () => (delayMs === 0 ? close() : setTimeout(close, delayMs)));
    downstream.pipe(upstream);
    if (delayMs === 0) upstream.pipe(downstream);
    else {
      // A constant delay per chunk keeps the bytes in order; the end waits behind the last chunk.
      upstream.on('data', (chunk: Buffer) => {
        setTimeout(() => downstream.destroyed || downstream.write(chunk), delayMs);
      });
      upstream.on('end', () => setTimeout(() => downstream.end(), delayMs));
    }
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }),
  );
  const cut = () => {
    down = true;
    for (const s of open) s.destroy();
    open.clear();
  };
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    accepted: () => accepted,
    cut,
    restore: () => {
      down = false;
    },
    close: () =>
      new Promise((resolve) => {
        cut();
        server.close(() => resolve());
      }),
  };
}
