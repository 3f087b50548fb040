/** Patrol plans and inspection coverage as the API answers them (server/patrols/plans.ts). */
import { namedSchema, object, type FromSchema } from './schema.ts';

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
