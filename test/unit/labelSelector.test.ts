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
