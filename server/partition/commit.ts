import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import type { Actor } from '../auth/actor.ts';
import { audit } from '../audit.ts';
import { assertCellEditable, assertOutlineEditable, cellWhat } from '../auth/guard.ts';
import { nextChildCode } from '../cells/codes.ts';
import { checkInsideParent, checkStructure, checkValidity, type CellGeometry } from '../cells/geometry.ts';
import { afterCellsChanged } from '../cells/reroute.ts';
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
 * is changed.
 */
export async function commitDivision(tx: Queryable, request: FastifyRequest, actor: Actor, config: Config, parentId: number, body: CommitBody): Promise<CommitResult> {
  const { rows: prow } = await tx.query<{ id: number; code: string; name: string; level: number; parent_id: number | null }>(
    'SELECT id, code, name, level, parent_id FROM cells WHERE id = $1 FOR UPDATE', [parentId]);
  const parent = prow[0];
  if (!parent) throw problem('partition.cell-not-found', { id: parentId });
  await assertCellEditable(tx, actor, parent.id, cellWhat(parent.id, parent.name));
  if (parent.level >= config.levels.length) throw problem('partition.deepest-level', { id: parent.id, level: parent.level });
  if (body.features.length < 2) throw problem('partition.too-few-cells', { count: body.features.length }, { errors: [{ field: 'body.features', message: 'at least 2' }] });

  const { rows: old } = await tx.query<{ id: number; name: string; parent_id: number }>(
    'SELECT id, name, parent_id FROM cells WHERE parent_id = $1 ORDER BY id FOR UPDATE', [parent.id]);
  if (old.length && !body.replaceChildren) throw problem('partition.has-children', { id: parent.id, name: parent.name, count: old.length }, { children: old.length });
  for (const c of old) await assertOutlineEditable(tx, actor, c);

  const geojson: string[] = [];
  for (const [i, f] of body.features.entries()) {
    const field = `features[${i}].geometry`;
    checkStructure(f.geometry, field);
    const json = JSON.stringify(f.geometry);
    await checkValidity(tx, json, field);
    await checkInsideParent(tx, json, parent.id, { zh: `第 ${i + 1} 个网格`, en: `Cell ${i + 1}` });
    geojson.push(json);
  }

  const level = parent.level + 1;
  const created: number[] = [];
  for (const [i, f] of body.features.entries()) {
    const code = await nextChildCode(tx, config.codeScheme, parent.code, level);
    const name = f.properties?.name?.trim() || `${parent.name}第${i + 1}网格`;
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by)
       VALUES ($1, $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)), $6, $6) RETURNING id`,
      [code, name, level, parent.id, geojson[i], actor.username]);
    created.push(rows[0]!.id);
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
    await tx.query(
      `UPDATE cells k SET parent_id = best.id, version = k.version + 1, updated_at = now(), updated_by = $3
       FROM (SELECT DISTINCT ON (k2.id) k2.id AS kid, p.id FROM cells k2 JOIN cells p ON p.id = ANY($2::int[]) AND p.geom && k2.geom
             WHERE k2.parent_id = ANY($1::int[]) ORDER BY k2.id, ST_Area(ST_Intersection(p.geom, k2.geom, 1e-10)) DESC, p.id) best
       WHERE k.id = best.kid`, [replaced, created, actor.username]);
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
    await tx.query("SELECT set_config('wangge.actor', $1, true)", [actor.username]);
  }
  await afterCellsChanged(tx, created, replaced);
  if (replaced.length) await tx.query('DELETE FROM cells WHERE id = ANY($1::int[])', [replaced]);
  await audit(tx, request, 'cell.partition', `cell:${parent.id}`, { created, replaced, carried, dropped });

  const [coverage] = await analyseParents(tx, [parent.id], { minAreaM2: DEFAULT_MIN_AREA_M2, sliverWidthM: null });
  if (coverage!.overlaps.length || coverage!.gaps.length || coverage!.strays.length) {
    throw problem('partition.coverage-faults', { id: parent.id, overlaps: coverage!.overlaps.length, gaps: coverage!.gaps.length, strays: coverage!.strays.length }, { coverage });
  }
  return { created, replaced, assignments: { carried, dropped }, coverage: coverage! };
}
