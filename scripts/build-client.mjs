// Builds the client (vite build) only when its sources changed since the last build: `npm start`
// then costs no build when dist/client is current. The sources' fingerprint (paths, sizes and
// contents of client/, core/, the Vite config and the lockfile) is kept in dist/client/.sources.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import console from 'node:console';
import { sourcesFingerprint } from './sources-fingerprint.mjs';

const root = path.resolve(import.meta.dirname, '..');
const stamp = path.join(root, 'dist/client/.sources');
const fingerprint = sourcesFingerprint(root, { dirs: ['client', 'core'], files: ['vite.config.ts', 'package-lock.json'] });
if (existsSync(path.join(root, 'dist/client/index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) {
  console.log('client is current (dist/client), not rebuilt');
} else {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, fingerprint);
}
