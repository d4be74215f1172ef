/** Shared by the marble tests: a TestScheduler that asserts with vitest's deep equality. */
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

export const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
