/**
 * What the imports answer: the spreadsheets (units: server/units/transfer.ts; assignments:
 * server/people/import.ts) and the boundary files (server/exchange/import).
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { ProblemParam } from '../problems/index.ts';
import { object, type FromSchema } from './schema.ts';

/** A row an import refused. */
export const rowErrorSchema = object({
  row: { type: 'integer', description: 'line of the file (the header is line 1); for GeoJSON, the feature index' },
  field: { type: 'string' },
  message: { type: 'string', description: 'the reason in English; code and params name it for the client to translate' },
  code: { type: 'string' },
  params: { type: 'object', additionalProperties: true },
}, 'code', 'params');
/** `params` are a problem's parameters (core/problems), which the schema leaves open. */
export type RowError = Omit<FromSchema<typeof rowErrorSchema>, 'params'> & { params?: Record<string, ProblemParam> };

/** A valid row of a units import's dry run, with the cell it would be filed in. */
export const unitPreviewRowSchema = object({
  row: { type: 'integer' },
  type: { type: 'string' },
  name: { type: 'string' },
  address: { type: ['string', 'null'] },
  contact: { type: ['string', 'null'] },
  lon: { type: 'number' },
  lat: { type: 'number' },
  cellId: { type: 'integer' },
  cellCode: { type: 'string' },
});
export type UnitPreviewRow = FromSchema<typeof unitPreviewRowSchema>;

/** POST /api/units/import: what was imported (or, with dryRun, the preview). */
export const unitImportSchema = object({
  rows: { type: 'integer' },
  imported: { type: 'integer' },
  skipped: { type: 'integer' },
  ids: { type: 'array', items: { type: 'integer' } },
  errors: { type: 'array', items: rowErrorSchema },
  preview: { type: 'array', items: unitPreviewRowSchema, description: 'dryRun only' },
}, 'preview');
export type UnitImport = Omit<FromSchema<typeof unitImportSchema>, 'errors'> & { errors: RowError[] };

/** POST /api/assignments/import: how many assignments were made, kept, and people created. */
export const assignmentImportSchema = object({
  rows: { type: 'integer' },
  assigned: { type: 'integer' },
  unchanged: { type: 'integer' },
  peopleCreated: { type: 'integer' },
  skipped: { type: 'integer' },
  errors: { type: 'array', items: rowErrorSchema },
});
export type AssignmentImport = Omit<FromSchema<typeof assignmentImportSchema>, 'errors'> & { errors: RowError[] };

/** What a boundary file's problems are about. */
export const IMPORT_PROBLEM_KINDS = ['geometry', 'name', 'code', 'parent', 'level', 'outside', 'overlap', 'scope', 'crs'] as const;
const importProblemObject = object({
  kind: { type: 'string', enum: IMPORT_PROBLEM_KINDS },
  severity: { type: 'string', enum: ['error', 'warning'] },
  message: { type: 'string', description: 'the problem in English; code and params name it for the client to translate' },
  code: { type: 'string' },
  params: { type: 'object', additionalProperties: true },
}, 'code', 'params');
/** A problem of a boundary file or of one of its features (more fields may come with it: all are kept). */
export const importProblemSchema = { ...importProblemObject, additionalProperties: true } as const;
export type ImportProblem = Omit<FromSchema<typeof importProblemObject>, 'params'> & { params?: Record<string, ProblemParam> };

const strOrNull = { type: ['string', 'null'] } as const;
const intOrNull = { type: ['integer', 'null'] } as const;

/** Which attribute of the file holds each cell property (null: not in the file). */
export const importMappingSchema = object({ name: strOrNull, code: strOrNull, parentCode: strOrNull, level: strOrNull }, 'code', 'parentCode', 'level');

/** A feature of the file as the preview reads it: what it would become, and its problems. */
export const importFeatureSchema = object({
  index: { type: 'integer' },
  name: strOrNull,
  code: strOrNull,
  parentCode: strOrNull,
  level: intOrNull,
  areaM2: { type: ['number', 'null'] },
  excluded: { type: 'boolean' },
  problems: { type: 'array', items: importProblemSchema },
});
export type ImportFeature = Omit<FromSchema<typeof importFeatureSchema>, 'problems'> & { problems: ImportProblem[] };

/** POST /api/import/cells and …/preview: the file read, the mapping, a report per feature and the shapes for the map. */
export const cellImportPreviewSchema = object({
  id: { type: 'string', format: 'uuid' },
  fileName: { type: 'string' },
  format: { type: 'string' },
  featureCount: { type: 'integer' },
  crs: { ...strOrNull, description: 'the coordinate system used' },
  declaredCrs: { ...strOrNull, description: 'the one the file declares' },
  encoding: { ...strOrNull, description: 'the text encoding the attributes were read in (WHATWG label: gbk, utf-8…)' },
  warnings: { type: 'array', items: { type: 'string' }, description: 'the English text of the notices (kept for clients that show text only)' },
  notices: {
    type: 'array',
    description: 'what the reader noticed about the whole file (it still imports): a catalog code (imports.note-*) and its parameters for the client to show in its language, and the English text',
    items: object({ code: strOrNull, params: { type: 'object', additionalProperties: true }, message: { type: 'string' } }),
  },
  fields: { type: 'array', items: object({ name: { type: 'string' }, sample: strOrNull }) },
  mapping: importMappingSchema,
  parentId: intOrNull,
  epsg: intOrNull,
  fileProblems: { type: 'array', items: importProblemSchema },
  summary: object({ features: { type: 'integer' }, excluded: { type: 'integer' }, withErrors: { type: 'integer' }, errors: { type: 'integer' }, warnings: { type: 'integer' }, ready: { type: 'boolean' } }),
  features: { type: 'array', items: importFeatureSchema },
  preview: {
    ...object({
      type: { type: 'string', const: 'FeatureCollection' },
      features: {
        type: 'array',
        items: object({
          type: { type: 'string', const: 'Feature' },
          id: { type: 'integer' },
          geometry: { type: 'object', additionalProperties: true },
          properties: object({ index: { type: 'integer' }, name: strOrNull, code: strOrNull, level: intOrNull, errors: { type: 'integer' } }),
        }),
      },
    }),
    description: 'the features that have a geometry, in lon/lat, for the map',
  },
});
export type CellImportPreview = Omit<FromSchema<typeof cellImportPreviewSchema>, 'fileProblems' | 'features' | 'preview'> & {
  fileProblems: ImportProblem[];
  features: ImportFeature[];
  preview: FeatureCollection<Polygon | MultiPolygon, FromSchema<typeof cellImportPreviewSchema>['preview']['features'][number]['properties']>;
};

/** POST /api/import/cells/:id/commit: the cells created. */
export const cellImportCommittedSchema = object({
  id: { type: 'string', format: 'uuid' },
  created: { type: 'integer' },
  cells: { type: 'array', items: object({ index: { type: 'integer' }, id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, level: { type: 'integer' } }) },
});
export type CellImportCommitted = FromSchema<typeof cellImportCommittedSchema>;
