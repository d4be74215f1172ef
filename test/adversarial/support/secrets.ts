/**
 * The bearer token of every hostile server and the ways an error could leak it. The token holds
 * an `&` on purpose: Go's JSON encoder writes it as `\u0026`, so a server echoing the token in a
 * Status message sends a form that plain-text redaction does not recognise.
 */
import { inspect } from 'node:util';

/** The credential no error rendering may ever show. */
export const TOKEN = 'adversarial-s3cret&token-7f3a9c';

/** The token as written and as JSON encoders escape it (Go: `&` -> `\u0026`). */
export const TOKEN_FORMS: readonly string[] = [
  TOKEN,
  TOKEN.replaceAll('&', '\\u0026'),
  TOKEN.replaceAll('&', '\\u0026').replaceAll('\\', '\\\\'),
];

/** JSON.stringify that never throws (a cycle or a BigInt renders as a note instead). */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch (error) {
    return `<unserialisable: ${(error as Error).message}>`;
  }
}

/** The error and every `cause` under it (bounded: a cause cycle stops at 10). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e != null && chain.length < 10 && !chain.includes(e); ) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Every way a user might print an error: `String(e)`, its message and stack, `JSON.stringify`
 * of it and of all its own properties (enumerable or not), `util.inspect` to depth 5, for the
 * error and for each error in its `cause` chain.
 */
export function renderings(error: unknown): string[] {
  const out: string[] = [inspect(error, { depth: 5 }), inspect(error, { depth: 5, showHidden: true })];
  for (const e of causeChain(error)) {
    out.push(String(e), safeJson(e));
    if (e !== null && typeof e === 'object') {
      const own = Object.fromEntries(
        Object.getOwnPropertyNames(e).map((name) => [name, (e as Record<string, unknown>)[name]]),
      );
      out.push(safeJson(own), String((e as Error).message), String((e as Error).stack));
    }
  }
  return out;
}

/** The renderings of `error` that show a form of the token (empty when none does). */
export function leaks(error: unknown): string[] {
  return renderings(error).filter((text) => TOKEN_FORMS.some((form) => text.includes(form)));
}
