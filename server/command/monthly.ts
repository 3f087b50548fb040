import type { FastifyInstance, FastifyReply } from 'fastify';
import { csvText } from '../csv.ts';
import { withoutBidi } from '../exchange/export/filename.ts';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { scopeOf } from '../auth/actor.ts';
import { requirePermission } from '../auth/guard.ts';
import { problemSchema } from '../problem.ts';
import { inScopeSql } from '../reports/model.ts';
import { monthRange } from '../patrols/cadence.ts';
import { levelCells, levelCtes, levelOf, type LevelCell } from './level.ts';

/**
 * The monthly report (月报) per cell of a level: what the documents ask each township to send by the
 * 5th. Figures come from the report events, so a month's report reads the same whenever it is made:
 *   found       发现隐患  reports filed in the month;
 *   verified    已核实    of those, verified before the month ended;
 *   rectified   已整改    of those, reported rectified before the month ended;
 *   rate        整改率    rectified / verified;
 *   closed      已结案    of those, closed at the month's end;
 *   rejected    不属实    of those, rejected as unfounded at the month's end;
 *   overdue     逾期      reports (filed in any month) whose step went overdue in the month (escalated, or marked overdue at the top);
 *   major       重大隐患  reports filed in the month that are major;
 *   medianDays  结案用时中位数  of the reports closed in the month (filed in any month), the median days from report to close.
 * A report counts for the cell that holds it now (transfers move it).
 */
export interface MonthlyFigures {
  found: number;
  verified: number;
  rectified: number;
  rate: number | null;
  closed: number;
  rejected: number;
  overdue: number;
  major: number;
  medianDays: number | null;
}

export interface MonthlyReport {
  month: string;
  level: number;
  levelName: { zh: string; en: string };
  timeZone: string;
  from: string;
  to: string;
  generatedAt: string;
  category: string | null;
  cells: (LevelCell & MonthlyFigures)[];
  /** Reports in scope that no cell of the level holds (routed above it, or unassigned). */
  unallocated: MonthlyFigures;
  total: MonthlyFigures;
}

interface Row {
  root: number | null;
  total_row: boolean;
  found: number; verified: number; rectified: number; closed: number; rejected: number; overdue: number; major: number;
  median_days: number | null;
}

const figuresOf = (r: Row | undefined): MonthlyFigures => ({
  found: r?.found ?? 0,
  verified: r?.verified ?? 0,
  rectified: r?.rectified ?? 0,
  rate: r && r.verified > 0 ? r.rectified / r.verified : null,
  closed: r?.closed ?? 0,
  rejected: r?.rejected ?? 0,
  overdue: r?.overdue ?? 0,
  major: r?.major ?? 0,
  medianDays: r?.median_days ?? null,
});

export async function monthlyReport(q: Queryable, config: Config, opts: { month: string; level: number; scope: number[]; category?: string; now: Date }): Promise<MonthlyReport> {
  const levelName = levelOf(config, opts.level);
  const timeZone = config.command.timeZone;
  const [start, end] = monthRange(opts.month, timeZone);
  const cells = await levelCells(q, opts.level, opts.scope);
  const params: unknown[] = [opts.level, opts.scope, start, end];
  const category = opts.category ? `AND r.category = $${params.push(opts.category)}` : '';
  // Each report with something in the month (filed, went overdue, closed), and what the events say of it.
  const { rows } = await q.query<Row>(
    `WITH RECURSIVE ${levelCtes('$1', '$2')},
     m AS (
       SELECT under.root, r.severity,
         (r.created_at >= $3 AND r.created_at < $4) AS found,
         EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action = 'verify' AND e.at < $4) AS verified,
         EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action = 'rectify' AND e.at < $4) AS rectified,
         (SELECT e.to_state FROM report_events e WHERE e.report_id = r.id AND e.at < $4 AND e.to_state IS NOT NULL
          ORDER BY e.at DESC, e.id DESC LIMIT 1) AS state_at_end,
         EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action IN ('escalate', 'overdue') AND e.at >= $3 AND e.at < $4) AS went_overdue,
         (SELECT max(e.at) FROM report_events e WHERE e.report_id = r.id AND e.action = 'close' AND e.at >= $3 AND e.at < $4) AS closed_in_month_at,
         r.created_at
       FROM reports r LEFT JOIN under ON under.id = r.cell_id
       WHERE ${inScopeSql('$2')} ${category}
         AND ((r.created_at >= $3 AND r.created_at < $4)
           OR EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action IN ('escalate', 'overdue', 'close') AND e.at >= $3 AND e.at < $4)))
     SELECT root, GROUPING(root) = 1 AS total_row,
       count(*) FILTER (WHERE found)::int AS found,
       count(*) FILTER (WHERE found AND verified)::int AS verified,
       count(*) FILTER (WHERE found AND rectified)::int AS rectified,
       count(*) FILTER (WHERE found AND state_at_end = 'closed')::int AS closed,
       count(*) FILTER (WHERE found AND state_at_end = 'rejected')::int AS rejected,
       count(*) FILTER (WHERE went_overdue)::int AS overdue,
       count(*) FILTER (WHERE found AND severity = 'major')::int AS major,
       (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_in_month_at - created_at) / 86400)
          FILTER (WHERE closed_in_month_at IS NOT NULL))::float8 AS median_days
     FROM m GROUP BY GROUPING SETS ((root), ())`, params);
  const byRoot = new Map(rows.filter((r) => !r.total_row && r.root !== null).map((r) => [r.root!, r]));
  return {
    month: opts.month,
    level: opts.level,
    levelName: { zh: levelName.zh, en: levelName.en },
    timeZone,
    from: start.toISOString(),
    to: end.toISOString(),
    generatedAt: opts.now.toISOString(),
    category: opts.category ?? null,
    cells: cells.map((c) => ({ ...c, ...figuresOf(byRoot.get(c.id)) })),
    unallocated: figuresOf(rows.find((r) => !r.total_row && r.root === null)),
    total: figuresOf(rows.find((r) => r.total_row)),
  };
}

/** Column headers of the CSV and the printable page, in the order of the figures. */
export const MONTHLY_COLUMNS: { key: keyof MonthlyFigures; zh: string; en: string }[] = [
  { key: 'found', zh: '发现隐患', en: 'Found' },
  { key: 'verified', zh: '已核实', en: 'Verified' },
  { key: 'rectified', zh: '已整改', en: 'Rectified' },
  { key: 'rate', zh: '整改率(%)', en: 'Rectification rate (%)' },
  { key: 'closed', zh: '已结案', en: 'Closed' },
  { key: 'rejected', zh: '不属实', en: 'Unfounded' },
  { key: 'overdue', zh: '逾期', en: 'Overdue' },
  { key: 'major', zh: '重大隐患', en: 'Major' },
  { key: 'medianDays', zh: '结案用时中位数(天)', en: 'Median days to close' },
];

const UNALLOCATED = { zh: '（未落入本级网格）', en: '(not in a cell of this level)' };
const TOTAL = { zh: '合计', en: 'Total' };

/** A figure as text: the rate in percent with one decimal, days with one decimal, counts as they are; none is empty. */
function figureText(key: keyof MonthlyFigures, v: number | null): string {
  if (v === null) return '';
  if (key === 'rate') return (v * 100).toFixed(1);
  if (key === 'medianDays') return v.toFixed(1);
  return String(v);
}

function tableRows(r: MonthlyReport): { code: string; name: string; figures: MonthlyFigures; kind: 'cell' | 'unallocated' | 'total' }[] {
  return [
    ...r.cells.map((c) => ({ code: c.code, name: c.name, figures: c, kind: 'cell' as const })),
    ...(r.unallocated.found || r.unallocated.overdue || r.unallocated.medianDays !== null
      ? [{ code: '', name: UNALLOCATED.zh, figures: r.unallocated, kind: 'unallocated' as const }] : []),
    { code: '', name: TOTAL.zh, figures: r.total, kind: 'total' },
  ];
}

/** The CSV: UTF-8 with a BOM (Excel opens it right), Chinese headers, one row per cell, then the rest and the total. */
export function monthlyCsv(r: MonthlyReport): string {
  const header = ['网格编码', '网格名称', ...MONTHLY_COLUMNS.map((c) => c.zh)];
  const rows = tableRows(r).map((row) => [row.code, row.name, ...MONTHLY_COLUMNS.map((c) => figureText(c.key, row.figures[c.key]))]);
  return `\uFEFF${csvText([header, ...rows])}`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** A printable page (A4 landscape), no script: the browser's print prints it. */
export function monthlyHtml(r: MonthlyReport, categoryName: string | null): string {
  const [y, m] = r.month.split('-');
  const title = `${y}年${Number(m)}月 网格隐患排查整改月报（${r.levelName.zh}）`;
  const head = ['网格编码 Code', '网格名称 Cell', ...MONTHLY_COLUMNS.map((c) => `${c.zh}<br><span class="en">${esc(c.en)}</span>`)];
  const body = tableRows(r).map((row) => `<tr class="${row.kind}"><td>${esc(row.code)}</td><td>${esc(row.name)}</td>${
    MONTHLY_COLUMNS.map((c) => `<td class="num">${esc(figureText(c.key, row.figures[c.key]))}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
  @page { size: A4 landscape; margin: 12mm; }
  body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #000; margin: 16px; }
  h1 { font-size: 18pt; text-align: center; margin: 0 0 4px; }
  .sub { text-align: center; font-size: 10pt; margin: 0 0 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 10pt; }
  th, td { border: 1px solid #000; padding: 3px 6px; }
  th { background: #eee; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.total td { font-weight: 700; }
  tr.unallocated td { font-style: italic; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
  .en { font-weight: 400; font-size: 8pt; color: #444; }
  .notes { font-size: 8.5pt; margin-top: 10px; color: #222; }
  @media print { body { margin: 0; } th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">Monthly hazard report, ${esc(r.month)} · ${esc(r.levelName.en)} level${categoryName ? ` · 类别 ${esc(categoryName)}` : ''} · 统计时段 ${esc(r.from)} – ${esc(r.to)} (${esc(r.timeZone)}) · 生成时间 ${esc(r.generatedAt)}</p>
<table>
<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<p class="notes">说明：发现隐患为本月上报数；已核实、已整改为其中截至月末已核实、已整改者；整改率 = 已整改 ÷ 已核实；已结案、不属实为其中月末状态；逾期为本月内超期（升级督办）的隐患数；结案用时中位数为本月结案隐患自上报至结案的天数中位数。<br>
Found: filed this month. Verified, rectified: of those, by the month's end. Rate = rectified ÷ verified. Closed, unfounded: their state at the month's end. Overdue: reports whose step went overdue during the month. Median days: of the reports closed this month, from filing to closing.</p>
</body>
</html>
`;
}

interface MonthlyQuery {
  month: string;
  level?: number;
  category?: string;
}

const figureSchema = {
  type: 'object',
  properties: {
    found: { type: 'integer' }, verified: { type: 'integer' }, rectified: { type: 'integer' }, rate: { type: ['number', 'null'] },
    closed: { type: 'integer' }, rejected: { type: 'integer' }, overdue: { type: 'integer' }, major: { type: 'integer' },
    medianDays: { type: ['number', 'null'] },
  },
} as const;

export const monthlyResponseSchema = {
  type: 'object',
  properties: {
    month: { type: 'string' }, level: { type: 'integer' },
    levelName: { type: 'object', properties: { zh: { type: 'string' }, en: { type: 'string' } } },
    timeZone: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, generatedAt: { type: 'string' },
    category: { type: ['string', 'null'] },
    cells: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, parentId: { type: ['integer', 'null'] }, ...figureSchema.properties } },
    },
    unallocated: figureSchema,
    total: figureSchema,
  },
} as const;

function contentDisposition(reply: FastifyReply, ascii: string, utf8: string) {
  return reply.header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(withoutBidi(utf8))}`);
}

export default async function monthlyRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const defaultLevel = Math.min(2, Math.max(...config.levels.map((l) => l.level)));
  const querystring = {
    type: 'object',
    properties: {
      month: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM, in the configured time zone (command.timeZone)' },
      level: { type: 'integer', minimum: 1, maximum: 32, description: `The grid level (default ${defaultLevel}, the township)` },
      category: { type: 'string', maxLength: 64 },
    },
    required: ['month'],
    additionalProperties: false,
  } as const;
  const description = 'Figures per cell from the report events: found (filed in the month); verified, rectified (of those, before the month ended); '
    + 'rate = rectified / verified; closed, rejected (their state at the month\'s end); overdue (reports whose step went overdue in the month); '
    + 'major (filed in the month); medianDays (of the reports closed in the month, days from filing to closing). Rows for the cells of the level in my scope, '
    + 'then reports held by no cell of the level (unallocated), then the total.';

  const build = (request: { query: MonthlyQuery }, actorScope: number[]) =>
    monthlyReport(db, config, { month: request.query.month, level: request.query.level ?? defaultLevel, scope: actorScope, category: request.query.category, now: now() });

  app.get<{ Querystring: MonthlyQuery }>('/api/reports/monthly', {
    schema: { tags: ['command'], summary: 'The monthly report (月报) per cell of a level, as JSON', description, querystring, response: { 200: monthlyResponseSchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = requirePermission(request, 'reports.view');
    return build(request, scopeOf(actor));
  });

  app.get<{ Querystring: MonthlyQuery }>('/api/reports/monthly.csv', {
    schema: {
      tags: ['command'], summary: 'The monthly report (月报) as CSV: UTF-8 with BOM, Chinese headers, a row per cell, then the total (合计)',
      description, querystring, produces: ['text/csv'], response: { 200: { type: 'string' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = requirePermission(request, 'reports.view');
    const r = await build(request, scopeOf(actor));
    contentDisposition(reply, `monthly-${r.month}-level${r.level}.csv`, `月报-${r.month}-${r.levelName.zh}.csv`);
    return reply.type('text/csv; charset=utf-8').send(monthlyCsv(r));
  });

  app.get<{ Querystring: MonthlyQuery }>('/api/reports/monthly.html', {
    schema: {
      tags: ['command'], summary: 'The monthly report (月报) as a printable page (A4 landscape, print CSS)',
      description, querystring, produces: ['text/html'], response: { 200: { type: 'string' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = requirePermission(request, 'reports.view');
    const r = await build(request, scopeOf(actor));
    const category = r.category ? config.reports.categories.find((c) => c.code === r.category) : undefined;
    return reply.type('text/html; charset=utf-8').send(monthlyHtml(r, category ? `${category.zh} ${category.en}` : r.category));
  });
}
