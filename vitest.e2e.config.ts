import { defineConfig } from 'vitest/config';

// End-to-end tests against a real kube-apiserver and etcd (test/e2e/globalSetup.ts starts them).
// `npm run test:e2e` builds the binaries first; this config is separate so `npm test` never needs Go.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    globalSetup: ['test/e2e/globalSetup.ts'],
    setupFiles: ['test/e2e/support/exitWithParent.ts'],
    // One control plane for all files; a file may restart kube-apiserver, so files run one at a time.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 240_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
