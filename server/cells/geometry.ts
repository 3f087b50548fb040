import type { MultiPolygon, Polygon } from 'geojson';
import type { Queryable } from '../db/db.ts';
import { Problem, problem } from '../problem.ts';
import type { ProblemParam } from '../../core/problems/index.ts';

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
  return problem('cells.geometry-invalid', { whose, reason: detail }, { errors: [{ field: `${field}.${where}`, message: detail }] });
}

/** Stored and exported coordinates keep 7 decimals (about 1 cm): the grid cells are snapped to. */
export const SNAP_GRID_DEG = 1e-7;

/**
 * The first edge spanning more than 180° of longitude: a polygon crossing the antimeridian written
 * in -180…180 (RFC 7946 §3.1.9 asks for it to be cut at 180° instead). Null when there is none.
 */
export function antimeridianEdge(g: CellGeometry): [number[], number[]] | null {
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        if (Math.abs(ring[i]![0]! - ring[i - 1]![0]!) > 180) return [ring[i - 1]!, ring[i]!];
      }
    }
  }
  return null;
}

const crossing = (edge: [number[], number[]]) => problem('cells.crosses-antimeridian', { from: fmt(edge[0]), to: fmt(edge[1]) }, { errors: [{ field: 'geometry.coordinates', message: 'crosses the antimeridian' }] });

/** GEOS's "Antipodal (180 degrees long) edge detected!" as the 422 it is, with the edge when known. */
export function geographyProblem(e: unknown, g?: CellGeometry): Problem | null {
  if (!/antipodal/i.test((e as Error)?.message ?? '')) return null;
  const edge = g ? longestEdge(g) : null;
  return problem('cells.antipodal-edge', { from: edge ? fmt(edge[0]) : '?', to: edge ? fmt(edge[1]) : '?' }, { errors: [{ field: 'geometry.coordinates', message: 'antipodal edge' }] });
}

function longestEdge(g: CellGeometry): [number[], number[]] | null {
  let best: [number[], number[]] | null = null;
  let len = -1;
  for (const rings of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        const d = Math.abs(ring[i]![0]! - ring[i - 1]![0]!) + Math.abs(ring[i]![1]! - ring[i - 1]![1]!);
        if (d > len) [len, best] = [d, [ring[i - 1]!, ring[i]!]];
      }
    }
  }
  return best;
}

/**
 * Checks what PostGIS would either reject with a cryptic parse error or silently accept: ring
 * structure, closure, position count, finiteness and range, and edges across the antimeridian.
 * Names the polygon and ring at fault.
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
  const edge = antimeridianEdge(g);
  if (edge) throw crossing(edge);
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
  if (r.empty) throw problem('cells.geometry-empty', {}, { errors: [{ field: `${field}.coordinates`, message: 'the geometry is empty' }] });
  if (!r.valid) {
    const at = r.at ? ` at ${fmt(r.at.map((n) => Math.round(n * 1e7) / 1e7))}` : '';
    throw fault(`${r.reason ?? 'not valid'}${at}`, 'coordinates');
  }
}

/** Area tolerance for "inside the parent": digitising noise below this is not a fault. */
export const CONTAINMENT_TOLERANCE_M2 = 1;

export type Outside = { outsideM2: number; at: number[] | null } | { outsideM2: null; at: null };

/**
 * How much of a geometry lies outside a parent (cell_outside in migration 009: both snapped to
 * the stored precision, fixed-precision overlay, slivers of rounding left out, ST_CoveredBy when
 * the overlay fails). Null when inside; outsideM2 null when outside but not measurable.
 */
export async function measureOutside(q: Queryable, geojson: string, parent: { id: number } | { geojson: string }): Promise<Outside | null> {
  const { rows } = await q.query<{ outside_m2: number | null; at_lon: number | null; at_lat: number | null; measured: boolean | null }>(
    `SELECT (o).* FROM (SELECT cell_outside(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326),
       COALESCE(ST_SetSRID(ST_GeomFromGeoJSON($2::text), 4326), (SELECT geom FROM cells WHERE id = $3))) AS o) x`,
    [geojson, 'geojson' in parent ? parent.geojson : null, 'id' in parent ? parent.id : null]);
  const r = rows[0];
  if (!r || !r.measured) return { outsideM2: null, at: null };
  if (r.outside_m2 === null || r.outside_m2 <= CONTAINMENT_TOLERANCE_M2) return null;
  return { outsideM2: r.outside_m2, at: r.at_lon === null ? null : [r.at_lon, r.at_lat!] };
}

export const fmtArea = (m2: number) => (m2 >= 1e6 ? `${(m2 / 1e6).toFixed(2)} km²` : `${m2.toFixed(1)} m²`);
export const fmtAt = (at: number[] | null) => (at ? fmt(at.map((n) => Math.round(n * 1e6) / 1e6)) : '?');

/** The part of the geometry outside the parent cell, if above the tolerance. */
export async function checkInsideParent(q: Queryable, geojson: string, parentId: number, which: ProblemParam = { zh: '该网格', en: 'The cell' }): Promise<void> {
  const o = await measureOutside(q, geojson, { id: parentId });
  if (!o) return;
  const errors = [{ field: 'geometry', message: 'outside parent' }];
  if (o.outsideM2 === null) throw problem('cells.outside-parent-unmeasured', { which }, { errors });
  throw problem('cells.outside-parent', { which, area: `${o.outsideM2.toFixed(1)} m²`, at: fmtAt(o.at) }, { errors, outsideM2: o.outsideM2 });
}

/** All geometry checks, cheapest first. */
export async function checkGeometry(q: Queryable, g: CellGeometry, parentId: number | null): Promise<string> {
  checkStructure(g);
  const geojson = JSON.stringify(g);
  await checkValidity(q, geojson);
  if (parentId !== null) await checkInsideParent(q, geojson, parentId);
  return geojson;
}
