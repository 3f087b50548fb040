/** Live feedback while a planner draws or reshapes a cell (the drawing tools' figures). */
import { difference } from '@turf/difference';
import { featureCollection } from '@turf/helpers';
import { intersect } from '@turf/intersect';
import { CellIndex, boundsOf, cellsFrom } from './cell-index.ts';
import { DEFAULT_MIN_AREA_M2, asFeature, byArea, type Areal, type CoverageCell, type CoverageTolerance } from './definitions.ts';
import { areaM2 } from './measure.ts';
import { invalidReason, makeValid } from './validity.ts';
import type { Feature, FeatureCollection } from 'geojson';

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
