/**
 * The documentation's marble diagrams are verified behaviour: every scenario in `diagrams.ts`
 * (the same marble strings `docs/tools/renderMarbles.ts` draws) runs under `TestScheduler` and
 * its output must match the drawn output marble and values.
 */
import { describe, it } from 'vitest';
import { diagrams } from './diagrams.js';
import { newScheduler } from './support.js';

describe('documentation marble diagrams', () => {
  it.each(diagrams.map((d) => [d.name, d] as const))(
    '%s: the drawn output is what the operator emits',
    (_, d) => {
      newScheduler().run((helpers) => {
        const inputs = d.inputs.map((input) =>
          input.kind === 'hot'
            ? helpers.hot(input.marble, input.values, input.error)
            : helpers.cold(input.marble, input.values, input.error),
        );
        helpers
          .expectObservable(d.run(inputs, helpers), d.subscription)
          .toBe(d.output.marble, d.output.values, d.output.error);
      });
    },
  );

  it('diagram names are unique file names', ({ expect }) => {
    const names = diagrams.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
  });
});
