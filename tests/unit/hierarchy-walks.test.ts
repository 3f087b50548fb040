import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The cell hierarchy is read from cells.ancestors (migration 027): "at or below X" is
 * `id = X OR ancestors @> ARRAY[X]`, the chain up is `unnest(ancestors)`. A recursive walk along
 * parent_id is slower and a second truth to keep right, so none may come back into the server.
 * Migrations up to 027 are history (027 fills the path with the last walk) and are not read;
 * tests/api/cells-ancestors.test.ts checks the SQL functions the database holds.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const MIGRATIONS = path.join(ROOT, 'server/db/migrations');
const LAST_WALK = 27;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return files(file);
    if (dir === MIGRATIONS) return /^\d+_.*\.sql$/.test(name) && Number(name.split('_')[0]) > LAST_WALK ? [file] : [];
    return /\.(ts|tsx|sql)$/.test(name) ? [file] : [];
  });
}

/**
 * Each walk along parent_id in the text, as "file:line": a recursive CTE that mentions parent_id,
 * or the recursive step of one written without the keyword (a CTE spliced into a caller's
 * `WITH RECURSIVE`): UNION SELECT … JOIN <the CTE, not cells> ON … parent_id.
 */
function parentWalks(text: string, name: string): string[] {
  const at = (i: number) => `${name}:${text.slice(0, i).split('\n').length}`;
  const found = new Set<string>();
  for (const m of text.matchAll(/with\s+recursive\b/gi)) {
    // The statement: up to the end of the template literal or string it sits in, or of the SQL statement.
    const rest = text.slice(m.index, m.index + 2000);
    const end = rest.slice(1).search(/[`;]/);
    if (/parent_id/i.test(end < 0 ? rest : rest.slice(0, end + 1))) found.add(at(m.index));
  }
  for (const m of text.matchAll(/\bunion(\s+all)?\s+select\b[^`;]{0,300}?\bjoin\s+(?!cells\b)\w+\s+on\b[^`;]{0,80}?\bparent_id\b/gi)) found.add(at(m.index));
  return [...found];
}

describe('the cell hierarchy is read from cells.ancestors', () => {
  it('finds a walk along parent_id when there is one', () => {
    const walk = 'const q = `WITH RECURSIVE sub AS (SELECT id FROM cells WHERE id = $1\n  UNION SELECT k.id FROM cells k JOIN sub ON k.parent_id = sub.id) SELECT id FROM sub`;';
    expect(parentWalks(walk, 'x.ts')).toContain('x.ts:1');
    const spliced = 'const ctes = `\n  up (id) AS (SELECT id FROM cells WHERE id = $1\n    UNION ALL SELECT c.id FROM cells c JOIN up ON c.id = up.parent_id)`;';
    expect(parentWalks(spliced, 'z.ts')).toEqual(['z.ts:3']);
    expect(parentWalks('const q = `SELECT id FROM a UNION SELECT k.id FROM cells k JOIN cells p ON p.id = k.parent_id`;', 'w.ts')).toEqual([]);
    expect(parentWalks('const q = `WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 9) SELECT n FROM r`;', 'y.ts')).toEqual([]);
  });

  it('no recursive walk along parent_id in the server or in migrations after 027', () => {
    const walks = files(path.join(ROOT, 'server')).flatMap((f) => parentWalks(readFileSync(f, 'utf8'), path.relative(ROOT, f)));
    expect(walks).toEqual([]);
  });
});
