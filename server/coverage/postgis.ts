import type { Polygon } from 'geojson';
import type { Queryable } from '../db/db.ts';
import {
  MIN_BORDER_M, NEGLIGIBLE_AREA_M2, ON_BOUNDARY_DEG, assembleReport,
  type CoverageReport, type CoverageTolerance, type InvalidCell, type Piece,
} from '../../core/coverage/engine.ts';
import { geosFault, parseValidReason } from '../../core/problems/geos.ts';

/**
 * The authoritative coverage analysis, in PostGIS SQL that runs on 3.3 and on PGlite's 3.6 (no
 * ST_CoverageInvalidEdges, 3.4+). Invalid cells are reported and analysed as ST_MakeValid made
 * them, so GEOS never meets an invalid input (its TopologyException would abort the query).
 * Classification into faults and slivers is the shared assembleReport(), as in the Turf engine.
 */

/**
 * Overlays run in fixed precision (OverlayNG with a grid of 1e-10°, about 0.01 mm): robust where
 * floating-point overlay throws a TopologyException, which PGlite's GEOS does on valid tilings
 * and, worse, by silently returning no rows.
 */
export const OVERLAY_GRID = 1e-10;

/**
 * Pieces are measured as the planar shapes the overlay made (edges straight in degrees), like the
 * Turf engine does: densified to AREA_STEP_DEG (about 100 m) first, so geography's geodesic edges
 * follow them. A planar sliver measured undensified can be metres wide along a long border (the
 * geodesic bulges away from the straight edge) and would be reported as a fault.
 */
export const AREA_STEP_DEG = 1e-3;
export const areaSql = (g: string) => `ST_Area(ST_Segmentize(${g}, ${AREA_STEP_DEG})::geography)`;

/** A cell's geometry as analysed: made valid when it is in the list of invalid ids ($2). */
export const analysed = (alias: string) =>
  `(CASE WHEN ${alias}.id = ANY($2::int[]) THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(${alias}.geom, 'method=structure'), 3)) ELSE ${alias}.geom END)`;

/** Cells sharing at least MIN_BORDER_M of boundary with the piece g, longest border first. */
export const borderingSql = (piece: string, parentParam: string, geom: (alias: string) => string) => `(
  SELECT coalesce(array_agg(n.id ORDER BY n.len DESC, n.id), '{}') FROM (
    SELECT c.id, ST_Length(ST_Intersection(ST_Boundary(${piece}), ST_Buffer(${geom('c')}, ${ON_BOUNDARY_DEG}, 'quad_segs=1'), ${OVERLAY_GRID})::geography) AS len
    FROM cells c WHERE c.parent_id = ${parentParam} AND c.geom && ST_Expand(${piece}, ${ON_BOUNDARY_DEG})
  ) n WHERE n.len >= ${MIN_BORDER_M})`;

interface PieceRow {
  parent_id: number;
  area: number;
  perim: number;
  geometry: Polygon;
}

/**
 * Runs a piece query (alias p is the parent) for every parent, as one row per parent with its
 * pieces aggregated. One row per parent makes rows that went missing detectable: PGlite's PostGIS
 * has been seen to return no rows at all, without an error, from a GEOS-heavy query over many
 * parents. Then each parent is queried alone; a parent that still comes back empty is an error.
 */
async function perParent<T extends { parent_id: number }>(q: Queryable, parentIds: number[], invalidIds: number[], inner: string): Promise<T[]> {
  const sql = `SELECT p.id AS parent_id, (SELECT coalesce(json_agg(t), '[]') FROM (${inner}) t) AS pieces FROM cells p WHERE p.id = ANY($1::int[])`;
  const run = async (ids: number[]) => (await q.query<{ parent_id: number; pieces: Omit<T, 'parent_id'>[] }>(sql, [ids, invalidIds])).rows;
  let rows = await run(parentIds);
  if (rows.length !== parentIds.length) {
    rows = [];
    for (const id of parentIds) {
      const one = await run([id]);
      if (one.length !== 1) throw new Error(`The coverage of cell ${id} could not be computed (the database returned no result)`);
      rows.push(one[0]!);
    }
  }
  return rows.flatMap((r) => r.pieces.map((x) => ({ ...x, parent_id: r.parent_id }) as T));
}

/** Analyses each parent against its children; one report per parent id, in the order given. */
export async function analyseParents(q: Queryable, parentIds: number[], tol: CoverageTolerance): Promise<CoverageReport[]> {
  if (!parentIds.length) return [];
  const { rows: cells } = await q.query<{ id: number; parent_id: number | null; reason: string | null; area: number | null; is_parent: boolean }>(
    `SELECT c.id, c.parent_id, c.id = ANY($1::int[]) AS is_parent,
            CASE WHEN ST_IsValid(c.geom) THEN NULL ELSE ST_IsValidReason(c.geom) END AS reason,
            CASE WHEN c.id = ANY($1::int[]) THEN ${areaSql("ST_CollectionExtract(ST_MakeValid(c.geom, 'method=structure'), 3)")} END AS area
     FROM cells c WHERE c.id = ANY($1::int[]) OR c.parent_id = ANY($1::int[])`, [parentIds]);
  // PGlite's PostGIS drops the rows of a query whose GEOS call fails (e.g. an unclosed ring
  // written by a raw import) instead of raising: never analyse a set that silently lost cells.
  const { rows: counted } = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM cells c WHERE c.id = ANY($1::int[]) OR c.parent_id = ANY($1::int[])', [parentIds]);
  if (counted[0]!.n !== cells.length) throw new Error(`PostGIS could not read ${counted[0]!.n - cells.length} cell geometries (malformed rings?)`);
  const invalidIds = cells.filter((c) => c.reason !== null).map((c) => c.id);

  const overlaps = await perParent<PieceRow & { a: number; b: number }>(q, parentIds, invalidIds,
    `SELECT x.a, x.b, ${areaSql('d.geom')} AS area, ST_Perimeter(d.geom::geography) AS perim, ST_AsGeoJSON(d.geom, 9)::json AS geometry
     FROM (
       SELECT a.id AS a, b.id AS b, ST_CollectionExtract(ST_Intersection(v.ga, v.gb, ${OVERLAY_GRID}), 3) AS x
       FROM cells a JOIN cells b ON b.parent_id = a.parent_id AND a.id < b.id AND a.geom && b.geom
       CROSS JOIN LATERAL (SELECT ${analysed('a')} AS ga, ${analysed('b')} AS gb) v
       WHERE a.parent_id = p.id AND ST_Relate(v.ga, v.gb, '2********')
     ) x CROSS JOIN LATERAL ST_Dump(x.x) d`);

  const gaps = await perParent<PieceRow & { neighbours: number[] }>(q, parentIds, invalidIds,
    `SELECT a.area, ST_Perimeter(g.g::geography) AS perim, ST_AsGeoJSON(g.g, 9)::json AS geometry,
            CASE WHEN a.area >= ${NEGLIGIBLE_AREA_M2} THEN ${borderingSql('g.g', 'p.id', analysed)} ELSE '{}' END AS neighbours
     FROM (SELECT ST_Union(${analysed('c')}, ${OVERLAY_GRID}) AS u FROM cells c WHERE c.parent_id = p.id) u
     CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(${analysed('p')}, u.u, ${OVERLAY_GRID}), 3)) g0
     CROSS JOIN LATERAL (SELECT g0.geom AS g) g
     CROSS JOIN LATERAL (SELECT ${areaSql('g.g')} AS area) a
     WHERE u.u IS NOT NULL`);

  const strays = await perParent<PieceRow & { cell_id: number }>(q, parentIds, invalidIds,
    `SELECT c.id AS cell_id, ${areaSql('d.geom')} AS area, ST_Perimeter(d.geom::geography) AS perim, ST_AsGeoJSON(d.geom, 9)::json AS geometry
     FROM cells c
     CROSS JOIN LATERAL (SELECT ${analysed('c')} AS cg, ${analysed('p')} AS pg) v
     CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(v.cg, v.pg, ${OVERLAY_GRID}), 3)) d
     WHERE c.parent_id = p.id AND NOT ST_CoveredBy(v.cg, v.pg)`);

  const pieces = new Map<number, Piece[]>(parentIds.map((id) => [id, []]));
  const base = (r: PieceRow) => ({ areaM2: r.area, perimeterM: r.perim, geometry: r.geometry });
  for (const r of overlaps) pieces.get(r.parent_id)?.push({ kind: 'overlap', a: r.a, b: r.b, ...base(r) });
  for (const r of gaps) pieces.get(r.parent_id)?.push({ kind: 'gap', neighbours: r.neighbours, ...base(r) });
  for (const r of strays) pieces.get(r.parent_id)?.push({ kind: 'stray', cellId: r.cell_id, ...base(r) });

  return parentIds.map((id) => {
    const parent = cells.find((c) => c.id === id && c.is_parent);
    const children = cells.filter((c) => c.parent_id === id);
    const invalid: InvalidCell[] = [parent, ...children]
      .filter((c): c is NonNullable<typeof c> => !!c && c.reason !== null)
      .map((c) => {
        // ST_IsValidReason says "Self-intersection[107.015 34.015]": the code takes reason and place apart.
        const { reason, at } = parseValidReason(c.reason!);
        return { cellId: c.id, reason: c.reason!, ...geosFault(reason, at) };
      });
    return assembleReport(id, parent?.area ?? 0, children.length, pieces.get(id) ?? [], invalid, tol);
  });
}

/**
 * The same, but a parent whose analysis GEOS still refuses (a TopologyException on made-valid
 * input is rare but possible) is reported with the error instead of failing the whole level.
 */
export async function analyseParentsSafely(q: Queryable, parentIds: number[], tol: CoverageTolerance): Promise<(CoverageReport & { error?: string })[]> {
  try {
    return await analyseParents(q, parentIds, tol);
  } catch (err) {
    if (parentIds.length === 1) {
      return [{ ...assembleReport(parentIds[0]!, 0, 0, [], [], tol), notSubdivided: false, coveredRatio: null, error: (err as Error).message }];
    }
    const out: (CoverageReport & { error?: string })[] = [];
    for (const id of parentIds) out.push(...(await analyseParentsSafely(q, [id], tol)));
    return out;
  }
}
