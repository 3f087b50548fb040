// Builds the client (vite build) only when its sources changed since the last build: `npm start`
// then costs no build when dist/client is current. The sources' fingerprint (paths, sizes and
// contents of client/, core/, the Vite config and the lockfile) is kept in dist/client/.sources.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import console from 'node:console';

const root = path.resolve(import.meta.dirname, '..');
const stamp = path.join(root, 'dist/client/.sources');

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  }).sort();
}

const hash = createHash('sha256');
for (const f of [...filesUnder(path.join(root, 'client')), ...filesUnder(path.join(root, 'core')), path.join(root, 'vite.config.ts'), path.join(root, 'package-lock.json')]) {
  hash.update(path.relative(root, f)).update(readFileSync(f));
}
const fingerprint = hash.digest('hex');
if (existsSync(path.join(root, 'dist/client/index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) {
  console.log('client is current (dist/client), not rebuilt');
} else {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, fingerprint);
}
