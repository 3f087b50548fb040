// The fingerprint of a build's sources: the paths and contents of every file under the given
// directories and of the given files, so a build is redone only when one of them changed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  }).sort();
}

/** SHA-256 over `files` and everything under `dirs` (paths relative to root), leaving out what `skip` matches. */
export function sourcesFingerprint(root, { dirs = [], files = [], skip = null }) {
  const hash = createHash('sha256');
  for (const f of [...dirs.flatMap((d) => filesUnder(path.join(root, d))), ...files.map((f) => path.join(root, f))]) {
    if (skip?.test(f)) continue;
    hash.update(path.relative(root, f)).update(readFileSync(f));
  }
  return hash.digest('hex');
}
