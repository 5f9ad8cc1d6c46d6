import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    globalSetup: ['test/support/globalSetup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Time limits only catch hangs: tests wait on events or a simulated clock, never on elapsed time,
    // and a loaded 2-core machine (CI, several suites at once) can be ten times slower than an idle one.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // Integration files start servers and PGlite databases; tell the truth about failures, don't retry.
    retry: 0,
  },
});
