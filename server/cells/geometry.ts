import type { MultiPolygon, Polygon } from 'geojson';
import type { Queryable } from '../db/db.ts';
import { Problem, problem, problemOf } from '../problem.ts';
import type { ProblemParam } from '../../core/problems/index.ts';
import { faultReason, geosFault, type GeometryFault } from '../../core/problems/geos.ts';

export type CellGeometry = Polygon | MultiPolygon;

/** JSON schema for a Polygon or MultiPolygon: numbers only, so strings and nulls are a 400 with a field. */
export { geometrySchema } from '../../core/contracts/cells.ts';

const fmt = (p: number[]) => `[${p.join(', ')}]`;

/**
 * A geometry fault as a 422 with its code and parameters; the field's message is the English text
 * after "Invalid geometry: ", as PostGIS or the structure check names the fault.
 */
function faultIn(fault: GeometryFault, field: string) {
  const params = { ...fault.params, whose: field === 'geometry' ? '' : ` (${field})` };
  return problemOf(fault.code, params, { errors: [{ field: `${field}.coordinates`, message: faultReason(fault) }] });
}

/**
 * Where in the coordinates a structure fault is, in both languages. English counts from 0 as the
 * JSON does ("polygon 1, ring 0, position 3"); Chinese names the parts a planner sees ("第 2 部分的外边界的第 4 个顶点").
 */
function placeOf(multi: boolean, polygon: number, ring?: number, pos?: number): { en: string; zh: string } {
  let en = multi ? `polygon ${polygon}` : '';
  let zh = multi ? `第 ${polygon + 1} 部分` : '';
  if (ring !== undefined) {
    en += `${en ? ', ' : ''}ring ${ring}`;
    zh += `${zh ? '的' : ''}${ring === 0 ? '外边界' : `第 ${ring} 个内洞`}`;
  }
  if (pos !== undefined) {
    en += `, position ${pos}`;
    zh += `的第 ${pos + 1} 个顶点`;
  }
  return { en, zh };
}

/** Stored and exported coordinates keep 7 decimals (about 1 cm): the grid cells are snapped to. */
export const SNAP_GRID_DEG = 1e-7;

/**
 * The geometry with its coordinates rounded to the stored 7 decimals (and only lon, lat kept), for
 * answers that show an outline rather than store it: about half the characters of a file's usual
 * 15 decimals, and the outline as it would be stored.
 */
export function toStoredPrecision(g: CellGeometry): CellGeometry {
  const k = Math.round(1 / SNAP_GRID_DEG);
  // Divided by the power of ten, the nearest double to the 7-decimal number: printed with 7 decimals at most.
  const round = (ring: number[][]) => ring.map((p) => [Math.round(p[0]! * k) / k, Math.round(p[1]! * k) / k]);
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: g.coordinates.map(round) }
    : { type: 'MultiPolygon', coordinates: g.coordinates.map((rings) => rings.map(round)) };
}

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
  const fault = (code: GeometryFault['code'], params: Record<string, ProblemParam>) => faultIn({ code, params }, field);
  const polygons = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  const multi = g.type !== 'Polygon';
  if (!Array.isArray(polygons) || polygons.length === 0) throw fault('cells.geometry-no-polygons', {});
  polygons.forEach((rings, pi) => {
    if (!Array.isArray(rings) || rings.length === 0) {
      const part = placeOf(multi, pi);
      throw fault('cells.geometry-no-rings', { part: multi ? { en: `${part.en}, `, zh: part.zh } : { en: '', zh: '多边形' } });
    }
    rings.forEach((ring, ri) => {
      const place = placeOf(multi, pi, ri);
      if (!Array.isArray(ring)) throw fault('cells.geometry-ring-not-array', { place });
      ring.forEach((p, i) => {
        // The place is named only for a fault: made for every vertex, it was most of an import's checking time.
        const vertex = () => placeOf(multi, pi, ri, i);
        if (!Array.isArray(p) || p.length < 2 || p.length > 3 || !p.every((n) => typeof n === 'number')) {
          throw fault('cells.geometry-position-not-numbers', { place: vertex() });
        }
        if (!p.every(Number.isFinite)) throw fault('cells.geometry-position-not-finite', { place: vertex() });
        const [lon, lat] = p as [number, number];
        if (lon < -180 || lon > 180 || lat < -90 || lat > 90) throw fault('cells.geometry-position-out-of-range', { place: vertex(), position: fmt(p) });
      });
      if (ring.length < 4) throw fault('cells.geometry-ring-too-short', { place, count: ring.length });
      const first = ring[0]!;
      const last = ring[ring.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) throw fault('cells.geometry-ring-not-closed', { place, from: fmt(first), to: fmt(last) });
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
  const { rows } = await q.query<{ valid: boolean; reason: string | null; at: number[] | null; empty: boolean }>(
    `SELECT (d).valid, (d).reason, CASE WHEN (d).location IS NULL THEN NULL ELSE ARRAY[ST_X((d).location), ST_Y((d).location)] END AS at, empty
     FROM (SELECT ST_IsValidDetail(g) AS d, ST_IsEmpty(g) AS empty FROM (SELECT ST_GeomFromGeoJSON($1) AS g) x) y`, [geojson]);
  const r = rows[0]!;
  if (r.empty) throw problem('cells.geometry-empty', {}, { errors: [{ field: `${field}.coordinates`, message: 'the geometry is empty' }] });
  if (!r.valid) throw faultIn(geosFault(r.reason, r.at), field);
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
