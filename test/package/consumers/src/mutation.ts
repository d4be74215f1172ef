// Must NOT compile: objects read from the cache are deep-readonly. The harness expects tsc to fail
// on this file with a readonly error on each marked line, and on nothing else.
import { informer, resources } from 'kube-rx';
import { createFakeCluster } from 'kube-rx/testing';

export async function mutate(): Promise<void> {
  const pods = informer(createFakeCluster().client, resources.pods);
  const snapshot = await pods.synced;
  const cached = snapshot.get('default/web-1');
  if (!cached?.metadata || !cached.spec) return;
  cached.metadata.name = 'renamed'; // READONLY
  cached.spec.containers.push({ name: 'sidecar' }); // READONLY
}
