/**
 * The fake cluster against hostile writes (issue 14, "Fake cluster"): patches whose paths or keys
 * name `__proto__`, `constructor` or `prototype` are answered 422 and never write through to
 * `Object.prototype` of the test process, and a pod with `labels: null` does not turn a selector
 * list into a 500. Every case removes any pollution it caused, so a regression fails only itself.
 */
import { firstValueFrom, from } from 'rxjs';
import { expect } from 'vitest';
import type { PatchType } from '../../../src/core/client.js';
import { StatusError } from '../../../src/core/errors.js';
import type { KubeObject } from '../../../src/core/objects.js';
import { resources } from '../../../src/core/resources.js';
import { createFakeCluster } from '../../../src/testing/index.js';
import type { StandaloneCase } from '../support/adversarialCase.js';
import { describeCases } from '../support/assertions.js';

const proto = Object.prototype as Record<string, unknown>;

/** Creates `default/web`, applies `patch`, expects a 422 and an untouched Object.prototype. */
async function rejectsPrototypePatch(patch: unknown, type: PatchType): Promise<void> {
  const cluster = createFakeCluster();
  const web: KubeObject = { metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } } };
  await cluster.admin.create(resources.pods, web, { namespace: 'default' });
  try {
    const error = await cluster.client
      .patch(resources.pods, 'web', patch, type, { namespace: 'default' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(proto.polluted, 'Object.prototype was written').toBeUndefined();
    expect(error).toBeInstanceOf(StatusError);
    expect((error as StatusError).code).toBe(422);
  } finally {
    delete proto.polluted;
  }
}

export const jsonPatchThroughProto: StandaloneCase = {
  name: 'a JSON patch adding /metadata/__proto__/polluted is rejected with 422',
  defectClass: 'fakeCluster',
  run: () =>
    rejectsPrototypePatch([{ op: 'add', path: '/metadata/__proto__/polluted', value: 'yes' }], 'json'),
};

export const jsonPatchThroughConstructorPrototype: StandaloneCase = {
  name: 'a JSON patch adding /metadata/constructor/prototype/polluted is rejected with 422',
  defectClass: 'fakeCluster',
  run: () =>
    rejectsPrototypePatch(
      [{ op: 'add', path: '/metadata/constructor/prototype/polluted', value: 'yes' }],
      'json',
    ),
};

export const mergePatchWithProtoKey: StandaloneCase = {
  name: 'a merge patch with a __proto__ key is rejected with 422',
  defectClass: 'fakeCluster',
  // JSON.parse makes "__proto__" an own key, as an HTTP body would.
  run: () => rejectsPrototypePatch(JSON.parse('{"metadata":{"__proto__":{"polluted":"yes"}}}'), 'merge'),
};

export const nullLabelsSelectorList: StandaloneCase = {
  name: 'a pod with labels: null does not turn a label-selector list into a 500',
  defectClass: 'fakeCluster',
  run: async () => {
    const cluster = createFakeCluster();
    const bare = { metadata: { name: 'bare', namespace: 'default', labels: null } } as unknown as KubeObject;
    await cluster.admin.create(resources.pods, bare, { namespace: 'default' });
    const list = await firstValueFrom(
      from(cluster.client.list(resources.pods, { namespace: 'default', labelSelector: 'app=web' })),
    );
    expect(list.items).toEqual([]);
  },
};

describeCases('the fake cluster: no prototype pollution, no 500 on null labels', [
  jsonPatchThroughProto,
  jsonPatchThroughConstructorPrototype,
  mergePatchWithProtoKey,
  nullLabelsSelectorList,
]);
