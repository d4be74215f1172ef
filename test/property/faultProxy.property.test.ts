/**
 * The fault proxy does what its plan says, byte for byte, so the HTTP fault property
 * (`httpFaults.property.test.ts`) tests the informer and not the tool: a server sends a random
 * payload (multi-byte UTF-8 included) and closes; through the proxy the client receives
 * - all of it, in order, on a clean or fragmenting connection;
 * - exactly the first n bytes, then a FIN, on a `fin` reset after n bytes (a prefix of them on
 *   an `rst` reset, since a RST may discard what the client's kernel had not handed over yet);
 * - exactly the first n bytes on a connection frozen after n bytes, which stays open until the
 *   client gives up; all of it when the freeze thaws.
 * Every socket is closed once the proxy is.
 */
import { createServer, connect as dial, type Server } from 'node:net';
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { ConnectionFault } from '../support/faultPlan.js';
import { faultProxy } from '../support/faultProxy.js';

/** A server that sends `payload` to each connection, then ends it. */
async function sender(payload: Buffer): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(payload);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

/** Connects through `url` and collects what arrives until the connection closes or `waitMs` pass. */
function receive(url: string, waitMs: number): Promise<{ bytes: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = dial(Number(new URL(url).port), '127.0.0.1');
    const done = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => done(true));
  });
}

const payloadArb = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constantFrom('{"a":"é😀"}\n', '\r\n')), {
    minLength: 1,
    maxLength: 60,
  })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));
const fragmentArb = fc.option(
  fc.record({ maxPieceBytes: fc.integer({ min: 1, max: 16 }), maxDelayMs: fc.nat(2) }),
  {
    nil: undefined,
  },
);

async function through(
  payload: Buffer,
  fault: ConnectionFault,
  seed: number,
  waitMs: number,
): Promise<{ bytes: Buffer; closed: boolean }> {
  const target = await sender(payload);
  const proxy = await faultProxy(target.port, { seed, connections: [fault] });
  try {
    return await receive(proxy.url, waitMs);
  } finally {
    await proxy.close();
    await new Promise((resolve) => target.server.close(resolve));
    expect(proxy.openSockets()).toBe(0);
  }
}

describe('fault proxy: connections behave as the plan says', () => {
  it('a clean or fragmenting connection delivers every byte in order', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, fragmentArb, fc.nat(), async (payload, fragment, seed) => {
        const { bytes, closed } = await through(payload, fragment ? { fragment } : {}, seed, 2_000);
        expect(closed).toBe(true);
        expect(bytes.equals(payload)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('a reset after n bytes delivers the first n bytes and closes', async () => {
    await fc.assert(
      fc.asyncProperty(
        payloadArb,
        fragmentArb,
        fc.nat(600),
        fc.constantFrom('rst' as const, 'fin' as const),
        fc.nat(),
        async (payload, fragment, afterBytes, how, seed) => {
          const fault: ConnectionFault = {
            ...(fragment ? { fragment } : {}),
            ending: { kind: 'reset', how, afterBytes },
          };
          const { bytes, closed } = await through(payload, fault, seed, 2_000);
          const expected = payload.subarray(0, afterBytes);
          expect(closed).toBe(true);
          if (how === 'fin') expect(bytes.equals(expected)).toBe(true);
          else expect(bytes.equals(expected.subarray(0, bytes.length))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a freeze after n bytes holds the rest on an open connection; a thaw delivers it', async () => {
    await fc.assert(
      fc.asyncProperty(
        payloadArb,
        fragmentArb,
        fc.nat(600),
        fc.boolean(),
        fc.nat(),
        async (payload, fragment, afterBytes, thaw, seed) => {
          const fault: ConnectionFault = {
            ...(fragment ? { fragment } : {}),
            ending: {
              kind: 'freeze',
              directions: ['down'],
              afterBytes,
              ...(thaw ? { thawAfterMs: 20 } : {}),
            },
          };
          const { bytes, closed } = await through(payload, fault, seed, thaw ? 2_000 : 80);
          if (thaw || afterBytes > payload.length) {
            expect(closed).toBe(true);
            expect(bytes.equals(payload)).toBe(true);
          } else {
            expect(closed).toBe(false);
            expect(bytes.equals(payload.subarray(0, afterBytes))).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
