import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import type { ProblemParam } from '../../core/problems/index.ts';
import { scopeOf, type Actor } from './actor.ts';

/** True when the cell is inside the actor's scope. */
export async function cellInScope(q: Queryable, actor: Actor, cellId: number): Promise<boolean> {
  const scope = scopeOf(actor);
  if (scope.length === 0) return true;
  const { rows } = await q.query<{ ok: boolean }>('SELECT cell_within($1, $2::int[]) AS ok', [cellId, scope]);
  return rows[0]?.ok === true;
}

/** Cells are public, so an edit outside scope is a 403 that says why (not a 404). */
/** A cell named in a problem, in both languages: "Cell 12 (西街)" / "网格 12（西街）". */
export const cellWhat = (id: number | string, name?: string | null): { zh: string; en: string } =>
  name ? { zh: `网格 ${id}（${name}）`, en: `Cell ${id} (${name})` } : { zh: `网格 ${id}`, en: `Cell ${id}` };

export async function assertCellEditable(q: Queryable, actor: Actor, cellId: number, what: ProblemParam = { zh: `网格 ${cellId}`, en: `cell ${cellId}` }): Promise<void> {
  if (!(await cellInScope(q, actor, cellId))) {
    throw problem('auth.out-of-scope', { what, scope: actor.scope.join(', ') });
  }
}

/**
 * The outline of a scope root (reshape, split, merge, delete, restore) moves ground and reports in
 * or out of the scope: only someone whose scope holds its parent may change it.
 */
export async function assertOutlineEditable(q: Queryable, actor: Actor, cell: { id: number; parent_id: number | null; name: string }): Promise<void> {
  if (!scopeOf(actor).includes(cell.id)) return;
  if (cell.parent_id !== null && (await cellInScope(q, actor, cell.parent_id))) return;
  throw problem('auth.scope-root', { id: cell.id, name: cell.name });
}
