import type { Polygon } from 'geojson';
import type { Queryable } from '../db/db.ts';
import {
  MIN_BORDER_M, NEGLIGIBLE_AREA_M2, ON_BOUNDARY_DEG, assembleReport,
  type CoverageReport, type CoverageTolerance, type InvalidCell, type Piece,
} from '../../client/coverage/turf-engine.ts';

/**
 * The authoritative coverage analysis, in PostGIS SQL that runs on 3.3 and on PGlite's 3.6 (no
 * ST_CoverageInvalidEdges, 3.4+). Invalid cells are reported and analysed as ST_MakeValid made
 * them, so GEOS never meets an invalid input (its TopologyException would abort the query).
 * Classification into faults and slivers is the shared assembleReport(), as in the Turf engine.
 */

/** A cell's geometry as analysed: made valid when it is in the list of invalid ids ($2). */
export const analysed = (alias: string) =>
  `(CASE WHEN ${alias}.id = ANY($2::int[]) THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(${alias}.geom), 3)) ELSE ${alias}.geom END)`;

/** Cells sharing at least MIN_BORDER_M of boundary with the piece g, longest border first. */
export const borderingSql = (piece: string, parentParam: string, geom: (alias: string) => string) => `(
  SELECT coalesce(array_agg(n.id ORDER BY n.len DESC, n.id), '{}') FROM (
    SELECT c.id, ST_Length(ST_Intersection(ST_Boundary(${piece}), ST_Buffer(${geom('c')}, ${ON_BOUNDARY_DEG}, 'quad_segs=1'))::geography) AS len
    FROM cells c WHERE c.parent_id = ${parentParam} AND c.geom && ST_Expand(${piece}, ${ON_BOUNDARY_DEG})
  ) n WHERE n.len >= ${MIN_BORDER_M})`;

interface PieceRow {
  parent_id: number;
  area: number;
  perim: number;
  geometry: Polygon;
}

/** Analyses each parent against its children; one report per parent id, in the order given. */
export async function analyseParents(q: Queryable, parentIds: number[], tol: CoverageTolerance): Promise<CoverageReport[]> {
  if (!parentIds.length) return [];
  const { rows: cells } = await q.query<{ id: number; parent_id: number | null; reason: string | null; area: number | null; is_parent: boolean }>(
    `SELECT c.id, c.parent_id, c.id = ANY($1::int[]) AS is_parent,
            CASE WHEN ST_IsValid(c.geom) THEN NULL ELSE ST_IsValidReason(c.geom) END AS reason,
            CASE WHEN c.id = ANY($1::int[]) THEN ST_Area(ST_CollectionExtract(ST_MakeValid(c.geom), 3)::geography) END AS area
     FROM cells c WHERE c.id = ANY($1::int[]) OR c.parent_id = ANY($1::int[])`, [parentIds]);
  const invalidIds = cells.filter((c) => c.reason !== null).map((c) => c.id);
  const params = [parentIds, invalidIds];

  const overlaps = await q.query<PieceRow & { a: number; b: number }>(
    `SELECT p.parent_id, p.a, p.b, ST_Area(d.geom::geography) AS area, ST_Perimeter(d.geom::geography) AS perim, ST_AsGeoJSON(d.geom, 9)::json AS geometry
     FROM (
       SELECT a.parent_id, a.id AS a, b.id AS b, ST_CollectionExtract(ST_Intersection(v.ga, v.gb), 3) AS x
       FROM cells a JOIN cells b ON b.parent_id = a.parent_id AND a.id < b.id AND a.geom && b.geom
       CROSS JOIN LATERAL (SELECT ${analysed('a')} AS ga, ${analysed('b')} AS gb) v
       WHERE a.parent_id = ANY($1::int[]) AND ST_Relate(v.ga, v.gb, '2********')
     ) p CROSS JOIN LATERAL ST_Dump(p.x) d`, params);

  const gaps = await q.query<PieceRow & { neighbours: number[] }>(
    `WITH u AS (
       SELECT c.parent_id, ST_Union(${analysed('c')}) AS u FROM cells c WHERE c.parent_id = ANY($1::int[]) GROUP BY c.parent_id
     ), g AS (
       SELECT p.id AS parent_id, d.geom AS g
       FROM cells p JOIN u ON u.parent_id = p.id
       CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(${analysed('p')}, u.u), 3)) d
     )
     SELECT g.parent_id, a.area, ST_Perimeter(g.g::geography) AS perim, ST_AsGeoJSON(g.g, 9)::json AS geometry,
            CASE WHEN a.area >= ${NEGLIGIBLE_AREA_M2} THEN ${borderingSql('g.g', 'g.parent_id', analysed)} ELSE '{}' END AS neighbours
     FROM g CROSS JOIN LATERAL (SELECT ST_Area(g.g::geography) AS area) a`, params);

  const strays = await q.query<PieceRow & { cell_id: number }>(
    `SELECT c.parent_id, c.id AS cell_id, ST_Area(d.geom::geography) AS area, ST_Perimeter(d.geom::geography) AS perim, ST_AsGeoJSON(d.geom, 9)::json AS geometry
     FROM cells c JOIN cells p ON p.id = c.parent_id
     CROSS JOIN LATERAL (SELECT ${analysed('c')} AS cg, ${analysed('p')} AS pg) v
     CROSS JOIN LATERAL ST_Dump(ST_CollectionExtract(ST_Difference(v.cg, v.pg), 3)) d
     WHERE c.parent_id = ANY($1::int[]) AND NOT ST_CoveredBy(v.cg, v.pg)`, params);

  const pieces = new Map<number, Piece[]>(parentIds.map((id) => [id, []]));
  const base = (r: PieceRow) => ({ areaM2: r.area, perimeterM: r.perim, geometry: r.geometry });
  for (const r of overlaps.rows) pieces.get(r.parent_id)?.push({ kind: 'overlap', a: r.a, b: r.b, ...base(r) });
  for (const r of gaps.rows) pieces.get(r.parent_id)?.push({ kind: 'gap', neighbours: r.neighbours, ...base(r) });
  for (const r of strays.rows) pieces.get(r.parent_id)?.push({ kind: 'stray', cellId: r.cell_id, ...base(r) });

  return parentIds.map((id) => {
    const parent = cells.find((c) => c.id === id && c.is_parent);
    const children = cells.filter((c) => c.parent_id === id);
    const invalid: InvalidCell[] = [parent, ...children]
      .filter((c): c is NonNullable<typeof c> => !!c && c.reason !== null)
      .map((c) => ({ cellId: c.id, reason: c.reason! }));
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
