import geojsonvt from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { Queryable } from '../db/db.ts';

export const EXTENT = 4096;
export const BUFFER = 64;
export const LAYER = 'cells';

export interface TileRequest {
  z: number;
  x: number;
  y: number;
  /** Only cells of this level; all levels when absent. */
  level?: number;
}

/** 'postgis' encodes with ST_AsMVT; 'node' clips in PostGIS and encodes with geojson-vt (PGlite has no protobuf). */
export type TileEncoder = 'postgis' | 'node';

/**
 * The tile envelope in EPSG:3857, widened by the buffer and cut to the world, so that at low zoom
 * the margin never crosses the antimeridian (it would wrap to the far side in EPSG:4326).
 */
const BOUNDS = `(SELECT ST_TileEnvelope($1, $2, $3) AS tile,
  ST_Transform(ST_ClipByBox2D(ST_TileEnvelope($1, $2, $3, margin => ${BUFFER / EXTENT}), ST_TileEnvelope(0, 0, 0)), 4326) AS wide) b`;

// The properties of GET /api/cells (without updatedAt); areaM2 of the whole cell, not its clipped part.
const PROPERTIES = `c.code, c.name, c.level::int AS level, c.parent_id AS "parentId", c.version,
  round(ST_Area(c.geom::geography)::numeric, 2)::float8 AS "areaM2"`;

const WHERE = `c.geom && b.wide AND ($4::int IS NULL OR c.level = $4)`;

async function encodeWithPostgis(db: Queryable, t: TileRequest): Promise<Uint8Array> {
  // ST_AsMVTGeom snaps to the tile's integer grid and drops repeated and collinear points, so the
  // detail kept follows the zoom: a tile unit is 1/4096 of the tile at every zoom.
  const { rows } = await db.query<{ mvt: Uint8Array | null }>(
    `SELECT ST_AsMVT(f, '${LAYER}', ${EXTENT}, 'geom', 'id') AS mvt FROM (
       SELECT c.id, ${PROPERTIES}, ST_AsMVTGeom(ST_Transform(c.geom, 3857), b.tile, ${EXTENT}, ${BUFFER}, true) AS geom
       FROM cells c, ${BOUNDS} WHERE ${WHERE} ORDER BY c.level, c.id
     ) f WHERE f.geom IS NOT NULL`,
    [t.z, t.x, t.y, t.level ?? null],
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

async function encodeInNode(db: Queryable, t: TileRequest): Promise<Uint8Array> {
  // Clipping in PostGIS first keeps a big cell (a whole district) from shipping all its vertices.
  const { rows } = await db.query<ClippedRow>(
    `SELECT c.id, ${PROPERTIES}, ST_AsGeoJSON(ST_ClipByBox2D(c.geom, b.wide))::json AS geometry
     FROM cells c, ${BOUNDS} WHERE ${WHERE} ORDER BY c.level, c.id`,
    [t.z, t.x, t.y, t.level ?? null],
  );
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
    // Half a tile unit, the rounding of ST_AsMVTGeom's grid snap; only rings under a quarter unit²
    // are dropped (a 5 m building is 5 units wide at zoom 13).
    tolerance: 0.5,
    extent: EXTENT,
    buffer: BUFFER,
  }).getTile(t.z, t.x, t.y);
  if (!tile || tile.features.length === 0) return new Uint8Array();
  return fromGeojsonVt({ [LAYER]: tile }, { version: 2, extent: EXTENT });
}

/** The cells tile z/x/y as a Mapbox Vector Tile; empty (zero bytes) when no cell touches it. */
export async function encodeCellsTile(db: Queryable, t: TileRequest, encoder: TileEncoder): Promise<Buffer> {
  const bytes = encoder === 'postgis' ? await encodeWithPostgis(db, t) : await encodeInNode(db, t);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
