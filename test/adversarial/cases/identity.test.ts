/**
 * Identity (issue 14): two objects must never share a cache key (a `/` in a name or a namespace
 * makes an object invalid), and a resourceVersion that is not a string, in a watched object or in
 * a list's metadata, is rejected; it never reaches the next request as `[object Object]`.
 */
import { expect } from 'vitest';
import type { InformerCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';
import { added, pod, pods } from '../support/objects.js';
import { json, okList, sequence, watchLines } from '../support/recipes.js';
import type { InformerRun } from '../support/runInformer.js';

const listed = pods(3);

const neverSentObjectObject = (run: InformerRun) =>
  expect(run.server.requests.map((r) => r.query.resourceVersion)).not.toContain('[object Object]');

export const watchedResourceVersionNotAString: InformerCase = {
  name: 'a watched object whose resourceVersion is an object is skipped and never sent as "[object Object]"',
  defectClass: 'identity',
  informer: { minWatchDurationMs: 100 },
  server: {
    list: okList(listed, '3'),
    watch: sequence(
      watchLines([added(pod('odd', '4', { resourceVersion: { v: 4 } }))], 'end', { endAfterMs: 20 }),
      watchLines([], 'hang'),
    ),
    valid: listed,
  },
  check: (run) => {
    neverSentObjectObject(run);
    expect(run.server.requestsOf('watch').length).toBeGreaterThanOrEqual(2);
  },
};

export const listResourceVersionNotAString: InformerCase = {
  name: 'a list whose metadata.resourceVersion is an object is an error; the watch never sends "[object Object]"',
  defectClass: 'identity',
  server: {
    list: sequence(
      json(200, { kind: 'PodList', metadata: { resourceVersion: { v: 3 } }, items: listed }),
      okList(listed, '3'),
    ),
    watch: watchLines([], 'hang'),
    valid: listed,
  },
  check: neverSentObjectObject,
};

export const slashInNameOrNamespace: InformerCase = {
  name: "namespace 'a' + name 'b/c' and namespace 'a/b' + name 'c' are both rejected, not merged under 'a/b/c'",
  defectClass: 'identity',
  server: {
    list: okList([...listed, pod('b/c', '4', { namespace: 'a' }), pod('c', '5', { namespace: 'a/b' })], '5'),
    watch: watchLines([], 'hang'),
    valid: listed,
  },
  check: (run) => expect(run.reported.filter((r) => r.error.name === 'InvalidObjectError')).toHaveLength(2),
};

describeCases('identity: one key per object, resourceVersions are strings', [
  slashInNameOrNamespace,
  watchedResourceVersionNotAString,
  listResourceVersionNotAString,
]);
