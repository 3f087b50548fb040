/**
 * Seamless coverage (无缝对接、全面覆盖), computed with Turf in the browser or in Node.
 *
 * Definitions, shared with the PostGIS engine (server/coverage/postgis.ts), which is the authority;
 * both hand their raw pieces to assembleReport() below, so classification, sorting and ratios are
 * the same code on both sides:
 * - a piece is one connected polygon of a fault;
 * - overlap: a piece of the intersection of two cells with the same parent;
 * - gap: a piece of the parent that the union of its children does not cover; a parent with no
 *   children is "not subdivided", not a gap;
 * - stray: a piece of a child outside its parent;
 * - tolerance: pieces smaller than minAreaM2 (default 1 m²), or narrower than sliverWidthM when it
 *   is given, are slivers (digitising noise), reported apart from the faults. Width is 2·area /
 *   perimeter: the width of a long thin strip, computable the same way in both engines;
 * - pieces below NEGLIGIBLE_AREA_M2 or NEGLIGIBLE_WIDTH_M are floating-point residue of overlay
 *   operations and are not reported at all.
 *
 * Pure TypeScript: no DOM, no React, so the map panel, the drawing tools and Node tests share it.
 */
import Flatbush from 'flatbush';
// The four Turf modules it needs, not @turf/turf: the whole library costs the server seconds at start.
import { difference } from '@turf/difference';
import { featureCollection } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import { union } from '@turf/union';
import { geosFault, type GeometryFault } from '../problems/geos.ts';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';

export type Areal = Polygon | MultiPolygon;

export interface CoverageTolerance {
  /** Pieces below this area are slivers, not faults. */
  minAreaM2: number;
  /** Pieces narrower than this (2·area/perimeter) are slivers too. */
  sliverWidthM?: number | null;
}

export const DEFAULT_MIN_AREA_M2 = 1;
/** Overlay residue: pieces this small are artefacts of floating-point arithmetic, not ground. */
export const NEGLIGIBLE_AREA_M2 = 1e-4;
export const NEGLIGIBLE_WIDTH_M = 1e-4;
/** A child borders a gap when they share at least this length of boundary (a point is not a border). */
export const MIN_BORDER_M = 0.01;
/** Distance, in degrees (about 1 mm), within which a gap edge counts as lying on a cell's boundary. */
export const ON_BOUNDARY_DEG = 1e-8;

export interface CoverageCell {
  id: number;
  geometry: Areal;
}

interface PieceBase {
  areaM2: number;
  perimeterM: number;
  geometry: Polygon;
}
/** A raw fault piece, before classification: what each engine computes. */
export type Piece =
  | (PieceBase & { kind: 'overlap'; a: number; b: number })
  | (PieceBase & { kind: 'gap'; neighbours: number[] })
  | (PieceBase & { kind: 'stray'; cellId: number });

export interface OverlapFault { a: number; b: number; areaM2: number; widthM: number; geometry: Polygon }
export interface GapFault { areaM2: number; widthM: number; geometry: Polygon; neighbours: number[] }
export interface StrayFault { cellId: number; areaM2: number; widthM: number; geometry: Polygon }
export type Sliver =
  | { kind: 'overlap'; a: number; b: number; areaM2: number; widthM: number; geometry: Polygon }
  | { kind: 'gap'; neighbours: number[]; areaM2: number; widthM: number; geometry: Polygon }
  | { kind: 'stray'; cellId: number; areaM2: number; widthM: number; geometry: Polygon };
/** A cell GEOS (or this engine, in its words) finds invalid: the reason as said, and its catalog code to show. */
export interface InvalidCell { cellId: number; reason: string; code: GeometryFault['code']; params: GeometryFault['params'] }

export interface CoverageReport {
  parentId: number;
  /** The parent has no children: nothing to check, and not a gap. */
  notSubdivided: boolean;
  childCount: number;
  parentAreaM2: number;
  /** Share of the parent covered by its children; null when not subdivided. */
  coveredRatio: number | null;
  overlaps: OverlapFault[];
  gaps: GapFault[];
  strays: StrayFault[];
  slivers: Sliver[];
  /** Cells (parent or children) that are not valid OGC geometry; analysed as made valid. */
  invalid: InvalidCell[];
}

export const widthOf = (areaM2: number, perimeterM: number) => (perimeterM > 0 ? (2 * areaM2) / perimeterM : 0);

export function isNegligible(areaM2: number, widthM: number): boolean {
  return areaM2 < NEGLIGIBLE_AREA_M2 || widthM < NEGLIGIBLE_WIDTH_M;
}

export function isSliver(areaM2: number, widthM: number, tol: CoverageTolerance): boolean {
  return areaM2 < tol.minAreaM2 || (tol.sliverWidthM != null && widthM < tol.sliverWidthM);
}

const byArea = (x: { areaM2: number }, y: { areaM2: number }) => y.areaM2 - x.areaM2;

/** Classifies raw pieces into faults and slivers; sorted by area, largest first. */
export function assembleReport(
  parentId: number,
  parentAreaM2: number,
  childCount: number,
  pieces: Piece[],
  invalid: InvalidCell[],
  tol: CoverageTolerance,
): CoverageReport {
  const report: CoverageReport = {
    parentId, notSubdivided: childCount === 0, childCount, parentAreaM2, coveredRatio: null,
    overlaps: [], gaps: [], strays: [], slivers: [], invalid: [...invalid].sort((x, y) => x.cellId - y.cellId),
  };
  if (childCount === 0) return report;
  let gapArea = 0;
  for (const p of pieces) {
    if (p.kind === 'gap') gapArea += p.areaM2;
    const widthM = widthOf(p.areaM2, p.perimeterM);
    if (isNegligible(p.areaM2, widthM)) continue;
    const { areaM2, geometry } = p;
    const sliver = isSliver(areaM2, widthM, tol);
    if (p.kind === 'overlap') {
      const item = { a: p.a, b: p.b, areaM2, widthM, geometry };
      if (sliver) report.slivers.push({ kind: 'overlap', ...item });
      else report.overlaps.push(item);
    } else if (p.kind === 'gap') {
      const item = { areaM2, widthM, geometry, neighbours: p.neighbours };
      if (sliver) report.slivers.push({ kind: 'gap', ...item });
      else report.gaps.push(item);
    } else {
      const item = { cellId: p.cellId, areaM2, widthM, geometry };
      if (sliver) report.slivers.push({ kind: 'stray', ...item });
      else report.strays.push(item);
    }
  }
  for (const list of [report.overlaps, report.gaps, report.strays, report.slivers]) list.sort(byArea);
  report.coveredRatio = parentAreaM2 > 0 ? Math.min(1, Math.max(0, (parentAreaM2 - gapArea) / parentAreaM2)) : 0;
  return report;
}

export interface CoverageSummary {
  parents: number;
  subdivided: number;
  notSubdivided: number;
  overlaps: number;
  gaps: number;
  strays: number;
  slivers: number;
  invalid: number;
  overlapAreaM2: number;
  gapAreaM2: number;
  strayAreaM2: number;
  /** Area-weighted over the subdivided parents; null when none is. */
  coveredRatio: number | null;
}

export function summarise(reports: CoverageReport[]): CoverageSummary {
  const sum = (xs: { areaM2: number }[]) => xs.reduce((s, x) => s + x.areaM2, 0);
  const sub = reports.filter((r) => !r.notSubdivided);
  const total = sub.reduce((s, r) => s + r.parentAreaM2, 0);
  const covered = sub.reduce((s, r) => s + r.parentAreaM2 * (r.coveredRatio ?? 0), 0);
  return {
    parents: reports.length,
    subdivided: sub.length,
    notSubdivided: reports.length - sub.length,
    overlaps: reports.reduce((s, r) => s + r.overlaps.length, 0),
    gaps: reports.reduce((s, r) => s + r.gaps.length, 0),
    strays: reports.reduce((s, r) => s + r.strays.length, 0),
    slivers: reports.reduce((s, r) => s + r.slivers.length, 0),
    invalid: reports.reduce((s, r) => s + r.invalid.length, 0),
    overlapAreaM2: reports.reduce((s, r) => s + sum(r.overlaps), 0),
    gapAreaM2: reports.reduce((s, r) => s + sum(r.gaps), 0),
    strayAreaM2: reports.reduce((s, r) => s + sum(r.strays), 0),
    coveredRatio: total > 0 ? covered / total : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring on the WGS 84 ellipsoid.
//
// Overlays (both engines) are planar in longitude/latitude: an edge is a straight line in degrees.
// A piece is measured as that same shape on the ellipsoid, not as the polygon whose edges are
// geodesics through its vertices: otherwise a piece that is planar-thin, such as the sliver left
// where noise moves a vertex 0.5 mm off a neighbour's 50 km border, measures as a lens as wide as
// the geodesic's bulge (metres) and turns into a false fault. PostGIS measures the same way by
// densifying the piece before its geography area (server/coverage/postgis.ts, areaSql).

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

type Rings = Position[][];

function ringBounds(rings: Rings): [number, number, number, number] {
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

function segmentM(p: Position, q: Position): number {
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

// ---------------------------------------------------------------------------------------------
// Validity (the OGC rules PostGIS applies, in the cases that matter for drawn and imported cells).

type Pt = [number, number];
const orient = (a: Pt, b: Pt, c: Pt) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
const onSeg = (a: Pt, b: Pt, p: Pt) =>
  Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);

/** 0: disjoint; 1: touch at an endpoint; 2: proper crossing or collinear overlap. */
function segRelation(a: Pt, b: Pt, c: Pt, d: Pt): 0 | 1 | 2 {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 === 0 && o2 === 0) {
    // Collinear: overlapping by more than a point is a fault.
    const inner = [c, d].filter((p) => onSeg(a, b, p)).length + [a, b].filter((p) => onSeg(c, d, p)).length;
    if (inner === 0) return 0;
    const shared = (a[0] === c[0] && a[1] === c[1]) || (a[0] === d[0] && a[1] === d[1]) || (b[0] === c[0] && b[1] === c[1]) || (b[0] === d[0] && b[1] === d[1]);
    return shared && inner <= 2 ? 1 : 2;
  }
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return 2;
  if ((o1 === 0 && onSeg(a, b, c)) || (o2 === 0 && onSeg(a, b, d)) || (o3 === 0 && onSeg(c, d, a)) || (o4 === 0 && onSeg(c, d, b))) return 1;
  return 0;
}

/** Why a polygon or multipolygon is not valid, or null when it is. */
export function invalidReason(g: Areal): string | null {
  const segs: { a: Pt; b: Pt; ring: number; i: number; n: number }[] = [];
  let ringNo = 0;
  for (const rings of polygonsOf(g)) {
    for (const ring of rings) {
      if (ring.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) return 'Invalid Coordinate';
      const pts: Pt[] = [];
      for (const p of ring) {
        const q: Pt = [p[0]!, p[1]!];
        const last = pts[pts.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) pts.push(q);
      }
      if (pts.length < 4) return 'Too few points in geometry component';
      const first = pts[0]!, last = pts[pts.length - 1]!;
      if (first[0] !== last[0] || first[1] !== last[1]) return 'Ring is not closed';
      const n = pts.length - 1;
      for (let i = 0; i < n; i++) segs.push({ a: pts[i]!, b: pts[i + 1]!, ring: ringNo, i, n });
      ringNo++;
    }
  }
  if (segs.length === 0) return 'Empty geometry';
  const index = new Flatbush(segs.length);
  for (const s of segs) index.add(Math.min(s.a[0], s.b[0]), Math.min(s.a[1], s.b[1]), Math.max(s.a[0], s.b[0]), Math.max(s.a[1], s.b[1]));
  index.finish();
  for (let k = 0; k < segs.length; k++) {
    const s = segs[k]!;
    for (const j of index.search(Math.min(s.a[0], s.b[0]), Math.min(s.a[1], s.b[1]), Math.max(s.a[0], s.b[0]), Math.max(s.a[1], s.b[1]))) {
      if (j <= k) continue;
      const t = segs[j]!;
      const rel = segRelation(s.a, s.b, t.a, t.b);
      if (rel === 0) continue;
      if (s.ring === t.ring) {
        const adjacent = Math.abs(s.i - t.i) === 1 || Math.abs(s.i - t.i) === s.n - 1;
        // Neighbouring segments share a vertex; only folding back onto each other (a spike) is wrong.
        if (adjacent && rel === 1) continue;
        return 'Self-intersection';
      }
      // Rings may touch at a point, never cross or share an edge.
      if (rel === 2) return 'Self-intersection';
    }
  }
  return null;
}

/** Resolves self-intersections the way ST_MakeValid does for the usual faults (bow-ties, overlapping parts). */
function makeValid(g: Areal): Areal | null {
  const usable = polygonsOf(g)
    .map((rings) => rings.filter((r) => r.length >= 4))
    .filter((rings) => rings.length > 0);
  if (!usable.length) return null;
  const f: Feature<MultiPolygon> = { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: usable } };
  return union(featureCollection([f, f]))?.geometry ?? null;
}

// ---------------------------------------------------------------------------------------------
// The analysis.

const asFeature = (g: Areal): Feature<Areal> => ({ type: 'Feature', properties: {}, geometry: g });

function piecesOf(g: Areal | null | undefined): Polygon[] {
  return polygonsOf(g).map((coordinates) => ({ type: 'Polygon', coordinates }));
}

function measure(p: Polygon) {
  return { areaM2: polygonAreaM2(p.coordinates), perimeterM: polygonPerimeterM(p.coordinates), geometry: p };
}

function boundsOf(g: Areal): [number, number, number, number] {
  let b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const rings of polygonsOf(g)) {
    const r = ringBounds(rings);
    b = [Math.min(b[0], r[0]), Math.min(b[1], r[1]), Math.max(b[2], r[2]), Math.max(b[3], r[3])];
  }
  return b;
}

/** A spatial index over cells, built once and reused (e.g. on every frame while drawing). */
export class CellIndex {
  readonly cells: CoverageCell[];
  readonly bounds: [number, number, number, number][];
  private readonly index: Flatbush | null;

  constructor(cells: CoverageCell[]) {
    this.cells = cells;
    this.bounds = cells.map((c) => boundsOf(c.geometry));
    this.index = cells.length ? new Flatbush(cells.length) : null;
    if (this.index) {
      for (const b of this.bounds) this.index.add(b[0], b[1], b[2], b[3]);
      this.index.finish();
    }
  }

  /** Indices of cells whose bounding box meets the box (grown by pad degrees). */
  near(b: [number, number, number, number], pad = 0): number[] {
    return this.index ? this.index.search(b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad) : [];
  }
}

function distToSeg(p: Pt, a: Pt, b: Pt): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

function onBoundary(p: Pt, g: Areal): boolean {
  for (const rings of polygonsOf(g)) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        if (distToSeg(p, ring[i - 1] as Pt, ring[i] as Pt) <= ON_BOUNDARY_DEG) return true;
      }
    }
  }
  return false;
}

/** Cells bordering a piece, longest shared border first (at least MIN_BORDER_M of it). */
export function bordering(piece: Polygon, cells: CellIndex): number[] {
  const shared = new Map<number, number>();
  const candidates = cells.near(boundsOf(piece), ON_BOUNDARY_DEG);
  for (const ring of piece.coordinates) {
    for (let i = 1; i < ring.length; i++) {
      const a = ring[i - 1] as Pt, b = ring[i] as Pt;
      const mid: Pt = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
      const segBox: [number, number, number, number] = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
      for (const k of candidates) {
        const cb = cells.bounds[k]!;
        if (cb[0] > segBox[2] + ON_BOUNDARY_DEG || cb[2] < segBox[0] - ON_BOUNDARY_DEG || cb[1] > segBox[3] + ON_BOUNDARY_DEG || cb[3] < segBox[1] - ON_BOUNDARY_DEG) continue;
        const cell = cells.cells[k]!;
        if (onBoundary(a, cell.geometry) && onBoundary(b, cell.geometry) && onBoundary(mid, cell.geometry)) {
          shared.set(cell.id, (shared.get(cell.id) ?? 0) + segmentM(a, b));
        }
      }
    }
  }
  return [...shared].filter(([, m]) => m >= MIN_BORDER_M).sort((x, y) => y[1] - x[1] || x[0] - y[0]).map(([id]) => id);
}

function clipToBox(g: Areal, b: [number, number, number, number]): Areal | null {
  // Keep only the parent's polygons near the child: differences against a whole district are slow.
  const near = polygonsOf(g).filter((rings) => {
    const r = ringBounds(rings);
    return !(r[0] > b[2] || r[2] < b[0] || r[1] > b[3] || r[3] < b[1]);
  });
  return near.length ? { type: 'MultiPolygon', coordinates: near } : null;
}

export interface ParentInput {
  id: number;
  geometry: Areal;
}

/** Reads cells from features: the id is feature.id, or properties.id. */
export function cellsFrom(fc: FeatureCollection<Areal> | Feature<Areal>[]): CoverageCell[] {
  const features = Array.isArray(fc) ? fc : fc.features;
  return features.map((f) => {
    const id = Number(f.id ?? (f.properties as { id?: unknown } | null)?.id);
    if (!Number.isFinite(id)) throw new Error('Every cell needs a numeric id (feature.id or properties.id)');
    return { id, geometry: f.geometry };
  });
}

/**
 * The coverage of one parent by its children: overlaps between siblings, gaps in the parent,
 * strays outside it, slivers; the same report the server gives for GET /api/coverage?parentId=.
 */
export function analyseCoverage(
  parent: ParentInput | Feature<Areal>,
  children: FeatureCollection<Areal> | Feature<Areal>[] | CoverageCell[],
  tolerance: Partial<CoverageTolerance> = {},
): CoverageReport {
  const tol: CoverageTolerance = { minAreaM2: tolerance.minAreaM2 ?? DEFAULT_MIN_AREA_M2, sliverWidthM: tolerance.sliverWidthM ?? null };
  const p: ParentInput = 'type' in parent && parent.type === 'Feature' ? cellsFrom([parent])[0]! : (parent as ParentInput);
  const raw: CoverageCell[] = Array.isArray(children) && (children.length === 0 || !('type' in children[0]!))
    ? (children as CoverageCell[])
    : cellsFrom(children as FeatureCollection<Areal> | Feature<Areal>[]);

  const invalid: InvalidCell[] = [];
  const fix = (c: CoverageCell): CoverageCell | null => {
    const reason = invalidReason(c.geometry);
    if (!reason) return c;
    invalid.push({ cellId: c.id, reason, ...geosFault(reason, null) });
    const g = makeValid(c.geometry);
    return g ? { id: c.id, geometry: g } : null;
  };
  const parentCell = fix(p);
  const kids = raw.map(fix).filter((c): c is CoverageCell => c !== null);
  const parentGeom = parentCell?.geometry ?? null;
  const parentAreaM2 = parentGeom ? areaM2(parentGeom) : 0;
  if (!raw.length) return assembleReport(p.id, parentAreaM2, 0, [], invalid, tol);

  const index = new CellIndex(kids);
  const pieces: Piece[] = [];

  for (let i = 0; i < kids.length; i++) {
    const a = kids[i]!;
    for (const j of index.near(index.bounds[i]!)) {
      if (j <= i) continue;
      const b = kids[j]!;
      const x = intersect(featureCollection([asFeature(a.geometry), asFeature(b.geometry)]));
      const [lo, hi] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
      for (const poly of piecesOf(x?.geometry)) pieces.push({ kind: 'overlap', a: lo, b: hi, ...measure(poly) });
    }
  }

  if (parentGeom) {
    const covered = kids.length > 1 ? union(featureCollection(kids.map((k) => asFeature(k.geometry))))?.geometry : kids[0]?.geometry;
    const gapGeom = covered ? difference(featureCollection([asFeature(parentGeom), asFeature(covered)]))?.geometry : parentGeom;
    for (const poly of piecesOf(gapGeom)) {
      const m = measure(poly);
      const neighbours = isNegligible(m.areaM2, widthOf(m.areaM2, m.perimeterM)) ? [] : bordering(poly, index);
      pieces.push({ kind: 'gap', neighbours, ...m });
    }
    // Only children near what the union has outside the parent can stray: most cells of a clean
    // level are skipped, and each of the rest is cut against the parent itself (one overlay, not
    // two chained, so no piece is a by-product of rounding in the first).
    const outside = covered ? difference(featureCollection([asFeature(covered), asFeature(parentGeom)]))?.geometry : null;
    const suspects = new Set(piecesOf(outside).flatMap((poly) => index.near(boundsOf(poly), ON_BOUNDARY_DEG)));
    for (let i = 0; i < kids.length; i++) {
      if (covered && !suspects.has(i)) continue;
      const c = kids[i]!;
      const b = index.bounds[i]!;
      const near = clipToBox(parentGeom, b);
      const out = near ? difference(featureCollection([asFeature(c.geometry), asFeature(near)]))?.geometry : c.geometry;
      for (const poly of piecesOf(out)) pieces.push({ kind: 'stray', cellId: c.id, ...measure(poly) });
    }
  }
  return assembleReport(p.id, parentAreaM2, raw.length, pieces, invalid, tol);
}

export interface DrawingFeedback {
  /** Area of the drawn shape. */
  areaM2: number;
  /** What the drawn shape takes from each sibling, largest first (only above the tolerance). */
  overlaps: { cellId: number; areaM2: number; geometry: Areal }[];
  /** The part of the drawn shape outside its parent, when above the tolerance. */
  outside: { areaM2: number; geometry: Areal } | null;
  /** True when the shape overlaps nothing and lies inside its parent. */
  fits: boolean;
}

/**
 * Live feedback while a planner draws or reshapes a cell: overlaps with the siblings and the part
 * outside the parent, with areas. Pass a CellIndex to reuse the sibling index across frames.
 */
export function drawingFeedback(
  drawn: Areal | Feature<Areal>,
  siblings: CellIndex | CoverageCell[] | FeatureCollection<Areal>,
  parent?: Areal | Feature<Areal> | null,
  tolerance: Partial<CoverageTolerance> = {},
): DrawingFeedback {
  const minArea = tolerance.minAreaM2 ?? DEFAULT_MIN_AREA_M2;
  const g = drawn.type === 'Feature' ? drawn.geometry : drawn;
  const index = siblings instanceof CellIndex ? siblings : new CellIndex(Array.isArray(siblings) ? siblings : cellsFrom(siblings));
  const shape = invalidReason(g) ? makeValid(g) : g;
  if (!shape) return { areaM2: 0, overlaps: [], outside: null, fits: false };
  const overlaps: DrawingFeedback['overlaps'] = [];
  for (const k of index.near(boundsOf(shape))) {
    const cell = index.cells[k]!;
    const x = intersect(featureCollection([asFeature(shape), asFeature(cell.geometry)]))?.geometry;
    const a = x ? areaM2(x) : 0;
    if (x && a >= minArea) overlaps.push({ cellId: cell.id, areaM2: a, geometry: x });
  }
  overlaps.sort(byArea);
  let outside: DrawingFeedback['outside'] = null;
  const pg = parent ? (parent.type === 'Feature' ? parent.geometry : parent) : null;
  if (pg) {
    const out = difference(featureCollection([asFeature(shape), asFeature(pg)]))?.geometry;
    const a = out ? areaM2(out) : 0;
    if (out && a >= minArea) outside = { areaM2: a, geometry: out };
  }
  return { areaM2: areaM2(shape), overlaps, outside, fits: overlaps.length === 0 && outside === null };
}
