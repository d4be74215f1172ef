/**
 * Property 4: label selectors. A selector's string form parses back to a selector that matches
 * the same label maps (for selectors parsed from any valid spelling and for the object form),
 * both agree with an independent matcher, and arbitrary text either parses or throws
 * {@link InvalidSelectorError} — never another exception.
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
