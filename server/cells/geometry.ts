import type { MultiPolygon, Polygon } from 'geojson';
import type { Queryable } from '../db/db.ts';
import { invalid } from '../problem.ts';

export type CellGeometry = Polygon | MultiPolygon;

/** JSON schema for a Polygon or MultiPolygon: numbers only, so strings and nulls are a 400 with a field. */
export const geometrySchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['Polygon', 'MultiPolygon'] },
    coordinates: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'array' } },
  },
  required: ['type', 'coordinates'],
} as const;

const fmt = (p: number[]) => `[${p.join(', ')}]`;

function faultIn(detail: string, where: string, field: string) {
  const whose = field === 'geometry' ? '' : ` (${field})`;
  return invalid(`Invalid geometry${whose}: ${detail}`, { errors: [{ field: `${field}.${where}`, message: detail }] });
}

/**
 * Checks what PostGIS would either reject with a cryptic parse error or silently accept: ring
 * structure, closure, position count, finiteness and range. Names the polygon and ring at fault.
 */
export function checkStructure(g: CellGeometry, field = 'geometry'): void {
  const fault = (detail: string, where: string) => faultIn(detail, where, field);
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (!Array.isArray(polygons) || polygons.length === 0) throw fault('no polygons', 'coordinates');
  polygons.forEach((rings, pi) => {
    const at = g.type === 'Polygon' ? '' : `polygon ${pi}, `;
    if (!Array.isArray(rings) || rings.length === 0) throw fault(`${at}polygon has no rings`, 'coordinates');
    rings.forEach((ring, ri) => {
      const where = `${at}ring ${ri}`;
      if (!Array.isArray(ring)) throw fault(`${where} is not an array of positions`, 'coordinates');
      ring.forEach((p, i) => {
        if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((n) => typeof n === 'number')) {
          throw fault(`${where}, position ${i} must be [longitude, latitude] numbers`, 'coordinates');
        }
        if (!p.every(Number.isFinite)) throw fault(`${where}, position ${i} is not a finite number`, 'coordinates');
        const [lon, lat] = p as [number, number];
        if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
          throw fault(`${where}, position ${i} ${fmt(p)} is out of range (longitude −180…180, latitude −90…90; lon/lat order)`, 'coordinates');
        }
      });
      if (ring.length < 4) throw fault(`${where} has ${ring.length} positions; a ring needs at least 4`, 'coordinates');
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) throw fault(`${where} is not closed: it starts at ${fmt(first)} and ends at ${fmt(last)}`, 'coordinates');
    });
  });
}

/**
 * Validity by PostGIS (OGC rules: self-intersections, bow-ties, holes outside or nested in shells…),
 * with the reason and location ST_IsValidDetail gives.
 */
export async function checkValidity(q: Queryable, geojson: string, field = 'geometry'): Promise<void> {
  const fault = (detail: string, where: string) => faultIn(detail, where, field);
  const { rows } = await q.query<{ valid: boolean; reason: string | null; at: number[] | null; empty: boolean }>(
    `SELECT (d).valid, (d).reason, CASE WHEN (d).location IS NULL THEN NULL ELSE ARRAY[ST_X((d).location), ST_Y((d).location)] END AS at, empty
     FROM (SELECT ST_IsValidDetail(g) AS d, ST_IsEmpty(g) AS empty FROM (SELECT ST_GeomFromGeoJSON($1) AS g) x) y`, [geojson]);
  const r = rows[0]!;
  if (r.empty) throw fault('the geometry is empty', 'coordinates');
  if (!r.valid) {
    const at = r.at ? ` at ${fmt(r.at.map((n) => Math.round(n * 1e7) / 1e7))}` : '';
    throw fault(`${r.reason ?? 'not valid'}${at}`, 'coordinates');
  }
}

/** Area tolerance for "inside the parent": digitising noise below this is not a fault. */
export const CONTAINMENT_TOLERANCE_M2 = 1;

/** The part of the geometry outside the parent cell, if above the tolerance. */
export async function checkInsideParent(q: Queryable, geojson: string, parentId: number, which = 'The cell'): Promise<void> {
  const { rows } = await q.query<{ outside: number; at: number[] | null }>(
    `SELECT ST_Area(d::geography) AS outside,
            CASE WHEN ST_IsEmpty(d) THEN NULL ELSE ARRAY[ST_X(ST_PointOnSurface(d)), ST_Y(ST_PointOnSurface(d))] END AS at
     FROM (SELECT ST_Difference(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), p.geom) AS d FROM cells p WHERE p.id = $2) x`,
    [geojson, parentId]);
  const r = rows[0];
  // The parent exists (checked before); no row means the overlay itself failed (the embedded PostGIS can
  // drop the row instead of raising on a GEOS error). Never let that pass as "inside".
  if (!r || r.outside === null) {
    throw invalid('Could not check that the cell lies inside its parent: the geometry overlay failed. Simplify the outline near shared borders and try again.', {
      errors: [{ field: 'geometry', message: 'containment check failed' }],
    });
  }
  if (r.outside > CONTAINMENT_TOLERANCE_M2) {
    const near = r.at ? ` near ${fmt(r.at.map((n) => Math.round(n * 1e6) / 1e6))}` : '';
    throw invalid(`${which} is not inside its parent: ${r.outside.toFixed(1)} m² lie outside${near}`, {
      errors: [{ field: 'geometry', message: 'outside parent' }], outsideM2: r.outside,
    });
  }
}

/** All geometry checks, cheapest first. */
export async function checkGeometry(q: Queryable, g: CellGeometry, parentId: number | null): Promise<string> {
  checkStructure(g);
  const geojson = JSON.stringify(g);
  await checkValidity(q, geojson);
  if (parentId !== null) await checkInsideParent(q, geojson, parentId);
  return geojson;
}
