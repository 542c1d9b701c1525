import { defineConfig } from 'vitest/config';

// Benchmarks run one file at a time in a single fork, with no timeout that a slow machine could trip.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['bench/**/*.bench.test.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 3_600_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
