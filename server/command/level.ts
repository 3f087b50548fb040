import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';

export interface LevelCell {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
}

/** The level's names, or a 422 listing the configured levels. */
export function levelOf(config: Config, level: number) {
  const found = config.levels.find((l) => l.level === level);
  if (!found) {
    const known = config.levels.map((l) => l.level).join(', ');
    throw problem('command.level-unknown', { level, levels: known }, { errors: [{ field: 'querystring.level', message: `must be one of ${known}` }] });
  }
  return found;
}

/**
 * The cells of a level inside the scope (param `scopeParam`, int[] of subtree roots, empty = all),
 * as CTE `lvl (id)`, and `under (id, root)`: every cell at or below a cell of `lvl`, with that cell
 * as its root. A report counts for the level cell that is the root of its cell. The caller writes
 * `WITH ${levelCtes(...)}`. A cell's roots are on its path (its ancestors and itself); the cells
 * looked at are first narrowed to the scope, which holds every cell below a cell of `lvl`.
 */
export const levelCtes = (levelParam: string, scopeParam: string) => `
  lvl (id) AS (
    SELECT c.id FROM cells c
    WHERE c.level = ${levelParam}::int AND (cardinality(${scopeParam}::int[]) = 0 OR c.id = ANY (${scopeParam}::int[]) OR c.ancestors && ${scopeParam}::int[])),
  under (id, root) AS (
    SELECT k.id, a.root FROM cells k CROSS JOIN LATERAL unnest(k.ancestors || k.id) AS a (root)
    WHERE a.root IN (SELECT id FROM lvl)
      AND (cardinality(${scopeParam}::int[]) = 0 OR k.id = ANY (${scopeParam}::int[]) OR k.ancestors && ${scopeParam}::int[]))`;

/** The cells of a level in the scope, by code. */
export async function levelCells(q: Queryable, level: number, scope: number[]): Promise<LevelCell[]> {
  const { rows } = await q.query<{ id: number; code: string; name: string; parent_id: number | null }>(
    `WITH ${levelCtes('$1', '$2')}
     SELECT c.id, c.code, c.name, c.parent_id FROM cells c JOIN lvl USING (id) ORDER BY c.code, c.id`, [level, scope]);
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, parentId: r.parent_id }));
}
