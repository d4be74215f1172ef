/**
 * Servers that echo the client's bearer token back: in a Status message, an HTML page, a
 * `Bearer` header quoted in text, an in-stream ERROR event. The harness's no-secret check (every
 * case makes it) renders every reported error every way a user might print it; these cases make
 * sure there is something to find. The token holds an `&`, which Go's JSON escapes as `\u0026`.
 */
import { expect } from 'vitest';
import { StatusError } from '../../../src/core/errors.js';
import type { AdversarialCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { added, errorEvent, pod, pods } from '../support/objects.js';
import { okList, rawBody, sequence, status, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';
import { TOKEN } from '../support/secrets.js';

const listed = pods(2);
const quietWatch = watchLines([], 'hang');
const a = pod('a', '11');

/** A Status body as Go's encoder writes it: `&` escaped as `\u0026`. */
function goStatus(code: number, message: string) {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message });
  return rawBody(code, body.replaceAll('&', '\\u0026'));
}

/** Fails the case if the server's echo never became a reported error (the check would be vacuous). */
const reportedAnError = (run: InformerRun) => expect(run.reported.length).toBeGreaterThan(0);

export const secretCases: AdversarialCase[] = [
  {
    name: 'a token echoed in a list 500 Status message is redacted',
    defectClass: 'secrets',
    server: {
      list: sequence(status(500, 'InternalError', `webhook rejected token ${TOKEN}`), okList(listed, '2')),
      watch: quietWatch,
      valid: listed,
    },
    check: (run) => {
      reportedAnError(run);
      expect(run.reported[0]?.error.message).toContain('[redacted]');
    },
  },
  {
    name: 'a token quoted as an Authorization header in a proxy’s HTML page is redacted',
    defectClass: 'secrets',
    server: {
      list: sequence(
        rawBody(502, `<html><pre>Authorization: Bearer ${TOKEN}</pre></html>`, {
          'content-type': 'text/html',
        }),
        okList(listed, '2'),
      ),
      watch: quietWatch,
      valid: listed,
    },
    check: reportedAnError,
  },
  {
    name: 'a token echoed in a plain-text watch 503 body is redacted',
    defectClass: 'secrets',
    server: {
      list: okList(listed, '2'),
      watch: sequence(
        rawBody(503, `upstream said: bad token ${TOKEN}`, { 'content-type': 'text/plain' }),
        watchLines([added(a)], 'hang'),
      ),
      valid: [...listed, a],
    },
    check: reportedAnError,
  },
  {
    name: 'a token in an in-stream ERROR event message is redacted',
    defectClass: 'secrets',
    server: {
      list: okList(listed, '2'),
      watch: sequence(
        watchLines([errorEvent(500, 'InternalError', `token ${TOKEN} expired`)], 'end'),
        watchLines([added(a)], 'hang'),
      ),
      valid: [...listed, a],
    },
    check: reportedAnError,
  },
  {
    name: 'a JSON-escaped (\\u0026) token in an in-stream ERROR event is redacted once decoded',
    defectClass: 'secrets',
    server: {
      list: okList(listed, '2'),
      watch: sequence(
        watchLines(
          [
            `{"type":"ERROR","object":{"kind":"Status","code":500,"reason":"InternalError","message":"token ${TOKEN.replace('&', '\\u0026')}"}}`,
          ],
          'end',
        ),
        watchLines([added(a)], 'hang'),
      ),
      valid: [...listed, a],
    },
    check: reportedAnError,
  },
  {
    name: 'a token echoed in the body of a fatal 401 is redacted from the error that ends the informer',
    defectClass: 'secrets',
    server: { list: status(401, 'Unauthorized', `token ${TOKEN} is not valid`), watch: quietWatch },
    fatal: (e) => e instanceof StatusError && e.code === 401,
  },
  {
    name: 'a token inside a list body that is not valid JSON never reaches the error',
    defectClass: 'secrets',
    server: {
      list: sequence(rawBody(200, `{"kind":"PodList","items":[{"token":"${TOKEN}"`), okList(listed, '2')),
      watch: quietWatch,
      valid: listed,
    },
    check: reportedAnError,
  },
  {
    name: 'a token inside a watch line that is not valid JSON never reaches the error',
    defectClass: 'secrets',
    server: {
      list: okList(listed, '2'),
      watch: sequence(
        watchLines([`{"type":"ADDED","object":{"token":"${TOKEN}"`], 'hang'),
        watchLines([added(a)], 'hang'),
      ),
      valid: [...listed, a],
    },
    check: reportedAnError,
  },
  {
    name: 'a token echoed JSON-escaped in a list 500 Status is redacted after decoding',
    defectClass: 'secrets',
    server: {
      list: sequence(goStatus(500, `admission webhook saw token ${TOKEN}`), okList(listed, '2')),
      watch: quietWatch,
      valid: listed,
    },
    check: reportedAnError,
  },
  {
    name: 'a token echoed JSON-escaped in a watch 500 Status is redacted after decoding',
    defectClass: 'secrets',
    server: {
      list: okList(listed, '2'),
      watch: sequence(goStatus(500, `token ${TOKEN} rejected`), watchLines([added(a)], 'hang')),
      valid: [...listed, a],
    },
    check: reportedAnError,
  },
  {
    name: 'a token echoed JSON-escaped in a fatal 401 is redacted from the error that ends the informer',
    defectClass: 'secrets',
    server: { list: goStatus(401, `token ${TOKEN} is not valid`), watch: quietWatch },
    fatal: (e) => e instanceof StatusError && e.code === 401,
  },
];

describeCases('secrets: no error rendering shows the token', secretCases);
