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
 * This module holds the definitions (types, tolerances, constants); engine.ts re-exports the rest:
 * measure.ts (geodesic measures), validity.ts (OGC validity), cell-index.ts (spatial index, borders),
 * analyse.ts (the analysis and its report), feedback.ts (live figures while drawing).
 */
import type { Feature, MultiPolygon, Polygon } from 'geojson';

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

/** A point in longitude/latitude. */
export type Pt = [number, number];

export const asFeature = (g: Areal): Feature<Areal> => ({ type: 'Feature', properties: {}, geometry: g });

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

export type { CoverageReport, GapFault, InvalidCell, OverlapFault, Sliver, StrayFault } from '../contracts/coverage.ts';

export const widthOf = (areaM2: number, perimeterM: number) => (perimeterM > 0 ? (2 * areaM2) / perimeterM : 0);

export function isNegligible(areaM2: number, widthM: number): boolean {
  return areaM2 < NEGLIGIBLE_AREA_M2 || widthM < NEGLIGIBLE_WIDTH_M;
}

export function isSliver(areaM2: number, widthM: number, tol: CoverageTolerance): boolean {
  return areaM2 < tol.minAreaM2 || (tol.sliverWidthM != null && widthM < tol.sliverWidthM);
}

export const byArea = (x: { areaM2: number }, y: { areaM2: number }) => y.areaM2 - x.areaM2;
