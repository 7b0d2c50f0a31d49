import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Docker-backed files share one engine on a 2-core machine: run files one after another.
    fileParallelism: false,
    testTimeout: 60000,
    hookTimeout: 120000,
  },
});
