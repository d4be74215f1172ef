/**
 * Test support shared by the convergence tests: a call-counting client wrapper and a seeded
 * churn generator (random creates, label/spec updates and deletes of pods in two namespaces).
 */
import type { KubeClient } from '../../src/core/client.js';
import { resources } from '../../src/core/resources.js';
import type { FakeCluster } from '../../src/testing/index.js';

/** Wraps a client to count list calls (first pages only: one per list or relist) and watches. */
export function counting(client: KubeClient) {
  const calls = { lists: 0, pages: 0, watches: 0 };
  const wrapped: KubeClient = {
    ...client,
    list: (resource, options, signal) => {
      calls.pages++;
      if (!options.continue) calls.lists++;
      return client.list(resource, options, signal);
    },
    watch: (resource, options) => {
      calls.watches++;
      return client.watch(resource, options);
    },
  };
  return { client: wrapped, calls };
}

/** A small deterministic PRNG (mulberry32), so a failing churn sequence reproduces. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random creates, updates (labels or spec) and deletes of pods in two namespaces, via admin. */
export function churner(cluster: FakeCluster, seed: number) {
  const random = prng(seed);
  const live: { name: string; namespace: string }[] = [];
  let next = 0;
  const pick = () => live[Math.floor(random() * live.length)] as { name: string; namespace: string };
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
        const target = pick();
        const body =
          random() < 0.5
            ? { metadata: { labels: { rev: String(i), app: random() < 0.5 ? 'web' : 'db' } } }
            : { spec: { containers: [{ name: 'main', image: `nginx:${i}` }] } };
        await cluster.admin.patch(resources.pods, target.name, body, 'merge', {
          namespace: target.namespace,
        });
      } else {
        const target = pick();
        live.splice(live.indexOf(target), 1);
        await cluster.admin.delete(resources.pods, target.name, { namespace: target.namespace });
      }
    }
  };
}
