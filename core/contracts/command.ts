/**
 * The commander's figures as the API answers them (GET /api/stats/cells, server/command/stats.ts) and
 * the hazard heatmap (GET /api/heatmap, server/command/heatmap.ts).
 */
import { CADENCE_STATUSES } from './patrols.ts';
import { SEVERITIES, STATES } from './reports.ts';
import { namedSchema, object, type FromSchema } from './schema.ts';

/** The figures a cell view can be ranked by. */
export const SORT_KEYS = ['reports', 'open', 'overdue', 'closed', 'rate', 'medianHours', 'major', 'majorSupervised'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const figureProperties = {
  reports: { type: 'integer', description: 'Reports found (上报) in the window' },
  open: { type: 'integer' },
  overdue: { type: 'integer', description: 'Open and past the current step\'s deadline, now' },
  closed: { type: 'integer' },
  rejected: { type: 'integer', description: 'Rejected as unfounded (不属实)' },
  verified: { type: 'integer', description: 'Past verification (核实): verified, dispatched, rectifying, rectified or closed' },
  rectified: { type: 'integer', description: 'Rectified (已整改) or closed' },
  rate: { type: ['number', 'null'], description: 'Rectification rate 整改率 = rectified / verified (0..1); null when nothing was verified' },
  medianHours: { type: ['number', 'null'], description: 'Median hours from report to close, of the closed ones' },
  major: { type: 'integer', description: 'Major hazards (重大隐患)' },
  majorSupervised: { type: 'integer', description: 'Open major hazards under top-level supervision (挂牌督办)' },
} as const;

/** The report figures of a cell, or of the whole view, in the window. */
export const figuresSchema = object(figureProperties);
export type Figures = FromSchema<typeof figuresSchema>;

/** The view's KPIs: its figures, with `found` the same as reports. */
export const kpisSchema = object({ found: { type: 'integer', description: 'Same as reports' }, ...figureProperties });
export type Kpis = FromSchema<typeof kpisSchema>;

/** One cell's figures for the chosen window, with its rank and how its patrols stand. */
export const cellStatsSchema = object({
  id: { type: 'integer' },
  code: { type: 'string' },
  name: { type: 'string' },
  parentId: { type: ['integer', 'null'] },
  rank: { type: 'integer', description: '1 = first in the requested order (worst first by default)' },
  ...figureProperties,
  pctInspected: { type: ['number', 'null'], description: 'Units in the cell (and below) inspected within their cadence, % (patrols); null without units' },
  unitsOverdue: { type: 'integer', description: 'Units in the cell (and below) not inspected within their cadence, now' },
  patrolStatus: { type: ['string', 'null'], enum: [...CADENCE_STATUSES, null], description: 'The worst of the cell\'s own patrol plans now: ok, due or overdue' },
});
export type CellStats = FromSchema<typeof cellStatsSchema>;

/** GET /api/stats/cells: every cell of a level in my scope with its figures, ranked, and the view's KPIs. */
export const cellStatsResponseSchema = object({
  level: { type: 'integer' },
  levelName: namedSchema,
  from: { type: ['string', 'null'] },
  to: { type: ['string', 'null'] },
  generatedAt: { type: 'string' },
  sort: { type: 'string', enum: SORT_KEYS },
  order: { type: 'string', enum: ['asc', 'desc'] },
  kpis: kpisSchema,
  unallocated: { type: 'integer', description: 'Reports in scope held by no cell of this level (routed above it, or unassigned)' },
  cells: { type: 'array', items: cellStatsSchema },
});
export type CellStatsResponse = FromSchema<typeof cellStatsResponseSchema>;

const num = { type: 'number' } as const;

/** A report on the heatmap, with its severity weight. */
export const heatPointSchema = object({
  id: { type: 'integer' },
  lon: num,
  lat: num,
  weight: num,
  category: { type: 'string' },
  severity: { type: 'string', enum: SEVERITIES },
  state: { type: 'string', enum: STATES },
  overdue: { type: 'boolean' },
  reportedAt: { type: 'string', format: 'date-time' },
});
export type HeatPoint = FromSchema<typeof heatPointSchema>;

/** A bin of the heatmap: its centre (a node of the EPSG:3857 grid, WGS 84), its reports and the sum of their severity weights. */
export const heatBinSchema = object({ lon: num, lat: num, count: { type: 'integer' }, weight: num });
export type HeatBin = FromSchema<typeof heatBinSchema>;

export const HEATMAP_MODES = ['points', 'bins'] as const;

/** GET /api/heatmap: raw points up to the threshold, weighted bins above it. */
export const heatmapResponseSchema = object({
  mode: { type: 'string', enum: HEATMAP_MODES },
  total: { type: 'integer', description: 'Reports in the view (the sum of the bin counts in bins mode)' },
  totalWeight: { ...num, description: 'Sum of their severity weights' },
  threshold: { type: 'integer', description: 'Up to this many reports come as points' },
  zoom: { type: 'integer' },
  cellSize: { type: ['number', 'null'], description: 'Bin side in EPSG:3857 metres (bins mode); coarser than the zoom asks when the bbox is wide' },
  bbox: { type: 'array', items: num, description: 'The bbox used: minLon,minLat,maxLon,maxLat, clipped to ±85.0511° latitude' },
  severityWeights: { type: 'object', additionalProperties: num, description: 'The weight of a report of each severity (configuration command.severityWeights)' },
  points: { type: 'array', items: heatPointSchema, description: 'points mode only' },
  bins: { type: 'array', items: heatBinSchema, description: 'bins mode only' },
}, 'points', 'bins');
export type HeatmapResponse = FromSchema<typeof heatmapResponseSchema>;
