// The README's "informer in ten lines", as a consumer writes it, plus the checks that make it a test.
// Compiled once per consumer setup (ESM node16, CommonJS, node10 resolution, bundler) and run.
import { byField, informer, resources, StatusError } from 'kube-rx';
import { createFakeCluster, pod } from 'kube-rx/testing';

async function main(): Promise<void> {
  const cluster = createFakeCluster();
  await cluster.client.create(
    resources.pods,
    pod('web-1', '', { labels: { app: 'web' }, nodeName: 'worker-1' }),
  );
  const pods = informer(cluster.client, resources.pods, {
    namespace: 'default',
    indexers: { node: byField('spec.nodeName') },
  });
  const seen: string[] = [];
  const subscription = pods.events$.subscribe((e) => seen.push(`${e.type} ${e.object.metadata?.name}`));
  const snapshot = await pods.synced;
  const onNode = snapshot.byIndex('node', 'worker-1').map((p) => p.metadata?.name);
  const web = snapshot.namespace('default').list('app=web').length;
  subscription.unsubscribe();

  // Types are real, not `any`: were they `any` (a missing peer's types under skipLibCheck), this
  // directive would be unused and the compile would fail.
  // @ts-expect-error size is a number
  const notANumber: string = snapshot.size;
  void notANumber;

  const failures: string[] = [];
  if (JSON.stringify(onNode) !== '["web-1"]') failures.push(`byIndex gave ${JSON.stringify(onNode)}`);
  if (web !== 1) failures.push(`label selector list gave ${web}`);
  if (!seen.includes('add web-1')) failures.push(`events were ${JSON.stringify(seen)}`);
  // Class names survive the build (logs and stack traces print them).
  if (StatusError.name !== 'StatusError') failures.push(`StatusError.name is ${StatusError.name}`);
  if (failures.length > 0) throw new Error(failures.join('; '));
  console.log(`consumer ok: ${seen.join(', ')}; node index ${onNode.join(',')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
