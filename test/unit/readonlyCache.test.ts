/**
 * Cached objects are read-only twice over: typed `DeepReadonly` (a mutation does not compile) and
 * deep-frozen (a mutation that gets past the types throws, as these ES-module tests run in strict
 * mode). Each mutation below carries `@ts-expect-error`: `npm run typecheck` (tsc, in CI) fails
 * with "unused @ts-expect-error" if one of them ever compiles, and vitest checks the run-time half.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { firstValueFrom, take, toArray } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ensureFinalizer, isBeingDeleted } from '../../src/api/finalizers.js';
import { patchWith } from '../../src/api/patchWith.js';
import type { InformerEvent } from '../../src/core/events.js';
import type { DeepReadonly } from '../../src/core/objects.js';
import { resources } from '../../src/core/resources.js';
import { controller } from '../../src/runtime/controller.js';
import { informer } from '../../src/runtime/informer.js';
import type { IndexFunc } from '../../src/store/indexFuncs.js';
import { snapshotOf } from '../../src/store/snapshot.js';
import { createFakeCluster, pod } from '../../src/testing/index.js';

const sidecar: V1Container = { name: 'sidecar', image: 'busybox' };

/** A pod as a client would create it: no resourceVersion, uid or timestamps yet. */
function newPod(name: string): V1Pod {
  return { metadata: { name, namespace: 'default', labels: { app: 'web' } }, spec: { containers: [] } };
}

describe('DeepReadonly', () => {
  it('makes nested objects and arrays read-only and leaves primitives, functions and Dates alone', () => {
    type Shape = {
      name: string;
      count?: number;
      tags: string[];
      nested: { items: { id: string }[] };
      at: Date;
      format: (n: number) => string;
    };
    expectTypeOf<DeepReadonly<Shape>['name']>().toEqualTypeOf<string>();
    expectTypeOf<DeepReadonly<Shape>['count']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<DeepReadonly<Shape>['tags']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<DeepReadonly<Shape>['nested']['items']>().toEqualTypeOf<
      readonly { readonly id: string }[]
    >();
    expectTypeOf<DeepReadonly<Shape>['at']>().toEqualTypeOf<Date>();
    expectTypeOf<DeepReadonly<Shape>['format']>().toEqualTypeOf<(n: number) => string>();
    expectTypeOf<DeepReadonly<string>>().toEqualTypeOf<string>();
    // Every T is a DeepReadonly<T>: a plain object goes wherever a cached one does.
    expectTypeOf<V1Pod>().toExtend<DeepReadonly<V1Pod>>();
    expectTypeOf<DeepReadonly<V1Pod>>().not.toExtend<V1Pod>();
  });
});

describe('a cached object cannot be mutated', () => {
  it('from a snapshot: metadata and spec arrays', () => {
    const snapshot = snapshotOf([pod('web-1', '1', { labels: { app: 'web' } })]);
    const cached = snapshot.get('default/web-1');
    expectTypeOf(cached).toEqualTypeOf<DeepReadonly<V1Pod> | undefined>();
    if (!cached?.metadata || !cached.spec) throw new Error('web-1 is cached with metadata and spec');
    const { metadata, spec } = cached;
    expect(() => {
      // @ts-expect-error: cached objects are read-only; that the write also throws is the point of the test.
      metadata.name = 'renamed';
    }).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error: a cached pod's containers are a ReadonlyArray (no push); it is frozen too.
      spec.containers.push(sidecar);
    }).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error: label maps are read-only as well.
      (metadata.labels ?? {}).app = 'db';
    }).toThrow(TypeError);
    for (const listed of [...snapshot.list(), ...snapshot.namespace('default').list(), ...snapshot]) {
      expectTypeOf(listed).toEqualTypeOf<DeepReadonly<V1Pod>>();
      expect(Object.isFrozen(listed.spec?.containers)).toBe(true);
    }
    expect(cached.metadata.name).toBe('web-1');
  });

  it('from informer events, and in the snapshot reconcile reads', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, newPod('web-1'));
    const pods = informer(cluster.client, resources.pods);

    const [event] = await firstValueFrom(pods.events$.pipe(take(1), toArray()));
    expectTypeOf(event).toEqualTypeOf<InformerEvent<V1Pod> | undefined>();
    if (event?.type !== 'add') throw new Error(`expected an add event, got ${event?.type}`);
    const { object } = event;
    expect(() => {
      // @ts-expect-error: informer events carry the cached object itself, read-only.
      object.metadata!.name = 'renamed';
    }).toThrow(TypeError);
    expect(() => {
      // @ts-expect-error: its arrays are ReadonlyArrays.
      object.spec!.containers.push(sidecar);
    }).toThrow(TypeError);

    const thrown: unknown[] = [];
    const read: DeepReadonly<V1Pod>[] = [];
    const result = await firstValueFrom(
      controller({
        for: pods,
        reconcile: (key, snapshot) => {
          const cached = snapshot.get(key);
          if (!cached?.metadata) return;
          read.push(cached);
          try {
            // @ts-expect-error: reconcile reads the cache; writes go through patchWith.
            cached.metadata.labels = { app: 'db' };
          } catch (error) {
            thrown.push(error);
          }
        },
      }),
    );
    expect(result).toMatchObject({ key: 'default/web-1', outcome: 'success' });
    expect(thrown).toHaveLength(1);
    expect(thrown[0]).toBeInstanceOf(TypeError);
    expect(read.map((p) => p.metadata?.labels)).toEqual([{ app: 'web' }]);
  });
});

describe('what takes cached objects', () => {
  it('index functions get them read-only', () => {
    const byApp: IndexFunc<V1Pod> = (object) => {
      expectTypeOf(object).toEqualTypeOf<DeepReadonly<V1Pod>>();
      return [object.metadata?.labels?.app ?? ''];
    };
    expect(
      snapshotOf([pod('a', '1', { labels: { app: 'web' } })], { app: byApp }).indexKeys('app', 'web'),
    ).toEqual(['default/a']);
  });

  it('write helpers accept them as they are; the recipe edits a mutable draft', async () => {
    const cluster = createFakeCluster();
    await cluster.admin.create(resources.pods, newPod('web-1'));
    const pods = informer(cluster.client, resources.pods);
    const subscription = pods.store$.subscribe();
    const cached = (await pods.synced).get('default/web-1');
    subscription.unsubscribe();
    if (!cached) throw new Error('web-1 is cached');

    expect(isBeingDeleted(cached)).toBe(false);
    const withFinalizer = await ensureFinalizer(cluster.client, resources.pods, cached, 'example.com/x');
    const patched = await patchWith(cluster.client, resources.pods, withFinalizer, (draft) => {
      expectTypeOf(draft.spec!.containers).toEqualTypeOf<V1Container[]>();
      draft.spec!.containers.push(sidecar);
    });
    expect(patched.metadata?.finalizers).toEqual(['example.com/x']);
    expect(patched.spec?.containers.map((c) => c.name)).toEqual(['sidecar']);
    // A copy of a cached object with a change spread in is what replace() is usually given.
    const replaced = await cluster.client.replace(resources.pods, {
      ...patched,
      metadata: { ...patched.metadata, labels: { app: 'db' } },
    });
    expect(replaced.metadata?.labels).toEqual({ app: 'db' });
    // The cached object itself never changed.
    expect(cached.metadata?.finalizers).toBeUndefined();
  });
});
