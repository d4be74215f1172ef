/**
 * Selectors checked before the first request. The API server answers a selector it cannot parse
 * with 400 BadRequest on every attempt, so sending one only to retry it is pointless: `listWatch`
 * errors at once with an {@link InvalidSelectorError} that points at the problem.
 *
 * Label selectors go through the same parser the cache uses. Field selectors get the syntax
 * check of apimachinery's `fields.ParseSelector`: comma-separated `key=value`, `key==value` or
 * `key!=value` terms, where a value may escape `\\`, `,` and `=` with a backslash. Which fields a
 * kind supports is the server's business (an unsupported one is still its 400).
 */
import type { SelectorOptions } from '../core/client.js';
import { InvalidSelectorError } from '../core/errors.js';
import { parseLabelSelector } from '../store/labelSelector.js';

const FIELD_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** One term `key<op>value` starting at `start` in `selector`; throws where it goes wrong. */
function checkFieldTerm(selector: string, term: string, start: number): void {
  const fail = (offset: number, detail: string) =>
    new InvalidSelectorError(selector, start + offset, detail, 'field');
  const op = /!=|==|=/.exec(term);
  if (op === null) throw fail(0, 'expected key=value, key==value or key!=value');
  const key = term.slice(0, op.index);
  if (!FIELD_KEY.test(key)) throw fail(0, `invalid field ${JSON.stringify(key)}`);
  const valueStart = op.index + op[0].length;
  for (let i = valueStart; i < term.length; i++) {
    const c = term[i];
    if (c === '=') throw fail(i, 'unescaped "=" in a value (write \\=)');
    if (c !== '\\') continue;
    const next = term[i + 1];
    if (next !== '\\' && next !== ',' && next !== '=')
      throw fail(i, `invalid escape sequence ${JSON.stringify(`\\${next ?? ''}`)}`);
    i++;
  }
}

/**
 * Checks a field selector's syntax; throws {@link InvalidSelectorError} (`kind: 'field'`).
 *
 * @example
 * ```ts
 * checkFieldSelector('spec.nodeName=worker-1,status.phase!=Running'); // fine
 * checkFieldSelector('status.phase');                                   // throws
 * ```
 */
export function checkFieldSelector(selector: string): void {
  let start = 0;
  for (let i = 0; i <= selector.length; i++) {
    const c = selector[i];
    if (c === '\\' && i + 1 < selector.length) {
      i++; // an escaped character never separates terms
      continue;
    }
    if (c !== ',' && i < selector.length) continue;
    // Empty terms are skipped, as the API server does (`a=b,` is `a=b`).
    const term = selector.slice(start, i);
    if (term !== '') checkFieldTerm(selector, term, start);
    start = i + 1;
  }
}

/**
 * Checks the label and field selectors of a request; throws {@link InvalidSelectorError}.
 *
 * @example
 * ```ts
 * validateSelectors({ labelSelector: 'app in (web', fieldSelector: 'spec.nodeName=n1' }); // throws
 * ```
 */
export function validateSelectors(options: SelectorOptions): void {
  if (options.labelSelector) parseLabelSelector(options.labelSelector);
  if (options.fieldSelector) checkFieldSelector(options.fieldSelector);
}
