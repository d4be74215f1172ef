/**
 * The churn of the convergence tests: seeded random creates, label or spec updates and deletes of
 * pods in two namespaces, with no injected faults, so a test decides which faults to add and can
 * assert the exact lists and watches they cause. (`src/testing/churn.ts` is the CLI's churn: more
 * kinds and its own faults.)
 */
import { resources } from '../../src/core/resources.js';
import type { FakeCluster } from '../../src/testing/index.js';
import { pick, seededRandom } from '../../src/testing/random.js';

/** Random creates, updates (labels or spec) and deletes of pods in two namespaces, via admin. */
export function churner(cluster: FakeCluster, seed: number) {
  const random = seededRandom(seed);
  const live: { name: string; namespace: string }[] = [];
  let next = 0;
  return async (operations: number): Promise<void> => {
    for (let i = 0; i < operations; i++) {
      const roll = random();
      if (live.length < 3 || roll < 0.4) {
        const target = { name: `pod-${next++}`, namespace: random() < 0.5 ? 'default' : 'team' };
        await cluster.admin.create(resources.pods, {
          metadata: { ...target, labels: { app: random() < 0.5 ? 'web' : 'db' } },
          spec: { containers: [{ name: 'main', image: 'nginx:1' }] },
        });
        live.push(target);
      } else if (roll < 0.8) {
        const target = pick(random, live);
        const body =
          random() < 0.5
            ? { metadata: { labels: { rev: String(i), app: random() < 0.5 ? 'web' : 'db' } } }
            : { spec: { containers: [{ name: 'main', image: `nginx:${i}` }] } };
        await cluster.admin.patch(resources.pods, target.name, body, 'merge', {
          namespace: target.namespace,
        });
      } else {
        const target = pick(random, live);
        live.splice(live.indexOf(target), 1);
        await cluster.admin.delete(resources.pods, target.name, { namespace: target.namespace });
      }
    }
  };
}
