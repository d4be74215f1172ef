/**
 * Credential redaction. Error messages end up in logs, so every text that reaches one (a server
 * body, a Node error message, a credential plugin's failure) passes through a {@link Redactor}
 * that knows this request's secrets (bearer token, basic-auth password) and also masks anything
 * shaped like an `Authorization` value.
 *
 * A server may echo a secret in another form than the one sent: JSON-escaped (Go's encoder writes
 * `&`, `<`, `>` as `\u0026`, `\u003c`, `\u003e`), percent-encoded (a URL quoted in a message) or
 * HTML-escaped (a proxy's error page). The redactor replaces every one of those forms, and the
 * transport runs it twice: on the raw body, and again on every string after decoding
 * (`redactValues.ts`), which also catches escapes nobody predicted (`\u0061` for `a`).
 */

/** Replaces secrets in a text with `[redacted]`. */
export type Redactor = (text: string) => string;

const AUTH_VALUE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/**
 * Secrets shorter than this are not replaced verbatim (a one-letter password would mangle every
 * message); the `Bearer`/`Basic` pattern still catches them in header form.
 */
const MIN_SECRET_LENGTH = 4;

/**
 * Builds a redactor for the given secrets.
 *
 * @example
 * ```ts
 * redactor(['sekret'])('token sekret rejected'); // 'token [redacted] rejected'
 * ```
 */
export function redactor(secrets: Iterable<string | undefined> = []): Redactor {
  const known = [...new Set(secrets)].filter(
    (s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH,
  );
  const forms = [...new Set(known.flatMap(formsOf))]
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join('[redacted]');
    return out.replace(AUTH_VALUE, '$1 [redacted]');
  };
}

/** Go's encoder escapes these on top of what JSON requires. */
const GO_ESCAPES: Record<string, string> = {
  '&': '\\u0026',
  '<': '\\u003c',
  '>': '\\u003e',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The forms a secret may take in a text: as is, JSON-escaped (plain and Go-style), percent-encoded
 * (upper- and lower-case hex, and as a form or query string encodes it) and HTML-escaped.
 */
export function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const percent = encodeURIComponent(secret);
  return [
    secret,
    json,
    json.replace(/[&<>\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? c),
    percent,
    percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    new URLSearchParams({ s: secret }).toString().slice(2),
    secret.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c),
  ];
}

/** The secrets `applyToHTTPSOptions` put on a request: the Authorization value and basic auth. */
export function secretsOf(options: {
  headers?: Record<string, unknown> | unknown;
  auth?: string | null;
}): string[] {
  const secrets: string[] = [];
  const headers = options.headers;
  if (headers !== null && typeof headers === 'object' && !Array.isArray(headers)) {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (name.toLowerCase() !== 'authorization') continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v !== 'string') continue;
        secrets.push(v);
        const space = v.indexOf(' ');
        if (space > 0) secrets.push(v.slice(space + 1).trim());
      }
    }
  }
  if (typeof options.auth === 'string' && options.auth !== '') {
    secrets.push(options.auth, Buffer.from(options.auth).toString('base64'));
    const colon = options.auth.indexOf(':');
    if (colon >= 0) secrets.push(options.auth.slice(colon + 1));
  }
  return secrets;
}
