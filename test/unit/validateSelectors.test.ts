import { describe, expect, it } from 'vitest';
import { InvalidSelectorError } from '../../src/core/errors.js';
import { checkFieldSelector, validateSelectors } from '../../src/sources/validateSelectors.js';

function rejection(run: () => void): InvalidSelectorError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSelectorError);
    return error as InvalidSelectorError;
  }
  throw new Error('expected an InvalidSelectorError');
}

describe('checkFieldSelector', () => {
  it.each([
    '',
    'metadata.name=web',
    'metadata.name==web',
    'status.phase!=Running',
    'spec.nodeName=',
    'spec.nodeName=n1,status.phase!=Succeeded',
    'metadata.name=a\\,b\\=c\\\\d',
    'metadata.namespace=default,',
    'involvedObject.kind=Pod,reason=Started!',
  ])('accepts %j', (selector) => {
    expect(() => checkFieldSelector(selector)).not.toThrow();
  });

  it.each([
    ['status.phase', 0, 'expected key=value'],
    ['=Running', 0, 'invalid field ""'],
    [' status.phase=Running', 0, 'invalid field'],
    ['a=b,status.phase', 4, 'expected key=value'],
    ['status.phase=Running=1', 20, 'unescaped "="'],
    ['spec.nodeName=a\\b', 15, 'invalid escape sequence'],
    ['spec.nodeName=a\\', 15, 'invalid escape sequence'],
  ])('rejects %j at %i (%s)', (selector, position, detail) => {
    const error = rejection(() => checkFieldSelector(selector));
    expect(error).toMatchObject({ kind: 'field', selector, position });
    expect(error.message).toContain(`invalid field selector ${JSON.stringify(selector)} at ${position}`);
    expect(error.message).toContain(detail);
  });
});

describe('validateSelectors', () => {
  it('checks the label selector with the cache parser', () => {
    const error = rejection(() => validateSelectors({ labelSelector: 'app in (web' }));
    expect(error).toMatchObject({ kind: 'label', selector: 'app in (web' });
    expect(error.message).toMatch(/^invalid label selector/);
  });

  it('checks the field selector, and passes valid or absent selectors', () => {
    expect(rejection(() => validateSelectors({ labelSelector: 'app=web', fieldSelector: 'x' })).kind).toBe(
      'field',
    );
    expect(() => validateSelectors({})).not.toThrow();
    expect(() =>
      validateSelectors({ labelSelector: 'app=web,!canary', fieldSelector: 'spec.nodeName=n1' }),
    ).not.toThrow();
  });
});
