import type { MultiPolygon } from 'geojson';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { OVERLAY_GRID } from '../coverage/postgis.ts';
import { edgeKey } from './algorithm.ts';
import { patrolMinutesByType, reportsSince, toMeasures, unitAggregatesSql, type MeasureRow, type Measures } from './workload.ts';

/** A grid of squares in degrees over a parent's bounding box; corners on the 1e-7° grid cells are stored on. */
export interface Grid {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  ni: number;
  nj: number;
  sideM: number;
  /**
   * Lines the division should follow (roads, existing borders), as an SQL expression of a
   * (multi)linestring built by linesSql(): the parent is first cut into blocks along them, and tiles
   * never straddle a block border.
   */
  lines?: string;
}

/**
 * The SQL expression of lines to follow: the given (multi)linestrings (numbers only, so the text is
 * safe to inline) and, with `children`, the borders of the parent's current children ($1).
 */
export function linesSql(lines: { type: 'LineString' | 'MultiLineString'; coordinates: (number | number[])[][] }[], children: boolean): string | undefined {
  const parts = lines.flatMap((l) => (l.type === 'LineString' ? [l.coordinates as number[][]] : (l.coordinates as number[][][])))
    .filter((c) => c.length >= 2 && c.every((p) => p.length >= 2 && Number.isFinite(p[0]) && Number.isFinite(p[1])))
    .map((c) => `(${c.map((p) => `${Number(p[0])} ${Number(p[1])}`).join(',')})`);
  const exprs = [
    ...(parts.length ? [`ST_GeomFromText('MULTILINESTRING(${parts.join(',')})', 4326)`] : []),
    ...(children ? ['(SELECT ST_Union(ST_Boundary(geom)) FROM cells WHERE parent_id = $1)'] : []),
  ];
  return exprs.length ? `ST_Union(ARRAY[${exprs.join(', ')}])` : undefined;
}

export interface Tile extends Measures {
  /** Centre in metres east and north of the grid's origin. */
  x: number;
  y: number;
}

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQ = 111_320;
const up7 = (v: number) => Math.ceil(v * 1e7) / 1e7;
const down7 = (v: number) => Math.floor(v * 1e7) / 1e7;

export interface Extent {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  areaM2: number;
}

/** Squares of about `target` tiles over the parent's ground (none smaller than minSideM). */
export function gridFor(e: Extent, target: number, minSideM: number): Grid {
  const cos = Math.max(0.01, Math.cos((((e.ymin + e.ymax) / 2) * Math.PI) / 180));
  let sideM = Math.max(minSideM, Math.sqrt(e.areaM2 / target));
  // A thin diagonal parent fills little of its box: keep the squares tested to a bounded number.
  const boxM2 = (e.xmax - e.xmin) * M_PER_DEG_LON_EQ * cos * (e.ymax - e.ymin) * M_PER_DEG_LAT;
  sideM = Math.max(sideM, Math.sqrt(boxM2 / (target * 20)));
  const dx = up7(sideM / (M_PER_DEG_LON_EQ * cos));
  const dy = up7(sideM / M_PER_DEG_LAT);
  const x0 = down7(e.xmin);
  const y0 = down7(e.ymin);
  return { x0, y0, dx, dy, ni: Math.max(1, Math.ceil((e.xmax - x0) / dx)), nj: Math.max(1, Math.ceil((e.ymax - y0) / dy)), sideM };
}

/**
 * The tiles: each square of the grid that meets the parent (or, with lines to follow, each block of
 * the parent cut along them), clipped to it in fixed precision (OVERLAY_GRID), split into its
 * separate pieces. Squares are snapped to the same precision, so neighbouring tiles share their
 * edges exactly, and any union of tiles has no slivers between them. $1 parent id, $2…$7 the grid;
 * the CTE `pieces` has k (0-based, stable), i, j, b (block), full, g.
 */
const PIECES = (g: Grid) => `
  p AS (SELECT geom FROM cells WHERE id = $1),
  blocks AS (${g.lines
    ? `SELECT path[1] AS b, geom FROM ST_Dump((SELECT CASE WHEN l IS NULL OR ST_IsEmpty(l) THEN p.geom ELSE ST_CollectionExtract(ST_Split(p.geom, l), 3) END
                                              FROM p, (SELECT ${g.lines} AS l) x))`
    : 'SELECT 1 AS b, geom FROM p'}),
  sq AS (SELECT i, j, ST_ReducePrecision(ST_MakeEnvelope($2::float8 + i * $4::float8, $3::float8 + j * $5::float8,
                 $2::float8 + (i + 1) * $4::float8, $3::float8 + (j + 1) * $5::float8, 4326), ${OVERLAY_GRID}) AS g
         FROM generate_series(0, $6::int - 1) i CROSS JOIN generate_series(0, $7::int - 1) j),
  cut AS (SELECT sq.i, sq.j, bl.b, ST_CoveredBy(sq.g, bl.geom) AS full, sq.g AS sg, bl.geom AS pg
          FROM sq, blocks bl WHERE sq.g && bl.geom AND ST_Intersects(sq.g, bl.geom)),
  pieces AS (
    SELECT (row_number() OVER (ORDER BY c.i, c.j, c.b, d.path) - 1)::int AS k, c.i, c.j, c.b, c.full, d.geom AS g
    FROM cut c CROSS JOIN LATERAL ST_Dump(CASE WHEN c.full THEN c.sg ELSE ST_CollectionExtract(ST_Intersection(c.sg, c.pg, ${OVERLAY_GRID}), 3) END) d
    WHERE ST_Area(d.geom) > 0)`;

const gridParams = (parentId: number, g: Grid) => [parentId, g.x0, g.y0, g.dx, g.dy, g.ni, g.nj];

/** The parent's bounding box and true area; null when it does not exist. */
export async function extentOf(q: Queryable, parentId: number): Promise<Extent | null> {
  const { rows } = await q.query<{ xmin: number; ymin: number; xmax: number; ymax: number; area: number }>(
    'SELECT ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax, cell_area_m2(geom) AS area FROM cells WHERE id = $1', [parentId]);
  const r = rows[0];
  return r ? { xmin: r.xmin, ymin: r.ymin, xmax: r.xmax, ymax: r.ymax, areaM2: r.area } : null;
}

/**
 * The tiles of a parent with what each holds (units and reports by their point, area) and which
 * tiles share an edge. A unit is looked up in the square its coordinates fall in; only clipped
 * squares need a point-in-polygon test.
 */
export async function tessellate(q: Queryable, config: Config, parentId: number, grid: Grid, now: Date): Promise<{ tiles: Tile[]; adj: number[][]; along: Set<number> }> {
  const params = [...gridParams(parentId, grid), JSON.stringify(config.workload.unitWeights), JSON.stringify(patrolMinutesByType(config)), reportsSince(now)];
  const square = (alias: string) => `pc.i = floor((ST_X(${alias}.geom) - $2::float8) / $4::float8)::int AND pc.j = floor((ST_Y(${alias}.geom) - $3::float8) / $5::float8)::int
      AND (pc.full OR ST_Intersects(pc.g, ${alias}.geom))`;
  const { rows } = await q.query<{ tiles: [number, number, number, number, MeasureRow][] | null; edges: [number, number, boolean][] | null }>(
    `WITH ${PIECES(grid)},
     um AS (SELECT pc.k, ${unitAggregatesSql('$8', '$9')}
            FROM units u JOIN p ON u.geom && p.geom JOIN pieces pc ON ${square('u')}
            WHERE u.archived_at IS NULL GROUP BY pc.k),
     rm AS (SELECT pc.k, count(*)::float8 AS reports
            FROM reports r JOIN p ON r.geom && p.geom JOIN pieces pc ON ${square('r')}
            WHERE r.created_at >= $10 GROUP BY pc.k),
     -- Tiles sharing an edge; "along" when they lie in different blocks: their border is on a line to follow.
     edges AS (
       SELECT a.k AS a, b.k AS b, a.b <> b.b AS along FROM pieces a JOIN pieces b ON b.i = a.i + 1 AND b.j = a.j WHERE (a.full AND b.full) OR ST_Relate(a.g, b.g, '****1****')
       UNION ALL
       SELECT a.k, b.k, a.b <> b.b FROM pieces a JOIN pieces b ON b.i = a.i AND b.j = a.j + 1 WHERE (a.full AND b.full) OR ST_Relate(a.g, b.g, '****1****')
       UNION ALL
       SELECT a.k, b.k, true FROM pieces a JOIN pieces b ON b.i = a.i AND b.j = a.j AND b.b > a.b WHERE ST_Relate(a.g, b.g, '****1****'))
     SELECT
       (SELECT json_agg(json_build_array(pc.k, ST_X(ce), ST_Y(ce), ST_Area(pc.g::geography),
                json_build_object('units', coalesce(um.units, 0), 'households', coalesce(um.households, 0), 'population', coalesce(um.population, 0),
                  'units_weighted', coalesce(um.units_weighted, 0), 'patrol_minutes', coalesce(um.patrol_minutes, 0), 'reports', coalesce(rm.reports, 0)))
               ORDER BY pc.k)
        FROM pieces pc CROSS JOIN LATERAL ST_Centroid(pc.g) ce LEFT JOIN um ON um.k = pc.k LEFT JOIN rm ON rm.k = pc.k) AS tiles,
       (SELECT json_agg(json_build_array(a, b, along) ORDER BY a, b) FROM edges) AS edges`, params);
  const cos = Math.cos(((grid.y0 + (grid.nj * grid.dy) / 2) * Math.PI) / 180);
  // Rounded: sums over rows in whatever order the database read them must not differ in the last
  // bits, or the same seed could give another proposal.
  const fixed = (v: number) => Math.round(v * 1e6) / 1e6;
  const tiles: Tile[] = (rows[0]?.tiles ?? []).map(([, lon, lat, area, m]) => ({
    ...(Object.fromEntries(Object.entries(toMeasures({ ...m, area_m2: area })).map(([k, v]) => [k, fixed(v)])) as unknown as Measures),
    x: (lon - grid.x0) * M_PER_DEG_LON_EQ * cos,
    y: (lat - grid.y0) * M_PER_DEG_LAT,
  }));
  const adj: number[][] = tiles.map(() => []);
  const along = new Set<number>();
  for (const [a, b, onLine] of rows[0]?.edges ?? []) {
    adj[a]!.push(b);
    adj[b]!.push(a);
    if (onLine) along.add(edgeKey(a, b, tiles.length));
  }
  return { tiles, adj, along };
}

/** Each region's tiles united (fixed precision, so shared edges dissolve): GeoJSON at full precision. */
export async function unionRegions(q: Queryable, parentId: number, grid: Grid, labels: ArrayLike<number>): Promise<{ region: number; geometry: MultiPolygon; parts: number; compactness: number }[]> {
  // Compactness is Polsby–Popper, 4πA/P² (1 for a disc, about 0.785 for a square).
  const { rows } = await q.query<{ region: number; geometry: MultiPolygon; parts: number; compactness: number }>(
    `WITH ${PIECES(grid)},
     u AS (SELECT ($8::int[])[pc.k + 1] AS region, ST_Union(pc.g, ${OVERLAY_GRID}) AS g FROM pieces pc GROUP BY 1)
     SELECT region, ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Multi(g)), 15)::json AS geometry, ST_NumGeometries(g) AS parts,
            4 * pi() * ST_Area(g::geography) / nullif(ST_Perimeter(g::geography), 0) ^ 2 AS compactness FROM u ORDER BY region`,
    [...gridParams(parentId, grid), Array.from(labels)]);
  return rows;
}

/** The child of the parent each tile lies in (by a point on its surface), or null on ground no child covers. */
export async function tileOwners(q: Queryable, parentId: number, grid: Grid): Promise<(number | null)[]> {
  const { rows } = await q.query<{ owner: number | null }>(
    `WITH ${PIECES(grid)}
     SELECT (SELECT c.id FROM cells c WHERE c.parent_id = $1 AND ST_Intersects(c.geom, s.pt) ORDER BY c.id LIMIT 1) AS owner
     FROM pieces pc CROSS JOIN LATERAL (SELECT ST_PointOnSurface(pc.g) AS pt) s ORDER BY pc.k`, gridParams(parentId, grid));
  return rows.map((r) => r.owner);
}

/**
 * The children after some tiles changed hands: each child loses every moved tile and gains those
 * moved to it (fixed precision), so the children still tile what they tiled. Only changed children.
 */
export async function moveTiles(q: Queryable, parentId: number, grid: Grid, owners: number[], moved: number[]): Promise<{ id: number; version: number; geometry: MultiPolygon; parts: number }[]> {
  if (!moved.length) return [];
  const { rows } = await q.query<{ id: number; version: number; geometry: MultiPolygon; parts: number }>(
    `WITH ${PIECES(grid)},
     moved AS (SELECT pc.g, ($8::int[])[pc.k + 1] AS owner FROM pieces pc WHERE pc.k = ANY ($9::int[])),
     lost AS (SELECT ST_Union(g, ${OVERLAY_GRID}) AS g FROM moved),
     touched AS (SELECT DISTINCT c.id FROM cells c, lost WHERE c.parent_id = $1 AND (c.geom && lost.g AND ST_Relate(c.geom, lost.g, '2********') OR c.id IN (SELECT owner FROM moved))),
     reshaped AS (
       SELECT c.id, c.version, ST_Multi(ST_CollectionExtract(CASE WHEN gain.g IS NULL THEN keep.g ELSE ST_Union(keep.g, gain.g, ${OVERLAY_GRID}) END, 3)) AS g
       FROM cells c JOIN touched t ON t.id = c.id CROSS JOIN lost
       CROSS JOIN LATERAL (SELECT ST_Difference(c.geom, lost.g, ${OVERLAY_GRID}) AS g) keep
       CROSS JOIN LATERAL (SELECT ST_Union(m.g, ${OVERLAY_GRID}) AS g FROM moved m WHERE m.owner = c.id) gain)
     SELECT id, version, ST_AsGeoJSON(ST_ForcePolygonCCW(g), 15)::json AS geometry, ST_NumGeometries(g) AS parts FROM reshaped ORDER BY id`,
    [...gridParams(parentId, grid), owners, moved]);
  return rows;
}
