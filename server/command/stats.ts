import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { SEVERITIES, type Severity } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { scopeOf } from '../auth/actor.ts';
import { problemSchema } from '../problem.ts';
import { OPEN_STATES } from '../../core/reports/workflow.ts';
import { STATE_FILTERS, parseWindow, reportFilterSql, timeWindowQuery, type ReportFilter, type StateFilter } from './filters.ts';
import { computeCoverage } from '../patrols/coverage.ts';
import { levelCells, levelCtes, levelOf, type LevelCell } from './level.ts';

/** Past verification (核实): every state after it, closed included; rejected and still-reported are not. */
export const VERIFIED_STATES = ['verified', 'dispatched', 'rectifying', 'rectified', 'closed'] as const;
/** Rectified (已整改): the work is reported done, checked (closed) or awaiting the check. */
export const RECTIFIED_STATES = ['rectified', 'closed'] as const;

export type { Figures, SortKey } from '../../core/contracts/command.ts';
import { SORT_KEYS, cellStatsResponseSchema, type CellStatsResponse, type Figures, type SortKey } from '../../core/contracts/command.ts';

export type CellFigures = LevelCell & Figures & { rank: number };

interface FigureRow {
  root: number | null;
  total_row: boolean;
  reports: number; open: number; overdue: number; closed: number; rejected: number; verified: number; rectified: number;
  major: number; major_supervised: number; median_hours: number | null;
}

const figuresOf = (r: FigureRow | undefined): Figures => ({
  reports: r?.reports ?? 0,
  open: r?.open ?? 0,
  overdue: r?.overdue ?? 0,
  closed: r?.closed ?? 0,
  rejected: r?.rejected ?? 0,
  verified: r?.verified ?? 0,
  rectified: r?.rectified ?? 0,
  rate: r && r.verified > 0 ? r.rectified / r.verified : null,
  medianHours: r?.median_hours ?? null,
  major: r?.major ?? 0,
  majorSupervised: r?.major_supervised ?? 0,
});


/** Worst first: the lowest rectification rate, the most of anything else. */
export const worstOrder = (key: SortKey): 'asc' | 'desc' => (key === 'rate' ? 'asc' : 'desc');

/** Ranks cells by a figure (no figure last), ties by overdue, open, then code. */
export function rankCells<T extends LevelCell & Figures>(cells: T[], key: SortKey, order: 'asc' | 'desc'): (T & { rank: number })[] {
  const dir = order === 'asc' ? 1 : -1;
  const sorted = [...cells].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return (x - y) * dir;
    }
    return b.overdue - a.overdue || b.open - a.open || a.code.localeCompare(b.code) || a.id - b.id;
  });
  return sorted.map((c, i) => ({ ...c, rank: i + 1 }));
}

export interface CellStatsResult {
  level: number;
  cells: CellFigures[];
  /** The view's KPIs: every report in scope the filters select, in a cell of the level or not. */
  kpis: Figures & { found: number };
  /** Reports in scope that no cell of the level holds (routed above it, or unassigned). */
  unallocated: number;
}

/** Per cell of a level (within scope) and for the whole view, the figures of the reports a filter selects. */
export async function cellStats(q: Queryable, level: number, filter: ReportFilter): Promise<Omit<CellStatsResult, 'cells'> & { cells: (LevelCell & Figures)[] }> {
  const cells = await levelCells(q, level, filter.scope);
  const params: unknown[] = [level, filter.scope, OPEN_STATES, filter.now, VERIFIED_STATES, RECTIFIED_STATES];
  const where = reportFilterSql(filter, params);
  const { rows } = await q.query<FigureRow>(
    `WITH ${levelCtes('$1', '$2')}
     SELECT under.root, GROUPING(under.root) = 1 AS total_row,
       count(*)::int AS reports,
       count(*) FILTER (WHERE r.state = ANY ($3::text[]))::int AS open,
       count(*) FILTER (WHERE r.state = ANY ($3::text[]) AND r.due_at < $4::timestamptz)::int AS overdue,
       count(*) FILTER (WHERE r.state = 'closed')::int AS closed,
       count(*) FILTER (WHERE r.state = 'rejected')::int AS rejected,
       count(*) FILTER (WHERE r.state = ANY ($5::text[]))::int AS verified,
       count(*) FILTER (WHERE r.state = ANY ($6::text[]))::int AS rectified,
       count(*) FILTER (WHERE r.severity = 'major')::int AS major,
       count(*) FILTER (WHERE r.supervised AND r.state = ANY ($3::text[]))::int AS major_supervised,
       (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at) / 3600)
          FILTER (WHERE r.state = 'closed' AND r.closed_at IS NOT NULL))::float8 AS median_hours
     FROM reports r LEFT JOIN under ON under.id = r.cell_id
     WHERE ${where}
     GROUP BY GROUPING SETS ((under.root), ())`, params);
  const byRoot = new Map(rows.filter((r) => !r.total_row && r.root !== null).map((r) => [r.root!, r]));
  const total = rows.find((r) => r.total_row);
  const kpiFigures = figuresOf(total);
  return {
    level,
    cells: cells.map((c) => ({ ...c, ...figuresOf(byRoot.get(c.id)) })),
    kpis: { found: kpiFigures.reports, ...kpiFigures },
    unallocated: rows.find((r) => !r.total_row && r.root === null)?.reports ?? 0,
  };
}

interface StatsQuery {
  level?: number;
  category?: string;
  severity?: Severity;
  state: StateFilter;
  from?: string;
  to?: string;
  sort: SortKey;
  order?: 'asc' | 'desc';
}

export default async function statsRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const defaultLevel = Math.min(3, Math.max(...config.levels.map((l) => l.level)));
  app.get<{ Querystring: StatsQuery; Reply: CellStatsResponse }>('/api/stats/cells', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['command'],
      summary: 'Figures per cell of a level in my scope (reports, open, overdue, closed, verified, rectified, rectification rate, median time to close, major) with the KPIs of the view, ranked worst first',
      description: 'Counts the reports found in [from, to) that match category, severity and state (the state now). '
        + 'sort: the figure to rank by (default overdue); order: asc|desc (default worst first: rate ascending, everything else descending; no figure last). '
        + 'A cell\'s reports are listed by GET /api/reports?cellId=…&since=…&until=…',
      querystring: {
        type: 'object',
        properties: {
          level: { type: 'integer', minimum: 1, maximum: 32, description: `The grid level (default ${defaultLevel})` },
          category: { type: 'string', maxLength: 64 },
          severity: { type: 'string', enum: SEVERITIES },
          state: { type: 'string', enum: STATE_FILTERS, default: 'all' },
          ...timeWindowQuery,
          sort: { type: 'string', enum: SORT_KEYS, default: 'overdue' },
          order: { type: 'string', enum: ['asc', 'desc'] },
        },
        additionalProperties: false,
      },
      response: { 200: cellStatsResponseSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const q = request.query;
    const level = q.level ?? defaultLevel;
    const levelName = levelOf(config, level);
    const window = parseWindow(q.from, q.to);
    const t = now();
    const stats = await cellStats(db, level, { scope: scopeOf(actor), category: q.category, severity: q.severity, state: q.state, ...window, now: t });
    const order = q.order ?? worstOrder(q.sort);
    // Inspections count in the cell statistics: how well each cell's units are being checked, now.
    const patrols = new Map((await computeCoverage(db, config, t, scopeOf(actor))).cells.map((c) => [c.id, c]));
    const withPatrols = stats.cells.map((c) => {
      const p = patrols.get(c.id);
      return { ...c, pctInspected: p?.pctInspected ?? null, unitsOverdue: p?.unitsOverdue ?? 0, patrolStatus: p?.patrolStatus ?? null };
    });
    return {
      ...stats,
      levelName: { zh: levelName.zh, en: levelName.en },
      from: window.from?.toISOString() ?? null,
      to: window.to?.toISOString() ?? null,
      generatedAt: t.toISOString(),
      sort: q.sort,
      order,
      cells: rankCells(withPatrols, q.sort, order),
    };
  });
}
