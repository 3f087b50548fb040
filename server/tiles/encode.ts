import geojsonvt from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Db, Queryable } from '../db/db.ts';

export const EXTENT = 4096;
export const BUFFER = 64;
export const LAYER = 'cells';
/** A point inside each cell (ST_PointOnSurface of the whole cell), in the one tile that holds it: where its name goes. */
export const LABEL_LAYER = 'labels';
/** The largest tile served: above it, the finest level in the tile is left out until it fits. */
export const MAX_TILE_BYTES = 500_000;

/** The zooms at which a level is drawn (config levels[].minZoom/maxZoom; every zoom by default). */
export interface LevelZooms {
  level: number;
  minZoom?: number;
  maxZoom?: number;
}

/** The levels legible at zoom z, or undefined when every level is. */
export function legibleLevels(levels: LevelZooms[] | undefined, z: number): number[] | undefined {
  if (!levels || levels.every((l) => (l.minZoom ?? 0) <= z && z <= (l.maxZoom ?? 99))) return undefined;
  return levels.filter((l) => (l.minZoom ?? 0) <= z && z <= (l.maxZoom ?? 99)).map((l) => l.level);
}

export interface TileRequest {
  z: number;
  x: number;
  y: number;
  /** Only cells of this level; all levels when absent. */
  level?: number;
  /** Without `level`: the levels' zoom ranges; a level outside its range is left out of the tile. */
  levels?: LevelZooms[];
  /** The size cap (MAX_TILE_BYTES by default). */
  maxBytes?: number;
}

/** 'postgis' encodes with ST_AsMVT; 'node' clips in PostGIS and encodes with geojson-vt (PGlite has no protobuf). */
export type TileEncoder = 'postgis' | 'node';

/**
 * The tile envelope in EPSG:3857, widened by the buffer and cut to the world, so that at low zoom
 * the margin never crosses the antimeridian (it would wrap to the far side in EPSG:4326).
 */
const BOUNDS = `(SELECT ST_TileEnvelope($1, $2, $3) AS tile,
  ST_Transform(ST_ClipByBox2D(ST_TileEnvelope($1, $2, $3, margin => ${BUFFER / EXTENT}), ST_TileEnvelope(0, 0, 0)), 4326) AS wide,
  ST_Transform(ST_TileEnvelope($1, $2, $3), 4326) AS proper) b`;

// The properties of GET /api/cells (without updatedAt); areaM2 of the whole cell, not its clipped part
// (kept with the row, migration 028).
const PROPERTIES = `c.code, c.name, c.level::int AS level, c.parent_id AS "parentId", c.version,
  round(c.area_m2::numeric, 2)::float8 AS "areaM2"`;

// $4: one level or all; $5: the levels drawn at this zoom (NULL = all).
const WHERE = `c.geom && b.wide AND ($4::int IS NULL OR c.level = $4) AND ($5::int[] IS NULL OR c.level = ANY ($5::int[]))`;

// The label point: inside the cell (kept with the row, migration 028), in the tile proper (not its
// buffer), so one tile carries it. Tested in EPSG:4326, where the tile is a box too (Web Mercator
// keeps meridians and parallels straight), so only the labels kept are projected.
const IN_TILE = `c.label_point && b.proper AND ST_X(c.label_point) < ST_XMax(b.proper) AND ST_Y(c.label_point) < ST_YMax(b.proper)`;

type Levels = number[] | null;

async function encodeWithPostgis(db: Queryable, t: TileRequest, levels: Levels): Promise<Uint8Array> {
  // The simplification per zoom: ST_AsMVTGeom snaps every vertex to the tile's integer grid (a tile
  // unit is 1/4096 of the tile at every zoom) and drops the repeated ones. Neighbours list the same
  // vertices along their shared border, so they snap to the same points: the border stays shared.
  // ST_AsMVT skips a row whose geometry came out NULL (clipped away); a filter on it outside the
  // subquery would be pushed into the scan and run ST_AsMVTGeom twice per cell (1.7× the time).
  const { rows } = await db.query<{ mvt: Uint8Array | null }>(
    `SELECT coalesce((SELECT ST_AsMVT(f, '${LAYER}', ${EXTENT}, 'geom', 'id') FROM (
       SELECT c.id, ${PROPERTIES}, ST_AsMVTGeom(ST_Transform(c.geom, 3857), b.tile, ${EXTENT}, ${BUFFER}, true) AS geom
       FROM cells c, ${BOUNDS} WHERE ${WHERE} ORDER BY c.level, c.id
     ) f), ''::bytea)
     || coalesce((SELECT ST_AsMVT(l, '${LABEL_LAYER}', ${EXTENT}, 'geom', 'id') FROM (
       SELECT c.id, c.code, c.name, c.level::int AS level, ST_AsMVTGeom(ST_Transform(c.label_point, 3857), b.tile, ${EXTENT}, 0, true) AS geom
       FROM cells c, ${BOUNDS} WHERE ${WHERE} AND ${IN_TILE} ORDER BY c.level, c.id
     ) l), ''::bytea) AS mvt`,
    [t.z, t.x, t.y, t.level ?? null, levels],
  );
  return rows[0]?.mvt ?? new Uint8Array();
}

interface ClippedRow {
  id: number;
  code: string;
  name: string;
  level: number;
  parentId: number | null;
  version: number;
  areaM2: number;
  geometry: Geometry;
}

async function encodeInNode(db: Queryable, t: TileRequest, levels: Levels): Promise<Uint8Array> {
  // Clipping in PostGIS first keeps a big cell (a whole district) from shipping all its vertices.
  // The vertices are snapped to the tile's integer grid there (in EPSG:3857, as ST_AsMVTGeom does),
  // and geojson-vt simplifies no further: a shared border stays shared, as on PostgreSQL.
  const snap = `ST_Transform(ST_SnapToGrid(ST_Transform(ST_ClipByBox2D(c.geom, b.wide), 3857),
    ST_XMin(b.tile), ST_YMin(b.tile), (ST_XMax(b.tile) - ST_XMin(b.tile)) / ${EXTENT}, (ST_YMax(b.tile) - ST_YMin(b.tile)) / ${EXTENT}), 4326)`;
  const { rows } = await db.query<ClippedRow>(
    `SELECT * FROM (SELECT c.id, ${PROPERTIES}, ST_AsGeoJSON(${snap}, 15)::json AS geometry
     FROM cells c, ${BOUNDS} WHERE ${WHERE} ORDER BY c.level, c.id) f WHERE (f.geometry->>'type') IN ('Polygon', 'MultiPolygon')
       AND jsonb_array_length((f.geometry->'coordinates')::jsonb) > 0`,
    [t.z, t.x, t.y, t.level ?? null, levels],
  );
  const labels = rows.length === 0 ? [] : (await db.query<{ id: number; code: string; name: string; level: number; lon: number; lat: number }>(
    `SELECT c.id, c.code, c.name, c.level::int AS level, ST_X(c.label_point) AS lon, ST_Y(c.label_point) AS lat
     FROM cells c, ${BOUNDS} WHERE ${WHERE} AND ${IN_TILE} ORDER BY c.level, c.id`,
    [t.z, t.x, t.y, t.level ?? null, levels])).rows;
  const features: Feature[] = rows.map(({ id, geometry, parentId, ...props }) => ({
    type: 'Feature',
    id, // geojson-vt keeps a numeric feature id, and vt-pbf writes it as the MVT id
    geometry,
    properties: parentId === null ? props : { ...props, parentId }, // MVT has no null
  }));
  const collection: FeatureCollection = { type: 'FeatureCollection', features };
  const tile = geojsonvt(collection, {
    // maxZoom above any tile zoom: geojson-vt does not simplify at maxZoom itself.
    maxZoom: 24,
    // Index nothing up front: getTile slices straight down to the one tile asked for.
    indexMaxZoom: 0,
    // No simplification beyond the grid snap done in PostGIS (tolerance 0 keeps every snapped vertex).
    tolerance: 0,
    extent: EXTENT,
    buffer: BUFFER,
  }).getTile(t.z, t.x, t.y);
  if (!tile || tile.features.length === 0) return new Uint8Array();
  const labelTile = labels.length === 0 ? undefined : geojsonvt({
    type: 'FeatureCollection',
    features: labels.map(({ id, lon, lat, ...props }) => ({ type: 'Feature', id, geometry: { type: 'Point', coordinates: [lon, lat] }, properties: props })),
  }, { maxZoom: 24, indexMaxZoom: 0, tolerance: 0, extent: EXTENT, buffer: 0 }).getTile(t.z, t.x, t.y);
  return fromGeojsonVt(labelTile ? { [LAYER]: tile, [LABEL_LAYER]: labelTile } : { [LAYER]: tile }, { version: 2, extent: EXTENT });
}

/**
 * Runs fn on PostgreSQL without JIT and without parallel workers. PostGIS functions are costed
 * high, so PostgreSQL planned a 10 ms tile query as a long one: it compiled it (JIT, +5–11 ms a
 * tile at zoom 13) and started a parallel worker for it (a new process that loads PostGIS first,
 * +20–30 ms: a zoom-13 tile at 10^5 cells took 48 ms instead of 16). Only for tiles: the heatmap's
 * scans of millions of reports do gain from parallel workers.
 */
export function withShortPlan<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if (db.kind !== 'postgres') return fn(db);
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`);
    return fn(tx);
  });
}

/** The cells tile z/x/y as a Mapbox Vector Tile; empty (zero bytes) when no cell touches it. */
export function encodeCellsTile(db: Db, t: TileRequest, encoder: TileEncoder): Promise<Buffer> {
  return withShortPlan(db, (q) => encodeTile(q, t, encoder));
}

async function encodeTile(db: Queryable, t: TileRequest, encoder: TileEncoder): Promise<Buffer> {
  let levels: Levels = (t.level === undefined ? legibleLevels(t.levels, t.z) : undefined) ?? null;
  const cap = t.maxBytes ?? MAX_TILE_BYTES;
  for (;;) {
    const bytes = encoder === 'postgis' ? await encodeWithPostgis(db, t, levels) : await encodeInNode(db, t, levels);
    if (bytes.byteLength <= cap || t.level !== undefined) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Too big: leave out the finest level in the tile, and again until it fits (one level always stays).
    const { rows } = await db.query<{ levels: number[] }>(
      `SELECT array_agg(DISTINCT c.level::int ORDER BY c.level::int) AS levels FROM cells c, ${BOUNDS} WHERE ${WHERE}`,
      [t.z, t.x, t.y, null, levels]);
    const present = rows[0]?.levels ?? [];
    if (present.length <= 1) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    levels = present.slice(0, -1);
  }
}
