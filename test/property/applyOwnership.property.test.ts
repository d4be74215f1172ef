/**
 * Random apply sequences by two managers on a ConfigMap's `data` (three keys, two values), with
 * and without force: the fake cluster's data, ownership and conflicts match a model of
 * server-side apply (a manager owns what it last applied; a changed value owned by the other is a
 * conflict unless forced, which moves it; a key nobody applies any more is removed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply } from '../../src/api/apply.js';
import { ApplyConflictError } from '../../src/core/errors.js';
import { resources } from '../../src/core/resources.js';
import { FieldSet } from '../../src/testing/fakeCluster/apply/fieldSet.js';
import { createFakeCluster } from '../../src/testing/fakeCluster/fakeCluster.js';

const KEYS = ['a', 'b', 'c'] as const;
const step = fc.record({
  manager: fc.constantFrom('m1', 'm2'),
  data: fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom('1', '2')),
  force: fc.boolean(),
});

interface Model {
  data: Record<string, string>;
  owned: Record<string, Set<string>>;
}

/** One apply on the model: the conflicting keys (refused unless forced). */
function modelApply(model: Model, manager: string, data: Record<string, string>, force: boolean): string[] {
  const other = manager === 'm1' ? 'm2' : 'm1';
  const conflicts = Object.keys(data).filter((k) => model.data[k] !== data[k] && model.owned[other]?.has(k));
  if (conflicts.length > 0 && !force) return conflicts;
  for (const k of conflicts) model.owned[other]?.delete(k);
  const previous = model.owned[manager] ?? new Set<string>();
  for (const k of previous) if (!(k in data) && !model.owned[other]?.has(k)) delete model.data[k];
  model.owned[manager] = new Set(Object.keys(data));
  Object.assign(model.data, data);
  return conflicts;
}

describe('server-side apply ownership', () => {
  it('matches the model for random apply sequences by two managers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const { client } = createFakeCluster();
        const model: Model = { data: {}, owned: {} };
        let exists = false;
        for (const { manager, data, force } of steps) {
          const expected = modelApply(model, manager, data, force);
          const result = await apply(
            client,
            resources.configMaps,
            { metadata: { name: 'cfg', namespace: 'default' }, data },
            { fieldManager: manager, force },
          ).catch((e: unknown) => e);
          if (result instanceof ApplyConflictError) {
            expect(force).toBe(false);
            expect(result.conflicts.map((c) => c.field).sort()).toEqual(
              expected.map((k) => `.data.${k}`).sort(),
            );
            continue;
          }
          expect(result).not.toBeInstanceOf(Error);
          if (!force) expect(expected).toEqual([]);
          exists = true;
          const object = result as {
            data?: Record<string, string>;
            metadata: { managedFields?: { manager: string; fieldsV1: unknown }[] };
          };
          expect(object.data ?? {}).toEqual(model.data);
          const owners: Record<string, string[]> = {};
          for (const entry of object.metadata.managedFields ?? [])
            owners[entry.manager] = FieldSet.fromFieldsV1(entry.fieldsV1)
              .paths()
              .map((p) => p.join('/'));
          for (const m of ['m1', 'm2']) {
            const want = [...(model.owned[m] ?? [])].map((k) => `f:data/f:${k}`).sort();
            expect((owners[m] ?? []).sort()).toEqual(want);
          }
        }
        return exists || steps.length > 0;
      }),
      { numRuns: 150 },
    );
  });
});
