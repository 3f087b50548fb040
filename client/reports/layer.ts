import { useEffect, useMemo, useRef } from 'react';
import type { FeatureCollection, Point } from 'geojson';
import type { MapLayerMouseEvent } from 'maplibre-gl';
import { useMap } from '../map/context.tsx';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import type { Report } from './api.ts';

export const REPORTS_SOURCE = 'reports-points';
export const REPORTS_LAYER = 'reports-points-circle';
const LABEL_LAYER = 'reports-points-selected';

/** One colour per state, the same as the state badges (reports.css). */
export const STATE_COLORS: Record<string, string> = {
  reported: '#dc2626', verified: '#ea580c', dispatched: '#ca8a04', rectifying: '#0284c7', rectified: '#7c3aed', closed: '#16a34a', rejected: '#64748b',
};
const COLOR = ['match', ['get', 'state'], ...Object.entries(STATE_COLORS).flat(), '#64748b'];

export function toFeatures(reports: Report[]): FeatureCollection<Point> {
  return {
    type: 'FeatureCollection',
    features: reports.map((r) => ({
      type: 'Feature', id: r.id, geometry: r.location,
      properties: { id: r.id, state: r.state, overdue: r.overdue, major: r.severity === 'major' },
    })),
  };
}

/** The points coloured by state (overdue ones ringed dark red, major ones larger), the open one circled. */
const REPORTS_OVERLAY: Overlay = {
  sources: { [REPORTS_SOURCE]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    {
      id: REPORTS_LAYER, type: 'circle', source: REPORTS_SOURCE,
      paint: {
        'circle-radius': ['case', ['get', 'major'], 8, 6],
        'circle-color': COLOR as never,
        'circle-stroke-color': ['case', ['get', 'overdue'], '#7f1d1d', '#ffffff'],
        'circle-stroke-width': ['case', ['get', 'overdue'], 3, 2],
      },
    },
    {
      id: LABEL_LAYER, type: 'circle', source: REPORTS_SOURCE, filter: ['==', ['id'], -1],
      paint: { 'circle-radius': 13, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#1d4ed8', 'circle-stroke-width': 3 },
    },
  ],
};

/**
 * The reports of the inbox as points on the map, coloured by state (overdue ones ringed dark red,
 * major ones larger), the open one circled; clicking a point opens it. Removed when the view closes.
 */
export function useReportsLayer(reports: Report[], selected: number | null, onOpen: (id: number) => void) {
  const map = useMap();
  const open = useRef(onOpen);
  open.current = onOpen;
  useOverlay(map, REPORTS_OVERLAY);
  useSourceData(map, REPORTS_SOURCE, useMemo(() => toFeatures(reports), [reports]));
  useEffect(() => {
    if (!map) return;
    const click = (e: MapLayerMouseEvent) => {
      const id = e.features?.[0]?.properties?.id as number | undefined;
      if (typeof id === 'number') open.current(id);
    };
    const enter = () => (map.getCanvas().style.cursor = 'pointer');
    const leave = () => (map.getCanvas().style.cursor = '');
    map.on('click', REPORTS_LAYER, click);
    map.on('mouseenter', REPORTS_LAYER, enter);
    map.on('mouseleave', REPORTS_LAYER, leave);
    return () => {
      map.off('click', REPORTS_LAYER, click);
      map.off('mouseenter', REPORTS_LAYER, enter);
      map.off('mouseleave', REPORTS_LAYER, leave);
      leave();
    };
  }, [map]);
  useEffect(() => {
    if (map?.getLayer(LABEL_LAYER)) map.setFilter(LABEL_LAYER, ['==', ['id'], selected ?? -1]);
  }, [map, selected]);
}
