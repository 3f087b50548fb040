/**
 * What the coverage panel shows, derived from GET /api/coverage answers: one flat list of problems
 * (each with the cells involved, its geometry and the fixes it offers), map features, bounds and
 * area formatting. Pure: no React, no map, so it is unit-tested in Node (model.test.ts).
 */
import type { Feature, FeatureCollection, Point, Polygon } from 'geojson';
import { summarise, type CoverageSummary, type GapFault, type OverlapFault, type Sliver, type StrayFault } from '../../core/coverage/engine.ts';
import type { ParentReport } from '../../core/contracts/coverage.ts';

export type { LevelAnswer, ParentAnswer, ParentReport } from '../../core/contracts/coverage.ts';
export type { PeopleGap } from '../../core/contracts/people.ts';

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

/** The engine's summary of the parents analysed, with those the analysis failed on as errors (counted among the parents only). */
export type Counts = CoverageSummary & { errors: number };

export function countsOf(reports: ParentReport[]): Counts {
  const analysed = reports.filter((r) => !r.error);
  return { ...summarise(analysed), parents: reports.length, errors: reports.length - analysed.length };
}

/** Areas of the two engines agree when within this share of each other (the bar the tests hold them to). */
export const AREA_AGREEMENT = 0.005;

export type DifferenceKind =
  | 'failed' | 'overlaps' | 'overlapCells' | 'gaps' | 'strays' | 'strayCells' | 'slivers' | 'invalid' | 'invalidCells'
  | 'overlapArea' | 'gapArea' | 'strayArea';

/** One way the instant (browser) report of a parent differs from the server's: counts, or areas in m². */
export interface Difference {
  parentId: number;
  kind: DifferenceKind;
  instant: number;
  server: number;
}

const sameList = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
const sorted = (xs: (string | number)[]) => xs.map(String).sort();
const totalArea = (xs: { areaM2: number }[]) => xs.reduce((s, x) => s + x.areaM2, 0);

/**
 * How the browser's instant reports differ from the server's, parent by parent: the same faults
 * (the same pairs of cells overlapping, the same cells straying, the same number of gaps and
 * slivers, the same invalid cells) with areas within AREA_AGREEMENT. Empty when they agree.
 */
export function compareReports(instant: ParentReport[], server: ParentReport[]): Difference[] {
  const out: Difference[] = [];
  const byId = new Map(instant.map((r) => [r.parentId, r]));
  for (const s of server) {
    const i = byId.get(s.parentId);
    const add = (kind: DifferenceKind, a: number, b: number) => out.push({ parentId: s.parentId, kind, instant: a, server: b });
    if (!i || !!i.error !== !!s.error) {
      add('failed', i && !i.error ? 0 : 1, s.error ? 1 : 0);
      continue;
    }
    if (s.error) continue;
    const sets: [DifferenceKind, DifferenceKind, string[], string[]][] = [
      ['overlaps', 'overlapCells', sorted(i.overlaps.map((o) => `${o.a}-${o.b}`)), sorted(s.overlaps.map((o) => `${o.a}-${o.b}`))],
      ['strays', 'strayCells', sorted(i.strays.map((x) => x.cellId)), sorted(s.strays.map((x) => x.cellId))],
      ['invalid', 'invalidCells', sorted(i.invalid.map((x) => x.cellId)), sorted(s.invalid.map((x) => x.cellId))],
    ];
    for (const [count, members, a, b] of sets) {
      if (a.length !== b.length) add(count, a.length, b.length);
      else if (!sameList(a, b)) add(members, a.length, b.length);
    }
    if (i.gaps.length !== s.gaps.length) add('gaps', i.gaps.length, s.gaps.length);
    if (i.slivers.length !== s.slivers.length) add('slivers', i.slivers.length, s.slivers.length);
    // Areas are compared where the counts agree (a missing piece is already said).
    const areas: [DifferenceKind, { areaM2: number }[], { areaM2: number }[]][] = [
      ['overlapArea', i.overlaps, s.overlaps],
      ['gapArea', i.gaps, s.gaps],
      ['strayArea', i.strays, s.strays],
    ];
    for (const [kind, xs, ys] of areas) {
      const a = totalArea(xs), b = totalArea(ys);
      if (xs.length === ys.length && Math.abs(a - b) > AREA_AGREEMENT * Math.max(a, b)) add(kind, a, b);
    }
  }
  return out;
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
