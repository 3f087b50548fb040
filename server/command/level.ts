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
 * `WITH RECURSIVE ${levelCtes(...)}`.
 */
export const levelCtes = (levelParam: string, scopeParam: string) => `
  scoped (id) AS (
    SELECT id FROM cells WHERE id = ANY (${scopeParam}::int[])
    UNION SELECT k.id FROM cells k JOIN scoped ON k.parent_id = scoped.id),
  lvl (id) AS (
    SELECT c.id FROM cells c
    WHERE c.level = ${levelParam}::int AND (cardinality(${scopeParam}::int[]) = 0 OR c.id IN (SELECT id FROM scoped))),
  under (id, root) AS (
    SELECT id, id FROM lvl
    UNION ALL SELECT k.id, under.root FROM cells k JOIN under ON k.parent_id = under.id)`;

/** The cells of a level in the scope, by code. */
export async function levelCells(q: Queryable, level: number, scope: number[]): Promise<LevelCell[]> {
  const { rows } = await q.query<{ id: number; code: string; name: string; parent_id: number | null }>(
    `WITH RECURSIVE ${levelCtes('$1', '$2')}
     SELECT c.id, c.code, c.name, c.parent_id FROM cells c JOIN lvl USING (id) ORDER BY c.code, c.id`, [level, scope]);
  return rows.map((r) => ({ id: r.id, code: r.code, name: r.name, parentId: r.parent_id }));
}
