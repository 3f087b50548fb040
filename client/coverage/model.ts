/**
 * What the coverage panel shows, derived from GET /api/coverage answers: one flat list of problems
 * (each with the cells involved, its geometry and the fixes it offers), map features, bounds and
 * area formatting. Pure: no React, no map, so it is unit-tested in Node (model.test.ts).
 */
import type { Feature, FeatureCollection, Point, Polygon } from 'geojson';
import type { CoverageReport, CoverageSummary, CoverageTolerance, GapFault, OverlapFault, Sliver, StrayFault } from './turf-engine.ts';

export type ParentReport = CoverageReport & { error?: string };

/** GET /api/coverage?parentId= */
export type ParentAnswer = ParentReport & { tolerance: CoverageTolerance };
/** GET /api/coverage?level= */
export interface LevelAnswer {
  level: number;
  tolerance: CoverageTolerance;
  parents: ParentReport[];
  summary: CoverageSummary;
}

export type ProblemKind = 'overlap' | 'gap' | 'stray' | 'sliver';
export const PROBLEM_KINDS: ProblemKind[] = ['overlap', 'gap', 'stray', 'sliver'];

/** One colour per kind, on the map and in the list (overlaps red, gaps orange, strays purple). */
export const KIND_COLORS: Record<ProblemKind, string> = {
  overlap: '#dc2626',
  gap: '#ea580c',
  stray: '#9333ea',
  sliver: '#0891b2',
};

interface ProblemBase {
  /** Stable within one answer: parent, kind and position in the server's list. */
  key: string;
  parentId: number;
  areaM2: number;
  geometry: Polygon;
  /** The cells involved, for the list and for selecting. */
  cells: number[];
}
export type Problem =
  | (ProblemBase & { kind: 'overlap'; fault: OverlapFault })
  | (ProblemBase & { kind: 'gap'; fault: GapFault })
  | (ProblemBase & { kind: 'stray'; fault: StrayFault })
  | (ProblemBase & { kind: 'sliver'; fault: Sliver });

const sliverCells = (s: Sliver) => (s.kind === 'overlap' ? [s.a, s.b] : s.kind === 'gap' ? s.neighbours : [s.cellId]);

/** Every problem of the reports, per kind largest first (the server's order). */
export function problemsOf(reports: ParentReport[]): Problem[] {
  const out: Problem[] = [];
  for (const r of reports) {
    const base = (kind: ProblemKind, i: number, f: { areaM2: number; geometry: Polygon }) => ({
      key: `${r.parentId}:${kind}:${i}`, parentId: r.parentId, areaM2: f.areaM2, geometry: f.geometry,
    });
    r.overlaps.forEach((f, i) => out.push({ ...base('overlap', i, f), kind: 'overlap', fault: f, cells: [f.a, f.b] }));
    r.gaps.forEach((f, i) => out.push({ ...base('gap', i, f), kind: 'gap', fault: f, cells: f.neighbours }));
    r.strays.forEach((f, i) => out.push({ ...base('stray', i, f), kind: 'stray', fault: f, cells: [f.cellId] }));
    r.slivers.forEach((f, i) => out.push({ ...base('sliver', i, f), kind: 'sliver', fault: f, cells: sliverCells(f) }));
  }
  const rank = (k: ProblemKind) => PROBLEM_KINDS.indexOf(k);
  return out.sort((x, y) => rank(x.kind) - rank(y.kind) || y.areaM2 - x.areaM2);
}

export interface Counts {
  parents: number;
  notSubdivided: number;
  overlaps: number;
  gaps: number;
  strays: number;
  slivers: number;
  invalid: number;
  errors: number;
  /** Area-weighted over the subdivided parents; null when none is. */
  coveredRatio: number | null;
}

export function countsOf(reports: ParentReport[]): Counts {
  const sub = reports.filter((r) => !r.notSubdivided && !r.error);
  const total = sub.reduce((s, r) => s + r.parentAreaM2, 0);
  const covered = sub.reduce((s, r) => s + r.parentAreaM2 * (r.coveredRatio ?? 0), 0);
  return {
    parents: reports.length,
    notSubdivided: reports.filter((r) => r.notSubdivided && !r.error).length,
    overlaps: reports.reduce((s, r) => s + r.overlaps.length, 0),
    gaps: reports.reduce((s, r) => s + r.gaps.length, 0),
    strays: reports.reduce((s, r) => s + r.strays.length, 0),
    slivers: reports.reduce((s, r) => s + r.slivers.length, 0),
    invalid: reports.reduce((s, r) => s + r.invalid.length, 0),
    errors: reports.filter((r) => r.error).length,
    coveredRatio: total > 0 ? covered / total : null,
  };
}

/** The problems as map features: `key` and `kind` in the properties (for filters and colours). */
export function problemFeatures(problems: Problem[]): FeatureCollection<Polygon, { key: string; kind: ProblemKind }> {
  return {
    type: 'FeatureCollection',
    features: problems.map((p): Feature<Polygon, { key: string; kind: ProblemKind }> => ({
      type: 'Feature', properties: { key: p.key, kind: p.kind }, geometry: p.geometry,
    })),
  };
}

/** A point per problem (the centre of its bounds), so pieces too small to see still show where they are. */
export function problemPoints(problems: Problem[]): FeatureCollection<Point, { key: string; kind: ProblemKind }> {
  return {
    type: 'FeatureCollection',
    features: problems.map((p): Feature<Point, { key: string; kind: ProblemKind }> => {
      const b = boundsOf(p.geometry);
      return { type: 'Feature', properties: { key: p.key, kind: p.kind }, geometry: { type: 'Point', coordinates: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] } };
    }),
  };
}

export type Bounds = [number, number, number, number];

export function boundsOf(g: Polygon): Bounds {
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of g.coordinates) {
    for (const [x, y] of ring) {
      b[0] = Math.min(b[0], x!);
      b[1] = Math.min(b[1], y!);
      b[2] = Math.max(b[2], x!);
      b[3] = Math.max(b[3], y!);
    }
  }
  return b;
}

/** Area for people: m² with two decimals below 10 m², whole m² up to 1 km², then km². */
export function formatArea(m2: number, lang: string): string {
  if (m2 >= 1e6) return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 3 }).format(m2 / 1e6)} km²`;
  const digits = m2 < 10 ? 2 : 0;
  return `${new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(m2)} m²`;
}

/** Covered share as a percentage; never rounds a partial cover up to 100 %. */
export function formatRatio(ratio: number | null, lang: string): string {
  if (ratio === null) return '—';
  const pct = ratio * 100;
  const digits = pct > 99.99 && pct < 100 ? 4 : 2;
  const floored = Math.floor(pct * 10 ** digits) / 10 ** digits;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(floored)} %`;
}
