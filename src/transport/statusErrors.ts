/**
 * Turns an HTTP failure response into a {@link StatusError}. The API server answers failures
 * with a `Status` object (`kind: Status`, code, reason, message); proxies, load balancers and
 * webhooks in front of it may answer with HTML or plain text instead. Either way the caller gets
 * a `StatusError` whose `code` is usable for decisions (410 relist, 401/403 fatal, 429/5xx
 * retry), like client-go's `errors.FromObject` / `newUnstructuredResponseError`.
 */
import { type KubeStatus, reasonForCode, StatusError } from '../core/errors.js';
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

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * Decodes the HTML entities a page uses for text (`&amp;`, `&#38;`, `&#x26;`, ...), so the
 * snippet reads as text and a secret written with entities is redacted like any other.
 */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (entity, name: string) => {
    if (name[0] !== '#') return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
    const code =
      name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/** A one-line, tag-free, truncated excerpt of a body, for messages. */
export function bodySnippet(body: string): string {
  const text = decodeEntities(
    body.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}...` : text;
}

/**
 * The {@link StatusError} for a non-2xx response. A `Status` body keeps its code, reason and
 * message (a `Status` without `code` takes the HTTP code); any other body becomes a synthetic
 * `Status` with the HTTP code and a short, redacted snippet of the body as message.
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
export function statusErrorFromBody(httpCode: number, body: string, redact: Redactor): StatusError {
  const text = redact(body);
  let parsed: unknown;
  try {
    parsed = redactJson(JSON.parse(text), redact);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return new StatusError(parsed, httpCode);
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
  );
}
