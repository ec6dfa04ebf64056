import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude: ['src/**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['src/**/*.int.test.ts'],
          globalSetup: ['src/testing/postgres-setup.ts'],
          // Limits that catch a hang, not a slow machine: seeding a demo registry on PGlite
          // beside a CPU-heavy process takes minutes, not seconds.
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        // Whole-system tests that start and kill real server processes.
        test: {
          name: 'system',
          include: ['test/**/*.test.ts'],
          expect: { poll: { timeout: 60_000, interval: 100 } },
          globalSetup: ['src/testing/postgres-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          // expect.poll waits for a condition; its default second is too short for a page
          // that is still rendering beside a CPU-heavy process.
          expect: { poll: { timeout: 60_000, interval: 100 } },
          globalSetup: ['e2e/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
