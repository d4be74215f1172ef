/**
 * `textNestsWithinLimit` lets a cell skip walking its parse for depth: it must never say "within
 * the limit" of a text whose parse nests deeper (the walk, `parsedNestsWithinLimit`, is the truth).
 * The tightest texts are paths of minimal containers (`[` `]`, `{"":` `}`) right at the limit.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MAX_OBJECT_DEPTH, parsedNestsWithinLimit, textNestsWithinLimit } from '../../src/core/objects.js';

/** A path of minimal containers, outermost first (`true` = array), around an empty innermost one. */
function minimalPath(arrays: readonly boolean[]): string {
  let text = arrays.at(-1) ? '[]' : '{}';
  for (let i = arrays.length - 2; i >= 0; i--) text = arrays[i] ? `[${text}]` : `{"":${text}}`;
  return text;
}

describe('textNestsWithinLimit', () => {
  it('passes a pod-sized text without walking, and never a minimal path one level too deep', () => {
    expect(
      textNestsWithinLimit(JSON.stringify({ metadata: { name: 'a' }, spec: { containers: [{}] } })),
    ).toBe(true);
    const tooDeep = MAX_OBJECT_DEPTH + 2; // containers on the path (the top level is depth 0)
    expect(textNestsWithinLimit(minimalPath(new Array(tooDeep).fill(false)))).toBe(false);
    expect(textNestsWithinLimit(minimalPath(new Array(tooDeep).fill(true)))).toBe(false);
    expect(parsedNestsWithinLimit(JSON.parse(minimalPath(new Array(tooDeep).fill(false))))).toBe(false);
  });

  it('is tight for objects: a minimal path of objects at the limit passes unwalked', () => {
    const atLimit = minimalPath(new Array(MAX_OBJECT_DEPTH + 1).fill(false));
    expect(textNestsWithinLimit(atLimit)).toBe(true);
    expect(parsedNestsWithinLimit(JSON.parse(atLimit))).toBe(true);
  });

  test.prop([
    fc.array(fc.boolean(), { minLength: MAX_OBJECT_DEPTH - 40, maxLength: MAX_OBJECT_DEPTH + 40 }),
    fc.nat({ max: 3_000 }),
  ])('never passes a text whose parse nests too deep (minimal paths, with padding)', (arrays, pad) => {
    const text = `${minimalPath(arrays)}${' '.repeat(pad)}`;
    if (textNestsWithinLimit(text)) expect(parsedNestsWithinLimit(JSON.parse(text))).toBe(true);
  });

  test.prop([fc.json({ depthSize: 'large' })])('agrees with the walk on any JSON it passes', (text) => {
    if (textNestsWithinLimit(text)) expect(parsedNestsWithinLimit(JSON.parse(text))).toBe(true);
  });
});
