import type { Queryable } from '../db/db.ts';
import type { Actor } from '../auth/actor.ts';
import { assertCellEditable, cellWhat } from '../auth/guard.ts';
import type { CellWriter, LockedCell } from '../cells/writer.ts';
import { problem } from '../problem.ts';
import type { CodeScheme } from '../config.ts';
import { nextChildCode } from '../cells/codes.ts';
import { ON_BOUNDARY_DEG, type CoverageTolerance } from '../../core/coverage/engine.ts';
import { OVERLAY_GRID, analyseParents, areaSql, borderingSql } from './postgis.ts';

/**
 * The four coverage repairs. Each runs inside the caller's transaction: it computes the new outlines
 * here, has the CellWriter check them (valid: `checkComputed`) and write them (a new version each,
 * with who and when, so the history records them), and returns the ids it changed; the caller
 * re-files and audits through the same writer. Geometry is always made valid first: a fix must
 * never trip on an invalid cell.
 */

const mv = (g: string) => `ST_Multi(ST_CollectionExtract(ST_MakeValid(${g}, 'method=structure'), 3))`;
/** SQL condition: piece g is a sliver under the tolerance in $min (m²) and $width (m, or null). */
const sliverSql = (g: string, min: string, width: string) =>
  `(${areaSql(g)} < ${min} OR (${width}::float8 IS NOT NULL AND 2 * ${areaSql(g)} / NULLIF(ST_Perimeter(${g}::geography), 0) < ${width}::float8))`;

type CellLite = LockedCell;

async function lockCells(w: CellWriter, ids: number[]): Promise<CellLite[]> {
  const rows = await w.lock(ids);
  const missing = ids.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw problem('coverage.cell-not-found', { id: missing.join(', ') });
  return ids.map((id) => rows.find((r) => r.id === id)!);
}

async function editable(q: Queryable, actor: Actor, cells: CellLite[]) {
  for (const c of cells) await assertCellEditable(q, actor, c.id, cellWhat(c.id, c.name));
}

/** The one outline a SELECT computed (hex EWKB), checked and written as a new version of the cell. */
async function rewrite(w: CellWriter, id: number, select: string, params: unknown[]): Promise<void> {
  const { rows } = await w.q.query<{ ewkb: string }>(select, params);
  await w.setOutlines([{ id, outline: await w.checkComputedOne(rows[0]!.ewkb) }]);
}

/** Outlines a SELECT computed (id and hex EWKB), checked and written as new versions; the ids written. */
async function rewriteAll(w: CellWriter, rows: { id: number; ewkb: string }[]): Promise<number[]> {
  const outlines = await w.checkComputed(rows.map((r) => r.ewkb));
  return w.setOutlines(rows.map((r, i) => ({ id: r.id, outline: outlines[i]! })));
}

/** Overlap: the cell not kept loses the ground it shares with the kept one. */
export async function fixOverlap(w: CellWriter, a: number, b: number, keep: 'a' | 'b' | number): Promise<number[]> {
  const { q, actor } = w;
  if (a === b) throw problem('coverage.same-cell', {}, { errors: [{ field: 'b', message: 'same as a' }] });
  const keepId = keep === 'a' ? a : keep === 'b' ? b : keep;
  if (keepId !== a && keepId !== b) throw problem('coverage.keep-invalid', { a, b }, { errors: [{ field: 'keep', message: 'not one of the pair' }] });
  const [ca, cb] = await lockCells(w, [a, b]);
  if (ca!.parent_id !== cb!.parent_id) throw problem('coverage.not-siblings', { a, b }, { errors: [{ field: 'b', message: 'not a sibling of a' }] });
  const other = keepId === a ? cb! : ca!;
  await editable(q, actor, [other]);
  const { rows } = await q.query<{ shared: number; left: number }>(
    `SELECT ST_Area(ST_Intersection(${mv('o.geom')}, ${mv('k.geom')}, ${OVERLAY_GRID})::geography) AS shared,
            ST_Area(ST_Difference(${mv('o.geom')}, ${mv('k.geom')}, ${OVERLAY_GRID})::geography) AS left
     FROM cells o, cells k WHERE o.id = $1 AND k.id = $2`, [other.id, keepId]);
  const r = rows[0]!;
  if (!(r.shared > 0)) throw problem('coverage.no-overlap', { a, b }, { errors: [{ field: 'b', message: 'no overlap with a' }] });
  if (!(r.left > 0)) throw problem('coverage.clip-vanishes', { id: other.id, name: other.name, keep: keepId }, { errors: [{ field: 'keep', message: 'the other cell would vanish' }] });
  await rewrite(w, other.id,
    `SELECT ST_AsHexEWKB(ST_Multi(ST_CollectionExtract(ST_Difference(${mv('o.geom')}, (SELECT ${mv('k.geom')} FROM cells k WHERE k.id = $2), ${OVERLAY_GRID}), 3))) AS ewkb
     FROM cells o WHERE o.id = $1`, [other.id, keepId]);
  return [other.id];
}

/** Stray: the part of the cell outside its parent is cut off. */
export async function fixStray(w: CellWriter, cellId: number): Promise<number[]> {
  const { q, actor } = w;
  const [cell] = await lockCells(w, [cellId]);
  if (cell!.parent_id === null) throw problem('coverage.top-level', { id: cellId }, { errors: [{ field: 'cellId', message: 'no parent' }] });
  await editable(q, actor, [cell!]);
  const { rows } = await q.query<{ outside: number; inside: number }>(
    `SELECT ST_Area(ST_Difference(${mv('c.geom')}, ${mv('p.geom')}, ${OVERLAY_GRID})::geography) AS outside, ST_Area(ST_Intersection(${mv('c.geom')}, ${mv('p.geom')}, ${OVERLAY_GRID})::geography) AS inside
     FROM cells c JOIN cells p ON p.id = c.parent_id WHERE c.id = $1`, [cellId]);
  const r = rows[0]!;
  if (!(r.outside > 0)) throw problem('coverage.no-stray', { id: cellId, name: cell!.name }, { errors: [{ field: 'cellId', message: 'no stray part' }] });
  if (!(r.inside > 0)) throw problem('coverage.wholly-outside', { id: cellId, name: cell!.name }, { errors: [{ field: 'cellId', message: 'wholly outside the parent' }] });
  await rewrite(w, cellId,
    `SELECT ST_AsHexEWKB(ST_Multi(ST_CollectionExtract(ST_Intersection(${mv('c.geom')}, (SELECT ${mv('p.geom')} FROM cells p WHERE p.id = c.parent_id), ${OVERLAY_GRID}), 3))) AS ewkb
     FROM cells c WHERE c.id = $1`, [cellId]);
  return [cellId];
}

export interface GapFixInput {
  parentId?: number;
  index?: number;
  gapGeometry?: object;
  into?: number | 'new';
  name?: string;
  tolerance: CoverageTolerance;
}

/**
 * Gap: the gap (picked by its index in the analysis, or by a geometry covering most of it) joins
 * a bordering child — by default the one sharing the longest border — or becomes a new child.
 * The exact gap is recomputed here, so rounding in the GeoJSON a client sends back never leaves
 * slivers behind.
 */
export async function fixGap(w: CellWriter, input: GapFixInput, codeScheme: CodeScheme): Promise<{ changed: number[]; created: number | null }> {
  const { q, actor } = w;
  let parentId = input.parentId;
  if (parentId === undefined) {
    if (typeof input.into !== 'number') throw problem('coverage.gap-parent-required', {}, { errors: [{ field: 'parentId', message: 'required' }] });
    const [into] = await lockCells(w, [input.into]);
    if (into!.parent_id === null) throw problem('coverage.gap-into-top-level', { id: input.into }, { errors: [{ field: 'into', message: 'no parent' }] });
    parentId = into!.parent_id;
  }
  const [parent] = await lockCells(w, [parentId]);
  let selector: object;
  if (input.gapGeometry) selector = input.gapGeometry;
  else if (input.index !== undefined) {
    const [report] = await analyseParents(q, [parentId], input.tolerance);
    const gap = report!.gaps[input.index];
    if (!gap) throw problem('coverage.gap-index', { parentId, count: report!.gaps.length, index: input.index }, { errors: [{ field: 'index', message: `must be below ${report!.gaps.length}` }] });
    selector = gap.geometry;
  } else throw problem('coverage.gap-unspecified', {}, { errors: [{ field: 'index', message: 'index or gapGeometry required' }] });

  const geom = (alias: string) => mv(`${alias}.geom`);
  // The exact gap pieces the selector covers for the most part.
  const { rows } = await q.query<{ gap: string | null; area: number; neighbours: number[] }>(
    `WITH u AS (SELECT ST_Union(${mv('c.geom')}, ${OVERLAY_GRID}) AS u FROM cells c WHERE c.parent_id = $1),
     s AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($2), 4326) AS s),
     pieces AS (
       SELECT d.geom AS g FROM cells p, u, s
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(${mv('p.geom')}, COALESCE(u.u, 'SRID=4326;POLYGON EMPTY'::geometry), ${OVERLAY_GRID}), 3)) d
       WHERE p.id = $1 AND d.geom && s.s AND ST_Area(ST_Intersection(d.geom, ST_MakeValid(s.s, 'method=structure'), ${OVERLAY_GRID})) >= 0.5 * ST_Area(d.geom)
     ), gap AS (SELECT ST_Union(g, ${OVERLAY_GRID}) AS g FROM pieces)
     SELECT ST_AsHexEWKB(gap.g) AS gap, COALESCE(ST_Area(gap.g::geography), 0) AS area,
            CASE WHEN gap.g IS NULL THEN '{}' ELSE ${borderingSql('gap.g', '$1', geom)} END AS neighbours
     FROM gap`, [parentId, JSON.stringify(selector)]);
  const found = rows[0];
  if (!found?.gap || !(found.area > 0)) throw problem('coverage.gap-not-found', { parentId }, { errors: [{ field: input.gapGeometry ? 'gapGeometry' : 'index', message: 'no such gap' }] });

  if (input.into === 'new') {
    await editable(q, actor, [parent!]);
    const level = parent!.level + 1;
    const code = await nextChildCode(q, codeScheme, parent!.code, level);
    const created = await w.insert({ code, name: input.name?.trim() || code, level, parentId, outline: await w.checkComputedOne(found.gap) });
    return { changed: [created], created };
  }
  const intoId = input.into ?? found.neighbours[0];
  if (intoId === undefined) throw problem('coverage.gap-no-neighbour', {}, { errors: [{ field: 'into', message: 'no bordering cell' }] });
  if (!found.neighbours.includes(intoId)) {
    throw problem('coverage.gap-not-bordering', { id: intoId, neighbours: found.neighbours.join(', ') || { zh: '无', en: 'none' } }, { errors: [{ field: 'into', message: 'does not border the gap' }] });
  }
  const [into] = await lockCells(w, [intoId]);
  await editable(q, actor, [into!]);
  await rewrite(w, intoId, `SELECT ST_AsHexEWKB(ST_Multi(ST_CollectionExtract(ST_Union(${geom('c')}, $2::geometry, ${OVERLAY_GRID}), 3))) AS ewkb FROM cells c WHERE c.id = $1`, [intoId, found.gap]);
  return { changed: [intoId], created: null };
}

/**
 * Slivers: every fault piece under the tolerance is cleaned, in an order that never opens a new
 * gap: stray slivers are cut off; an overlap sliver is cut from the younger cell (higher id), so
 * the ground stays with the older one; then each gap sliver joins the child sharing the longest
 * border with it.
 */
export async function fixSlivers(w: CellWriter, parentId: number, tol: CoverageTolerance): Promise<number[]> {
  const { q, actor } = w;
  const [parent] = await lockCells(w, [parentId]);
  await w.lockChildren(parent!.id);
  const p = [parentId, tol.minAreaM2, tol.sliverWidthM ?? null];
  /** Each step's new outlines (a SELECT of id and hex EWKB), written before the next step reads them. */
  const step = async (select: string) => rewriteAll(w, (await q.query<{ id: number; ewkb: string }>(select, p)).rows);
  const changed = new Set<number>();
  const strays = await step(
    `WITH cut AS (
       SELECT c.id, ST_Union(d.geom, ${OVERLAY_GRID}) AS g FROM cells c JOIN cells p ON p.id = c.parent_id
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(${mv('c.geom')}, ${mv('p.geom')}, ${OVERLAY_GRID}), 3)) d
       WHERE c.parent_id = $1 AND NOT ST_CoveredBy(${mv('c.geom')}, ${mv('p.geom')}) AND ${sliverSql('d.geom', '$2', '$3')}
       GROUP BY c.id)
     SELECT c.id, ST_AsHexEWKB(ST_Multi(ST_CollectionExtract(ST_Difference(${mv('c.geom')}, cut.g, ${OVERLAY_GRID}), 3))) AS ewkb
     FROM cells c JOIN cut ON c.id = cut.id`);
  const overlaps = await step(
    `WITH cut AS (
       SELECT b.id, ST_Union(d.geom, ${OVERLAY_GRID}) AS g FROM cells a JOIN cells b ON b.parent_id = a.parent_id AND a.id < b.id AND a.geom && b.geom
       CROSS JOIN LATERAL (SELECT ${mv('a.geom')} AS ga, ${mv('b.geom')} AS gb) v
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Intersection(v.ga, v.gb, ${OVERLAY_GRID}), 3)) d
       WHERE a.parent_id = $1 AND ST_Relate(v.ga, v.gb, '2********') AND ${sliverSql('d.geom', '$2', '$3')}
       GROUP BY b.id)
     SELECT c.id, ST_AsHexEWKB(ST_Multi(ST_CollectionExtract(ST_Difference(${mv('c.geom')}, cut.g, ${OVERLAY_GRID}), 3))) AS ewkb
     FROM cells c JOIN cut ON c.id = cut.id`);
  const gaps = await step(
    `WITH u AS (SELECT ST_Union(${mv('c.geom')}, ${OVERLAY_GRID}) AS u FROM cells c WHERE c.parent_id = $1),
     pieces AS (
       SELECT d.geom AS g FROM cells p, u
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(${mv('p.geom')}, u.u, ${OVERLAY_GRID}), 3)) d
       WHERE p.id = $1 AND ${sliverSql('d.geom', '$2', '$3')}
     ), best AS (
       SELECT pieces.g, (SELECT c.id FROM cells c WHERE c.parent_id = $1 AND c.geom && ST_Expand(pieces.g, ${ON_BOUNDARY_DEG})
                         ORDER BY ST_Length(ST_Intersection(ST_Boundary(pieces.g), ST_Buffer(${mv('c.geom')}, ${ON_BOUNDARY_DEG}, 'quad_segs=1'), ${OVERLAY_GRID})::geography) DESC, c.id
                         LIMIT 1) AS into_id
       FROM pieces
     ), joined AS (SELECT into_id, ST_Union(g, ${OVERLAY_GRID}) AS g FROM best WHERE into_id IS NOT NULL GROUP BY into_id)
     SELECT c.id, ST_AsHexEWKB(ST_Multi(ST_CollectionExtract(ST_Union(${mv('c.geom')}, joined.g, ${OVERLAY_GRID}), 3))) AS ewkb
     FROM cells c JOIN joined ON c.id = joined.into_id`);
  for (const id of [...strays, ...overlaps, ...gaps]) changed.add(id);
  const ids = [...changed].sort((x, y) => x - y);
  const { rows } = await q.query<CellLite>('SELECT id, name, level, parent_id, code FROM cells WHERE id = ANY($1::int[])', [ids]);
  await editable(q, actor, rows);
  return ids;
}
