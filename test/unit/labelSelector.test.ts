import { describe, expect, it } from 'vitest';
import {
  everything,
  InvalidSelectorError,
  type LabelSelectorObject,
  labelSelectorFromObject,
  parseLabelSelector,
  toLabelSelector,
} from '../../src/index.js';

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** The InvalidSelectorError a string selector fails with, as plain data. */
function parseError(selector: string) {
  const error = thrown(() => parseLabelSelector(selector));
  expect(error).toBeInstanceOf(InvalidSelectorError);
  const e = error as InvalidSelectorError;
  expect(e.name).toBe('InvalidSelectorError');
  return { selector: e.selector, position: e.position, message: e.message };
}

const matches = (selector: string, labels?: Record<string, string>) =>
  parseLabelSelector(selector).matches(labels);

describe('parseLabelSelector: operators', () => {
  it('`=` and `==` are equality', () => {
    for (const selector of ['app=web', 'app==web']) {
      const sel = parseLabelSelector(selector);
      expect(sel.requirements).toEqual([{ key: 'app', operator: 'equals', values: ['web'] }]);
      expect(sel.matches({ app: 'web' })).toBe(true);
      expect(sel.matches({ app: 'db' })).toBe(false);
      expect(sel.matches({ other: 'web' })).toBe(false);
      expect(sel.matches(undefined)).toBe(false);
    }
  });

  it('`!=` matches other values and objects without the key', () => {
    const sel = parseLabelSelector('app!=web');
    expect(sel.requirements).toEqual([{ key: 'app', operator: 'notEquals', values: ['web'] }]);
    expect(sel.matches({ app: 'web' })).toBe(false);
    expect(sel.matches({ app: 'db' })).toBe(true);
    expect(sel.matches({})).toBe(true);
    expect(sel.matches(undefined)).toBe(true);
  });

  it('`in` matches any listed value and requires the key', () => {
    const sel = parseLabelSelector('tier in (frontend,edge)');
    expect(sel.requirements).toEqual([{ key: 'tier', operator: 'in', values: ['frontend', 'edge'] }]);
    expect(sel.matches({ tier: 'frontend' })).toBe(true);
    expect(sel.matches({ tier: 'edge' })).toBe(true);
    expect(sel.matches({ tier: 'backend' })).toBe(false);
    expect(sel.matches({})).toBe(false);
  });

  it('`notin` rejects listed values and matches objects without the key', () => {
    const sel = parseLabelSelector('tier notin (frontend,edge)');
    expect(sel.requirements).toEqual([{ key: 'tier', operator: 'notIn', values: ['frontend', 'edge'] }]);
    expect(sel.matches({ tier: 'frontend' })).toBe(false);
    expect(sel.matches({ tier: 'backend' })).toBe(true);
    expect(sel.matches({})).toBe(true);
    expect(sel.matches(undefined)).toBe(true);
  });

  it('exists and `!key`', () => {
    expect(parseLabelSelector('canary').requirements).toEqual([
      { key: 'canary', operator: 'exists', values: [] },
    ]);
    expect(matches('canary', { canary: '' })).toBe(true);
    expect(matches('canary', { canary: 'true' })).toBe(true);
    expect(matches('canary', { app: 'web' })).toBe(false);
    expect(parseLabelSelector('!canary').requirements).toEqual([
      { key: 'canary', operator: 'notExists', values: [] },
    ]);
    expect(matches('!canary', { canary: '' })).toBe(false);
    expect(matches('!canary', { app: 'web' })).toBe(true);
    expect(matches('!canary', undefined)).toBe(true);
  });

  it('an empty value is allowed and matches only the empty value', () => {
    expect(parseLabelSelector('a=').requirements).toEqual([{ key: 'a', operator: 'equals', values: [''] }]);
    expect(matches('a=', { a: '' })).toBe(true);
    expect(matches('a=', { a: 'x' })).toBe(false);
    expect(matches('a=', {})).toBe(false);
  });

  it('requirements are ANDed', () => {
    const sel = parseLabelSelector('app=web,tier in (fe,edge),!canary,env!=prod');
    expect(sel.requirements.map((r) => r.operator)).toEqual(['equals', 'in', 'notExists', 'notEquals']);
    expect(sel.matches({ app: 'web', tier: 'fe' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'fe', env: 'dev' })).toBe(true);
    expect(sel.matches({ app: 'web', tier: 'fe', canary: 'x' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'fe', env: 'prod' })).toBe(false);
    expect(sel.matches({ app: 'web', tier: 'be' })).toBe(false);
    expect(sel.matches({ tier: 'fe' })).toBe(false);
  });

  it('does not see inherited properties as labels', () => {
    expect(matches('toString', {})).toBe(false);
    expect(matches('!constructor', {})).toBe(true);
  });
});

describe('parseLabelSelector: syntax', () => {
  it('ignores whitespace around keys, operators, values, commas and parentheses', () => {
    const spaced = parseLabelSelector(
      '  app  =  web ,  tier   in  (  fe ,  edge  )  , ! canary , env != prod ',
    );
    const tight = parseLabelSelector('app=web,tier in (fe,edge),!canary,env!=prod');
    expect(spaced.requirements).toEqual(tight.requirements);
    expect(spaced.toString()).toBe('app=web,tier in (fe,edge),!canary,env!=prod');
  });

  it('the empty selector (or only whitespace) selects everything', () => {
    for (const selector of ['', '   ', '\t\n']) {
      const sel = parseLabelSelector(selector);
      expect(sel).toBe(everything);
      expect(sel.requirements).toEqual([]);
      expect(sel.matches(undefined)).toBe(true);
      expect(sel.matches({ any: 'thing' })).toBe(true);
      expect(sel.toString()).toBe('');
    }
  });

  it('accepts prefixed keys', () => {
    const sel = parseLabelSelector('app.kubernetes.io/name=web,example.com/tier in (a,b),!node.k8s.io/x');
    expect(sel.requirements.map((r) => r.key)).toEqual([
      'app.kubernetes.io/name',
      'example.com/tier',
      'node.k8s.io/x',
    ]);
    expect(sel.matches({ 'app.kubernetes.io/name': 'web', 'example.com/tier': 'b' })).toBe(true);
    expect(sel.matches({ name: 'web', 'example.com/tier': 'b' })).toBe(false);
  });

  it('accepts the longest valid name and value (63 characters)', () => {
    const long = `a${'b'.repeat(61)}c`;
    expect(long).toHaveLength(63);
    expect(parseLabelSelector(`${long}=${long}`).matches({ [long]: long })).toBe(true);
  });

  it('toString round-trips (and normalises `==`)', () => {
    const cases: Array<[string, string]> = [
      ['app==web', 'app=web'],
      ['app=web', 'app=web'],
      ['a!=b', 'a!=b'],
      ['x in (a,b,c)', 'x in (a,b,c)'],
      ['x notin (a)', 'x notin (a)'],
      ['x notin ( a , b )', 'x notin (a,b)'],
      ['k', 'k'],
      ['!k', '!k'],
      ['a=', 'a='],
      ['app.kubernetes.io/name=web,!canary,tier in (fe)', 'app.kubernetes.io/name=web,!canary,tier in (fe)'],
    ];
    for (const [input, printed] of cases) {
      const sel = parseLabelSelector(input);
      expect(sel.toString()).toBe(printed);
      expect(String(sel)).toBe(printed);
      expect(parseLabelSelector(sel.toString()).requirements).toEqual(sel.requirements);
    }
  });

  it('returns frozen requirements', () => {
    const sel = parseLabelSelector('x in (a,b)');
    expect(Object.isFrozen(sel)).toBe(true);
    expect(Object.isFrozen(sel.requirements)).toBe(true);
    expect(Object.isFrozen(sel.requirements[0])).toBe(true);
    expect(Object.isFrozen(sel.requirements[0]?.values)).toBe(true);
  });
});

describe('parseLabelSelector: errors carry the selector and the position', () => {
  it('`a in (b`: missing closing parenthesis, at the end', () => {
    expect(parseError('a in (b')).toEqual({
      selector: 'a in (b',
      position: 7,
      message: 'invalid label selector "a in (b" at 7: expected ","',
    });
  });

  it('`=b`: missing key, at 0', () => {
    expect(parseError('=b')).toMatchObject({ selector: '=b', position: 0 });
    expect(parseError('=b').message).toContain('expected a label key');
  });

  it('`a=b,`: trailing comma, at the end', () => {
    expect(parseError('a=b,')).toMatchObject({ position: 4 });
    expect(parseError('a=b,').message).toContain('expected a label key');
  });

  it('`a ~ b`: unknown operator, at the operator', () => {
    expect(parseError('a ~ b')).toEqual({
      selector: 'a ~ b',
      position: 2,
      message: 'invalid label selector "a ~ b" at 2: unknown operator "~"',
    });
  });

  it('other malformed input', () => {
    expect(parseError('a in b')).toMatchObject({ position: 5 });
    expect(parseError('a in (b c)')).toMatchObject({ position: 8 });
    expect(parseError('a=b=c')).toMatchObject({ position: 3 });
    expect(parseError('a,,b')).toMatchObject({ position: 2 });
    expect(parseError('a!b')).toMatchObject({ position: 1 });
    expect(parseError('!')).toMatchObject({ position: 1 });
    expect(parseError('!a=b')).toMatchObject({ position: 2 });
  });

  it('bad key characters, at the key', () => {
    expect(parseError('a$b=c')).toMatchObject({ position: 0 });
    expect(parseError('x=1,-a=b')).toMatchObject({ position: 4 });
    expect(parseError('a_=b')).toMatchObject({ position: 0 });
    expect(parseError('Example.com/a=b')).toMatchObject({ position: 0 });
    expect(parseError('example.com/=b')).toMatchObject({ position: 0 });
    expect(parseError('a/b/c=d')).toMatchObject({ position: 0 });
    expect(parseError(`${'a'.repeat(254)}/x=y`)).toMatchObject({ position: 0 });
    expect(parseError(`${'k'.repeat(64)}=v`)).toMatchObject({ position: 0 });
    expect(parseError('a$b=c').message).toContain('invalid label key "a$b"');
  });

  it('bad value characters and too-long values, at the value', () => {
    expect(parseError('a=b$c')).toMatchObject({ position: 2 });
    expect(parseError('a=b/c')).toMatchObject({ position: 2 });
    expect(parseError('a= -b')).toMatchObject({ position: 3 });
    expect(parseError('a in (ok,b.)')).toMatchObject({ position: 9 });
    const tooLong = 'v'.repeat(64);
    expect(parseError(`a=${tooLong}`)).toMatchObject({ position: 2 });
    expect(parseError(`a=${tooLong}`).message).toContain('invalid label value');
  });
});

describe('labelSelectorFromObject', () => {
  it('matchLabels become equalities, ANDed with matchExpressions', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web', 'app.kubernetes.io/part-of': 'shop' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['fe', 'edge'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'owner', operator: 'Exists' },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    expect(sel.requirements).toEqual([
      { key: 'app', operator: 'equals', values: ['web'] },
      { key: 'app.kubernetes.io/part-of', operator: 'equals', values: ['shop'] },
      { key: 'tier', operator: 'in', values: ['fe', 'edge'] },
      { key: 'env', operator: 'notIn', values: ['prod'] },
      { key: 'owner', operator: 'exists', values: [] },
      { key: 'canary', operator: 'notExists', values: [] },
    ]);
    const base = { app: 'web', 'app.kubernetes.io/part-of': 'shop', tier: 'fe', owner: 'me' };
    expect(sel.matches(base)).toBe(true);
    expect(sel.matches({ ...base, env: 'dev' })).toBe(true);
    expect(sel.matches({ ...base, env: 'prod' })).toBe(false);
    expect(sel.matches({ ...base, canary: 'y' })).toBe(false);
    expect(sel.matches({ ...base, tier: 'be' })).toBe(false);
    expect(sel.matches({ ...base, app: 'db' })).toBe(false);
    const { owner: _owner, ...withoutOwner } = base;
    expect(sel.matches(withoutOwner)).toBe(false);
    expect(sel.toString()).toBe(
      'app=web,app.kubernetes.io/part-of=shop,tier in (fe,edge),env notin (prod),owner,!canary',
    );
    expect(parseLabelSelector(sel.toString()).requirements).toEqual(sel.requirements);
  });

  it('an empty object selects everything', () => {
    const sel = labelSelectorFromObject({});
    expect(sel.requirements).toEqual([]);
    expect(sel.matches(undefined)).toBe(true);
    expect(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ a: 'b' })).toBe(true);
  });

  const objectError = (selector: LabelSelectorObject) => {
    const error = thrown(() => labelSelectorFromObject(selector));
    expect(error).toBeInstanceOf(InvalidSelectorError);
    return (error as InvalidSelectorError).message;
  };

  it('In / NotIn need values', () => {
    expect(objectError({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toContain(
      'In needs values',
    );
    expect(objectError({ matchExpressions: [{ key: 'a', operator: 'NotIn' }] })).toContain(
      'NotIn needs values',
    );
  });

  it('Exists / DoesNotExist take no values', () => {
    expect(objectError({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toContain(
      'Exists takes no values',
    );
    expect(
      objectError({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] }),
    ).toContain('DoesNotExist takes no values');
    expect(
      labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: [] }] })
        .requirements,
    ).toEqual([{ key: 'a', operator: 'exists', values: [] }]);
  });

  it('rejects an unknown operator', () => {
    const bad = {
      matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }],
    } as unknown as LabelSelectorObject;
    expect(objectError(bad)).toContain('unknown operator "Gt"');
  });

  it('rejects invalid keys and values', () => {
    expect(objectError({ matchLabels: { 'bad key': 'x' } })).toContain('invalid label key');
    expect(objectError({ matchExpressions: [{ key: '-a', operator: 'Exists' }] })).toContain(
      'invalid label key',
    );
    expect(objectError({ matchLabels: { app: 'a,b' } })).toContain('invalid label value');
    expect(
      objectError({ matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', 'x y'] }] }),
    ).toContain('invalid label value');
    expect(objectError({ matchLabels: { app: 'v'.repeat(64) } })).toContain('invalid label value');
  });
});

/**
 * `labelSelectorFromObject` validates like the API server's `ValidateLabelSelector`: every
 * malformed field is an InvalidSelectorError naming the field's path, never a TypeError and never
 * a selector that means something else. Inputs are cast: they model JSON from a loose CRD schema.
 */
describe('labelSelectorFromObject: malformed selectors from objects', () => {
  /** The InvalidSelectorError `selector` fails with; fails the test on any other outcome. */
  const rejected = (selector: unknown): InvalidSelectorError => {
    const error = thrown(() => labelSelectorFromObject(selector as LabelSelectorObject));
    expect(error).toBeInstanceOf(InvalidSelectorError);
    return error as InvalidSelectorError;
  };
  /** Asserts the error names `path` (as its selector and in its message) and says `detail`. */
  const expectRejectedAt = (selector: unknown, path: string, detail: string | RegExp) => {
    const error = rejected(selector);
    expect(error.selector).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(detail);
  };
  const expression = (fields: Record<string, unknown>) => ({ matchExpressions: [fields] });

  it('In with values as a string is rejected, not read as one value per character', () => {
    expectRejectedAt(
      expression({ key: 'app', operator: 'In', values: 'web' }),
      'matchExpressions[0].values',
      'In needs values: a non-empty array of strings, got a string',
    );
  });

  it('NotIn with values as a string is rejected', () => {
    expectRejectedAt(
      expression({ key: 'app', operator: 'NotIn', values: 'web' }),
      'matchExpressions[0].values',
      'NotIn needs values',
    );
  });

  it('In / NotIn with values missing, null or empty are rejected', () => {
    for (const operator of ['In', 'NotIn']) {
      for (const values of [undefined, null, []]) {
        const fields = values === undefined ? { key: 'app', operator } : { key: 'app', operator, values };
        expectRejectedAt(expression(fields), 'matchExpressions[0].values', `${operator} needs values`);
      }
    }
  });

  it('In with values as an object or a number is rejected', () => {
    expectRejectedAt(
      expression({ key: 'app', operator: 'In', values: { 0: 'web' } }),
      'matchExpressions[0].values',
      'got an object',
    );
    expectRejectedAt(
      expression({ key: 'app', operator: 'In', values: 3 }),
      'matchExpressions[0].values',
      'got a number',
    );
  });

  it('a value that is not a string is rejected at its index', () => {
    expectRejectedAt(
      expression({ key: 'app', operator: 'In', values: ['web', 7] }),
      'matchExpressions[0].values[1]',
      'must be a string, got a number',
    );
    expectRejectedAt(
      expression({ key: 'app', operator: 'NotIn', values: [null] }),
      'matchExpressions[0].values[0]',
      'got null',
    );
    // A hole in a sparse array is a missing value, not an empty string.
    expectRejectedAt(
      // biome-ignore lint/suspicious/noSparseArray: the hole is the point of this case.
      expression({ key: 'app', operator: 'In', values: [, 'web'] }),
      'matchExpressions[0].values[0]',
      'missing',
    );
  });

  it('an invalid label value is rejected at its index', () => {
    expectRejectedAt(
      expression({ key: 'app', operator: 'In', values: ['ok', 'x y'] }),
      'matchExpressions[0].values[1]',
      'invalid label value "x y"',
    );
  });

  it('Exists / DoesNotExist with values are rejected, whatever their shape', () => {
    for (const operator of ['Exists', 'DoesNotExist']) {
      for (const values of [['x'], 'x', '', 0, {}]) {
        expectRejectedAt(
          expression({ key: 'app', operator, values }),
          'matchExpressions[0].values',
          `${operator} takes no values`,
        );
      }
    }
  });

  it('Exists / DoesNotExist accept values that are absent, null or empty', () => {
    for (const values of [undefined, null, []]) {
      const fields = values === undefined ? { key: 'app' } : { key: 'app', values };
      expect(
        labelSelectorFromObject({
          matchExpressions: [
            { ...fields, operator: 'Exists' },
            { ...fields, operator: 'DoesNotExist' },
          ],
        } as LabelSelectorObject).toString(),
      ).toBe('app,!app');
    }
  });

  it('an unknown operator is rejected at its path, also one with the wrong case', () => {
    for (const operator of ['Gt', 'in', 'exists', '']) {
      expectRejectedAt(
        {
          matchExpressions: [
            { key: 'a', operator: 'Exists' },
            { key: 'app', operator, values: ['x'] },
          ],
        },
        'matchExpressions[1].operator',
        `unknown operator ${JSON.stringify(operator)}`,
      );
    }
  });

  it('an operator that is missing or not a string is rejected', () => {
    expectRejectedAt(expression({ key: 'app', values: ['x'] }), 'matchExpressions[0].operator', 'missing');
    expectRejectedAt(
      expression({ key: 'app', operator: ['In'], values: ['x'] }),
      'matchExpressions[0].operator',
      'got an array',
    );
  });

  it('a key that is missing or not a string is rejected', () => {
    expectRejectedAt(expression({ operator: 'Exists' }), 'matchExpressions[0].key', 'missing');
    expectRejectedAt(expression({ key: 42, operator: 'Exists' }), 'matchExpressions[0].key', 'got a number');
    expectRejectedAt(expression({ key: null, operator: 'Exists' }), 'matchExpressions[0].key', 'got null');
  });

  it('an invalid expression key is rejected at its path', () => {
    expectRejectedAt(
      expression({ key: '-a', operator: 'Exists' }),
      'matchExpressions[0].key',
      'invalid label key "-a"',
    );
  });

  it('an expression that is not an object is rejected at its index', () => {
    for (const [entry, got] of [
      [null, 'got null'],
      ['app', 'got a string'],
      [['app'], 'got an array'],
      [undefined, 'missing'],
    ] as const) {
      expectRejectedAt({ matchExpressions: [entry] }, 'matchExpressions[0]', got);
    }
  });

  it('matchExpressions that is not an array is rejected', () => {
    for (const [value, got] of [
      [{ key: 'app', operator: 'Exists' }, 'got an object'],
      ['app', 'got a string'],
      [1, 'got a number'],
    ] as const) {
      expectRejectedAt({ matchExpressions: value }, 'matchExpressions', got);
    }
  });

  it('matchLabels that is not an object is rejected', () => {
    for (const [value, got] of [
      ['app=web', 'got a string'],
      [['app'], 'got an array'],
      [true, 'got a boolean'],
    ] as const) {
      expectRejectedAt({ matchLabels: value }, 'matchLabels', got);
    }
  });

  it('a matchLabels value that is not a string is rejected at its key', () => {
    expectRejectedAt({ matchLabels: { app: 1 } }, 'matchLabels[app]', 'must be a string, got a number');
    expectRejectedAt({ matchLabels: { app: null } }, 'matchLabels[app]', 'got null');
    expectRejectedAt({ matchLabels: { app: ['web'] } }, 'matchLabels[app]', 'got an array');
  });

  it('an invalid matchLabels key or value is rejected at its key', () => {
    expectRejectedAt({ matchLabels: { 'bad key': 'x' } }, 'matchLabels[bad key]', 'invalid label key');
    expectRejectedAt({ matchLabels: { app: 'a,b' } }, 'matchLabels[app]', 'invalid label value "a,b"');
  });

  it('a __proto__ key parsed from JSON is an invalid label key, not a prototype', () => {
    expectRejectedAt(
      JSON.parse('{"matchLabels":{"__proto__":"x"}}'),
      'matchLabels[__proto__]',
      'invalid label key',
    );
  });

  it('null matchLabels and matchExpressions are absent, as the API server reads them', () => {
    const selector = labelSelectorFromObject({ matchLabels: null, matchExpressions: null } as never);
    expect(selector.requirements).toEqual([]);
    expect(selector.matches({ any: 'thing' })).toBe(true);
    expect(
      labelSelectorFromObject({
        matchLabels: null,
        matchExpressions: [{ key: 'a', operator: 'Exists' }],
      } as never).toString(),
    ).toBe('a');
    expect(
      labelSelectorFromObject({ matchLabels: { a: 'b' }, matchExpressions: null } as never).toString(),
    ).toBe('a=b');
  });

  it('a selector that is not an object is rejected', () => {
    for (const [value, got] of [
      [null, 'got null'],
      [undefined, 'missing'],
      ['app=web', 'got a string'],
      [[], 'got an array'],
    ] as const) {
      expectRejectedAt(value, 'selector', got);
    }
  });

  it('toLabelSelector gives an InvalidSelectorError, not a TypeError, for null', () => {
    expect(thrown(() => toLabelSelector(null as never))).toBeInstanceOf(InvalidSelectorError);
  });
});

describe('matches: labels that are null or not a map', () => {
  it('null labels are no labels', () => {
    const selector = parseLabelSelector('app=web');
    expect(selector.matches(null)).toBe(false);
    expect(parseLabelSelector('!app').matches(null)).toBe(true);
    expect(parseLabelSelector('app notin (web)').matches(null)).toBe(true);
    expect(everything.matches(null)).toBe(true);
  });

  it('labels that are not an object are no labels', () => {
    for (const labels of ['app', 3, true]) {
      expect(parseLabelSelector('app').matches(labels as never)).toBe(false);
      expect(parseLabelSelector('!app').matches(labels as never)).toBe(true);
    }
  });
});

describe('toLabelSelector', () => {
  it('accepts a string, a parsed selector or the object form', () => {
    const parsed = parseLabelSelector('app=web');
    expect(toLabelSelector(parsed)).toBe(parsed);
    expect(toLabelSelector('app=web').requirements).toEqual(parsed.requirements);
    expect(toLabelSelector({ matchLabels: { app: 'web' } }).requirements).toEqual(parsed.requirements);
    expect(toLabelSelector('')).toBe(everything);
    expect(() => toLabelSelector('a in (b')).toThrow(InvalidSelectorError);
  });
});
