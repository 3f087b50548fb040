import type { Overlay } from '../map/overlay.ts';
import type { ExpressionSpecification, GeoJSONSourceSpecification, LayerSpecification } from 'maplibre-gl';

export const UNITS_SOURCE = 'units';
export const UNIT_LAYERS = ['units-clusters', 'units-cluster-count', 'units-points'] as const;

/** One colour per unit type, in the order configured; the map legend and the list use the same. */
export const TYPE_COLORS = ['#dc2626', '#ea580c', '#ca8a04', '#16a34a', '#0891b2', '#2563eb', '#7c3aed', '#db2777', '#475569'];

export const typeColor = (types: string[], code: string) => TYPE_COLORS[Math.max(0, types.indexOf(code)) % TYPE_COLORS.length]!;

/** Units cluster below street zoom, so a district with thousands of units stays readable. */
export function unitsSource(data: GeoJSON.FeatureCollection): GeoJSONSourceSpecification {
  return { type: 'geojson', data, cluster: true, clusterMaxZoom: 14, clusterRadius: 40 };
}

export function unitLayers(types: string[]): LayerSpecification[] {
  const color: ExpressionSpecification = ['match', ['get', 'type'], ...types.flatMap((t) => [t, typeColor(types, t)]), '#475569'] as unknown as ExpressionSpecification;
  return [
    {
      id: UNIT_LAYERS[0], type: 'circle', source: UNITS_SOURCE, filter: ['has', 'point_count'],
      paint: {
        'circle-color': '#334155', 'circle-opacity': 0.8, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2,
        'circle-radius': ['step', ['get', 'point_count'], 12, 20, 16, 100, 22],
      },
    },
    {
      id: UNIT_LAYERS[1], type: 'symbol', source: UNITS_SOURCE, filter: ['has', 'point_count'],
      layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-size': 11, 'text-allow-overlap': true },
      paint: { 'text-color': '#fff' },
    },
    {
      id: UNIT_LAYERS[2], type: 'circle', source: UNITS_SOURCE, filter: ['!', ['has', 'point_count']],
      paint: { 'circle-color': color, 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 },
    },
  ];
}

/** The units on the map, clustered, coloured by type (the unit list and the cell card show them). */
export function unitsOverlay(types: string[]): Overlay {
  return { sources: { [UNITS_SOURCE]: unitsSource({ type: 'FeatureCollection', features: [] }) }, layers: unitLayers(types) };
}
