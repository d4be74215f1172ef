/**
 * Secrets (issue 14): a server that echoes the bearer token back in any form (as is, JSON-escaped
 * the way Go writes it, with arbitrary \u escapes, percent-encoded, HTML-escaped) never gets it
 * into any rendering of the error kube-rx returns: String, message, stack, JSON.stringify,
 * util.inspect with depth and hidden fields, the Status, and every cause.
 */
import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { StatusError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { kubeClient } from '../../src/transport/kubeClient.js';
import { formsOf, redactor } from '../../src/transport/redact.js';
import { redactedError, redactJson } from '../../src/transport/redactValues.js';
import { statusErrorFromBody } from '../../src/transport/statusErrors.js';
import { kubeConfigFor, rejectionOf, startServer, type TestServer } from './transportHarness.js';

/** A token with the characters encoders change: Go's JSON escapes & < >, URLs escape most. */
const SECRET = "tok&en<1>'+/=~%9z";

/** Every form the secret could be recognised in, written out here rather than taken from redact.ts. */
const SECRET_FORMS = [
  SECRET,
  "tok\\u0026en\\u003c1\\u003e'+/=~%9z",
  'tok\\\\u0026en\\\\u003c1\\\\u003e', // the Go form inside JSON.stringify of a message holding it
  "tok%26en%3C1%3E'%2B%2F%3D~%259z",
  'tok%26en%3c1%3e',
  'tok&amp;en&lt;1&gt;',
];

/** The error and its causes, each rendered every way a user might print it. */
function renderings(error: unknown): string[] {
  const out = [inspect(error, { depth: 20, showHidden: true }), inspect(error, { depth: 20 })];
  for (let e = error, depth = 0; e != null && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const own = Object.fromEntries(
      Object.getOwnPropertyNames(e).map((name) => [name, (e as Record<string, unknown>)[name]]),
    );
    out.push(
      String(e),
      JSON.stringify(e),
      JSON.stringify(own),
      String((e as Error).message),
      String((e as Error).stack),
    );
    if (e instanceof StatusError) out.push(JSON.stringify(e.status));
  }
  return out;
}

function expectNoForm(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  for (const text of renderings(error)) for (const form of SECRET_FORMS) expect(text).not.toContain(form);
}

/** `"\u0074\u006f..."`: every character of the secret as a \u escape (legal JSON, matched by no form). */
const fullyEscaped = [...SECRET].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const goEscaped = (json: string) =>
  json.replaceAll('&', '\\u0026').replaceAll('<', '\\u003c').replaceAll('>', '\\u003e');

/** Bodies a server or a proxy may answer with, each echoing the token. */
const echoes: [string, number, string, string][] = [
  [
    'a Go-encoded Status (& as \\u0026)',
    401,
    'application/json',
    goEscaped(JSON.stringify({ kind: 'Status', code: 401, message: `token ${SECRET} is not valid` })),
  ],
  [
    'a Status with the token \\u-escaped character by character',
    500,
    'application/json',
    `{"kind":"Status","code":500,"message":"webhook saw ${fullyEscaped}"}`,
  ],
  [
    'a Status with the token in reason, details and causes',
    422,
    'application/json',
    goEscaped(
      JSON.stringify({
        kind: 'Status',
        code: 422,
        reason: SECRET,
        message: 'invalid',
        details: { name: SECRET, causes: [{ field: 'x', message: `saw ${SECRET}` }] },
      }),
    ),
  ],
  [
    'JSON that is not a Status, with \\u escapes',
    502,
    'application/json',
    `{"error":"upstream rejected ${fullyEscaped}"}`,
  ],
  [
    'a percent-encoded URL in a text body',
    503,
    'text/plain',
    `redirect to https://login.example/cb?token=${encodeURIComponent(SECRET)} failed`,
  ],
  [
    'lower-case percent-encoding',
    503,
    'text/plain',
    `token=${encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())}`,
  ],
  [
    'an HTML-escaped page',
    502,
    'text/html',
    `<html><body><p>Bearer rejected: ${SECRET.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')}</p></body></html>`,
  ],
];

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function answer(res: ServerResponse, code: number, type: string, body: string) {
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

describe('a token echoed by the server is in no rendering of the error', () => {
  it.each(echoes)('%s, on a list, a watch and a write', async (_what, code, type, body) => {
    server = await startServer((_req, res) => answer(res, code, type, body));
    const client = kubeClient(kubeConfigFor(server.url, { token: SECRET }));
    const errors = [
      await rejectionOf(client.list(resources.pods, {})),
      await rejectionOf(firstValueFrom(client.watch(resources.pods, {}))),
      await rejectionOf(client.create(resources.configMaps, { metadata: { name: 'c', namespace: 'n' } })),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(StatusError);
      expect((error as StatusError).code).toBe(code);
      expectNoForm(error);
    }
  });

  it('in an in-stream ERROR event, with the token \\u-escaped', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"type":"ERROR","object":{"kind":"Status","code":500,"message":"saw ${fullyEscaped}"}}\n`);
    });
    const client = kubeClient(kubeConfigFor(server.url, { token: SECRET }));
    const event = await firstValueFrom(client.watch(resources.pods, {}));
    expect(event.type).toBe('ERROR');
    for (const form of SECRET_FORMS) expect(JSON.stringify(event)).not.toContain(form);
    expect(JSON.stringify(event)).toContain('[redacted]');
  });
});

describe('redaction helpers', () => {
  it('formsOf covers the raw, JSON (plain and Go), percent-encoded and HTML-escaped forms', () => {
    const forms = formsOf(SECRET);
    for (const form of SECRET_FORMS.filter((f) => !f.includes('\\\\'))) {
      expect(forms.some((f) => f.startsWith(form) || f === form)).toBe(true);
    }
  });

  it('redactJson redacts every decoded string and key, keeps shape, and survives deep nesting', () => {
    const redact = redactor([SECRET]);
    const decoded = JSON.parse(
      `{"a":["x","${fullyEscaped}"],"${fullyEscaped}":1,"__proto__":{"m":"${fullyEscaped}"}}`,
    );
    const copy = redactJson(decoded, redact) as Record<string, unknown>;
    expect(JSON.stringify(copy)).not.toContain(SECRET);
    expect(copy.a).toEqual(['x', '[redacted]']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    const deep = JSON.parse(`${'['.repeat(100_000)}"${fullyEscaped}"${']'.repeat(100_000)}`);
    let leaf = redactJson(deep, redact);
    while (Array.isArray(leaf)) leaf = leaf[0];
    expect(leaf).toBe('[redacted]');
  });

  it('redactedError copies name, code and syscall, redacts message, stack and nested causes', () => {
    const redact = redactor([SECRET]);
    const inner = new Error(`proxy https://u:${SECRET}@proxy`);
    const outer = Object.assign(new Error(`connect failed ${SECRET}`, { cause: inner }), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
      port: 443,
    });
    outer.name = 'SystemError';
    const copy = redactedError(outer, redact) as Error & { code?: string; port?: number };
    expect(copy).toMatchObject({ name: 'SystemError', code: 'ECONNREFUSED', syscall: 'connect', port: 443 });
    expectNoForm(copy);
    expect((copy.cause as Error).message).toBe('proxy https://u:[redacted]@proxy');
  });

  it('statusErrorFromBody: a Go-escaped token is redacted in message and Status', () => {
    const body = goEscaped(JSON.stringify({ kind: 'Status', code: 403, message: `user ${SECRET}` }));
    const error = statusErrorFromBody(403, body, redactor([SECRET]));
    expect(error.message).toBe('403 Forbidden: user [redacted]');
    expectNoForm(error);
  });
});
