/**
 * Runs every pending case, to see which now pass. Not collected by `npm test` (its name does not
 * end in `.test.ts`); run it with `npx vitest run --config test/adversarial/pending.config.ts`.
 * A failing case here is expected: it is a defect of issue 14 not fixed yet.
 */
import type { AdversarialCase } from '../../support/adversarialCase.js';
import { describeCases } from '../../support/assertions.js';
import * as nonListBody from './nonListBody.js';
import * as stuck from './stuck.js';

const isCase = (value: unknown): value is AdversarialCase =>
  typeof value === 'object' && value !== null && 'name' in value && 'defectClass' in value;

const modules = {
  nonListBody,
  stuck,
};

// Exhaustion cases stall the event loop (that is the defect): run them alone, after the rest.
for (const [file, module] of Object.entries(modules))
  describeCases(`pending/${file}.ts`, Object.values(module).filter(isCase), {
    sequential: file === 'exhaustion',
  });
