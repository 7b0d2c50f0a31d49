import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Docker-backed files share one engine on a 2-core machine: run files one after another.
    fileParallelism: false,
    // After each file: every server it started is closed and has left no container (test/leak-check.ts).
    setupFiles: ['test/leak-check.ts'],
    testTimeout: 60000,
    // A closing server may wait for up to three container removals of a minute each (docker-sandbox.ts destroy).
    hookTimeout: 240000,
  },
});
