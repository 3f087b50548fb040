import { useEffect } from 'react';
import type { FeatureCollection } from 'geojson';
import type { ExpressionSpecification, GeoJSONSource, Map as MaplibreMap } from 'maplibre-gl';
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

const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

function add(map: MaplibreMap) {
  if (!map.hasImage(HATCH_IMAGE)) map.addImage(HATCH_IMAGE, hatch(), { pixelRatio: 2 });
  map.addSource(PROBLEMS_SOURCE, { type: 'geojson', data: empty() });
  map.addSource(POINTS_SOURCE, { type: 'geojson', data: empty() });
  map.addSource(HIGHLIGHT_SOURCE, { type: 'geojson', data: empty() });
  map.addLayer({
    id: PROBLEM_LAYERS.fill, type: 'fill', source: PROBLEMS_SOURCE, filter: ['!=', ['get', 'kind'], 'gap'],
    paint: { 'fill-color': kindColor, 'fill-opacity': 0.35 },
  });
  map.addLayer({
    id: PROBLEM_LAYERS.hatch, type: 'fill', source: PROBLEMS_SOURCE, filter: ['==', ['get', 'kind'], 'gap'],
    paint: { 'fill-pattern': HATCH_IMAGE },
  });
  map.addLayer({
    id: PROBLEM_LAYERS.line, type: 'line', source: PROBLEMS_SOURCE,
    paint: { 'line-color': kindColor, 'line-width': 1.5 },
  });
  // A dot at every problem, so pieces too small to see at this zoom (slivers) still show where they are.
  map.addLayer({
    id: PROBLEM_LAYERS.point, type: 'circle', source: POINTS_SOURCE,
    paint: { 'circle-color': kindColor, 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5, 'circle-opacity': 0.9 },
  });
  map.addLayer({
    id: PROBLEM_LAYERS.highlightFill, type: 'fill', source: HIGHLIGHT_SOURCE,
    paint: { 'fill-color': kindColor, 'fill-opacity': 0.55 },
  });
  map.addLayer({
    id: PROBLEM_LAYERS.highlightLine, type: 'line', source: HIGHLIGHT_SOURCE,
    paint: { 'line-color': '#111827', 'line-width': 3 },
  });
}

function remove(map: MaplibreMap) {
  for (const id of Object.values(PROBLEM_LAYERS)) if (map.getLayer(id)) map.removeLayer(id);
  for (const id of [PROBLEMS_SOURCE, POINTS_SOURCE, HIGHLIGHT_SOURCE]) if (map.getSource(id)) map.removeSource(id);
  if (map.hasImage(HATCH_IMAGE)) map.removeImage(HATCH_IMAGE);
}

/**
 * Draws the problems while `problems` is not null (the panel shows a result), and the highlighted
 * one above them. Everything is removed when the result closes or the panel unmounts.
 */
export function useCoverageLayers(map: MaplibreMap | null, problems: Problem[] | null, highlight: Problem | null) {
  const shown = problems !== null;
  useEffect(() => {
    if (!map || !shown) return;
    add(map);
    return () => {
      try {
        remove(map);
      } catch {
        // The map was removed first (the app is being torn down): nothing left to clean.
      }
    };
  }, [map, shown]);

  useEffect(() => {
    if (!map || !problems) return;
    map.getSource<GeoJSONSource>(PROBLEMS_SOURCE)?.setData(problemFeatures(problems));
    map.getSource<GeoJSONSource>(POINTS_SOURCE)?.setData(problemPoints(problems));
  }, [map, problems]);

  useEffect(() => {
    if (!map || !shown) return;
    map.getSource<GeoJSONSource>(HIGHLIGHT_SOURCE)?.setData(problemFeatures(highlight ? [highlight] : []));
  }, [map, shown, highlight]);
}
