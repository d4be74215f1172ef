/**
 * A loopback TCP proxy that puts a scripted {@link FaultPlan} between a client and a server:
 * connection n (in accept order) is forwarded under `plan.connections[n]` (fragmented, reset,
 * frozen half-open), every later one cleanly. It listens on 127.0.0.1 only and speaks bytes, not
 * HTTP, so the faults hit the transport where a real network does: inside chunk headers, lines
 * and UTF-8 characters, on keep-alive connections reused between requests.
 *
 * `close()` tears every connection down and resolves once every socket it opened is closed, so a
 * property can check after each run that nothing leaked (`openSockets()` is 0).
 * (`test/e2e/support/tcpProxy.ts` is the e2e suite's plain relay with a cut switch; this one scripts
 * each connection instead, so they share no code.)
 */
import { connect, createServer, type Socket } from 'node:net';
import { seededRandom } from '../../src/testing/random.js';
import type { FaultPlan } from './faultPlan.js';
import { FaultyConnection } from './faultyConnection.js';

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the server URL to give the client. */
  readonly url: string;
  /** Connections accepted so far. */
  accepted(): number;
  /** Sockets open now, both sides of every connection counted. */
  openSockets(): number;
  /** Tears down every connection, stops listening, and resolves once every socket has closed. */
  close(): Promise<void>;
}

/** A distinct, reproducible random stream per connection, so one connection's draws never shift another's. */
function connectionSeed(planSeed: number, index: number): number {
  return (planSeed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
}

/** Starts a proxy to `127.0.0.1:targetPort` that applies `plan`. */
export async function faultProxy(targetPort: number, plan: FaultPlan): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const connections = new Set<FaultyConnection>();
  let accepted = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const index = accepted++;
    const upstream = connect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true });
    track(client);
    track(upstream);
    const connection = new FaultyConnection(
      client,
      upstream,
      plan.connections[index] ?? {},
      seededRandom(connectionSeed(plan.seed, index)),
    );
    connections.add(connection);
    client.on('close', () => connections.delete(connection));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    openSockets: () => sockets.size,
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) connection.teardown();
      // A FIN teardown waits for the client's side; closing does not.
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        [...sockets].map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()))),
      );
      await stopped;
    },
  };
}
