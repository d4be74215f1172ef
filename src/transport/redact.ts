/**
 * Credential redaction. Error messages end up in logs, so every text that reaches one (a server
 * body, a Node error message, a credential plugin's failure) passes through a {@link Redactor}
 * that knows this request's secrets (bearer token, basic-auth password) and also masks anything
 * shaped like an `Authorization` value.
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
  const known = [...new Set(secrets)]
    .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join('[redacted]');
    return out.replace(AUTH_VALUE, '$1 [redacted]');
  };
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
