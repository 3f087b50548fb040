import type { Config } from '../config.ts';
import { assertCellEditable, assertOutlineEditable, cellWhat } from '../auth/guard.ts';
import { nextChildCode } from '../cells/codes.ts';
import type { CellGeometry } from '../cells/geometry.ts';
import type { CellWriter, CheckedGeoJSON } from '../cells/writer.ts';
import { analyseParents } from '../coverage/postgis.ts';
import { DEFAULT_MIN_AREA_M2 } from '../../core/coverage/engine.ts';
import { problem } from '../problem.ts';

export interface CommitBody {
  features: { geometry: CellGeometry; properties?: { name?: string } | null }[];
  /** Replace the parent's present children (kept in their history); refused otherwise when there are some. */
  replaceChildren?: boolean;
}

export type { CommitResult } from '../../core/contracts/partition.ts';
import type { CommitResult } from '../../core/contracts/partition.ts';

/**
 * Creates the cells of a division as the parent's children, in the caller's transaction: each
 * checked like a drawn cell (structure, validity, inside the parent), coded in sequence. Replaced
 * children hand what hangs on them to the new cell overlapping them most: their own children, the
 * people assigned (as far as each role's maximum allows) and users scoped to them; units and
 * reports are re-filed by where they lie. Then the coverage of the parent must be clean, or nothing
 * is changed. Every write of cells goes through the writer.
 */
export async function commitDivision(w: CellWriter, config: Config, parentId: number, body: CommitBody): Promise<CommitResult> {
  const { q: tx, actor } = w;
  const [parent] = await w.lock([parentId]);
  if (!parent) throw problem('partition.cell-not-found', { id: parentId });
  await assertCellEditable(tx, actor, parent.id, cellWhat(parent.id, parent.name));
  if (parent.level >= config.levels.length) throw problem('partition.deepest-level', { id: parent.id, level: parent.level });
  if (body.features.length < 2) throw problem('partition.too-few-cells', { count: body.features.length }, { errors: [{ field: 'body.features', message: 'at least 2' }] });

  const old = await w.lockChildren(parent.id);
  if (old.length && !body.replaceChildren) throw problem('partition.has-children', { id: parent.id, name: parent.name, count: old.length }, { children: old.length });
  for (const c of old) await assertOutlineEditable(tx, actor, c);

  // Every feature checked (structure, validity, inside the parent) before any is written.
  const outlines: CheckedGeoJSON[] = [];
  for (const [i, f] of body.features.entries()) {
    outlines.push(await w.checkOutline(f.geometry, { field: `features[${i}].geometry`, parentId: parent.id, which: { zh: `第 ${i + 1} 个网格`, en: `Cell ${i + 1}` } }));
  }

  const level = parent.level + 1;
  const created: number[] = [];
  for (const [i, f] of body.features.entries()) {
    const code = await nextChildCode(tx, config.codeScheme, parent.code, level);
    const name = f.properties?.name?.trim() || `${parent.name}第${i + 1}网格`;
    created.push(await w.insert({ code, name, level, parentId: parent.id, outline: outlines[i]! }));
  }

  const replaced = old.map((c) => c.id);
  let carried = 0;
  let dropped = 0;
  if (replaced.length) {
    // Where each replaced child goes: the new cell sharing most ground with it.
    const { rows: heir } = await tx.query<{ old: number; heir: number }>(
      `SELECT DISTINCT ON (o.id) o.id AS old, n.id AS heir FROM cells o JOIN cells n ON n.id = ANY($2::int[]) AND n.geom && o.geom
       WHERE o.id = ANY($1::int[]) ORDER BY o.id, ST_Area(ST_Intersection(n.geom, o.geom, 1e-10)) DESC, n.id`, [replaced, created]);
    const heirOf = new Map(heir.map((h) => [h.old, h.heir]));
    // Grandchildren follow their own best fit, as split does.
    await w.moveChildrenToLargestShare(replaced, created, 1e-10);
    const { rows: assigned } = await tx.query<{ cell_id: number; person_id: number; role: string }>(
      'SELECT cell_id, person_id, role FROM cell_assignments WHERE cell_id = ANY($1::int[]) ORDER BY cell_id, position', [replaced]);
    const held = new Map<number, { person: number; role: string }[]>();
    for (const a of assigned) {
      const to = heirOf.get(a.cell_id);
      if (to === undefined) { dropped++; continue; }
      const list = held.get(to) ?? [];
      const max = config.assignmentRoles.find((r) => r.code === a.role)?.maxPerCell ?? Infinity;
      if (list.some((x) => x.person === a.person_id && x.role === a.role)) continue;
      if (list.filter((x) => x.role === a.role).length >= max) { dropped++; continue; }
      list.push({ person: a.person_id, role: a.role });
      held.set(to, list);
      await tx.query('INSERT INTO cell_assignments (cell_id, position, person_id, role, assigned_by) VALUES ($1, $2, $3, $4, $5)',
        [to, list.length, a.person_id, a.role, actor.username]);
      carried++;
    }
    // Users working in a replaced child now work in its heir.
    for (const [from, to] of heirOf) {
      await tx.query('UPDATE users SET scope = ARRAY(SELECT DISTINCT s FROM unnest(array_replace(scope, $1, $2)) s ORDER BY s) WHERE $1 = ANY(scope)', [from, to]);
    }
    await w.recordDeletesAs(actor.username);
  }
  await w.refile(created, replaced);
  if (replaced.length) await w.remove(replaced);
  await w.audit('cell.partition', `cell:${parent.id}`, { created, replaced, carried, dropped });

  const [coverage] = await analyseParents(tx, [parent.id], { minAreaM2: DEFAULT_MIN_AREA_M2, sliverWidthM: null });
  if (coverage!.overlaps.length || coverage!.gaps.length || coverage!.strays.length) {
    throw problem('partition.coverage-faults', { id: parent.id, overlaps: coverage!.overlaps.length, gaps: coverage!.gaps.length, strays: coverage!.strays.length }, { coverage });
  }
  return { created, replaced, assignments: { carried, dropped }, coverage: coverage! };
}
