/**
 * Pending (issue 14, "Stuck for good"): a half-open connection is noticed only after the watch
 * timeout plus 30 s (5.5 to 10.5 minutes by default). Move the case into `../stuck.test.ts` once
 * it passes.
 */
import { expect } from 'vitest';
import { watchIdleTimeoutFor } from '../../../../src/transport/kubeClient.js';
import type { StandaloneCase } from '../../support/adversarialCase.js';

/**
 * A half-open connection must be noticed within 60 s with default options (bookmarks arrive about
 * once a minute); today the default is the watch timeout plus 30 s: 5.5 to 10.5 minutes.
 */
export const halfOpenNoticedWithinAMinute: StandaloneCase = {
  name: 'with default options a silent watch is given up within 60 s, whatever its timeoutSeconds',
  defectClass: 'stuck',
  run: () => {
    for (const timeoutSeconds of [undefined, 300, 600])
      expect(
        watchIdleTimeoutFor({}, { timeoutSeconds }),
        `timeoutSeconds ${timeoutSeconds}`,
      ).toBeLessThanOrEqual(60_000);
  },
};
