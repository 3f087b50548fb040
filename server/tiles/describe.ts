import type { StyleSpecification } from '@maplibre/maplibre-gl-style-spec';
import {
  CELLS_MAXZOOM, CELLS_MINZOOM, CELLS_SOURCE_LAYER, LABELS_SOURCE_LAYER, cellLayers, fitBounds,
} from '../../core/map/cell-layers.ts';
import type { LevelConfig } from '../config.ts';
import type { Queryable } from '../db/db.ts';

/** The cells tiles described for other clients: TileJSON 3.0.0 and a MapLibre style. */

export type Box = [number, number, number, number];
const WORLD: Box = [-180, -85.051129, 180, 85.051129];
/** The screen size the style's zoom ranges are made for (the app measures its own). */
const FIT_SIZE = 600;

/** The box around every cell (the world when there is none), to 6 decimals. */
export async function cellsBounds(db: Queryable): Promise<Box | null> {
  const { rows } = await db.query<{ b: Box | null }>(
    `SELECT CASE WHEN e IS NULL THEN NULL ELSE ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]::float8[] END AS b
     FROM (SELECT ST_Extent(geom) AS e FROM cells) x`);
  const b = rows[0]?.b ?? null;
  return b ? (b.map((n) => Math.round(n * 1e6) / 1e6) as Box) : null;
}

export const tileUrl = (base: string) => `${base}/tiles/cells/{z}/{x}/{y}.mvt`;
export const tileJsonUrl = (base: string) => `${base}/tiles/cells.json`;
export const styleUrl = (base: string) => `${base}/styles/cells.json`;

/** The fields of the tiles' layers, as server/tiles/encode.ts writes them (TileJSON types). */
export const VECTOR_LAYERS = [
  {
    id: CELLS_SOURCE_LAYER,
    description: 'Grid cells 网格 (polygons); the feature id is the cell id',
    minzoom: CELLS_MINZOOM,
    maxzoom: CELLS_MAXZOOM,
    fields: {
      code: 'String', name: 'String', level: 'Number', parentId: 'Number', version: 'Number', areaM2: 'Number',
    },
  },
  {
    id: LABELS_SOURCE_LAYER,
    description: 'A point inside each cell, in the one tile that holds it: where its name goes',
    minzoom: CELLS_MINZOOM,
    maxzoom: CELLS_MAXZOOM,
    fields: { code: 'String', name: 'String', level: 'Number' },
  },
] as const;

function center(bounds: Box): [number, number, number] {
  const zoom = Math.min(Math.max(Math.floor(fitBounds(bounds, FIT_SIZE).zoom), CELLS_MINZOOM), CELLS_MAXZOOM);
  return [Math.round(((bounds[0] + bounds[2]) / 2) * 1e6) / 1e6, Math.round(((bounds[1] + bounds[3]) / 2) * 1e6) / 1e6, zoom];
}

export function tileJson(base: string, bounds: Box | null, levels: LevelConfig[]) {
  const b = bounds ?? WORLD;
  return {
    tilejson: '3.0.0',
    name: 'Wangge cells 网格',
    description: `Grid cells by level: ${[...levels].sort((a, c) => a.level - c.level).map((l) => `${l.level} ${l.zh} ${l.en}`).join(', ')}`,
    version: '1.0.0',
    scheme: 'xyz',
    tiles: [tileUrl(base)],
    minzoom: CELLS_MINZOOM,
    maxzoom: CELLS_MAXZOOM,
    bounds: b,
    center: bounds ? center(bounds) : [0, 0, 0],
    vector_layers: VECTOR_LAYERS,
  };
}

/**
 * The cells as the app draws them, over whatever basemap the client has, named from the tiles'
 * "labels" layer. A style without `glyphs` is valid (MapLibre draws the text with the browser's
 * fonts, as in the app); `glyphsUrl` adds a glyph server for clients that need one.
 */
export function cellsStyle(base: string, bounds: Box | null, levels: LevelConfig[], glyphsUrl: string | undefined): StyleSpecification {
  const b = bounds ?? WORLD;
  const fit = fitBounds(b, FIT_SIZE);
  const [lon, lat, zoom] = bounds ? center(bounds) : [0, 0, 0];
  return {
    version: 8,
    name: 'Wangge cells 网格',
    center: [lon, lat],
    zoom,
    ...(glyphsUrl ? { glyphs: glyphsUrl } : {}),
    sources: { cells: { type: 'vector', url: tileJsonUrl(base) } },
    layers: cellLayers(levels, fit, {
      cells: 'cells',
      labels: { source: 'cells', sourceLayer: LABELS_SOURCE_LAYER },
      selection: false,
    }),
  };
}
