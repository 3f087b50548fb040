import { useEffect, useRef } from 'react';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import type { Map as MaplibreMap } from 'maplibre-gl';
import { useMap } from '../map/context.tsx';

/** One weighted position: a report, or a server-side bin of many. */
export interface HeatPoint {
  position: [number, number];
  weight: number;
}

/** Yellow → red, the colours commanders read as "more hazards". */
export const HEAT_COLORS: [number, number, number][] = [
  [255, 255, 178], [254, 217, 118], [254, 178, 76], [253, 141, 60], [240, 59, 32], [189, 0, 38],
];

/** The first symbol layer: deck.gl draws below it, so cell names stay readable over the heat. */
function firstLabelLayer(map: MaplibreMap): string | undefined {
  return map.getStyle().layers.find((l) => l.type === 'symbol')?.id;
}

/**
 * The hazard heatmap: a deck.gl HeatmapLayer interleaved into the MapLibre map (same WebGL context),
 * under the labels. Weights come from the server (severity).
 */
export function HeatLayer({ points, visible }: { points: HeatPoint[]; visible: boolean }) {
  const map = useMap();
  const overlay = useRef<MapLibreOverlay | null>(null);

  useEffect(() => {
    if (!map) return;
    const o = new MapLibreOverlay({ interleaved: true, layers: [] });
    map.addControl(o);
    overlay.current = o;
    return () => {
      overlay.current = null;
      map.removeControl(o);
    };
  }, [map]);

  useEffect(() => {
    const o = overlay.current;
    if (!o || !map) return;
    o.setProps({
      layers: [
        new HeatmapLayer<HeatPoint, { beforeId?: string }>({
          id: 'command-heat',
          data: points,
          visible,
          getPosition: (d) => d.position,
          getWeight: (d) => d.weight,
          aggregation: 'SUM',
          radiusPixels: 40,
          intensity: 1.2,
          threshold: 0.04,
          colorRange: HEAT_COLORS,
          beforeId: firstLabelLayer(map),
        }),
      ],
    });
    map.triggerRepaint();
  }, [map, points, visible]);

  return null;
}
