/**
 * The embedded cluster of `kube-rx watch` holds still until the watcher's cache is synced, so the
 * initial list is the seeded shop however slow the first list is; after `synced()` it churns.
 */
import { from, lastValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedCluster } from '../../src/cli/embeddedCluster.js';
import type { Target } from '../../src/cli/target.js';
import { resources } from '../../src/index.js';
import { sleep } from '../unit/transportHarness.js';

async function podsAt(target: Target): Promise<{ names: string[]; resourceVersion: string }> {
  const list = await lastValueFrom(from(target.client.list(resources.pods, {})));
  return {
    names: list.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`).sort(),
    resourceVersion: list.metadata?.resourceVersion ?? '',
  };
}

describe('the embedded cluster of kube-rx watch', () => {
  let target: Target | undefined;
  afterEach(async () => {
    await target?.close();
    target = undefined;
  });

  it('makes no change before the cache is synced, and changes after', async () => {
    target = await startEmbeddedCluster(5, () => undefined);
    const seeded = await podsAt(target);
    expect(seeded.names).toHaveLength(18);
    await sleep(200); // 40 churn intervals: a slow first list
    expect(await podsAt(target)).toEqual(seeded);
    target.synced();
    let changed = seeded;
    for (let i = 0; i < 100 && changed.resourceVersion === seeded.resourceVersion; i++) {
      await sleep(10);
      changed = await podsAt(target);
    }
    expect(changed.resourceVersion).not.toBe(seeded.resourceVersion);
  });

  it('without churn stays still after the sync too', async () => {
    target = await startEmbeddedCluster(0, () => undefined);
    const seeded = await podsAt(target);
    target.synced();
    await sleep(100);
    expect(await podsAt(target)).toEqual(seeded);
  });
});
