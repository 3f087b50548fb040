/**
 * Measuring on the WGS 84 ellipsoid.
 *
 * Overlays (both engines) are planar in longitude/latitude: an edge is a straight line in degrees.
 * A piece is measured as that same shape on the ellipsoid, not as the polygon whose edges are
 * geodesics through its vertices: otherwise a piece that is planar-thin, such as the sliver left
 * where noise moves a vertex 0.5 mm off a neighbour's 50 km border, measures as a lens as wide as
 * the geodesic's bulge (metres) and turns into a false fault. PostGIS measures the same way by
 * densifying the piece before its geography area (server/coverage/postgis.ts, areaSql).
 */
import type { Areal } from './definitions.ts';
import type { Position } from 'geojson';

const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);
const E = Math.sqrt(E2);
const B2 = A * A * (1 - E2);
const RAD = Math.PI / 180;

/** Meridional (M) and prime-vertical (N) radii of curvature at a latitude. */
function radii(latDeg: number): { m: number; n: number } {
  const s = Math.sin(latDeg * RAD);
  const w = 1 - E2 * s * s;
  return { m: (A * (1 - E2)) / (w * Math.sqrt(w)), n: A / Math.sqrt(w) };
}

/** Area of the ellipsoid between the equator and a latitude, per radian of longitude (m²). */
function zoneM2(latDeg: number): number {
  const s = Math.sin(latDeg * RAD);
  return B2 * (s / (2 * (1 - E2 * s * s)) + Math.atanh(E * s) / (2 * E));
}

export type Rings = Position[][];

export function ringBounds(rings: Rings): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const p of rings[0] ?? []) {
    const x = p[0]!, y = p[1]!;
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

/**
 * Area of a ring whose edges are straight in longitude/latitude: by Green's theorem, the sum over
 * its edges of Δλ times the mean, along the edge, of the zone area up to the edge (Simpson's rule,
 * exact to far below a square millimetre for edges of any length a cell has). Zones are taken
 * relative to the ring's first latitude, so nothing large cancels.
 */
function ringAreaM2(ring: Position[]): number {
  if (ring.length < 4) return 0;
  const z0 = zoneM2(ring[0]![1]!);
  let sum = 0;
  let zPrev = 0;
  for (let i = 1; i < ring.length; i++) {
    const p = ring[i - 1]!, q = ring[i]!;
    const zq = zoneM2(q[1]!) - z0;
    const zm = zoneM2((p[1]! + q[1]!) / 2) - z0;
    sum += (q[0]! - p[0]!) * RAD * ((zPrev + 4 * zm + zq) / 6);
    zPrev = zq;
  }
  return Math.abs(sum);
}

/** Area in m² of a polygon (outer ring less its holes). */
export function polygonAreaM2(rings: Rings): number {
  if (!rings.length) return 0;
  let a = ringAreaM2(rings[0]!);
  for (let i = 1; i < rings.length; i++) a -= ringAreaM2(rings[i]!);
  return Math.max(0, a);
}

/** Length of all rings in metres, segment by segment on the local ellipsoid. */
export function polygonPerimeterM(rings: Rings): number {
  let len = 0;
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) len += segmentM(ring[i - 1]!, ring[i]!);
  }
  return len;
}

/** Length in metres of a segment straight in longitude/latitude. */
export function segmentM(p: Position, q: Position): number {
  const { m, n } = radii((p[1]! + q[1]!) / 2);
  const dx = (q[0]! - p[0]!) * RAD * n * Math.cos(((p[1]! + q[1]!) / 2) * RAD);
  const dy = (q[1]! - p[1]!) * RAD * m;
  return Math.hypot(dx, dy);
}

export function areaM2(g: Areal): number {
  return polygonsOf(g).reduce((s, rings) => s + polygonAreaM2(rings), 0);
}

export function polygonsOf(g: Areal | null | undefined): Rings[] {
  if (!g) return [];
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}
