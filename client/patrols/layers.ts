import type { FeatureCollection, Geometry } from 'geojson';
import { useMap } from '../map/context.tsx';
import { EMPTY_COLLECTION, useOverlay, useSourceData, type Overlay } from '../map/overlay.ts';
import { SELECTED_LAYERS } from '../map/style.ts';

const CELLS = 'patrols-cells';
const UNITS = 'patrols-units';

/** Red at 0 % of units inspected, amber at 50 %, green at 100 %; grey for cells without units. */
const PCT_COLOR = ['case', ['==', ['get', 'pctInspected'], null], '#94a3b8',
  ['interpolate', ['linear'], ['get', 'pctInspected'], 0, '#dc2626', 50, '#f59e0b', 100, '#16a34a']] as const;
const STATUS_COLOR = ['match', ['get', 'status'], 'overdue', '#dc2626', 'due', '#f59e0b', 'visited', '#2563eb', '#16a34a'] as const;

const PATROL_OVERLAY: Overlay = {
  sources: { [CELLS]: { type: 'geojson', data: EMPTY_COLLECTION }, [UNITS]: { type: 'geojson', data: EMPTY_COLLECTION } },
  layers: [
    // Under the selection outline and the labels, over the cell fills.
    { id: 'patrols-cells-fill', type: 'fill', source: CELLS, paint: { 'fill-color': PCT_COLOR as never, 'fill-opacity': ['case', ['==', ['get', 'pctInspected'], null], 0.12, 0.5] }, beforeId: SELECTED_LAYERS[0] },
    { id: 'patrols-cells-line', type: 'line', source: CELLS, paint: { 'line-color': PCT_COLOR as never, 'line-width': 1.5 }, beforeId: SELECTED_LAYERS[0] },
    {
      id: 'patrols-units-circle', type: 'circle', source: UNITS,
      paint: { 'circle-radius': 6, 'circle-color': STATUS_COLOR as never, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
    },
  ],
};

/**
 * The patrol layer while the panel is open: cells shaded by the share of units inspected, and units
 * coloured by status (overdue, due, visited on this patrol, ok). Removed when the panel closes.
 */
export function usePatrolLayer(cells: FeatureCollection<Geometry> | null, units: FeatureCollection<Geometry> | null) {
  const map = useMap();
  useOverlay(map, PATROL_OVERLAY);
  useSourceData(map, CELLS, cells ?? EMPTY_COLLECTION);
  useSourceData(map, UNITS, units ?? EMPTY_COLLECTION);
}
