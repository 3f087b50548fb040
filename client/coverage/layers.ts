import { useMemo } from 'react';
import type { ExpressionSpecification, Map as MaplibreMap } from 'maplibre-gl';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import { KIND_COLORS, problemFeatures, problemPoints, type Problem } from './model.ts';

/** The coverage problems on the map: every problem while a result is shown, and the one pointed at. */
export const PROBLEMS_SOURCE = 'coverage-problems';
export const POINTS_SOURCE = 'coverage-problem-points';
export const HIGHLIGHT_SOURCE = 'coverage-highlight';
export const PROBLEM_LAYERS = {
  fill: 'coverage-problems-fill',
  hatch: 'coverage-problems-hatch',
  line: 'coverage-problems-line',
  point: 'coverage-problems-point',
  highlightFill: 'coverage-highlight-fill',
  highlightLine: 'coverage-highlight-line',
} as const;
const HATCH_IMAGE = 'coverage-gap-hatch';

const kindColor: ExpressionSpecification = [
  'match', ['get', 'kind'],
  'overlap', KIND_COLORS.overlap,
  'gap', KIND_COLORS.gap,
  'stray', KIND_COLORS.stray,
  KIND_COLORS.sliver,
];

/** Orange diagonal stripes: gaps are ground nobody covers, drawn as hatching (not a solid tint). */
function hatch(size = 12): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = (x + y) % size < 3;
      const i = (y * size + x) * 4;
      // #ea580c: stripes opaque, the rest a faint wash so the gap reads as one area.
      data.set(on ? [234, 88, 12, 230] : [234, 88, 12, 40], i);
    }
  }
  return { width: size, height: size, data };
}

const COVERAGE_OVERLAY: Overlay = {
  images: { [HATCH_IMAGE]: { image: hatch(), options: { pixelRatio: 2 } } },
  sources: {
    [PROBLEMS_SOURCE]: { type: 'geojson', data: EMPTY_COLLECTION },
    [POINTS_SOURCE]: { type: 'geojson', data: EMPTY_COLLECTION },
    [HIGHLIGHT_SOURCE]: { type: 'geojson', data: EMPTY_COLLECTION },
  },
  layers: [
    {
      id: PROBLEM_LAYERS.fill, type: 'fill', source: PROBLEMS_SOURCE, filter: ['!=', ['get', 'kind'], 'gap'],
      paint: { 'fill-color': kindColor, 'fill-opacity': 0.35 },
    },
    {
      id: PROBLEM_LAYERS.hatch, type: 'fill', source: PROBLEMS_SOURCE, filter: ['==', ['get', 'kind'], 'gap'],
      paint: { 'fill-pattern': HATCH_IMAGE },
    },
    {
      id: PROBLEM_LAYERS.line, type: 'line', source: PROBLEMS_SOURCE,
      paint: { 'line-color': kindColor, 'line-width': 1.5 },
    },
    // A dot at every problem, so pieces too small to see at this zoom (slivers) still show where they are.
    {
      id: PROBLEM_LAYERS.point, type: 'circle', source: POINTS_SOURCE,
      paint: { 'circle-color': kindColor, 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5, 'circle-opacity': 0.9 },
    },
    {
      id: PROBLEM_LAYERS.highlightFill, type: 'fill', source: HIGHLIGHT_SOURCE,
      paint: { 'fill-color': kindColor, 'fill-opacity': 0.55 },
    },
    {
      id: PROBLEM_LAYERS.highlightLine, type: 'line', source: HIGHLIGHT_SOURCE,
      paint: { 'line-color': '#111827', 'line-width': 3 },
    },
  ],
};

/**
 * Draws the problems while `problems` is not null (the panel shows a result), and the highlighted
 * one above them. Everything is removed when the result closes or the panel unmounts.
 */
export function useCoverageLayers(map: MaplibreMap | null, problems: Problem[] | null, highlight: Problem | null) {
  const shown = problems !== null;
  useOverlay(map, shown ? COVERAGE_OVERLAY : null);
  useSourceData(map, PROBLEMS_SOURCE, useMemo(() => (problems ? problemFeatures(problems) : null), [problems]));
  useSourceData(map, POINTS_SOURCE, useMemo(() => (problems ? problemPoints(problems) : null), [problems]));
  useSourceData(map, HIGHLIGHT_SOURCE, useMemo(() => problemFeatures(highlight ? [highlight] : []), [highlight]), shown);
}
