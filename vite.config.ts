import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
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

/**
 * The installable app (PWA): a manifest, and a service worker made by Workbox that precaches the
 * built shell and keeps the last answer of the API reads a grid worker needs offline (their cells,
 * units, patrol plan, open patrol, reports) and the vector tiles they saw. Reads go to the network
 * first (an online user never sees a stale answer); the cache answers only when the network fails.
 * Live events, exports and writes pass by untouched (writes wait in the outbox, client/offline).
 */
const pwa = VitePWA({
  registerType: 'autoUpdate',
  injectRegister: false,
  includeAssets: ['favicon.svg'],
  manifest: {
    name: '网格 Wangge',
    short_name: '网格',
    description: '网格化管理：巡查、上报、处置 — community grid management',
    lang: 'zh-CN',
    start_url: '/#/reports',
    scope: '/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#1d4ed8',
    icons: [
      { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    // A new version takes over at once, and the first install controls the open page (offline from the first visit).
    skipWaiting: true,
    clientsClaim: true,
    globPatterns: ['**/*.{js,css,html,svg,png,woff2}'],
    maximumFileSizeToCacheInBytes: 12 * 1024 * 1024,
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/^\/(api|tiles|styles|ogc|open311|warnings)\//],
    importScripts: ['sw-sync.js'],
    runtimeCaching: [
      {
        // Functions are copied into the worker as source: self-contained, no outer names.
        urlPattern: ({ url, sameOrigin }) =>
          sameOrigin && /^\/api\/(session|client-config|levels|cells|units|unit-types|inspections|plans|reports)(\/|$)/.test(url.pathname)
          && !/\/(export|photos)(\/|$)/.test(url.pathname),
        handler: 'NetworkFirst',
        method: 'GET',
        options: { cacheName: 'wangge-api', expiration: { maxEntries: 400, maxAgeSeconds: 14 * 86400 }, cacheableResponse: { statuses: [200] } },
      },
      {
        urlPattern: ({ url, sameOrigin }) => sameOrigin && /^\/(tiles|styles)\//.test(url.pathname),
        handler: 'NetworkFirst',
        method: 'GET',
        options: { cacheName: 'wangge-tiles', expiration: { maxEntries: 4000, maxAgeSeconds: 14 * 86400 }, cacheableResponse: { statuses: [200] } },
      },
    ],
  },
});

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
  plugins: [react(), pwa, precompress()],
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
