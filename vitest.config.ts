import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: the server (unit, integration and browser tests on a real database — PGlite, or a
 * server with DATABASE_URL) and the web console's component tests (Vue components in happy-dom,
 * built with the console's own Vite config so the UI kit's components resolve as in the app).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    // Integration files start servers and PGlite databases; tell the truth about failures, don't retry.
    retry: 0,
    projects: [
      {
        test: {
          name: 'server',
          include: ['test/**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', 'test/console/**'],
          globalSetup: ['test/support/globalSetup.ts'],
          // Time limits only catch hangs: tests wait on events or a simulated clock, never on elapsed
          // time, and a loaded 2-core machine (CI, several suites at once) can be ten times slower.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: './console/vite.config.ts',
        root: path.resolve(import.meta.dirname),
        test: {
          name: 'console',
          include: ['test/console/**/*.test.ts'],
          environment: 'happy-dom',
          environmentOptions: { happyDOM: { url: 'http://127.0.0.1:3000/' } },
          testTimeout: 30_000,
        },
      },
    ],
  },
});
