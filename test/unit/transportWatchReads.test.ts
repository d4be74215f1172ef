/**
 * `readBatches` on the HTTP transport: the events one network read completes leave as one
 * `WatchRead`, a lone event as itself, and a bad line ends the read after the events before it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type RawWatchEvent, WatchRead } from '../../src/core/client.js';
import { WatchProtocolError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { kubeConfigFor, sleep, startServer, type TestServer, within } from './transportHarness.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const pod = (name: string, rv: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: rv },
});
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;

/** What the watch emitted, reads as the types of their events, and how it ended. */
async function watched(chunks: string[], readBatches: boolean) {
  server = await startServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    void (async () => {
      for (const chunk of chunks) {
        res.write(chunk);
        await sleep(20); // each chunk its own read
      }
      res.end();
    })();
  });
  const seen: (string | string[])[] = [];
  const outcome = await within(
    new Promise<unknown>((resolve) =>
      kubeClient(kubeConfigFor(server?.url as string))
        .watch(resources.pods, { readBatches, deferDecoding: true })
        .subscribe({
          next: (event: RawWatchEvent) =>
            seen.push(event instanceof WatchRead ? event.object.map((one) => one.type) : event.type),
          error: resolve,
          complete: () => resolve('complete'),
        }),
    ),
    5000,
    'watch end',
  );
  return { seen, outcome };
}

describe('kubeClient watch with readBatches', () => {
  it('emits the events of one chunk as one WatchRead and a lone event as itself', async () => {
    const { seen, outcome } = await watched(
      [
        line('ADDED', pod('a', '1')) + line('ADDED', pod('b', '2')) + line('MODIFIED', pod('a', '3')),
        line('DELETED', pod('b', '4')),
      ],
      true,
    );
    expect(seen).toEqual([['ADDED', 'ADDED', 'MODIFIED'], 'DELETED']);
    expect(outcome).toBe('complete');
  });

  it('emits one event at a time without it', async () => {
    const { seen } = await watched([line('ADDED', pod('a', '1')) + line('ADDED', pod('b', '2'))], false);
    expect(seen).toEqual(['ADDED', 'ADDED']);
  });

  it('sends the events before a malformed line as a read, then errors with a WatchProtocolError', async () => {
    const { seen, outcome } = await watched(
      [
        line('ADDED', pod('a', '1')) +
          line('ADDED', pod('b', '2')) +
          '{"type":"ADDED","object":{\n' +
          line('ADDED', pod('c', '3')),
      ],
      true,
    );
    expect(seen).toEqual([['ADDED', 'ADDED']]);
    expect(outcome).toBeInstanceOf(WatchProtocolError);
  });

  it('a line split across chunks joins the read of the chunk that completes it', async () => {
    const whole = line('ADDED', pod('b', '2'));
    const { seen } = await watched(
      [line('ADDED', pod('a', '1')) + whole.slice(0, 20), whole.slice(20) + line('ADDED', pod('c', '3'))],
      true,
    );
    expect(seen).toEqual(['ADDED', ['ADDED', 'ADDED']]);
  });
});
