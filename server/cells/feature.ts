import type { MultiPolygon } from 'geojson';
import type { Cell } from '../../core/contracts/cells.ts';

export interface CellRow {
  id: number;
  code: string;
  name: string;
  level: number;
  parent_id: number | null;
  version: number;
  area_m2: number;
  geometry: MultiPolygon;
  updated_at: Date;
}

/**
 * The columns every cell read selects. Geometry leaves PostGIS as RFC 7946 GeoJSON: exterior rings
 * counter-clockwise, 7 decimals (about 1 cm); area is true area on the spheroid, in m².
 */
export const CELL_COLUMNS = `c.id, c.code, c.name, c.level, c.parent_id, c.version, c.updated_at,
  c.area_m2,
  ST_AsGeoJSON(ST_ForcePolygonCCW(c.geom), 7)::json AS geometry`;

export function toFeature(row: CellRow): Cell {
  return {
    type: 'Feature',
    id: row.id,
    geometry: row.geometry,
    properties: {
      code: row.code,
      name: row.name,
      level: row.level,
      parentId: row.parent_id,
      version: row.version,
      areaM2: Math.round(row.area_m2 * 100) / 100,
      updatedAt: new Date(row.updated_at).toISOString(),
    },
  };
}

/**
 * Rows whose geometry intersects a bbox (OGC API – Features: intersects, not envelopes). A bbox
 * with minLon > maxLon crosses the antimeridian: the band from minLon east across 180° to maxLon.
 */
export function bboxSql(geom: string, [a, b, x, y]: [number, number, number, number], params: unknown[]): string {
  const box = (w: number, e: number) => `ST_MakeEnvelope($${params.push(w)}, $${params.push(b)}, $${params.push(e)}, $${params.push(y)}, 4326)`;
  const hit = (env: string) => `(${geom} && ${env} AND ST_Intersects(${geom}, ${env}))`;
  return a <= x ? hit(box(a, x)) : `(${hit(box(a, 180))} OR ${hit(box(-180, x))})`;
}
