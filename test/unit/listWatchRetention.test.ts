import { describe, expect, it } from 'vitest';
import { listWatch, resources } from '../../src/index.js';
import { forcedGc } from '../support/forcedGc.js';
import { clientListingPods, collectAfterSettling } from '../support/retention.js';

describe('listWatch lets a finished list go', () => {
  it("keeps none of a list's objects while the watch after it runs, once the subscriber let them go", async () => {
    const gc = forcedGc();
    const listed: WeakRef<object>[] = [];
    const client = clientListingPods(200, '500');
    const subscription = listWatch(client, resources.pods).subscribe((event) => {
      if (event.type === 'REPLACE') for (const object of event.objects) listed.push(new WeakRef(object));
    });
    try {
      expect(listed).toHaveLength(200);
      expect(client.calls.map((call) => call.verb)).toEqual(['list', 'watch']);
      await collectAfterSettling(gc);
      expect(listed.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    } finally {
      subscription.unsubscribe();
    }
  });
});
