/** A grid cell as the API answers it: GET /api/cells, /api/cells/:id and every cell edit (server/cells). */
import type { Feature, FeatureCollection, MultiPolygon } from 'geojson';
import { object, type FromSchema } from './schema.ts';

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
