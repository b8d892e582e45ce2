import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: run files two at a time; integration tests share one Temporal server and one database.
    maxWorkers: 2,
    // Provider code in test processes reads the outbound allowlist from the environment: the fakes listen on loopback.
    env: { OUTBOUND_ALLOW_HOSTS: '127.0.0.1' },
  },
});
