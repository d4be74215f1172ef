/**
 * The identity of a list item under its list's strategy: the `k:` element of an associative-list
 * item (its merge keys, with schema defaults such as a port's `protocol: TCP` filled in), the `v:`
 * element of a set item. Items are matched by that element when merging and comparing.
 */
import type { ListStrategy } from './listStrategies.js';
import { keyElement, type PathElement, valueElement } from './pathElements.js';

/** The path element of `item` in a keyed or set list. */
export function itemElement(strategy: ListStrategy, item: unknown): PathElement {
  if (strategy.type !== 'map') return valueElement(item);
  const record = (item !== null && typeof item === 'object' ? item : {}) as Record<string, unknown>;
  const keys: Record<string, unknown> = {};
  for (const key of strategy.keys) {
    const value = Object.hasOwn(record, key) ? record[key] : strategy.defaults?.[key];
    if (value !== undefined) keys[key] = value;
  }
  return keyElement(keys);
}

/** The items of a list by their element; a later duplicate wins, as it would on the server. */
export function itemsByElement(strategy: ListStrategy, list: readonly unknown[]): Map<PathElement, unknown> {
  return new Map(list.map((item) => [itemElement(strategy, item), item]));
}
