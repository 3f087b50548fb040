/** What the spreadsheet imports answer (units: server/units/transfer.ts; assignments: server/people/import.ts). */
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
