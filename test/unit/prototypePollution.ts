/**
 * Guards for prototype-pollution tests: records the built-in prototypes before each test,
 * checks that an attempt left them alone, and restores them after each test, so a regression
 * fails its own test instead of corrupting every later one in the process.
 */
import { afterEach, beforeEach, expect } from 'vitest';

const GUARDED: readonly [string, object][] = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
];

type Descriptors = Record<PropertyKey, PropertyDescriptor>;

function snapshot(): Descriptors[] {
  return GUARDED.map(([, target]) => Object.getOwnPropertyDescriptors(target) as Descriptors);
}

function restore(saved: readonly Descriptors[]): void {
  GUARDED.forEach(([, target], i) => {
    const before = saved[i] as Descriptors;
    for (const key of Reflect.ownKeys(target))
      if (!Object.hasOwn(before, key)) Reflect.deleteProperty(target, key);
    for (const key of Reflect.ownKeys(before)) {
      const descriptor = before[key as string] as PropertyDescriptor;
      const now = Object.getOwnPropertyDescriptor(target, key);
      if (!now || now.value !== descriptor.value || now.get !== descriptor.get)
        Object.defineProperty(target, key, descriptor);
    }
  });
}

/**
 * Installs the before/after hooks in the calling `describe` and returns the check to run after
 * each attempt: `({}).x` is undefined and no guarded prototype gained, lost or changed a key.
 */
export function guardPrototypes(): () => void {
  let saved: Descriptors[] = [];
  beforeEach(() => {
    saved = snapshot();
  });
  afterEach(() => restore(saved));
  return () => {
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    GUARDED.forEach(([name, target], i) => {
      const before = saved[i] as Descriptors;
      expect({ [name]: Reflect.ownKeys(target) }).toEqual({ [name]: Reflect.ownKeys(before) });
      for (const key of Reflect.ownKeys(before)) {
        const now = Object.getOwnPropertyDescriptor(target, key);
        expect({
          [name]: key,
          same: now?.value === (before[key as string] as PropertyDescriptor).value,
        }).toEqual({
          [name]: key,
          same: true,
        });
      }
    });
  };
}
