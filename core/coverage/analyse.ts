/** The analysis: overlaps, gaps, strays and slivers of one parent, classified into a report, and summed over many. */
// The four Turf modules it needs, not @turf/turf: the whole library costs the server seconds at start.
import { difference } from '@turf/difference';
import { featureCollection } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import { union } from '@turf/union';
import { geosFault } from '../problems/geos.ts';
import { CellIndex, boundsOf, bordering, cellsFrom } from './cell-index.ts';
import {
  DEFAULT_MIN_AREA_M2, ON_BOUNDARY_DEG, asFeature, byArea, isNegligible, isSliver, widthOf,
  type Areal, type CoverageCell, type CoverageReport, type CoverageTolerance, type InvalidCell, type Piece,
} from './definitions.ts';
import { areaM2, polygonAreaM2, polygonPerimeterM, polygonsOf, ringBounds } from './measure.ts';
import { invalidReason, makeValid } from './validity.ts';
import type { Feature, FeatureCollection, Polygon } from 'geojson';
import type { CoverageSummary } from '../contracts/coverage.ts';

export type { CoverageSummary };

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

function piecesOf(g: Areal | null | undefined): Polygon[] {
  return polygonsOf(g).map((coordinates) => ({ type: 'Polygon', coordinates }));
}

function measure(p: Polygon) {
  return { areaM2: polygonAreaM2(p.coordinates), perimeterM: polygonPerimeterM(p.coordinates), geometry: p };
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
