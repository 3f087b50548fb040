import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root directory (where package.json names "wangge"), found from the running file:
 * server/… under tsx, or dist/server/… when `npm start` runs the bundle. Paths to files that are
 * not code (migrations, the demo district, caches) are made from it, so both ways find them.
 */
export const ROOT = (() => {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'wangge') return dir;
    if (path.dirname(dir) === dir) throw new Error('cannot find the Wangge checkout (package.json) above the server');
  }
})();
