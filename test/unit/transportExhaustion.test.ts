/**
 * Resource exhaustion (issue 14): a watch line without end is cut at the frame limit (client-go's
 * 16 MiB) before more than that is buffered; an error body is read up to a cap; an error page
 * shaped to make regular expressions quadratic is turned into a snippet in linear time.
 */
import { get, type ServerResponse } from 'node:http';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusError, WatchProtocolError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { decodeEntities, stripTags } from '../../src/transport/htmlText.js';
import { readBody } from '../../src/transport/http.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { LineSplitter } from '../../src/transport/lineSplitter.js';
import { redactor } from '../../src/transport/redact.js';
import { bodySnippet, MAX_ERROR_BODY_BYTES, statusErrorFromBody } from '../../src/transport/statusErrors.js';
import { WatchFrameTooLargeError } from '../../src/transport/transportErrors.js';
import { kubeConfigFor, rejectionOf, startServer, type TestServer, within } from './transportHarness.js';

const MIB = 1024 * 1024;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Writes `chunk` until the client goes away, honouring backpressure; never ends the response. */
function writeForever(res: ServerResponse, chunk: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    let written = 0;
    const pump = () => {
      while (!res.destroyed) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    res.on('close', () => resolve(written));
    // The client resets the connection on purpose.
    res.on('error', () => {});
    res.req.on('error', () => {});
    res.socket?.on('error', () => {});
    pump();
  });
}

describe('watch frame limit', () => {
  it('LineSplitter: a 20 MiB line without a newline throws at the 16 MiB limit, never holding more', () => {
    const lines = new LineSplitter(16 * MIB);
    const piece = Buffer.alloc(64 * 1024, 'x');
    expect(lines.write(Buffer.from('{"type":"ADDED"}\n{"type":"ADDED","object":"'))).toEqual([
      '{"type":"ADDED"}',
    ]);
    let maxHeld = 0;
    let error: unknown;
    for (let fed = 0; fed < 20 * MIB && error === undefined; fed += piece.length) {
      try {
        lines.write(piece);
      } catch (e) {
        error = e;
      }
      maxHeld = Math.max(maxHeld, lines.bufferedBytes);
    }
    expect(error).toBeInstanceOf(WatchFrameTooLargeError);
    expect(error).toBeInstanceOf(WatchProtocolError);
    const tooLarge = error as WatchFrameTooLargeError;
    expect(tooLarge.limitBytes).toBe(16 * MIB);
    expect(tooLarge.bufferedBytes).toBeLessThanOrEqual(16 * MIB);
    expect(tooLarge.receivedBytes).toBeGreaterThan(16 * MIB);
    expect(maxHeld).toBeLessThanOrEqual(16 * MIB);
    // Nothing of the oversized line stays held.
    expect(lines.bufferedBytes).toBe(0);
  });

  it('LineSplitter: a line of exactly the limit passes; one byte more does not', () => {
    expect(new LineSplitter(8).write('12345678\n')).toEqual(['12345678']);
    expect(() => new LineSplitter(8).write('123456789\n')).toThrow(WatchFrameTooLargeError);
    const split = new LineSplitter(8);
    split.write('1234');
    expect(() => split.write('56789')).toThrow(WatchFrameTooLargeError);
  });

  it('a watch whose line runs past 16 MiB ends with WatchFrameTooLargeError, holding at most 16 MiB', async () => {
    let written: Promise<number> | undefined;
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(
        `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } })}\n`,
      );
      res.write('{"type":"ADDED","object":{"metadata":{"name":"');
      written = writeForever(res, Buffer.alloc(MIB, 'x'));
    });
    const watch = kubeClient(kubeConfigFor(server.url)).watch(resources.pods, {});
    const events: string[] = [];
    const error = await within(
      new Promise<unknown>((resolve) =>
        watch.subscribe({
          next: (e) => events.push(e.type),
          error: resolve,
          complete: () => resolve('completed'),
        }),
      ),
      20_000,
      'watch error',
    );
    expect(events).toEqual(['ADDED']);
    expect(error).toBeInstanceOf(WatchFrameTooLargeError);
    expect((error as WatchFrameTooLargeError).limitBytes).toBe(16 * MIB);
    expect((error as WatchFrameTooLargeError).bufferedBytes).toBeLessThanOrEqual(16 * MIB);
    // The socket is closed: the server stops writing well before 20 MiB more would have been buffered.
    // (A reset closes it with an error: either way it is closed.)
    await within(
      server.requests[0]?.socketClosed.catch(() => undefined) ?? Promise.resolve(),
      5000,
      'socket closed',
    );
    expect(await within(written ?? Promise.resolve(0), 5000, 'server stopped')).toBeLessThan(64 * MIB);
  });

  it('maxWatchFrameBytes configures the limit', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200);
      res.end(`{"type":"ADDED","object":{"metadata":{"name":"${'y'.repeat(2000)}"}}}\n`);
    });
    const small = kubeClient(kubeConfigFor(server.url), { maxWatchFrameBytes: 1000 });
    expect(await rejectionOf(lastValueFrom(small.watch(resources.pods, {}).pipe(toArray())))).toBeInstanceOf(
      WatchFrameTooLargeError,
    );
    const roomy = kubeClient(kubeConfigFor(server.url), { maxWatchFrameBytes: 4000 });
    expect(await firstValueFrom(roomy.watch(resources.pods, {}))).toMatchObject({ type: 'ADDED' });
  });
});

describe('error bodies', () => {
  it('readBody stops at maxBytes of an endless body and resolves with exactly that much', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      void writeForever(res, 'z'.repeat(16 * 1024));
    });
    const response = await new Promise<import('node:http').IncomingMessage>((resolve) =>
      get(`${server?.url}/`, resolve),
    );
    const body = await within(
      readBody(response, () => {}, 100_000),
      5000,
      'readBody',
    );
    expect(body.length).toBe(100_000);
  });

  it('a list answered 500 with an endless error body rejects with a StatusError', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      void writeForever(res, '<p>overloaded</p>'.repeat(1000));
    });
    const error = await within(
      rejectionOf(kubeClient(kubeConfigFor(server.url)).list(resources.pods, {})),
      5000,
      'list',
    );
    expect(error).toBeInstanceOf(StatusError);
    expect((error as StatusError).message).toMatch(/^500 InternalError: HTTP 500: overloaded overloaded/);
    expect(MAX_ERROR_BODY_BYTES).toBe(64 * 1024);
  });

  it.each([
    ['120k "<" without ">"', '<'.repeat(120_000)],
    ['20k unclosed <script> tags', '<script>'.repeat(20_000)],
    ['20k "</" openings after a script', `<script>${'</'.repeat(60_000)}`],
    ['100k "&#" openings', '&#'.repeat(100_000)],
  ])('an error page of %s is handled fast, on a list and a watch', async (_what, body) => {
    server = await startServer((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    const client = kubeClient(kubeConfigFor(server.url));
    const started = performance.now();
    const errors = [
      await rejectionOf(client.list(resources.pods, {})),
      await rejectionOf(firstValueFrom(client.watch(resources.pods, {}))),
    ];
    // The quadratic regex took seconds on the 120k body; a generous bound still tells them apart.
    expect(performance.now() - started).toBeLessThan(1500);
    for (const error of errors) expect((error as StatusError).code).toBe(502);
  });

  it('bodySnippet and stripTags are linear: megabytes of hostile markup in well under a second', () => {
    const redact = redactor();
    const hostile = ['<'.repeat(2_000_000), '<script>'.repeat(250_000), `<style>${'</'.repeat(1_000_000)}`];
    const started = performance.now();
    for (const body of hostile) {
      stripTags(body);
      bodySnippet(body);
      statusErrorFromBody(502, body, redact);
    }
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('stripTags and decodeEntities', () => {
  it('drop tags, script and style bodies; keep a lone "<" as text', () => {
    expect(stripTags('<p>Bad <b>Gateway</b></p>')).toBe(' Bad  Gateway  ');
    expect(stripTags('a<script type="x">if (a < b) {}</script>b<STYLE>p{}</Style >c')).toBe('a b c');
    expect(stripTags('x < y')).toBe('x < y');
    expect(stripTags('a<script>never closed')).toBe('a ');
    expect(bodySnippet('<html><h1>502 Bad Gateway</h1><hr><center>nginx</center></html>')).toBe(
      '502 Bad Gateway nginx',
    );
  });

  it('decode named and numeric entities, leaving unknown ones', () => {
    expect(decodeEntities('a &amp; b &lt;c&gt; &#38; &#x26; &quot;q&quot; &bogus; &#0;')).toBe(
      'a & b <c> & & "q" &bogus; &#0;',
    );
  });
});
