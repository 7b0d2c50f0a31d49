// Unit tests (src/**) are pure logic in Node; lint/** runs the repository's ESLint config on snippets to prove
// its import boundaries fire; e2e/** drives the built editor in headless Chromium against a real server on real
// Docker, so files run one after another and hooks get time to warm the pools.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'lint/**/*.test.ts', 'e2e/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60000,
    hookTimeout: 180000,
  },
});
