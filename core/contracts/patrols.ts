/** Patrols, patrol plans and inspection coverage as the API answers them (server/patrols: model.ts, plans.ts). */
import { SEVERITIES, STATES } from './reports.ts';
import { idSchema, namedSchema, object, type FromSchema } from './schema.ts';
import { pointBodySchema } from './units.ts';

/** Where a cell or unit stands against its cadence; the order is from good to bad. */
export const CADENCE_STATUSES = ['ok', 'due', 'overdue'] as const;
export type CadenceStatus = (typeof CADENCE_STATUSES)[number];

/** One patrol plan of a cell and where it stands. */
export const planStateSchema = object({
  plan: { type: 'string' },
  name: namedSchema,
  status: { type: 'string', enum: CADENCE_STATUSES },
  lastAt: { type: ['string', 'null'] },
  dueAt: { type: ['string', 'null'] },
  done: { type: 'integer' },
  required: { type: 'integer' },
});
export type PlanState = FromSchema<typeof planStateSchema>;

export const responsibleSchema = object({ personId: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string' } });
export type Responsible = FromSchema<typeof responsibleSchema>;

export const coverageCellSchema = object({
  id: { type: 'integer' },
  code: { type: 'string' },
  name: { type: 'string' },
  level: { type: 'integer' },
  parentId: { type: ['integer', 'null'] },
  plans: { type: 'array', items: planStateSchema, description: "the cell's own patrol plans (by level) and where each stands" },
  patrolStatus: { type: ['string', 'null'], enum: [...CADENCE_STATUSES, null], description: 'the worst of plans; null when no plan covers the level' },
  responsible: { type: 'array', items: responsibleSchema },
  unitsTotal: { type: 'integer', description: 'units in the cell and every cell below it that follow a plan' },
  unitsInspected: { type: 'integer' },
  unitsDue: { type: 'integer' },
  unitsOverdue: { type: 'integer' },
  pctInspected: { type: ['number', 'null'], description: 'unitsInspected / unitsTotal in percent (one decimal); null without units' },
});
export type CoverageCell = FromSchema<typeof coverageCellSchema>;

const coverageUnitProperties = {
  id: { type: 'integer' },
  name: { type: 'string' },
  type: { type: 'string' },
  cellId: { type: 'integer' },
  cellCode: { type: 'string' },
  lon: { type: 'number' },
  lat: { type: 'number' },
  plan: { type: ['string', 'null'] },
  status: { type: ['string', 'null'], enum: [...CADENCE_STATUSES, null] },
  lastAt: { type: ['string', 'null'] },
  dueAt: { type: ['string', 'null'] },
  done: { type: 'integer' },
  required: { type: 'integer' },
} as const;
export const coverageUnitSchema = object(coverageUnitProperties);
export type CoverageUnit = FromSchema<typeof coverageUnitSchema>;

/** GET /api/inspections/coverage: every cell asked for and the units by status, at a moment. */
export const coverageSchema = object({ at: { type: 'string' }, cells: { type: 'array', items: coverageCellSchema }, units: { type: 'array', items: coverageUnitSchema } });
export type Coverage = FromSchema<typeof coverageSchema>;

export const checklistItemSchema = object({ code: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } });
export type ChecklistItem = FromSchema<typeof checklistItemSchema>;

/** GET /api/plans/cells/:id: a cell's plan, and every unit in it (and below) with its checklist. */
export const cellPlanSchema = object({
  at: { type: 'string' },
  cell: coverageCellSchema,
  units: { type: 'array', items: object({ ...coverageUnitProperties, checklist: { type: 'array', items: checklistItemSchema } }) },
});
export type CellPlan = FromSchema<typeof cellPlanSchema>;

/** A checklist item as ticked on a visit. */
export const checklistEntrySchema = object({ code: { type: 'string' }, ok: { type: 'boolean' }, note: { type: 'string' } }, 'note');
export type ChecklistEntry = FromSchema<typeof checklistEntrySchema>;

export const VISIT_RESULTS = ['pass', 'fail', 'incomplete'] as const;
export type VisitResult = (typeof VISIT_RESULTS)[number];

const inspectionSummaryProperties = {
  id: { type: 'integer' },
  cellId: { type: ['integer', 'null'] },
  cellCode: { type: 'string' },
  cellName: { type: 'string' },
  cellLevel: { type: 'integer' },
  inspector: { type: 'string' },
  personId: { type: ['integer', 'null'] },
  startedAt: { type: 'string' },
  finishedAt: { type: ['string', 'null'] },
  open: { type: 'boolean' },
  note: { type: ['string', 'null'] },
  track: {
    anyOf: [
      { type: 'null' },
      object({ type: { type: 'string', enum: ['LineString'] }, coordinates: { type: 'array', items: { type: 'array', items: { type: 'number' } } } }),
    ],
  },
  trackTimes: { type: 'array', items: { type: 'string' } },
  trackLengthM: { type: ['number', 'null'] },
  trackPoints: { type: 'integer' },
} as const;

/** A patrol as lists show it (GET /api/inspections). */
export const inspectionSummarySchema = { $id: 'InspectionSummary', ...object(inspectionSummaryProperties) } as const;
export type InspectionSummary = FromSchema<typeof inspectionSummarySchema>;

/** A check-in at a unit on a patrol, with its checklist and result. */
export const visitSchema = {
  $id: 'InspectionVisit',
  ...object({
    id: { type: 'integer' },
    unitId: { type: ['integer', 'null'] },
    unitName: { type: 'string' },
    unitType: { type: 'string' },
    cellId: { type: ['integer', 'null'] },
    at: { type: 'string' },
    location: object({ type: { type: 'string', enum: ['Point'] }, coordinates: { type: 'array', items: { type: 'number' } } }),
    locationSource: { type: 'string', enum: ['device', 'unit'] },
    accuracyM: { type: ['number', 'null'] },
    distanceM: { type: 'number' },
    far: { type: 'boolean' },
    checklistItems: { type: 'array', items: checklistItemSchema },
    checklist: { type: 'array', items: checklistEntrySchema },
    note: { type: ['string', 'null'] },
    receivedAt: { type: 'string' },
    timeFlag: { type: ['string', 'null'] },
    result: { type: 'string', enum: VISIT_RESULTS },
    findings: { type: 'array', items: { type: 'integer' } },
  }),
} as const;
export type Visit = FromSchema<typeof visitSchema>;

/** A whole patrol: visits with checklists and results, findings with their reports, the track. */
export const inspectionSchema = {
  $id: 'Inspection',
  ...object({
    ...inspectionSummaryProperties,
    visits: { type: 'array', items: { $ref: 'InspectionVisit#' } },
    findings: {
      type: 'array',
      items: object({
        reportId: { type: 'integer' },
        trackingCode: { type: 'string' },
        visitId: { type: ['integer', 'null'] },
        unitId: { type: ['integer', 'null'] },
        state: { type: 'string', enum: STATES },
        category: { type: 'string' },
        severity: { type: 'string', enum: SEVERITIES },
        description: { type: 'string' },
        cellId: { type: ['integer', 'null'] },
      }),
    },
  }),
} as const;
export type Inspection = FromSchema<typeof inspectionSchema, { references: [typeof visitSchema] }>;

/** The body field for the phone's time of an action done offline (server/action-time.ts). */
export const atSchema = { type: 'string', format: 'date-time' } as const;

/** Track points from the phone. */
export const trackSchema = {
  type: 'array',
  maxItems: 5000,
  items: {
    type: 'object',
    properties: {
      lon: { type: 'number', minimum: -180, maximum: 180 },
      lat: { type: 'number', minimum: -90, maximum: 90 },
      at: { type: 'string', format: 'date-time' },
      accuracy: { type: 'number', minimum: 0, maximum: 100000 },
    },
    required: ['lon', 'lat', 'at'],
    additionalProperties: false,
  },
} as const;
export type TrackPoint = FromSchema<typeof trackSchema>[number];

/** A visit's checklist as the phone sends it (items from the unit type's configured list). */
export const checklistSchema = {
  type: 'array',
  maxItems: 100,
  items: {
    type: 'object',
    properties: { code: { type: 'string', minLength: 1, maxLength: 64 }, ok: { type: 'boolean' }, note: { type: 'string', maxLength: 1000 } },
    required: ['code', 'ok'],
    additionalProperties: false,
  },
} as const;

/** POST /api/inspections: start a patrol. */
export const startInspectionBodySchema = { type: 'object', properties: { cellId: idSchema, note: { type: 'string', maxLength: 2000 }, at: atSchema }, required: ['cellId'], additionalProperties: false } as const;
export type StartInspectionBody = FromSchema<typeof startInspectionBodySchema>;

/** POST /api/inspections/:id/track */
export const trackBodySchema = { type: 'object', properties: { points: trackSchema }, required: ['points'], additionalProperties: false } as const;
export type TrackBody = FromSchema<typeof trackBodySchema>;

/** POST /api/inspections/:id/visits: a check-in at a unit. */
export const checkInBodySchema = {
  type: 'object',
  properties: { unitId: idSchema, location: pointBodySchema, accuracy: { type: 'number', minimum: 0, maximum: 100000 }, checklist: checklistSchema, note: { type: 'string', maxLength: 2000 }, at: atSchema },
  required: ['unitId'],
  additionalProperties: false,
} as const;
export type CheckInBody = FromSchema<typeof checkInBodySchema>;

/** PUT /api/inspections/:id/visits/:visitId/checklist */
export const checklistBodySchema = { type: 'object', properties: { checklist: checklistSchema, note: { type: 'string', maxLength: 2000 } }, required: ['checklist'], additionalProperties: false } as const;
export type ChecklistBody = FromSchema<typeof checklistBodySchema>;

/** POST /api/inspections/:id/findings: a finding filed as a hazard report (JSON, or the "finding" field of a multipart form). */
export const findingBodySchema = {
  type: 'object',
  properties: {
    unitId: idSchema, location: pointBodySchema, category: { type: 'string', minLength: 1, maxLength: 64 },
    severity: { type: 'string', enum: SEVERITIES }, description: { type: 'string', minLength: 1, maxLength: 4000, pattern: '\\S' }, at: atSchema,
  },
  required: ['category', 'severity', 'description'],
  additionalProperties: false,
} as const;
export type FindingBody = FromSchema<typeof findingBodySchema>;

/** POST /api/inspections/:id/finish */
export const finishBodySchema = { type: 'object', properties: { track: trackSchema, note: { type: 'string', maxLength: 2000 }, at: atSchema }, additionalProperties: false } as const;
export type FinishBody = FromSchema<typeof finishBodySchema>;
