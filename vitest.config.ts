import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, no servers, fast) and `integration` (real MariaDB, Redis,
// ZooKeeper and service processes; files named *.int.test.ts or under test/).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts', '**/*.test.tsx'],
          exclude: ['**/*.int.test.ts', 'test/**', 'node_modules/**', 'dist/**', '.ecom/**'],
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts', 'test/**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', '.ecom/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Each file starts real servers; two at a time is what 2 cores carry.
          maxWorkers: 2,
          fileParallelism: true,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
