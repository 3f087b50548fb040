import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * Writes .br and .gz beside every text asset of the build, so the server sends them as they are
 * (@fastify/static preCompressed) instead of compressing on each request or not at all.
 */
function precompress(): Plugin {
  return {
    name: 'wangge-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(path.resolve('dist/client'))) {
        if (!/\.(js|css|html|svg|json|webmanifest|txt)$/.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }));
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

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
  plugins: [react(), precompress()],
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
