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
  /**
   * True when the labels satisfy every requirement. Null labels (`labels: null` in the JSON), or
   * anything that is not a map, are no labels: the API server stores `null` as absent.
   */
  matches(labels: Readonly<Record<string, string>> | null | undefined): boolean;
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
  labels: Readonly<Record<string, unknown>> | undefined,
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
    matches: (labels: unknown) => {
      const map = isRecord(labels) ? labels : undefined;
      return frozen.every((r) => matchRequirement(r, map));
    },
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

/** What a field holds, for messages: never the value itself unless it is a short string. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'got null';
  if (Array.isArray(value)) return 'got an array';
  if (typeof value === 'string') return `got a string (${JSON.stringify(value.slice(0, 64))})`;
  return `got ${/^[aeiou]/.test(typeof value) ? 'an' : 'a'} ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An error at `path`, a field path inside the selector object (`matchExpressions[0].values`). The
 * path stands where a string selector's text would: `InvalidSelectorError` has no field for it.
 */
function invalidAt(path: string, detail: string): InvalidSelectorError {
  return new InvalidSelectorError(path, 0, detail);
}

/** The API server's operators and what each becomes. */
const OBJECT_OPERATORS: Readonly<Record<string, SelectorOperator>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, SelectorOperator>, {
    In: 'in',
    NotIn: 'notIn',
    Exists: 'exists',
    DoesNotExist: 'notExists',
  }),
);

function checkedKey(key: unknown, path: string): string {
  if (typeof key !== 'string') throw invalidAt(path, `a label key must be a string, ${describeValue(key)}`);
  if (!isValidKey(key)) throw invalidAt(path, `invalid label key ${JSON.stringify(key)}`);
  return key;
}

// Like the API server's selector validation: a value the string grammar cannot carry (`a,b`, `x y`)
// would make `toString()` mean something else, or not parse at all.
function checkedValue(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalidAt(path, `must be a string, ${describeValue(value)}`);
  if (!isValidValue(value)) throw invalidAt(path, `invalid label value ${JSON.stringify(value)}`);
  return value;
}

function matchLabelsRequirements(matchLabels: unknown): SelectorRequirement[] {
  if (matchLabels === undefined || matchLabels === null) return [];
  if (!isRecord(matchLabels))
    throw invalidAt(
      'matchLabels',
      `must be an object of label keys to values, ${describeValue(matchLabels)}`,
    );
  return Object.entries(matchLabels).map(([key, value]) => {
    const path = `matchLabels[${key}]`;
    return { key: checkedKey(key, path), operator: 'equals', values: [checkedValue(value, path)] };
  });
}

/** One `matchExpressions` entry, checked as apimachinery's `ValidateLabelSelectorRequirement`. */
function expressionRequirement(expression: unknown, path: string): SelectorRequirement {
  if (!isRecord(expression))
    throw invalidAt(path, `must be an object with key, operator and values, ${describeValue(expression)}`);
  const key = checkedKey(expression.key, `${path}.key`);
  const name = expression.operator;
  const operator = typeof name === 'string' ? OBJECT_OPERATORS[name] : undefined;
  if (operator === undefined) {
    const got = typeof name === 'string' ? JSON.stringify(name) : `(${describeValue(name)})`;
    throw invalidAt(`${path}.operator`, `unknown operator ${got}: one of In, NotIn, Exists, DoesNotExist`);
  }
  const values = expression.values;
  if (operator === 'exists' || operator === 'notExists') {
    // apimachinery's NewRequirement: "values set must be empty for exists and does not exist".
    if (values === undefined || values === null || (Array.isArray(values) && values.length === 0))
      return { key, operator, values: [] };
    throw invalidAt(`${path}.values`, `${name} takes no values, ${describeValue(values)}`);
  }
  if (!Array.isArray(values) || values.length === 0) {
    const got = Array.isArray(values) ? 'got an empty array' : describeValue(values);
    throw invalidAt(`${path}.values`, `${name} needs values: a non-empty array of strings, ${got}`);
  }
  // An index loop, not `map`: `map` skips the holes of a sparse array.
  const checked: string[] = [];
  for (let i = 0; i < values.length; i++) checked.push(checkedValue(values[i], `${path}.values[${i}]`));
  return { key, operator, values: checked };
}

function matchExpressionsRequirements(matchExpressions: unknown): SelectorRequirement[] {
  if (matchExpressions === undefined || matchExpressions === null) return [];
  if (!Array.isArray(matchExpressions))
    throw invalidAt('matchExpressions', `must be an array, ${describeValue(matchExpressions)}`);
  const requirements: SelectorRequirement[] = [];
  for (let i = 0; i < matchExpressions.length; i++)
    requirements.push(expressionRequirement(matchExpressions[i], `matchExpressions[${i}]`));
  return requirements;
}

/**
 * Converts a `metav1.LabelSelector` object. Note the API's rule: an empty object selects
 * everything, while a missing selector (handled by the caller) usually selects nothing.
 *
 * The object usually comes from JSON (a workload's or a CRD's `spec.selector`), and a CRD with a
 * loose schema can hold anything. It is validated like the API server's `ValidateLabelSelector`:
 * `In`/`NotIn` need a non-empty array of strings, `Exists`/`DoesNotExist` no values, operators are
 * the four (case-sensitive), keys and values are valid label keys and values. Anything else throws
 * an {@link InvalidSelectorError} whose `selector` is the offending field's path (e.g.
 * `matchExpressions[0].values`), rather than a TypeError or a selector that means something else
 * (`values: "web"` is not `in (w,e,b)`). Null `matchLabels` / `matchExpressions` are absent, as
 * the API server reads them.
 *
 * @example
 * ```ts
 * const selector = labelSelectorFromObject(deployment.spec!.selector);
 * snapshot.list(selector); // the deployment's pods, from the cache
 * ```
 */
export function labelSelectorFromObject(selector: LabelSelectorObject): LabelSelector {
  const input: unknown = selector;
  if (!isRecord(input))
    throw invalidAt('selector', `a label selector must be an object, ${describeValue(input)}`);
  return selectorOf([
    ...matchLabelsRequirements(input.matchLabels),
    ...matchExpressionsRequirements(input.matchExpressions),
  ]);
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
  if (isRecord(input) && 'requirements' in input && typeof input.matches === 'function')
    return input as unknown as LabelSelector;
  return labelSelectorFromObject(input as LabelSelectorObject);
}
