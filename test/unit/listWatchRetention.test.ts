import { describe, expect, it } from 'vitest';
import { listWatch, resources } from '../../src/index.js';
import { listOf, pod, scriptedClient } from '../../src/testing/index.js';
import { forcedGc } from '../support/forcedGc.js';

describe('listWatch lets a finished list go', () => {
  it("keeps none of a list's objects while the watch after it runs, once the subscriber let them go", async () => {
    const gc = forcedGc();
    const listed: WeakRef<object>[] = [];
    // Made when the list is asked for, so the script holds none of them; the watch never ends.
    const client = scriptedClient({
      lists: [
        () =>
          listOf(
            Array.from({ length: 200 }, (_, i) => pod(`p${i}`, String(i + 1))),
            '500',
          ),
      ],
    });
    const subscription = listWatch(client, resources.pods).subscribe((event) => {
      if (event.type === 'REPLACE') for (const object of event.objects) listed.push(new WeakRef(object));
    });
    try {
      expect(listed).toHaveLength(200);
      expect(client.calls.map((call) => call.verb)).toEqual(['list', 'watch']);
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
      expect(listed.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    } finally {
      subscription.unsubscribe();
    }
  });
});
