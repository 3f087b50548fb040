import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
let built = false;

/**
 * The server as `npm start` runs it (dist/server/main.mjs, bundled by scripts/build-server.mjs),
 * built first when its sources changed: tests and benchmarks that start a real server process run
 * what users run.
 */
export function serverBundle(): string {
  if (!built) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-server.mjs')], { cwd: ROOT, stdio: 'inherit' });
    built = true;
  }
  return path.join(ROOT, 'dist/server/main.mjs');
}
