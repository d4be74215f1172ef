// A one-test vitest run that .ci/run uses to prove which Node binary executes the test workers
// (vitest forks workers with process.execPath, so this must match the leg's Node).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.probe.test.mjs'],
    pool: 'forks',
  },
});
