/**
 * Turns an HTTP failure response into a {@link StatusError}. The API server answers failures
 * with a `Status` object (`kind: Status`, code, reason, message); proxies, load balancers and
 * webhooks in front of it may answer with HTML or plain text instead. Either way the caller gets
 * a `StatusError` whose `code` is usable for decisions (410 relist, 401/403 fatal, 429/5xx
 * retry), like client-go's `errors.FromObject` / `newUnstructuredResponseError`.
 */
import { type KubeStatus, reasonForCode, StatusError } from '../core/errors.js';
import { decodeEntities, stripTags } from './htmlText.js';
import type { Redactor } from './redact.js';
import { redactJson } from './redactValues.js';

/** How much of a non-Status body goes into the message: enough to recognise the page. */
const SNIPPET_LENGTH = 200;

function isStatus(value: unknown): value is KubeStatus {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    (value as KubeStatus).kind === 'Status'
  );
}

/**
 * How much of a body the snippet looks at, before any other work: a page states its error near
 * the top, and every step below then costs at most this much, whatever the server sent.
 */
const SNIPPET_INPUT_LENGTH = 16 * 1024;

/**
 * How many bytes of an error body the transport reads (`readBody`'s limit for non-2xx answers).
 * A Status is a few hundred bytes, a 422 with many causes a few kilobytes; anything longer is cut
 * and shown as a snippet.
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * A one-line, tag-free, truncated excerpt of a body, for messages. Linear in the body (see
 * `htmlText.ts`) and capped at its first 16 KiB before any of it is scanned.
 */
export function bodySnippet(body: string): string {
  const head = body.length > SNIPPET_INPUT_LENGTH ? body.slice(0, SNIPPET_INPUT_LENGTH) : body;
  const text = decodeEntities(stripTags(head)).replace(/\s+/g, ' ').trim();
  return text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}...` : text;
}

/**
 * The {@link StatusError} for a non-2xx response. A `Status` body keeps its code, reason and
 * message (a `Status` without `code` takes the HTTP code); any other body becomes a synthetic
 * `Status` with the HTTP code and a short, redacted snippet of the body as message.
 * `retryAfterSeconds` is the response's `Retry-After` (it wins over the Status's
 * `details.retryAfterSeconds`).
 *
 * Redaction runs on the raw body and again on every decoded string: JSON decoding turns an escaped
 * secret (`\u0026` for `&`) back into the secret, so redacting only the raw text would let it
 * through into the message and the Status.
 *
 * @example
 * ```ts
 * statusErrorFromBody(502, '<html><h1>Bad Gateway</h1></html>', redactor()).message;
 * // '502 InternalError: HTTP 502: Bad Gateway'
 * ```
 */
export function statusErrorFromBody(
  httpCode: number,
  body: string,
  redact: Redactor,
  retryAfterSeconds?: number,
): StatusError {
  // The transport reads no more than this; a direct caller gets the same bound.
  const text = redact(body.length > MAX_ERROR_BODY_BYTES ? body.slice(0, MAX_ERROR_BODY_BYTES) : body);
  let parsed: unknown;
  try {
    parsed = redactJson(JSON.parse(text), redact);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return new StatusError(parsed, httpCode, retryAfterSeconds);
  // Other JSON is shown re-encoded from its redacted decoding, so no escape hides a secret.
  const snippet = redact(bodySnippet(parsed === undefined ? text : JSON.stringify(parsed)));
  return new StatusError(
    {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      code: httpCode,
      reason: reasonForCode(httpCode),
      message: snippet ? `HTTP ${httpCode}: ${snippet}` : `HTTP ${httpCode} with an empty body`,
    },
    httpCode,
    retryAfterSeconds,
  );
}
