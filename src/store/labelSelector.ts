/**
 * Kubernetes label selectors, parsed once and matched many times.
 *
 * The string grammar is apimachinery's `labels.Parse`: comma-separated requirements, each one of
 * `key`, `!key`, `key=value`, `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`.
 * As on the server, `!=` and `notin` also match objects that do not have the key.
 * The object form (`matchLabels` / `matchExpressions`, as in a Deployment's `spec.selector`) is
 * accepted too, so a lister filters exactly as the API server does.
 */
import { InvalidSelectorError } from '../core/errors.js';

/** The operator of one requirement: `key`, `!key`, `=`/`==`, `!=`, `in`, `notin`. */
export type SelectorOperator = 'exists' | 'notExists' | 'equals' | 'notEquals' | 'in' | 'notIn';

/** One parsed requirement. `values` is empty for `exists`/`notExists`. */
export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A parsed selector: all requirements must hold (an empty selector matches everything). */
export interface LabelSelector {
  /** The requirements, all of which must hold (AND). */
  readonly requirements: readonly SelectorRequirement[];
  /** True when the labels satisfy every requirement. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** The selector in canonical string form, e.g. `app=web,tier in (a,b)`. */
  toString(): string;
}

/** The object form used in workload specs (`metav1.LabelSelector`). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: ReadonlyArray<{
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }>;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isValidKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return NAME.test(key);
  const prefix = key.slice(0, slash);
  return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && NAME.test(key.slice(slash + 1));
}

function isValidValue(value: string): boolean {
  return value === '' || NAME.test(value);
}

function matchRequirement(
  req: SelectorRequirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  switch (req.operator) {
    case 'exists':
      return has;
    case 'notExists':
      return !has;
    case 'equals':
    case 'in':
      return has && req.values.includes(value as string);
    case 'notEquals':
    case 'notIn':
      return !has || !req.values.includes(value as string);
  }
}

function formatRequirement(req: SelectorRequirement): string {
  switch (req.operator) {
    case 'exists':
      return req.key;
    case 'notExists':
      return `!${req.key}`;
    case 'equals':
      return `${req.key}=${req.values[0]}`;
    case 'notEquals':
      return `${req.key}!=${req.values[0]}`;
    case 'in':
      return `${req.key} in (${req.values.join(',')})`;
    case 'notIn':
      return `${req.key} notin (${req.values.join(',')})`;
  }
}

function selectorOf(requirements: SelectorRequirement[]): LabelSelector {
  const frozen = Object.freeze(
    requirements.map((r) => Object.freeze({ ...r, values: Object.freeze([...r.values]) })),
  );
  return Object.freeze({
    requirements: frozen,
    matches: (labels: Readonly<Record<string, string>> | undefined) =>
      frozen.every((r) => matchRequirement(r, labels)),
    toString: () => frozen.map(formatRequirement).join(','),
  });
}

/** Matches every object. */
export const everything: LabelSelector = selectorOf([]);

/** A small hand-written scanner: the grammar is too context-sensitive (`in` vs a key) for a regex. */
class SelectorParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): LabelSelector {
    const requirements: SelectorRequirement[] = [];
    this.skipSpace();
    if (this.pos === this.text.length) return everything;
    for (;;) {
      requirements.push(this.requirement());
      this.skipSpace();
      if (this.pos === this.text.length) break;
      this.expect(',');
    }
    return selectorOf(requirements);
  }

  private requirement(): SelectorRequirement {
    this.skipSpace();
    if (this.peek() === '!') {
      this.pos++;
      this.skipSpace();
      return { key: this.key(), operator: 'notExists', values: [] };
    }
    const key = this.key();
    this.skipSpace();
    const c = this.peek();
    if (c === undefined || c === ',') return { key, operator: 'exists', values: [] };
    if (c === '=') {
      this.pos += this.text.startsWith('==', this.pos) ? 2 : 1;
      return { key, operator: 'equals', values: [this.value()] };
    }
    if (this.text.startsWith('!=', this.pos)) {
      this.pos += 2;
      return { key, operator: 'notEquals', values: [this.value()] };
    }
    const start = this.pos;
    const word = this.word();
    if (word === 'in' || word === 'notin') {
      return { key, operator: word === 'in' ? 'in' : 'notIn', values: this.valueSet() };
    }
    // Point at the operator itself, not past it.
    throw new InvalidSelectorError(
      this.text,
      start,
      word ? `unknown operator ${JSON.stringify(word)}` : 'expected an operator',
    );
  }

  private key(): string {
    const start = this.pos;
    const key = this.word();
    if (!key) throw this.error('expected a label key');
    if (!isValidKey(key))
      throw new InvalidSelectorError(this.text, start, `invalid label key ${JSON.stringify(key)}`);
    return key;
  }

  private value(): string {
    this.skipSpace();
    const start = this.pos;
    const value = this.word();
    if (!isValidValue(value))
      throw new InvalidSelectorError(this.text, start, `invalid label value ${JSON.stringify(value)}`);
    return value;
  }

  private valueSet(): string[] {
    this.skipSpace();
    this.expect('(');
    const values: string[] = [];
    for (;;) {
      values.push(this.value());
      this.skipSpace();
      if (this.peek() === ')') {
        this.pos++;
        return values;
      }
      this.expect(',');
    }
  }

  /** Reads up to the next delimiter: space, comma, parenthesis, `=` or `!`. */
  private word(): string {
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s,()=!]/.test(this.text[this.pos] as string)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.peek() !== c) throw this.error(`expected ${JSON.stringify(c)}`);
    this.pos++;
  }

  private error(detail: string): InvalidSelectorError {
    return new InvalidSelectorError(this.text, this.pos, detail);
  }
}

/**
 * Parses a label selector string. Throws {@link InvalidSelectorError} with the offending position.
 *
 * @example
 * ```ts
 * const sel = parseLabelSelector('app=web,tier in (frontend,edge),!canary');
 * sel.matches({ app: 'web', tier: 'edge' }); // true
 * ```
 */
export function parseLabelSelector(selector: string): LabelSelector {
  return new SelectorParser(selector).parse();
}

/**
 * Converts a `metav1.LabelSelector` object. Note the API's rule: an empty object selects
 * everything, while a missing selector (handled by the caller) usually selects nothing.
 *
 * @example
 * ```ts
 * const selector = labelSelectorFromObject(deployment.spec!.selector);
 * snapshot.list(selector); // the deployment's pods, from the cache
 * ```
 */
export function labelSelectorFromObject(selector: LabelSelectorObject): LabelSelector {
  const requirements: SelectorRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: 'equals', values: [value] });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) throw new InvalidSelectorError(expr.key, 0, `${expr.operator} needs values`);
        requirements.push({ key: expr.key, operator: expr.operator === 'In' ? 'in' : 'notIn', values });
        break;
      case 'Exists':
      case 'DoesNotExist':
        // apimachinery's NewRequirement: "values set must be empty for exists and does not exist".
        if (values.length > 0)
          throw new InvalidSelectorError(expr.key, 0, `${expr.operator} takes no values`);
        requirements.push({
          key: expr.key,
          operator: expr.operator === 'Exists' ? 'exists' : 'notExists',
          values: [],
        });
        break;
      default:
        throw new InvalidSelectorError(expr.key, 0, `unknown operator ${JSON.stringify(expr.operator)}`);
    }
  }
  for (const r of requirements) {
    if (!isValidKey(r.key)) throw new InvalidSelectorError(r.key, 0, 'invalid label key');
    // Like the API server's selector validation: a value the string grammar cannot carry (`a,b`,
    // `x y`) would make `toString()` mean something else, or not parse at all.
    for (const value of r.values) {
      if (typeof value !== 'string' || !isValidValue(value))
        throw new InvalidSelectorError(r.key, 0, `invalid label value ${JSON.stringify(value)}`);
    }
  }
  return selectorOf(requirements);
}

/** Accepts a string, a parsed selector or the object form. */
export type SelectorInput = string | LabelSelector | LabelSelectorObject;

/**
 * Normalises any {@link SelectorInput} to a parsed {@link LabelSelector}.
 *
 * @example
 * ```ts
 * toLabelSelector('app=web').matches({ app: 'web' });                  // true
 * toLabelSelector({ matchLabels: { app: 'web' } }).toString();          // 'app=web'
 * ```
 */
export function toLabelSelector(input: SelectorInput): LabelSelector {
  if (typeof input === 'string') return parseLabelSelector(input);
  if ('requirements' in input && typeof (input as LabelSelector).matches === 'function')
    return input as LabelSelector;
  return labelSelectorFromObject(input as LabelSelectorObject);
}
