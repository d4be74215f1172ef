/**
 * Property 4: label selectors. A selector's string form parses back to a selector that matches
 * the same label maps (for selectors parsed from any valid spelling and for the object form),
 * both agree with an independent matcher, and arbitrary text either parses or throws
 * {@link InvalidSelectorError} — never another exception. Arbitrary JSON in the object form
 * (a CRD's loose `spec.selector`) gives either the selector a reference reading of the API
 * server's validation expects, or an InvalidSelectorError — never another exception.
 */
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  InvalidSelectorError,
  type LabelSelector,
  labelSelectorFromObject,
  parseLabelSelector,
  toLabelSelector,
} from '../../src/index.js';
import {
  LABEL_KEYS,
  LABEL_VALUES,
  labelKeyArb,
  labelMapArb,
  labelValueArb,
  matchesRequirements,
  type Requirement,
  selectorObjectArb,
  spelledSelectorArb,
} from './serverModel.js';

function expectSameMatches(
  selector: LabelSelector,
  requirements: readonly Requirement[],
  labelMaps: readonly Record<string, string>[],
): void {
  const reparsed = parseLabelSelector(selector.toString());
  expect(reparsed.toString()).toBe(selector.toString());
  for (const labels of [undefined, {}, ...labelMaps]) {
    const expected = matchesRequirements(requirements, labels);
    expect({ labels, matches: selector.matches(labels) }).toEqual({ labels, matches: expected });
    expect({ labels, reparsed: reparsed.matches(labels) }).toEqual({ labels, reparsed: expected });
  }
}

/** Text that looks like selectors: their tokens, shuffled. */
const selectorishArb = fc
  .array(
    fc.constantFrom(
      ...LABEL_KEYS,
      ...LABEL_VALUES.filter(Boolean),
      'in',
      'notin',
      '=',
      '==',
      '!=',
      '!',
      ',',
      '(',
      ')',
      ' ',
      '\t',
      '/',
      '.',
      '-',
      '_',
      'A',
      '9',
      'é',
      '\u00a0',
      '\u2028',
      '😀',
      'a'.repeat(64),
    ),
    { maxLength: 12 },
  )
  .map((tokens) => tokens.join(''));

const garbageArb = fc.oneof(
  selectorishArb,
  fc.string(),
  fc.string({ unit: 'binary' }),
  spelledSelectorArb.chain(({ text }) =>
    fc
      .tuple(fc.nat(text.length), fc.string({ maxLength: 2 }))
      .map(([at, s]) => text.slice(0, at) + s + text.slice(at + 1)),
  ),
);

/**
 * Label keys and values as apimachinery's validation defines them (`IsQualifiedName`,
 * `IsValidLabelValue`), written from the Kubernetes rules rather than from `labelSelector.ts`.
 */
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function referenceKeyValid(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1] as string;
  if (name.length > 63 || !QUALIFIED_NAME_PART.test(name)) return false;
  if (parts.length === 1) return true;
  const prefix = parts[0] as string;
  return prefix.length > 0 && prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix);
}

function referenceValueValid(value: string): boolean {
  return value === '' || (value.length <= 63 && QUALIFIED_NAME_PART.test(value));
}

const INVALID = 'invalid' as const;

/**
 * The API server's reading of a `metav1.LabelSelector` given as JSON: the requirements it selects
 * with, or {@link INVALID} when decoding or `ValidateLabelSelector` would reject it.
 */
function referenceSelector(input: unknown): Requirement[] | typeof INVALID {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const isString = (v: unknown): v is string => typeof v === 'string';
  if (!isMap(input)) return INVALID;
  const requirements: Requirement[] = [];
  const { matchLabels, matchExpressions } = input;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isMap(matchLabels)) return INVALID;
    for (const [key, value] of Object.entries(matchLabels)) {
      if (!isString(value) || !referenceKeyValid(key) || !referenceValueValid(value)) return INVALID;
      requirements.push({ key, operator: 'equals', values: [value] });
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) return INVALID;
    for (let i = 0; i < matchExpressions.length; i++) {
      const expression: unknown = matchExpressions[i];
      if (!isMap(expression)) return INVALID;
      const { key, operator, values } = expression;
      if (!isString(key) || !referenceKeyValid(key)) return INVALID;
      const noValues =
        values === undefined || values === null || (Array.isArray(values) && values.length === 0);
      if (operator === 'Exists' || operator === 'DoesNotExist') {
        if (!noValues) return INVALID;
        requirements.push({ key, operator: operator === 'Exists' ? 'exists' : 'notExists', values: [] });
      } else if (operator === 'In' || operator === 'NotIn') {
        if (noValues || !Array.isArray(values)) return INVALID;
        const strings: string[] = [];
        for (let j = 0; j < values.length; j++) {
          const value: unknown = values[j];
          if (!isString(value) || !referenceValueValid(value)) return INVALID;
          strings.push(value);
        }
        requirements.push({ key, operator: operator === 'In' ? 'in' : 'notIn', values: strings });
      } else {
        return INVALID;
      }
    }
  }
  return requirements;
}

/** Any JSON, shallow: what a loose schema lets through where a field was expected. */
const anyJsonArb = fc.jsonValue({ maxDepth: 2 });
const keyishArb = fc.oneof({ weight: 4, arbitrary: labelKeyArb }, fc.string({ maxLength: 5 }), anyJsonArb);
const valueishArb = fc.oneof(
  { weight: 4, arbitrary: labelValueArb },
  fc.string({ maxLength: 5 }),
  anyJsonArb,
);
const valuesFieldArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(valueishArb, { maxLength: 3 }) },
  { weight: 2, arbitrary: fc.array(labelValueArb, { minLength: 1, maxLength: 3 }) },
  valueishArb,
  fc.constant(null),
);
const operatorishArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist') },
  fc.constantFrom('in', 'Gt', 'exists', ''),
  anyJsonArb,
);
const expressionishArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      { key: keyishArb, operator: operatorishArb, values: valuesFieldArb },
      { requiredKeys: ['key', 'operator'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ key: keyishArb, operator: operatorishArb }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyJsonArb },
);
const selectorObjectishArb = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        matchLabels: fc.oneof(
          { weight: 6, arbitrary: fc.dictionary(keyishArb.filter(isText), valueishArb, { maxKeys: 3 }) },
          fc.constant(null),
          anyJsonArb,
        ),
        matchExpressions: fc.oneof(
          { weight: 6, arbitrary: fc.array(expressionishArb, { maxLength: 3 }) },
          fc.constant(null),
          anyJsonArb,
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyJsonArb },
);

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

describe('label selector properties', () => {
  it('a parsed selector and the reparse of its toString() match like the server', () => {
    fc.assert(
      fc.property(
        spelledSelectorArb.chain((selector) =>
          fc.tuple(fc.constant(selector), fc.array(labelMapArb(selector.requirements), { maxLength: 8 })),
        ),
        ([{ requirements, text }, labelMaps]) => {
          const selector = parseLabelSelector(text);
          expect(selector.requirements).toEqual(requirements);
          expectSameMatches(selector, requirements, labelMaps);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the object form and the reparse of its toString() match like the server', () => {
    fc.assert(
      fc.property(
        selectorObjectArb.chain((selector) =>
          fc.tuple(fc.constant(selector), fc.array(labelMapArb(selector.requirements), { maxLength: 8 })),
        ),
        ([{ requirements, object }, labelMaps]) => {
          const selector = labelSelectorFromObject(object);
          expectSameMatches(selector, requirements, labelMaps);
          expectSameMatches(toLabelSelector(object), requirements, labelMaps);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('an object form with arbitrary keys and values is rejected or round-trips', () => {
    const anyText = fc.oneof(labelValueArb, fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(labelKeyArb, anyText), anyText, { maxKeys: 2 }),
        fc.array(fc.record({ key: labelKeyArb, values: fc.array(anyText, { minLength: 1, maxLength: 2 }) }), {
          maxLength: 2,
        }),
        fc.array(fc.dictionary(fc.oneof(labelKeyArb, anyText), anyText, { maxKeys: 3 }), { maxLength: 6 }),
        (matchLabels, inExpressions, labelMaps) => {
          const object = {
            matchLabels,
            matchExpressions: inExpressions.map((e) => ({ ...e, operator: 'In' as const })),
          };
          let selector: LabelSelector;
          try {
            selector = labelSelectorFromObject(object);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidSelectorError);
            return;
          }
          const requirements: Requirement[] = [
            ...Object.entries(matchLabels).map(([key, v]) => ({
              key,
              operator: 'equals' as const,
              values: [v],
            })),
            ...inExpressions.map((e) => ({ key: e.key, operator: 'in' as const, values: e.values })),
          ];
          expectSameMatches(selector, requirements, labelMaps);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('arbitrary JSON as a selector object is the reference selector or an InvalidSelectorError', () => {
    let valid = 0;
    fc.assert(
      fc.property(
        // Through JSON, as a selector arrives from the API: `__proto__` keys become own properties.
        selectorObjectishArb
          .map((value) => JSON.parse(JSON.stringify(value)) as unknown)
          .chain((input) => {
            const expected = referenceSelector(input);
            const keys = expected === INVALID ? [] : expected;
            return fc.tuple(fc.constant(input), fc.array(labelMapArb(keys), { maxLength: 6 }));
          }),
        ([input, labelMaps]) => {
          const expected = referenceSelector(input);
          let selector: LabelSelector;
          try {
            selector = labelSelectorFromObject(input as never);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidSelectorError);
            expect({ input, expected }).toEqual({ input, expected: INVALID });
            return;
          }
          expect({ input, expected }).not.toEqual({ input, expected: INVALID });
          valid++;
          const requirements = expected as Requirement[];
          expect(selector.requirements).toEqual(requirements);
          expectSameMatches(selector, requirements, labelMaps);
        },
      ),
      { numRuns: 600 },
    );
    // The arbitraries must reach valid selectors often enough for the comparison to mean something.
    expect(valid).toBeGreaterThan(30);
  });

  it('arbitrary text parses or throws InvalidSelectorError, and what parses round-trips', () => {
    fc.assert(
      fc.property(garbageArb, fc.array(labelMapArb([]), { maxLength: 4 }), (text, labelMaps) => {
        let selector: LabelSelector;
        try {
          selector = parseLabelSelector(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidSelectorError);
          expect((error as InvalidSelectorError).selector).toBe(text);
          return;
        }
        expectSameMatches(selector, selector.requirements, labelMaps);
      }),
      { numRuns: 300 },
    );
  });
});
