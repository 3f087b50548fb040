import { useEffect, useMemo } from 'react';
import type { ExpressionSpecification, Map as MaplibreMap } from 'maplibre-gl';
import { useMap } from '../map/context.tsx';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import { HEAT_INTENSITY, HEAT_RADIUS, heatScale } from './heatScale.ts';

/** One weighted position: a report, or a server-side bin of many. */
export interface HeatPoint {
  position: [number, number];
  weight: number;
}

/** Yellow → red, the colours commanders read as "more hazards". */
export const HEAT_COLORS: [number, number, number][] = [
  [255, 255, 178], [254, 217, 118], [254, 178, 76], [253, 141, 60], [240, 59, 32], [189, 0, 38],
];

const SOURCE = 'command-heat';
const LAYER = 'command-heat';

/** The first symbol layer: the heat is drawn below it, so cell names stay readable over it. */
function firstLabelLayer(map: MaplibreMap): string | undefined {
  return map.getStyle().layers.find((l) => l.type === 'symbol')?.id;
}

/** Density 0..1 → the ramp; below the first stop transparent, so empty ground keeps its colours. */
const HEAT_RAMP = ['interpolate', ['linear'], ['heatmap-density'], 0, 'rgba(255,255,178,0)', 0.04, `rgb(${HEAT_COLORS[0]!.join(',')})`,
  ...HEAT_COLORS.slice(1).flatMap((c, i) => [0.04 + ((i + 1) * 0.96) / (HEAT_COLORS.length - 1), `rgb(${c.join(',')})`])] as unknown as ExpressionSpecification;

/** The points with their weights scaled to what is in view (heatScale), so its dense places are hot and no more. */
function collection(points: HeatPoint[], map: MaplibreMap | null) {
  const scale = map ? heatScale(points.map((p) => { const px = map.project(p.position); return [px.x, px.y] as const; }), points.map((p) => p.weight)) : 1;
  return {
    type: 'FeatureCollection' as const,
    features: points.map((p) => ({ type: 'Feature' as const, properties: { w: p.weight / scale }, geometry: { type: 'Point' as const, coordinates: p.position } })),
  };
}

/**
 * The hazard heatmap: MapLibre's own heatmap layer, under the labels, weighted by severity (from the
 * server) and scaled to the view it was asked for (the view changes, the heatmap is asked again). It draws only when the map does; a second WebGL renderer with a frame loop of its own
 * (deck.gl) kept the main thread busy and delayed the live feed by seconds on software GL.
 */
export function HeatLayer({ points, visible }: { points: HeatPoint[]; visible: boolean }) {
  const map = useMap();

  // Under the first label layer of the map as it is when the view opens.
  const overlay = useMemo((): Overlay | null => (map ? {
    sources: { [SOURCE]: { type: 'geojson', data: EMPTY_COLLECTION } },
    layers: [{
      id: LAYER,
      type: 'heatmap',
      source: SOURCE,
      paint: {
        'heatmap-weight': ['get', 'w'],
        'heatmap-radius': HEAT_RADIUS,
        'heatmap-intensity': HEAT_INTENSITY,
        'heatmap-color': HEAT_RAMP,
        'heatmap-opacity': 0.85,
      },
      beforeId: firstLabelLayer(map),
    }],
  } : null), [map]);
  useOverlay(map, overlay);
  useSourceData(map, SOURCE, useMemo(() => collection(points, map), [points, map]));
  useEffect(() => {
    if (map?.getLayer(LAYER)) map.setLayoutProperty(LAYER, 'visibility', visible ? 'visible' : 'none');
  }, [map, visible, overlay]);

  return null;
}
