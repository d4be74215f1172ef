/**
 * A loopback TCP proxy in front of kube-apiserver (TLS passes through untouched), so a test can
 * take one informer's connections down without touching the server: `cut()` destroys every open
 * connection and refuses new ones until `restore()`.
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

export async function tcpProxy(target: URL): Promise<TcpProxy> {
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
    for (const s of [downstream, upstream]) {
      s.on('error', close);
      s.on('close', close);
    }
    downstream.pipe(upstream);
    upstream.pipe(downstream);
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
