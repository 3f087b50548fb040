import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

const api = { testTimeout: 60_000, hookTimeout: 180_000 };

// API tests run once per database: always on the embedded PGlite, and on a real PostGIS when
// TEST_DATABASE_URL is set. Each worker shares one database across files (isolate: false),
// because an embedded PostGIS costs seconds and a gigabyte to create.
const apiProject = (db: 'embedded' | 'postgres') => ({
  extends: true as const,
  test: {
    name: `api:${db}`,
    include: ['tests/api/**/*.test.ts'],
    env: { WANGGE_TEST_DB: db },
    isolate: false,
    fileParallelism: true,
    ...api,
  },
});

export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { proxy: { '/api': 'http://localhost:8080', '/tiles': 'http://localhost:8080' } },
  test: {
    root: '.',
    globalSetup: ['tests/helpers/global-setup.ts'],
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'core/**/*.test.ts', 'server/**/*.test.ts', 'client/**/*.test.ts'] } },
      apiProject('embedded'),
      ...(process.env.TEST_DATABASE_URL ? [apiProject('postgres')] : []),
      ...(process.env.WANGGE_E2E ? [{ extends: true as const, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], fileParallelism: false, testTimeout: 120_000, hookTimeout: 180_000, expect: { poll: { timeout: 10_000 } } } }] : []),
    ],
  },
});
