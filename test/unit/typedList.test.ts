/**
 * `client.list` types its items by the resource: `list(resources.pods, ...)` gives
 * `ListResult<V1Pod>`. The `@ts-expect-error` below makes `npm run typecheck` fail if the items
 * ever go back to `unknown` or `any` (the directive would be unused); vitest checks the run-time half.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ListResult } from '../../src/core/client.js';
import { resources } from '../../src/core/resources.js';
import { createFakeCluster } from '../../src/testing/index.js';
import type { HttpKubeClient } from '../../src/transport/kubeClient.js';

describe('typed client.list', () => {
  it('lists pods as V1Pod items', async () => {
    const { client } = createFakeCluster();
    await client.create(resources.pods, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    });
    const list = await firstValueFrom(from(client.list(resources.pods, { namespace: 'default' })));
    const first: V1Pod | undefined = list.items[0];
    expect(first?.spec?.containers[0]?.image).toBe('nginx');
    // @ts-expect-error: a V1Pod has no `replicas`; with untyped items this would compile.
    expect(first?.replicas).toBeUndefined();
  });

  it("types the HTTP client's Promise the same way (compile-time check)", () => {
    const listPods = (client: HttpKubeClient) => client.list(resources.pods, { namespace: 'default' });
    expectTypeOf(listPods).returns.resolves.toEqualTypeOf<ListResult<V1Pod>>();
  });
});
