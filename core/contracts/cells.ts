/** A grid cell as the API answers it: GET /api/cells, /api/cells/:id and every cell edit (server/cells). */
import type { Feature, FeatureCollection, LineString, MultiPolygon, Polygon } from 'geojson';
import type { JSONSchema } from 'json-schema-to-ts';
import { idSchema, object, type FromSchema } from './schema.ts';

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

/** A cell's outline as a request sends it: GeoJSON Polygon or MultiPolygon (the server checks the rings). */
export const geometrySchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['Polygon', 'MultiPolygon'] },
    coordinates: { type: 'array', minItems: 1, maxItems: 10_000, items: { type: 'array' } },
  },
  required: ['type', 'coordinates'],
} as const;

/** The line a cell is split along. */
const lineSchema = { type: 'object', properties: { type: { const: 'LineString' }, coordinates: { type: 'array', minItems: 2, items: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } } }, required: ['type', 'coordinates'] } as const;

/** A request's geometries typed as RFC 7946's (the schema checks their outline, the server the rest). */
type FromRequest<S extends JSONSchema> = FromSchema<S, { deserialize: [{ pattern: typeof geometrySchema; output: Polygon | MultiPolygon }, { pattern: typeof lineSchema; output: LineString }] }>;

export const cellNameSchema = { type: 'string', minLength: 1, maxLength: CELL_NAME_MAX_LENGTH, pattern: '\\S' } as const;

/** POST /api/cells: a new cell inside its parent, at one of the configured levels. */
export const newCellBodySchema = (levelCount: number) => ({
  type: 'object',
  properties: {
    type: { const: 'Feature' },
    geometry: geometrySchema,
    properties: {
      type: 'object',
      properties: { name: cellNameSchema, level: { type: 'integer', minimum: 1, maximum: levelCount }, parentId: { anyOf: [idSchema, { type: 'null' }] }, code: { type: 'string', maxLength: 64 } },
      required: ['name', 'level', 'parentId'],
    },
  },
  required: ['type', 'geometry', 'properties'],
}) as const;
export type NewCellBody = FromRequest<ReturnType<typeof newCellBodySchema>>;

/** PATCH /api/cells/:id: rename or reshape a cell. */
export const cellPatchBodySchema = {
  type: 'object',
  properties: { type: { const: 'Feature' }, geometry: geometrySchema, properties: { type: 'object', properties: { name: cellNameSchema } } },
  anyOf: [{ required: ['geometry'] }, { required: ['properties'] }],
} as const;
export type CellPatchBody = FromRequest<typeof cellPatchBodySchema>;

/** POST /api/cells/reshape: several cells reshaped at once, each with the version it was edited from. */
export const reshapeBodySchema = {
  type: 'object',
  properties: {
    cells: {
      type: 'array', minItems: 1, maxItems: 200,
      items: { type: 'object', properties: { id: idSchema, version: { type: 'integer', minimum: 1 }, geometry: geometrySchema }, required: ['id', 'version', 'geometry'], additionalProperties: false },
    },
  },
  required: ['cells'],
  additionalProperties: false,
} as const;
export type ReshapeBody = FromRequest<typeof reshapeBodySchema>;

/** POST /api/cells/:id/split: the line, bare or as a Feature. */
export const splitBodySchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['LineString', 'Feature'] },
    coordinates: { type: 'array', minItems: 2, items: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } },
    geometry: lineSchema,
  },
  required: ['type'],
} as const;
export type SplitBody = FromRequest<typeof splitBodySchema>;

/** POST /api/cells/merge: adjacent cells of one parent, merged into the first. */
export const mergeBodySchema = {
  type: 'object',
  properties: { ids: { type: 'array', items: idSchema, minItems: 2, maxItems: 100, uniqueItems: true }, name: cellNameSchema },
  required: ['ids'],
  additionalProperties: false,
} as const;
export type MergeBody = FromRequest<typeof mergeBodySchema>;

/** POST /api/cells/:id/restore: the version whose name and geometry come back. */
export const restoreBodySchema = { type: 'object', properties: { version: { type: 'integer', minimum: 1 } }, required: ['version'], additionalProperties: false } as const;
export type RestoreBody = FromRequest<typeof restoreBodySchema>;
