import type { ExpressionSpecification, LayerSpecification } from '@maplibre/maplibre-gl-style-spec';

/**
 * How the grid cells are drawn: one hue per level, fills that fade as finer levels show, outlines
 * and names. Shared by the app's map (client/map/style.ts) and the style served to other clients
 * at /styles/cells.json (server/tiles/style.ts).
 */

/** The layer names inside the vector tiles served at /tiles/cells/{z}/{x}/{y}.mvt. */
export const CELLS_SOURCE_LAYER = 'cells';
/** A point inside each cell, in the one tile that holds it: where its name goes. */
export const LABELS_SOURCE_LAYER = 'labels';
/** The zooms clients fetch the cells tiles at; above the last they overzoom its tiles. */
export const CELLS_MINZOOM = 0;
export const CELLS_MAXZOOM = 14;

/** One hue per level, coarse to fine; deployments with more levels cycle through them. */
const PALETTE = [
  { fill: '#2563eb', line: '#1e40af', text: '#1e3a8a' },
  { fill: '#7c3aed', line: '#6d28d9', text: '#4c1d95' },
  { fill: '#0d9488', line: '#0f766e', text: '#134e4a' },
  { fill: '#d97706', line: '#b45309', text: '#78350f' },
  { fill: '#db2777', line: '#be185d', text: '#831843' },
];

export const SELECTION_COLOR = '#e11d48';

/** The colours of the level at `index` (0 = coarsest). */
export function levelColors(index: number) {
  return PALETTE[index % PALETTE.length]!;
}

/** The outline width of the level at `index`, in pixels. */
export const lineWidth = (index: number) => Math.max(3 - 0.65 * index, 0.8);
/** The size of the level's names, in pixels. */
export const labelSize = (index: number) => Math.max(17 - 1.5 * index, 11.5);

export const fillLayerId = (level: number) => `cells-fill-${level}`;
export const lineLayerId = (level: number) => `cells-line-${level}`;
export const labelLayerId = (level: number) => `cells-label-${level}`;
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
export function fillOpacity(fit: Fit, index: number, last: boolean): ExpressionSpecification {
  const stops: [number, number][] = [];
  if (index > 0) stops.push([shown(fit, index), 0], [shown(fit, index) + 0.4, FILL]);
  if (!last) stops.push([shown(fit, index + 1) + 0.2, FILL], [shown(fit, index + 1) + 0.8, FAINT]);
  if (!stops.length) return ['case', hovered, FILL + HOVER, FILL];
  return ['interpolate', ['linear'], ['zoom'], ...stops.flatMap(([z, o]): (number | ExpressionSpecification)[] => [z, ['case', hovered, o + HOVER, o]])];
}

/**
 * The zoom at which a box (minLon, minLat, maxLon, maxLat) fits into `size` pixels on a Web Mercator
 * map with 512-pixel tiles (MapLibre's), for a Fit when there is no screen to measure.
 */
export function fitBounds([minLon, minLat, maxLon, maxLat]: [number, number, number, number], size: number): Fit {
  const y = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (Math.max(-85, Math.min(85, lat)) * Math.PI) / 360)) / (2 * Math.PI);
  const span = Math.max((maxLon - minLon) / 360, y(maxLat) - y(minLat), 1e-9);
  return { zoom: Math.log2(size / (512 * span)), size };
}

export interface CellLayerSources {
  /** The vector source of the cells (its source-layer is CELLS_SOURCE_LAYER). */
  cells: string;
  /**
   * Where the names come from: a GeoJSON source of points (the app), a vector source with its
   * source-layer (the tiles' LABELS_SOURCE_LAYER), or none (a style without glyphs).
   */
  labels: { source: string; sourceLayer?: string } | null;
  /** The selection layers (the app's; an external style has none). */
  selection: boolean;
}

/** Fills, outlines, the selection and the names of the cells, bottom to top. */
export function cellLayers(levels: { level: number }[], fit: Fit, sources: CellLayerSources): LayerSpecification[] {
  const sorted = [...levels].sort((a, b) => a.level - b.level);
  const base = { source: sources.cells, 'source-layer': CELLS_SOURCE_LAYER } as const;
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
    const width = lineWidth(i);
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
  const selected: LayerSpecification[] = !sources.selection ? [] : [
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
  // Names come from a point per cell, not from the polygons: a polygon label repeats in every tile
  // the polygon crosses. Coarser names last: the top-most symbol layer is placed first and wins collisions.
  const { labels: from } = sources;
  const labels = !from ? [] : sorted.map(({ level }, i): LayerSpecification => ({
    id: labelLayerId(level),
    type: 'symbol',
    source: from.source,
    ...(from.sourceLayer ? { 'source-layer': from.sourceLayer } : {}),
    filter: onLevel(level),
    ...labelZooms(fit, i),
    layout: {
      'text-field': ['get', 'name'],
      // The usual names on glyph servers; without a `glyphs` URL MapLibre draws with the browser's fonts.
      'text-font': [i < 2 ? 'Noto Sans Bold' : 'Noto Sans Regular'],
      'text-size': labelSize(i),
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
