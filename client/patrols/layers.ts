import { useEffect } from 'react';
import type { FeatureCollection, Geometry } from 'geojson';
import type { GeoJSONSource, Map as MaplibreMap } from 'maplibre-gl';
import { useMap } from '../map/context.tsx';
import { SELECTED_LAYERS } from '../map/style.ts';

const CELLS = 'patrols-cells';
const UNITS = 'patrols-units';
const LAYERS = ['patrols-cells-fill', 'patrols-cells-line', 'patrols-units-circle'] as const;
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** Red at 0 % of units inspected, amber at 50 %, green at 100 %; grey for cells without units. */
const PCT_COLOR = ['case', ['==', ['get', 'pctInspected'], null], '#94a3b8',
  ['interpolate', ['linear'], ['get', 'pctInspected'], 0, '#dc2626', 50, '#f59e0b', 100, '#16a34a']] as const;
const STATUS_COLOR = ['match', ['get', 'status'], 'overdue', '#dc2626', 'due', '#f59e0b', 'visited', '#2563eb', '#16a34a'] as const;

function install(map: MaplibreMap) {
  if (map.getSource(CELLS)) return;
  map.addSource(CELLS, { type: 'geojson', data: EMPTY });
  map.addSource(UNITS, { type: 'geojson', data: EMPTY });
  // Under the selection outline and the labels, over the cell fills.
  const before = map.getLayer(SELECTED_LAYERS[0]) ? SELECTED_LAYERS[0] : undefined;
  map.addLayer({ id: LAYERS[0], type: 'fill', source: CELLS, paint: { 'fill-color': PCT_COLOR as never, 'fill-opacity': ['case', ['==', ['get', 'pctInspected'], null], 0.12, 0.5] } }, before);
  map.addLayer({ id: LAYERS[1], type: 'line', source: CELLS, paint: { 'line-color': PCT_COLOR as never, 'line-width': 1.5 } }, before);
  map.addLayer({
    id: LAYERS[2], type: 'circle', source: UNITS,
    paint: { 'circle-radius': 6, 'circle-color': STATUS_COLOR as never, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
  });
}

function uninstall(map: MaplibreMap) {
  for (const id of LAYERS) if (map.getLayer(id)) map.removeLayer(id);
  for (const id of [CELLS, UNITS]) if (map.getSource(id)) map.removeSource(id);
}

/**
 * The patrol layer while the panel is open: cells shaded by the share of units inspected, and units
 * coloured by status (overdue, due, visited on this patrol, ok). Removed when the panel closes.
 */
export function usePatrolLayer(cells: FeatureCollection<Geometry> | null, units: FeatureCollection<Geometry> | null) {
  const map = useMap();
  useEffect(() => {
    if (!map) return;
    install(map);
    return () => uninstall(map);
  }, [map]);
  useEffect(() => {
    if (!map) return;
    (map.getSource(CELLS) as GeoJSONSource | undefined)?.setData(cells ?? EMPTY);
    (map.getSource(UNITS) as GeoJSONSource | undefined)?.setData(units ?? EMPTY);
  }, [map, cells, units]);
}
