import { defineConfig } from 'vitest/config';

// Two projects: plain Node tests (the oracle, helpers) and GPU tests that drive headless Chromium.
// The GPU project's global setup starts one Vite server and one browser for all its files.
export default defineConfig({
  test: {
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest.json' }]],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/gpu/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/gpu/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // One browser serves all GPU files; SwiftShader uses both cores, so run files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
