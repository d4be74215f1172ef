import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/property/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/architecture/**/*.test.ts',
      'marbles/**/*.marble.test.ts',
      'test/adversarial/**/*.test.ts',
    ],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
