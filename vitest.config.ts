import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests fork real runner processes: keep the file-level parallelism within 2 cores.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    // every protocol installed in each test file, as the command line does (src/registry.ts)
    setupFiles: ['test/setup-protocols.ts'],
  },
});
