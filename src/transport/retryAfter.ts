/**
 * The `Retry-After` header (RFC 9110 §10.2.3): a number of seconds, or an HTTP date. The API
 * server sends it with 429 (API Priority and Fairness, max-in-flight, a shutting-down server) and
 * with some 5xx; the transport puts it on the `StatusError` (`retryAfterSeconds`) so the Reflector
 * can wait that long before its next list or watch, and waits for it itself before retrying a
 * write. client-go reads the seconds form only; the date form costs nothing to honour.
 */

/** Date forms carry a zone; asctime has none and means GMT. */
const HAS_ZONE = /(GMT|UTC|Z|[+-]\d{4})\s*$/i;

/**
 * The wait a `Retry-After` value asks for, in whole seconds (a date in the past is 0), or
 * `undefined` when there is none or it cannot be read.
 *
 * @example
 * ```ts
 * parseRetryAfter('120', Date.now());                            // 120
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')); // 2
 * ```
 */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  // A date has letters (a month or a weekday); this keeps "-5" or "1.5" from being read as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(HAS_ZONE.test(value) ? value : `${value} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
