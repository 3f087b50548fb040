/** A spatial index over cells, and which cells border a piece: used by the analysis and by the drawing tools. */
import Flatbush from 'flatbush';
import { ON_BOUNDARY_DEG, MIN_BORDER_M, type Areal, type CoverageCell, type Pt } from './definitions.ts';
import { polygonsOf, ringBounds, segmentM } from './measure.ts';
import type { Feature, FeatureCollection, Polygon } from 'geojson';

/** Bounding box of an areal geometry, in degrees. */
export function boundsOf(g: Areal): [number, number, number, number] {
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

/**
 * Length in metres of the part of segment ab that runs along the boundary of g: for each edge of
 * g, the stretch of ab alongside it, whose two ends lie within ON_BOUNDARY_DEG of the edge (then
 * all of it does). Part of a gap's edge may run along one cell and the rest along the next, and
 * both count, as in PostGIS.
 */
function alongBoundaryM(a: Pt, b: Pt, g: Areal): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  if (!len2) return 0;
  const at = (t: number): Pt => [a[0] + t * dx, a[1] + t * dy];
  const along = (p: Pt) => ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
  let share = 0;
  for (const rings of polygonsOf(g)) {
    for (const ring of rings) {
      for (let i = 1; i < ring.length; i++) {
        const c = ring[i - 1] as Pt, d = ring[i] as Pt;
        const tc = along(c), td = along(d);
        const lo = Math.max(0, Math.min(tc, td)), hi = Math.min(1, Math.max(tc, td));
        if (hi <= lo) continue;
        const p = at(lo), q = at(hi);
        if (distToSeg(p, c, d) > ON_BOUNDARY_DEG || distToSeg(q, c, d) > ON_BOUNDARY_DEG) continue;
        // Measured where it lies: a degree of latitude is not the same length everywhere.
        share += segmentM(p, q);
      }
    }
  }
  return Math.min(share, segmentM(a, b));
}

/** Cells bordering a piece, longest shared border first (at least MIN_BORDER_M of it). */
export function bordering(piece: Polygon, cells: CellIndex): number[] {
  const shared = new Map<number, number>();
  const candidates = cells.near(boundsOf(piece), ON_BOUNDARY_DEG);
  for (const ring of piece.coordinates) {
    for (let i = 1; i < ring.length; i++) {
      const a = ring[i - 1] as Pt, b = ring[i] as Pt;
      const segBox: [number, number, number, number] = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
      for (const k of candidates) {
        const cb = cells.bounds[k]!;
        if (cb[0] > segBox[2] + ON_BOUNDARY_DEG || cb[2] < segBox[0] - ON_BOUNDARY_DEG || cb[1] > segBox[3] + ON_BOUNDARY_DEG || cb[3] < segBox[1] - ON_BOUNDARY_DEG) continue;
        const cell = cells.cells[k]!;
        const m = alongBoundaryM(a, b, cell.geometry);
        if (m > 0) shared.set(cell.id, (shared.get(cell.id) ?? 0) + m);
      }
    }
  }
  return [...shared].filter(([, m]) => m >= MIN_BORDER_M).sort((x, y) => y[1] - x[1] || x[0] - y[0]).map(([id]) => id);
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
