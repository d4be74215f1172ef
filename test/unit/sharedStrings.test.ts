import { describe, expect, it } from 'vitest';
import { SHARED_STRINGS_LIMIT, sharedString, sharedStringCount } from '../../src/core/sharedStrings.js';

/** A string equal to `value` made at run time, so it is not the literal's own string object. */
const fresh = (value: string) => [value.slice(0, 1), value.slice(1)].join('');

describe('sharedString', () => {
  it('returns a string equal to the one given, for a value seen before or not', () => {
    const first = sharedString(fresh('team-shared-a'));
    expect(first).toBe('team-shared-a');
    expect(sharedString(fresh('team-shared-a'))).toBe('team-shared-a');
    expect(sharedString('')).toBe('');
  });

  it('never holds more strings than its limit, and still returns equal strings after starting over', () => {
    for (let i = 0; i < SHARED_STRINGS_LIMIT * 2 + 10; i++) {
      expect(sharedString(fresh(`value-${i}`))).toBe(`value-${i}`);
      expect(sharedStringCount()).toBeLessThanOrEqual(SHARED_STRINGS_LIMIT);
    }
    expect(sharedStringCount()).toBeGreaterThan(0);
    expect(sharedString(fresh('value-3'))).toBe('value-3');
  });
});
