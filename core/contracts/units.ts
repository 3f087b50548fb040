/** Units and places on file (一户一档) as the API answers them: server/units (routes.ts, history.ts). */
import type { Feature, FeatureCollection, Point } from 'geojson';
import { namedSchema, object, type FromSchema } from './schema.ts';

/** GET /api/unit-types: the configured kinds of unit. */
export const unitTypeSchema = object({ code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } });
export type UnitType = FromSchema<typeof unitTypeSchema>;

export const unitPropertiesSchema = object({
  type: { type: 'string' },
  typeName: namedSchema,
  name: { type: 'string' },
  address: { type: ['string', 'null'] },
  contact: { type: ['string', 'null'] },
  attributes: { type: 'object', additionalProperties: true },
  cellId: { type: ['integer', 'null'], description: 'the smallest cell containing the unit (route_point)' },
  cellCode: { type: ['string', 'null'] },
  version: { type: 'integer' },
  updatedAt: { type: 'string' },
  archivedAt: { type: ['string', 'null'], description: 'when the unit was archived (归档); null while active' },
  archivedBy: { type: ['string', 'null'] },
});
export type UnitProperties = FromSchema<typeof unitPropertiesSchema>;

export const unitFeatureSchema = {
  $id: 'UnitFeature',
  type: 'object',
  properties: {
    type: { const: 'Feature' },
    id: { type: 'integer' },
    geometry: { type: 'object', additionalProperties: true, description: 'GeoJSON Point, EPSG:4326' },
    properties: unitPropertiesSchema,
  },
} as const;
/** The GeoJSON envelope is typed by RFC 7946's types (the schema leaves the geometry open). */
export type Unit = Feature<Point, UnitProperties> & { id: number };

export const unitCollectionSchema = {
  $id: 'UnitCollection',
  type: 'object',
  properties: { type: { const: 'FeatureCollection' }, features: { type: 'array', items: { $ref: 'UnitFeature#' } } },
} as const;
export type Units = FeatureCollection<Point, UnitProperties> & { features: Unit[] };

export const ENTRY_KINDS = ['inspection', 'note', 'visit', 'hazard', 'rectification'] as const;

/** A report photo on a unit's page. */
export const unitPhotoSchema = object({ id: { type: 'integer' }, reportId: { type: 'integer' }, url: { type: 'string' }, thumbUrl: { type: 'string' } });
export type UnitPhoto = FromSchema<typeof unitPhotoSchema>;

/** One entry of a unit's file: a record, a check-in, a hazard found there or a rectification step. */
export const unitEntrySchema = object({
  kind: { type: 'string', enum: ENTRY_KINDS },
  at: { type: 'string', description: 'ISO time (a record without a time: its date at 00:00 UTC)' },
  date: { type: 'string' },
  by: { type: ['string', 'null'] },
  text: { type: ['string', 'null'] },
  result: { type: ['string', 'null'], description: 'visit: ok | failed; hazard: its state' },
  failedItems: { type: 'array', items: { type: 'string' } },
  reportId: { type: ['integer', 'null'] },
  trackingCode: { type: ['string', 'null'] },
  category: { type: ['string', 'null'] },
  severity: { type: ['string', 'null'] },
  photos: { type: 'array', items: unitPhotoSchema },
});
export type UnitEntry = FromSchema<typeof unitEntrySchema>;

/** Who answers for a unit: its own contact and its cell's people. */
export const unitContactSchema = object({
  name: { type: 'string' },
  role: { type: 'string' },
  roleName: namedSchema,
  phone: { type: ['string', 'null'] },
  organisation: { type: ['string', 'null'] },
});
export type UnitContact = FromSchema<typeof unitContactSchema>;

/** GET /api/units/:id/history: a unit's page. */
export const unitPageSchema = object({
  unit: { $ref: 'UnitFeature#' },
  contacts: { type: 'array', items: unitContactSchema },
  counts: object({ inspections: { type: 'integer' }, hazards: { type: 'integer' }, openHazards: { type: 'integer' }, rectified: { type: 'integer' }, photos: { type: 'integer' } }),
  categories: { type: 'object', additionalProperties: namedSchema },
  entries: { type: 'array', items: unitEntrySchema },
});
export type UnitPage = Omit<FromSchema<typeof unitPageSchema, { references: [typeof unitFeatureSchema] }>, 'unit'> & { unit: Unit };

/** A GeoJSON Point (RFC 7946) as a request gives it: [longitude, latitude] and perhaps an altitude. */
export const pointBodySchema = {
  type: 'object',
  properties: { type: { const: 'Point' }, coordinates: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } },
  required: ['type', 'coordinates'],
} as const;
export type PointBody = FromSchema<typeof pointBodySchema>;

/** POST /api/units/:id/records: an inspection or a note for a unit's file (date defaults to today). */
export const unitRecordBodySchema = {
  type: 'object',
  properties: { date: { type: 'string', format: 'date' }, kind: { type: 'string', enum: ['inspection', 'note'] }, text: { type: 'string', minLength: 1, maxLength: 10_000, pattern: '\\S' } },
  required: ['kind', 'text'],
  additionalProperties: false,
} as const;
export type UnitRecordBody = FromSchema<typeof unitRecordBodySchema>;

/** POST /api/units/import: CSV text, a GeoJSON FeatureCollection of Points, or JSON {csv | geojson, skipInvalid}. */
export const unitImportBodySchema = {
  anyOf: [
    { type: 'string', minLength: 1 },
    { type: 'object', properties: { type: { const: 'FeatureCollection' }, features: { type: 'array' } }, required: ['type', 'features'] },
    { type: 'object', properties: { csv: { type: 'string', minLength: 1 }, skipInvalid: { type: 'boolean' } }, required: ['csv'], additionalProperties: false },
    { type: 'object', properties: { geojson: { type: 'object' }, skipInvalid: { type: 'boolean' } }, required: ['geojson'], additionalProperties: false },
  ],
} as const;
export type UnitImportBody = FromSchema<typeof unitImportBodySchema>;

/** The query of POST /api/units/import. */
export const unitImportQuerySchema = { type: 'object', properties: { skipInvalid: { type: 'boolean' }, dryRun: { type: 'boolean' } }, additionalProperties: false } as const;
export type UnitImportQuery = FromSchema<typeof unitImportQuerySchema>;

const text = (max: number) => ({ anyOf: [{ type: 'string', maxLength: max }, { type: 'null' }] }) as const;

/** A unit's properties as a request gives them; its type is one of the deployment's configured codes. */
export const unitPropsBodySchema = <const T extends readonly string[]>(typeCodes: T) => ({
  type: 'object',
  properties: {
    type: { type: 'string', enum: typeCodes },
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    address: text(500),
    contact: text(200),
    attributes: { type: 'object', additionalProperties: true },
  },
  additionalProperties: false,
}) as const;

/** POST /api/units: file a unit (its cell is the smallest cell containing the point). */
export const newUnitBodySchema = <const T extends readonly string[]>(typeCodes: T) => ({
  type: 'object',
  properties: { type: { const: 'Feature' }, geometry: pointBodySchema, properties: { ...unitPropsBodySchema(typeCodes), required: ['type', 'name'] } },
  required: ['type', 'geometry', 'properties'],
}) as const;
export type NewUnitBody = FromSchema<ReturnType<typeof newUnitBodySchema<string[]>>>;

/** PATCH /api/units/:id: edit or move a unit. */
export const unitPatchBodySchema = <const T extends readonly string[]>(typeCodes: T) => ({
  type: 'object',
  properties: { type: { const: 'Feature' }, geometry: pointBodySchema, properties: unitPropsBodySchema(typeCodes) },
  anyOf: [{ required: ['geometry'] }, { required: ['properties'] }],
}) as const;
export type UnitPatchBody = FromSchema<ReturnType<typeof unitPatchBodySchema<string[]>>>;
