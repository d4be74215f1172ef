import { listOf, pod, scriptedClient } from '../../src/testing/index.js';

/**
 * A scripted client whose list holds `count` pods made when the list is asked for, so the script
 * itself holds none of them: a retention test then sees only what the code under test keeps. Its
 * watch never ends.
 */
export function clientListingPods(count: number, resourceVersion: string) {
  return scriptedClient({
    lists: [
      () =>
        listOf(
          Array.from({ length: count }, (_, i) => pod(`p${i}`, String(i + 1))),
          resourceVersion,
        ),
    ],
  });
}

/** Lets callbacks already queued run, then forces a full collection with `gc`. */
export async function collectAfterSettling(gc: () => void): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  gc();
}
