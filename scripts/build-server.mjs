// Bundles the server's own TypeScript (server/, core/) into dist/server with esbuild; the packages
// stay in node_modules. `npm start` runs the bundle: Node then loads one file instead of resolving
// and transpiling some 250 modules through tsx on every start (about a second on 2 cores). Built
// only when the sources changed (their fingerprint is kept in dist/server/.sources), like the client.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import console from 'node:console';
import { setTimeout } from 'node:timers/promises';
import { build } from 'esbuild';
import { sourcesFingerprint } from './sources-fingerprint.mjs';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist/server');
const stamp = path.join(out, '.sources');

const fingerprint = sourcesFingerprint(root, {
  dirs: ['server', 'core'], files: ['package-lock.json', path.relative(root, import.meta.filename), 'scripts/sources-fingerprint.mjs'], skip: /\.test\.ts$/,
});
const current = () => existsSync(path.join(out, 'main.mjs')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint;

// Test workers may ask for the bundle at the same moment: one builds (it holds the lock, a
// directory), the others wait for it; a lock left by a crashed build is taken after a minute.
const lock = path.join(root, 'dist/.server-build-lock');
mkdirSync(path.dirname(lock), { recursive: true });
for (;;) {
  if (current()) {
    if (process.argv.includes('--verbose')) console.log('server is current (dist/server), not rebuilt');
    process.exit(0);
  }
  try {
    mkdirSync(lock);
    break;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
    await setTimeout(100);
  }
}
try {
  if (!current()) {
    rmSync(out, { recursive: true, force: true });
    await build({
      absWorkingDir: root,
      entryPoints: { main: 'server/main.ts', 'read-worker': 'server/exchange/import/read-worker.ts' },
      outdir: out,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // Lazily imported modules stay separate chunks, loaded when first used.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    writeFileSync(stamp, fingerprint);
  }
} finally {
  rmSync(lock, { recursive: true, force: true });
}
