import type {
  Map as MaplibreMap,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import type { Basemap, Bounds, Level } from '../api.ts';
import { CELLS_MAXZOOM, CELLS_MINZOOM, cellLayers as sharedCellLayers, fillLayerId, fillOpacity, type Fit } from '../../core/map/cell-layers.ts';

export const CELLS_SOURCE = 'cells';
/** One point per cell where its name goes (see labels.ts). */
export const LABELS_SOURCE = 'cell-labels';
export {
  CELLS_SOURCE_LAYER, SELECTION_COLOR, SELECTED_LAYERS, fillLayerId, labelZooms, levelColors, selectedFilter, type Fit,
} from '../../core/map/cell-layers.ts';

/**
 * Keeps the tint of the finest level that actually has cells (a deployment may configure more levels
 * than it has drawn yet), instead of fading it out for a level that never shows.
 */
export function keepFinestTint(map: MaplibreMap, levels: Level[], fit: Fit, present: Set<number>) {
  if (!present.size) return;
  const sorted = [...levels].sort((a, b) => a.level - b.level);
  sorted.forEach(({ level }, i) => {
    const last = !sorted.slice(i + 1).some((finer) => present.has(finer.level));
    if (map.getLayer(fillLayerId(level))) map.setPaintProperty(fillLayerId(level), 'fill-opacity', fillOpacity(fit, i, last));
  });
}

/**
 * Fills, outlines, the selection and the names of the cells, bottom to top. Names come from a point
 * per cell (labels.ts), not from the tiles.
 */
export function cellLayers(levels: Level[], fit: Fit): LayerSpecification[] {
  return sharedCellLayers(levels, fit, { cells: CELLS_SOURCE, labels: { source: LABELS_SOURCE }, selection: true });
}

/** The cell tiles' address. Absolute: tiles are fetched from a worker, where a relative URL does not resolve against the page. */
export const cellTilesTemplate = () => `${window.location.origin}/tiles/cells/{z}/{x}/{y}.mvt`;

export function cellsSource(bounds: Bounds | null): SourceSpecification {
  return {
    type: 'vector',
    tiles: [cellTilesTemplate()],
    minzoom: CELLS_MINZOOM,
    maxzoom: CELLS_MAXZOOM,
    ...(bounds ? { bounds } : {}),
  };
}

const labelsSource = (): SourceSpecification => ({ type: 'geojson', data: { type: 'FeatureCollection', features: [] } });

/** The raster layers of the basemap: the map, and for Tianditu its satellite view, each with its labels. */
export const BASEMAP_LAYERS = { map: ['basemap', 'basemap-labels'], satellite: ['satellite', 'satellite-labels'] } as const;

function rasterSource(tiles: string[], attribution?: string): SourceSpecification {
  return { type: 'raster', tiles, tileSize: 256, maxzoom: 18, ...(attribution ? { attribution } : {}) };
}

/**
 * Our own style when no basemap style is configured: a plain background (works offline), the raster
 * basemap if one is set (Tianditu's map and satellite views with their label layers, a tile URL, or
 * the server's local PMTiles), then the cell layers.
 */
export function ownStyle(basemap: Basemap, bounds: Bounds | null, cells: LayerSpecification[]): StyleSpecification {
  const sources: StyleSpecification['sources'] = { [CELLS_SOURCE]: cellsSource(bounds), [LABELS_SOURCE]: labelsSource() };
  const layers: LayerSpecification[] = [{ id: 'background', type: 'background', paint: { 'background-color': '#eef1f5' } }];
  const add = (id: string, tiles: string[] | undefined, visible: boolean) => {
    if (!tiles?.length) return;
    sources[id] = rasterSource(tiles, id.endsWith('labels') ? undefined : basemap.attribution);
    layers.push({ id, type: 'raster', source: id, layout: { visibility: visible ? 'visible' : 'none' } });
  };
  const local = basemap.localTiles ? [`${window.location.origin}${basemap.localTiles}`] : undefined;
  add('basemap', basemap.rasterTiles ?? local, true);
  add('basemap-labels', basemap.labelTiles, true);
  add('satellite', basemap.satelliteTiles, false);
  add('satellite-labels', basemap.satelliteLabelTiles, false);
  return { version: 8, sources, layers: [...layers, ...cells] };
}

/** Adds our source and layers on top of a configured basemap style. */
export function withCells(base: StyleSpecification, bounds: Bounds | null, cells: LayerSpecification[]): StyleSpecification {
  return {
    ...base,
    sources: { ...base.sources, [CELLS_SOURCE]: cellsSource(bounds), [LABELS_SOURCE]: labelsSource() },
    layers: [...base.layers, ...cells],
  };
}
