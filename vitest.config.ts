import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // oclif's this.log writes to console; vitest would swallow it otherwise.
    disableConsoleIntercept: true,
    testTimeout: 60_000,
    pool: 'forks',
  },
});
