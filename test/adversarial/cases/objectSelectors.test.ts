/**
 * Selectors built from objects (a Deployment's `spec.selector`, read from JSON, so nothing
 * guarantees its shape): a malformed `matchLabels` or `matchExpressions` is an
 * `InvalidSelectorError`, never a TypeError or a selector that means something else.
 */
import { expect } from 'vitest';
import { InvalidSelectorError } from '../../../src/core/errors.js';
import { type LabelSelectorObject, labelSelectorFromObject } from '../../../src/store/labelSelector.js';
import type { StandaloneCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';

/** Parses a selector object as it arrives in JSON (no type checking, as from an API object). */
const fromJson = (json: string) => () => labelSelectorFromObject(JSON.parse(json) as LabelSelectorObject);

function rejects(name: string, json: string): StandaloneCase {
  return {
    name,
    defectClass: 'objectSelectors',
    run: () => expect(fromJson(json)).toThrow(InvalidSelectorError),
  };
}

export const objectSelectorCases: StandaloneCase[] = [
  rejects(
    'matchExpressions values that is a string ("web") is an InvalidSelectorError, not in (w,e,b)',
    '{"matchExpressions":[{"key":"app","operator":"In","values":"web"}]}',
  ),
  rejects(
    'matchExpressions that is an object is an InvalidSelectorError',
    '{"matchExpressions":{"key":"app"}}',
  ),
  rejects('a null entry in matchExpressions is an InvalidSelectorError', '{"matchExpressions":[null]}'),
  rejects('a matchLabels value that is not a string is an InvalidSelectorError', '{"matchLabels":{"app":5}}'),
  rejects(
    'In without values is an InvalidSelectorError',
    '{"matchExpressions":[{"key":"app","operator":"In"}]}',
  ),
  rejects(
    'Exists with values is an InvalidSelectorError',
    '{"matchExpressions":[{"key":"app","operator":"Exists","values":["web"]}]}',
  ),
  rejects(
    'an unknown operator is an InvalidSelectorError',
    '{"matchExpressions":[{"key":"app","operator":"Near","values":["web"]}]}',
  ),
  {
    name: 'a well-formed selector object still matches what it says',
    defectClass: 'objectSelectors',
    run: () => {
      const selector = fromJson(
        '{"matchLabels":{"tier":"web"},"matchExpressions":[{"key":"app","operator":"In","values":["a","b"]}]}',
      )();
      expect(selector.matches({ tier: 'web', app: 'b' })).toBe(true);
      expect(selector.matches({ tier: 'web', app: 'c' })).toBe(false);
    },
  },
];

describeCases('selectors from objects: malformed is a typed error', objectSelectorCases);
