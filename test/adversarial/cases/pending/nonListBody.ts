/**
 * Pending (issue 14, "A 200 that is not a list wipes the cache"): a relist answered 200 with a
 * body that has no `items` array is still taken as an empty list: a REPLACE with nothing that
 * deletes every cached object. Move a case into `../lists.test.ts` (`nonListBodyCases`) once it
 * passes.
 */
import type { InformerCase } from '../../support/adversarialCase.js';
import { pods } from '../../support/objects.js';
import { json, type Recipe } from '../../support/recipes.js';
import type { InformerRun } from '../../support/runInformer.js';
import { neverFewerThan, relistAnsweredWith } from '../../support/scenarios.js';

const listed = pods(4);

function relistInto(name: string, bad: Recipe): InformerCase {
  return {
    name,
    defectClass: 'nonListBody',
    runMs: 1500,
    server: relistAnsweredWith(listed, bad),
    consumers: neverFewerThan(listed.length),
    check: (run: InformerRun) => {
      if (!run.reported.some((r) => r.context.phase === 'list'))
        throw new Error('the bad relist was not reported as a list error');
    },
  };
}

export const relistAnsweredWithoutItems = relistInto(
  'a relist answered 200 with a PodList without items is a typed error, not an empty list',
  json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9' } }),
);

export const relistAnsweredWithAnotherKind = relistInto(
  'a relist answered 200 with a single Pod (a proxy rewrote the path) is a typed error',
  json(200, {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name: 'x', namespace: 'default', resourceVersion: '9' },
  }),
);
