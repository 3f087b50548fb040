/** A grid cell as the API answers it: GET /api/cells, /api/cells/:id and every cell edit (server/cells). */
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { object, type FromSchema } from './schema.ts';

/** The longest name a cell may have, drawn by hand or imported. */
export const CELL_NAME_MAX_LENGTH = 200;

export const cellPropertiesSchema = object({
  code: { type: 'string' },
  name: { type: 'string' },
  level: { type: 'integer' },
  parentId: { type: ['integer', 'null'] },
  version: { type: 'integer' },
  areaM2: { type: 'number', description: 'true area in square metres' },
  updatedAt: { type: 'string', format: 'date-time' },
});
export type CellProperties = FromSchema<typeof cellPropertiesSchema>;

export const cellFeatureSchema = {
  $id: 'CellFeature',
  type: 'object',
  properties: {
    type: { const: 'Feature' },
    id: { type: 'integer' },
    geometry: { type: 'object', additionalProperties: true, description: 'GeoJSON MultiPolygon, EPSG:4326' },
    properties: cellPropertiesSchema,
  },
} as const;
/** The GeoJSON envelope is typed by RFC 7946's types (the schema leaves the geometry open). */
export type Cell = Feature<MultiPolygon, CellProperties> & { id: number };

export const cellCollectionSchema = {
  $id: 'CellCollection',
  type: 'object',
  properties: {
    type: { const: 'FeatureCollection' },
    features: { type: 'array', items: { $ref: 'CellFeature#' } },
  },
} as const;
export type CellCollection = FeatureCollection<MultiPolygon, CellProperties> & { features: Cell[] };

/** One version of a cell (GET /api/cells/:id/history): when, what changed and, for signed-in users, who. */
export const cellVersionSchema = object({
  version: { type: 'integer' },
  operation: { type: 'string', enum: ['insert', 'update', 'delete'] },
  changed: { type: 'array', items: { type: 'string' }, description: 'the fields this version changed' },
  changedAt: { type: 'string', format: 'date-time' },
  changedBy: { type: ['string', 'null'], description: 'the username (signed-in users only)' },
  name: { type: 'string' },
  code: { type: 'string' },
  parentId: { type: ['integer', 'null'] },
  areaM2: { type: 'number' },
  geometry: { type: 'object', additionalProperties: true, description: 'GeoJSON MultiPolygon, EPSG:4326' },
}, 'changedBy');
export type CellVersion = Omit<FromSchema<typeof cellVersionSchema>, 'geometry'> & { geometry: MultiPolygon };
