import type {
  Map as MaplibreMap,
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';
import type { Basemap, Bounds, Level } from '../api.ts';

export const CELLS_SOURCE = 'cells';
/** One point per cell where its name goes (see labels.ts). */
export const LABELS_SOURCE = 'cell-labels';
/** The layer name inside the vector tiles served at /tiles/cells/{z}/{x}/{y}.mvt. */
export const CELLS_SOURCE_LAYER = 'cells';

/** One hue per level, coarse to fine; deployments with more levels cycle through them. */
const PALETTE = [
  { fill: '#2563eb', line: '#1e40af', text: '#1e3a8a' },
  { fill: '#7c3aed', line: '#6d28d9', text: '#4c1d95' },
  { fill: '#0d9488', line: '#0f766e', text: '#134e4a' },
  { fill: '#d97706', line: '#b45309', text: '#78350f' },
  { fill: '#db2777', line: '#be185d', text: '#831843' },
];

export const SELECTION_COLOR = '#e11d48';

export function levelColors(index: number) {
  return PALETTE[index % PALETTE.length]!;
}

export const fillLayerId = (level: number) => `cells-fill-${level}`;
const lineLayerId = (level: number) => `cells-line-${level}`;
const labelLayerId = (level: number) => `cells-label-${level}`;
export const SELECTED_LAYERS = ['cells-selected-fill', 'cells-selected-casing', 'cells-selected-line'] as const;

const onLevel = (level: number): ExpressionSpecification => ['==', ['get', 'level'], level];
const hovered: ExpressionSpecification = ['boolean', ['feature-state', 'hover'], false];
/** Matches no feature until a cell is selected (cell ids start at 1). */
export const selectedFilter = (id: number | null): ExpressionSpecification => ['==', ['id'], id ?? -1];

/** How a level's cells are sized on screen: the zoom that fits the whole area, and the size it fits into. */
export interface Fit {
  zoom: number;
  /** Pixels across the top-level area at that zoom. */
  size: number;
}

/** Each level is roughly 2.2 times smaller across than its parent (DESIGN: 3 to 5 nested levels). */
const LEVEL_STEP = Math.log2(2.2);

/**
 * The zoom at which a typical cell of the level (0-based index) is `px` pixels across. May be below
 * zero: expression stops keep their spacing that way, and layer zoom ranges are clamped.
 */
function zoomAt(fit: Fit, index: number, px: number): number {
  return fit.zoom + Math.log2(px / fit.size) + index * LEVEL_STEP;
}

const MAX_ZOOM = 24;
const zoomRange = (minzoom: number, maxzoom: number) => {
  const min = Math.min(Math.max(0, minzoom), MAX_ZOOM - 1);
  return { minzoom: min, maxzoom: Math.min(Math.max(min + 1, maxzoom), MAX_ZOOM) };
};

/** The zooms between which a level's names show: from about 90 px across to about 1600 px. */
export const labelZooms = (fit: Fit, index: number) => zoomRange(zoomAt(fit, index, 90), zoomAt(fit, index, 1600));

/** Below this zoom a level's cells are too small to draw (under about 30 px across). */
const shown = (fit: Fit, index: number) => (index === 0 ? -Infinity : zoomAt(fit, index, 30));
const drawnFrom = (fit: Fit, index: number) => zoomRange(shown(fit, index), MAX_ZOOM).minzoom;
const FILL = 0.2;
const FAINT = 0.025;
const HOVER = 0.16;

/**
 * A level's tint is strong while it is the finest level on screen and fades to faint once the next
 * one shows, so the colour under the cursor says which level a click selects, and stacked tints
 * don't muddy into grey.
 */
function fillOpacity(fit: Fit, index: number, last: boolean): ExpressionSpecification {
  const stops: [number, number][] = [];
  if (index > 0) stops.push([shown(fit, index), 0], [shown(fit, index) + 0.4, FILL]);
  if (!last) stops.push([shown(fit, index + 1) + 0.2, FILL], [shown(fit, index + 1) + 0.8, FAINT]);
  if (!stops.length) return ['case', hovered, FILL + HOVER, FILL];
  return ['interpolate', ['linear'], ['zoom'], ...stops.flatMap(([z, o]): (number | ExpressionSpecification)[] => [z, ['case', hovered, o + HOVER, o]])];
}

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

/** Fills, outlines, the selection and the names of the cells, bottom to top. */
export function cellLayers(levels: Level[], fit: Fit): LayerSpecification[] {
  const sorted = [...levels].sort((a, b) => a.level - b.level);
  const base = { source: CELLS_SOURCE, 'source-layer': CELLS_SOURCE_LAYER } as const;
  const fills = sorted.map(({ level }, i): LayerSpecification => ({
    ...base,
    id: fillLayerId(level),
    type: 'fill',
    filter: onLevel(level),
    minzoom: drawnFrom(fit, i),
    paint: { 'fill-color': levelColors(i).fill, 'fill-opacity': fillOpacity(fit, i, i === sorted.length - 1) },
  }));
  // Finer outlines first, so a coarser (thicker) boundary is drawn over the finer ones it coincides with.
  const lines = sorted.map(({ level }, i): LayerSpecification => {
    const width = Math.max(3 - 0.65 * i, 0.8);
    const from = drawnFrom(fit, i);
    return {
      ...base,
      id: lineLayerId(level),
      type: 'line',
      filter: onLevel(level),
      minzoom: from,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': levelColors(i).line,
        'line-width': ['interpolate', ['linear'], ['zoom'], from, width * 0.7, from + 3, width],
        'line-opacity': ['interpolate', ['linear'], ['zoom'], from, 0.35, from + 0.5, 0.9],
      },
    };
  }).reverse();
  const selected: LayerSpecification[] = [
    {
      ...base,
      id: SELECTED_LAYERS[0],
      type: 'fill',
      filter: selectedFilter(null),
      paint: { 'fill-color': SELECTION_COLOR, 'fill-opacity': 0.14 },
    },
    {
      ...base,
      id: SELECTED_LAYERS[1],
      type: 'line',
      filter: selectedFilter(null),
      layout: { 'line-join': 'round' },
      paint: { 'line-color': '#ffffff', 'line-width': 6.5, 'line-opacity': 0.9 },
    },
    {
      ...base,
      id: SELECTED_LAYERS[2],
      type: 'line',
      filter: selectedFilter(null),
      layout: { 'line-join': 'round' },
      paint: { 'line-color': SELECTION_COLOR, 'line-width': 3 },
    },
  ];
  // Names come from a point per cell, not from the tiles: a polygon label repeats in every tile the
  // polygon crosses. Coarser names last: the top-most symbol layer is placed first and wins collisions.
  const labels = sorted.map(({ level }, i): LayerSpecification => ({
    id: labelLayerId(level),
    type: 'symbol',
    source: LABELS_SOURCE,
    filter: onLevel(level),
    ...labelZooms(fit, i),
    layout: {
      'text-field': ['get', 'name'],
      // Our own style has no `glyphs` URL, so MapLibre draws every glyph with the browser's fonts;
      // these are the usual names on glyph servers, for basemap styles that bring one.
      'text-font': [i < 2 ? 'Noto Sans Bold' : 'Noto Sans Regular'],
      'text-size': Math.max(17 - 1.5 * i, 11.5),
      'text-max-width': 8,
      'text-padding': 6,
    },
    paint: {
      'text-color': levelColors(i).text,
      'text-halo-color': 'rgba(255,255,255,0.95)',
      'text-halo-width': 1.5,
    },
  })).reverse();
  return [...fills, ...lines, ...selected, ...labels];
}

export function cellsSource(bounds: Bounds | null): SourceSpecification {
  return {
    type: 'vector',
    // Absolute: tiles are fetched from a worker, where a relative URL does not resolve against the page.
    tiles: [`${window.location.origin}/tiles/cells/{z}/{x}/{y}.mvt`],
    minzoom: 0,
    maxzoom: 14,
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
