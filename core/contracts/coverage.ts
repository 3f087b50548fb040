/**
 * Seamless coverage as the API answers it (server/coverage/routes.ts): the report of one parent
 * (overlaps, gaps, strays, slivers, invalid cells), a level's summary, the cells an analysis reads,
 * and a repair. The coverage engine (core/coverage) builds its reports in these types, in the
 * browser and in Node; the geometry of a piece is a GeoJSON Polygon, which the schema leaves open.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import type { GeometryFault } from '../problems/geos.ts';
import { DEFAULT_MIN_AREA_M2 } from '../coverage/definitions.ts';
import { idSchema, object, type FromSchema } from './schema.ts';
import { geometrySchema } from './cells.ts';

const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const idList = { type: 'array', items: int } as const;
const polygon = { type: 'object', additionalProperties: true, description: 'GeoJSON Polygon' } as const;
const piece = { areaM2: num, widthM: { ...num, description: 'Width, 2·area/perimeter (m)' }, geometry: polygon } as const;
/** A piece's geometry is a Polygon (the schema leaves it open). */
type WithPolygon<T> = Omit<T, 'geometry'> & { geometry: Polygon };

/** A piece of the intersection of two children of the same parent. */
export const overlapFaultSchema = object({ a: int, b: int, ...piece });
export type OverlapFault = WithPolygon<FromSchema<typeof overlapFaultSchema>>;

/** A piece of the parent its children do not cover, with the children that border it. */
export const gapFaultSchema = object({ ...piece, neighbours: idList });
export type GapFault = WithPolygon<FromSchema<typeof gapFaultSchema>>;

/** A piece of a child outside its parent. */
export const strayFaultSchema = object({ cellId: int, ...piece });
export type StrayFault = WithPolygon<FromSchema<typeof strayFaultSchema>>;

export const SLIVER_KINDS = ['overlap', 'gap', 'stray'] as const;
/** A piece below the tolerance: an overlap's cells (a, b), a gap's neighbours or a stray's cell, by kind. */
export const sliverSchema = object({ kind: { type: 'string', enum: SLIVER_KINDS }, a: int, b: int, cellId: int, neighbours: idList, ...piece }, 'a', 'b', 'cellId', 'neighbours');
export type Sliver =
  | (OverlapFault & { kind: 'overlap' })
  | (GapFault & { kind: 'gap' })
  | (StrayFault & { kind: 'stray' });

/** A cell GEOS (or the Turf engine, in its words) finds invalid: the reason as said, and its catalog code to show. */
export const invalidCellSchema = object({ cellId: int, reason: { type: 'string' }, code: { type: 'string' }, params: { type: 'object', additionalProperties: true } });
export type InvalidCell = Omit<FromSchema<typeof invalidCellSchema>, 'code' | 'params'> & { code: GeometryFault['code']; params: GeometryFault['params'] };

const reportProperties = {
  parentId: int,
  notSubdivided: { type: 'boolean', description: 'The parent has no children: nothing to check, and not a gap' },
  childCount: int,
  parentAreaM2: num,
  coveredRatio: { type: ['number', 'null'], description: 'Share of the parent covered by its children; null when not subdivided' },
  overlaps: { type: 'array', items: overlapFaultSchema },
  gaps: { type: 'array', items: gapFaultSchema },
  strays: { type: 'array', items: strayFaultSchema },
  slivers: { type: 'array', items: sliverSchema },
  invalid: { type: 'array', items: invalidCellSchema, description: 'Cells (parent or children) that are not valid OGC geometry; analysed as made valid' },
} as const;
type Faults = 'overlaps' | 'gaps' | 'strays' | 'slivers' | 'invalid';
type WithFaults<T> = Omit<T, Faults> & { overlaps: OverlapFault[]; gaps: GapFault[]; strays: StrayFault[]; slivers: Sliver[]; invalid: InvalidCell[] };

/** The children of one parent against it. */
export const coverageReportSchema = object(reportProperties);
export type CoverageReport = WithFaults<FromSchema<typeof coverageReportSchema>>;

/** A parent's report in an answer: the analysis of a parent it failed on carries the error instead. */
export const parentReportSchema = object({ ...reportProperties, error: { type: 'string' } }, 'error');
export type ParentReport = WithFaults<FromSchema<typeof parentReportSchema>>;

/** The tolerance used: pieces below minAreaM2 (m²), or narrower than sliverWidthM (m) when set, are slivers. */
export const toleranceSchema = object({ minAreaM2: num, sliverWidthM: { type: ['number', 'null'] } });
export type ToleranceUsed = FromSchema<typeof toleranceSchema>;

/** The figures of a level: parents, faults and their areas. */
export const coverageSummarySchema = object({
  parents: num,
  subdivided: num,
  notSubdivided: num,
  overlaps: num,
  gaps: num,
  strays: num,
  slivers: num,
  invalid: num,
  overlapAreaM2: num,
  gapAreaM2: num,
  strayAreaM2: num,
  coveredRatio: { type: ['number', 'null'], description: 'Area-weighted over the subdivided parents; null when none is' },
});
export type CoverageSummary = FromSchema<typeof coverageSummarySchema>;

/** GET /api/coverage?parentId=: the parent's report with the tolerance used. */
export const parentAnswerSchema = object({ ...parentReportSchema.properties, tolerance: toleranceSchema }, 'error');
export type ParentAnswer = ParentReport & { tolerance: ToleranceUsed };

/** GET /api/coverage?level=: every parent of the level, with the summary. */
export const levelAnswerSchema = object({ level: int, tolerance: toleranceSchema, parents: { type: 'array', items: parentReportSchema }, summary: coverageSummarySchema });
export type LevelAnswer = Omit<FromSchema<typeof levelAnswerSchema>, 'parents'> & { parents: ParentReport[] };

/** GET /api/coverage: the serializer's schema of both answers (each property is in one of them). */
export const coverageAnswerSchema = {
  type: 'object',
  properties: { ...parentAnswerSchema.properties, ...levelAnswerSchema.properties },
  required: ['tolerance'],
  additionalProperties: false,
} as const;
export type CoverageAnswer = ParentAnswer | LevelAnswer;

const areal = { type: 'object', additionalProperties: true, description: 'GeoJSON Polygon or MultiPolygon, as stored (15 decimals)' } as const;
/** GET /api/coverage/cells: the parents and children an analysis reads, unrounded. */
export const coverageInputSchema = object({
  parents: { type: 'array', items: object({ id: int, geometry: areal }) },
  children: { type: 'array', items: object({ id: int, parentId: int, geometry: areal }) },
});
type Input = FromSchema<typeof coverageInputSchema>;
/** Their geometry is a Polygon or a MultiPolygon (the schema leaves it open). */
type WithAreal<T> = Omit<T, 'geometry'> & { geometry: Polygon | MultiPolygon };
export type CoverageInput = { parents: WithAreal<Input['parents'][number]>[]; children: WithAreal<Input['children'][number]>[] };

export const FIX_KINDS = ['overlap', 'gap', 'slivers', 'stray'] as const;
export type FixKind = (typeof FIX_KINDS)[number];

/** POST /api/coverage/fix: what changed (cells reshaped, a cell created) and the parent's report after. */
export const fixAnswerSchema = object({
  kind: { type: 'string', enum: FIX_KINDS },
  changed: idList,
  created: { type: ['integer', 'null'] },
  report: coverageReportSchema,
}, 'report');
export type FixAnswer = Omit<FromSchema<typeof fixAnswerSchema>, 'report'> & { report?: CoverageReport };

/** The tolerances of a coverage check or repair. */
export const toleranceProps = {
  minAreaM2: { type: 'number', minimum: 0, maximum: 1e12, default: DEFAULT_MIN_AREA_M2, description: 'Pieces below this area (m²) are slivers, not faults' },
  sliverWidthM: { type: 'number', exclusiveMinimum: 0, maximum: 1e6, description: 'Pieces narrower than this (m, 2·area/perimeter) are slivers too' },
} as const;

/**
 * POST /api/coverage/fix: one repair. Which fields a kind needs (overlap: a, b, keep; gap: index or
 * gapGeometry; slivers: parentId; stray: cellId) is checked by the server (coverage.fix-fields-missing).
 */
export const coverageFixBodySchema = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['overlap', 'gap', 'slivers', 'stray'] },
    a: idSchema,
    b: idSchema,
    keep: { anyOf: [{ type: 'string', enum: ['a', 'b'] }, idSchema] },
    parentId: idSchema,
    index: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    gapGeometry: geometrySchema,
    into: { anyOf: [{ const: 'new' }, idSchema] },
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    cellId: idSchema,
    ...toleranceProps,
  },
  required: ['kind'],
  additionalProperties: false,
} as const;
/** As the client sends it: minAreaM2 may be left out (the server then uses its default). */
export type CoverageFixBody = FromSchema<typeof coverageFixBodySchema, { keepDefaultedPropertiesOptional: true }>;
