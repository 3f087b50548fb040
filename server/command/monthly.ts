import type { FastifyInstance, FastifyReply } from 'fastify';
import { csvText } from '../csv.ts';
import { withoutBidi } from '../exchange/export/filename.ts';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { scopeOf, type Actor } from '../auth/actor.ts';
import { problemSchema } from '../problem.ts';
import { inScopeSql } from '../reports/model.ts';
import { monthRange } from '../patrols/cadence.ts';
import { levelCells, levelCtes, levelOf, type LevelCell } from './level.ts';
import type { SheetData } from 'write-excel-file/node';
import { formatLocal } from '../../core/time/local.ts';
import { OFFICIAL_BODY_FONT, OFFICIAL_TITLE_FONT } from '../print/official.ts';

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

/**
 * The month's patrol and accountability figures per cell (巡查与问责), read from their own tables:
 *   patrols       巡查次数      patrols started in the month in the cell or below;
 *   inspections   单位检查次数  check-ins at units near enough to count (far ones excluded);
 *   farCheckIns   远距离签到    check-ins too far from their unit (not counted above);
 *   warnings      预警人次      people warned for a step that went overdue in the month;
 *   rewards       有奖举报      rewards granted in the month, and rewardYuan their sum in yuan.
 */
export interface MonthlyDuty {
  patrols: number;
  inspections: number;
  farCheckIns: number;
  warnings: number;
  rewards: number;
  rewardYuan: number;
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
  cells: (LevelCell & MonthlyFigures & { duty: MonthlyDuty })[];
  /** Reports in scope that no cell of the level holds (routed above it, or unassigned). */
  unallocated: MonthlyFigures;
  total: MonthlyFigures;
  /** Patrol and accountability figures of the level's cells together. */
  duty: MonthlyDuty;
}

const NO_DUTY: MonthlyDuty = { patrols: 0, inspections: 0, farCheckIns: 0, warnings: 0, rewards: 0, rewardYuan: 0 };

async function monthlyDuty(q: Queryable, level: number, scope: number[], start: Date, end: Date): Promise<Map<number, MonthlyDuty>> {
  const { rows } = await q.query<{ root: number; patrols: number; inspections: number; far: number; warnings: number; rewards: number; yuan: number }>(
    `WITH ${levelCtes('$1', '$2')},
     p AS (SELECT under.root, count(*)::int AS n FROM inspections i JOIN under ON under.id = i.cell_id
           WHERE i.started_at >= $3 AND i.started_at < $4 GROUP BY under.root),
     v AS (SELECT under.root, count(*) FILTER (WHERE NOT v.far)::int AS ok, count(*) FILTER (WHERE v.far)::int AS far
           FROM inspection_visits v JOIN under ON under.id = v.cell_id WHERE v.at >= $3 AND v.at < $4 GROUP BY under.root),
     w AS (SELECT under.root, count(*)::int AS n FROM report_warnings w JOIN under ON under.id = w.cell_id
           WHERE w.at >= $3 AND w.at < $4 GROUP BY under.root),
     rw AS (SELECT under.root, count(*)::int AS n, coalesce(sum(x.amount), 0)::int AS yuan
            FROM report_rewards x JOIN reports r ON r.id = x.report_id JOIN under ON under.id = r.cell_id
            WHERE x.created_at >= $3 AND x.created_at < $4 GROUP BY under.root)
     SELECT lvl.id AS root, coalesce(p.n, 0) AS patrols, coalesce(v.ok, 0) AS inspections, coalesce(v.far, 0) AS far,
       coalesce(w.n, 0) AS warnings, coalesce(rw.n, 0) AS rewards, coalesce(rw.yuan, 0) AS yuan
     FROM lvl LEFT JOIN p ON p.root = lvl.id LEFT JOIN v ON v.root = lvl.id LEFT JOIN w ON w.root = lvl.id LEFT JOIN rw ON rw.root = lvl.id`,
    [level, scope, start, end]);
  return new Map(rows.map((r) => [r.root, { patrols: r.patrols, inspections: r.inspections, farCheckIns: r.far, warnings: r.warnings, rewards: r.rewards, rewardYuan: r.yuan }]));
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
    `WITH ${levelCtes('$1', '$2')},
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
  const duty = await monthlyDuty(q, opts.level, opts.scope, start, end);
  const dutyOf = (id: number) => duty.get(id) ?? NO_DUTY;
  return {
    month: opts.month,
    level: opts.level,
    levelName: { zh: levelName.zh, en: levelName.en },
    timeZone,
    from: start.toISOString(),
    to: end.toISOString(),
    generatedAt: opts.now.toISOString(),
    category: opts.category ?? null,
    cells: cells.map((c) => ({ ...c, ...figuresOf(byRoot.get(c.id)), duty: dutyOf(c.id) })),
    unallocated: figuresOf(rows.find((r) => !r.total_row && r.root === null)),
    total: figuresOf(rows.find((r) => r.total_row)),
    duty: cells.reduce<MonthlyDuty>((sum, c) => {
      const d = dutyOf(c.id);
      return { patrols: sum.patrols + d.patrols, inspections: sum.inspections + d.inspections, farCheckIns: sum.farCheckIns + d.farCheckIns,
        warnings: sum.warnings + d.warnings, rewards: sum.rewards + d.rewards, rewardYuan: sum.rewardYuan + d.rewardYuan };
    }, NO_DUTY),
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

/** The patrol and accountability columns (二、巡查与问责), in the order of the second table. */
export const DUTY_COLUMNS: { key: keyof MonthlyDuty; zh: string }[] = [
  { key: 'patrols', zh: '巡查次数' },
  { key: 'inspections', zh: '单位检查次数' },
  { key: 'farCheckIns', zh: '远距离签到(不计)' },
  { key: 'warnings', zh: '预警人次' },
  { key: 'rewards', zh: '有奖举报(笔)' },
  { key: 'rewardYuan', zh: '奖励金额(元)' },
];

/** Who sends the report and who filled it in: the lines an official document is signed on. */
export interface MonthlyMeta {
  /** 报送单位: the office the figures belong to (the scope's cells, or the whole grid's top cells). */
  office: string;
  /** 填报人: the signed-in user's name. */
  preparedBy: string;
  categoryName: string | null;
}

/** 2030年3月1日 in the deployment's zone. */
function chineseDate(at: Date | string, timeZone: string): string {
  const [y, m, d] = formatLocal(at, 'zh-CN', timeZone, 'date').split('/');
  return `${y}年${Number(m)}月${Number(d)}日`;
}

function period(r: MonthlyReport): string {
  // The month's last day is the day before the next month starts.
  return `${chineseDate(r.from, r.timeZone)}至${chineseDate(new Date(new Date(r.to).getTime() - 1), r.timeZone)}`;
}

const monthTitle = (r: MonthlyReport) => {
  const [y, m] = r.month.split('-');
  return `${y}年${Number(m)}月网格隐患排查整改月报`;
};

/**
 * The printable report (A4 landscape), no script: an official document in Chinese with the office,
 * the period in local dates, both tables, the notes, and lines to sign (填报人, 审核人, date).
 */
export function monthlyHtml(r: MonthlyReport, meta: MonthlyMeta): string {
  const title = monthTitle(r);
  const head = ['网格编码', '网格名称', ...MONTHLY_COLUMNS.map((c) => c.zh)];
  const body = tableRows(r).map((row) => `<tr class="${row.kind}"><td>${esc(row.code)}</td><td>${esc(row.name)}</td>${
    MONTHLY_COLUMNS.map((c) => `<td class="num">${esc(figureText(c.key, row.figures[c.key]))}</td>`).join('')}</tr>`).join('\n');
  const dutyRows = [...r.cells.map((c) => ({ code: c.code, name: c.name, duty: c.duty, kind: 'cell' })), { code: '', name: TOTAL.zh, duty: r.duty, kind: 'total' }]
    .map((row) => `<tr class="${row.kind}"><td>${esc(row.code)}</td><td>${esc(row.name)}</td>${DUTY_COLUMNS.map((c) => `<td class="num">${row.duty[c.key]}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
  @page { size: A4 landscape; margin: 15mm 15mm 12mm; }
  body { font-family: ${OFFICIAL_BODY_FONT}; color: #000; margin: 16px; font-size: 11pt; }
  h1 { font-family: ${OFFICIAL_TITLE_FONT}; font-size: 20pt; text-align: center; margin: 0 0 10px; letter-spacing: 1px; }
  .meta { display: flex; justify-content: space-between; font-size: 11pt; margin: 0 0 8px; }
  h2 { font-family: "SimHei", "Noto Sans CJK SC", sans-serif; font-size: 13pt; margin: 14px 0 6px; }
  table { border-collapse: collapse; width: 100%; font-size: 10pt; }
  th, td { border: 1px solid #000; padding: 3px 6px; }
  th { font-weight: 600; background: #eee; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.total td { font-weight: 700; }
  tr.unallocated td { font-style: italic; }
  thead { display: table-header-group; }
  tr { page-break-inside: avoid; }
  .notes { font-size: 9pt; margin-top: 8px; }
  .sign { display: flex; justify-content: space-between; margin-top: 24px; font-size: 11pt; page-break-inside: avoid; }
  .sign span { min-width: 22%; }
  .line { display: inline-block; min-width: 9em; border-bottom: 1px solid #000; }
  @media print { body { margin: 0; } th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta"><span>报送单位：${esc(meta.office)}</span><span>统计层级：${esc(r.levelName.zh)}${meta.categoryName ? `\u3000隐患类别：${esc(meta.categoryName)}` : ''}</span><span>统计时段：${esc(period(r))}</span></p>
<h2>一、隐患排查整改情况</h2>
<table>
<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<h2>二、巡查检查与问责情况</h2>
<table>
<thead><tr><th>网格编码</th><th>网格名称</th>${DUTY_COLUMNS.map((c) => `<th>${esc(c.zh)}</th>`).join('')}</tr></thead>
<tbody>
${dutyRows}
</tbody>
</table>
<p class="notes">说明：发现隐患为本月上报数；已核实、已整改为其中截至月末已核实、已整改者；整改率＝已整改÷已核实；已结案、不属实为其中月末状态；逾期为本月内超期（升级督办）的隐患数；结案用时中位数为本月结案隐患自上报至结案的天数中位数。巡查次数、单位检查次数按本月开始的巡查和签到统计，签到位置距单位过远者另列，不计入检查次数；预警人次为本月因超期被预警的责任人次；有奖举报为本月核定的奖励。</p>
<p class="sign"><span>填报人：<span class="line">${esc(meta.preparedBy)}</span></span><span>审核人：<span class="line"></span></span><span>填报日期：${esc(chineseDate(r.generatedAt, r.timeZone))}</span></p>
</body>
</html>
`;
}

/** The same document as an Excel workbook: a sheet per table, Chinese headers, numbers as numbers. */
export async function monthlyXlsx(r: MonthlyReport, meta: MonthlyMeta): Promise<Buffer> {
  const bold = (value: string) => ({ value, fontWeight: 'bold' as const });
  const num = (v: number | null) => (v === null ? null : { value: v, type: Number });
  const heading = (table: string) => [
    [{ ...bold(`${monthTitle(r)}（${table}）`), span: 6 }],
    [`报送单位：${meta.office}`],
    [`统计层级：${r.levelName.zh}${meta.categoryName ? `\u3000隐患类别：${meta.categoryName}` : ''}\u3000统计时段：${period(r)}`],
    [],
  ];
  const figures = [
    ...heading('隐患排查整改'),
    ['网格编码', '网格名称', ...MONTHLY_COLUMNS.map((c) => c.zh)].map(bold),
    ...tableRows(r).map((row) => [row.code, row.name, ...MONTHLY_COLUMNS.map((c) => {
      const v = row.figures[c.key];
      return num(v === null ? null : c.key === 'rate' ? Math.round(v * 1000) / 10 : c.key === 'medianDays' ? Math.round(v * 10) / 10 : v);
    })]),
    [],
    [`填报人：${meta.preparedBy}`, '', '审核人：', '', `填报日期：${chineseDate(r.generatedAt, r.timeZone)}`],
  ];
  const duty = [
    ...heading('巡查检查与问责'),
    ['网格编码', '网格名称', ...DUTY_COLUMNS.map((c) => c.zh)].map(bold),
    ...r.cells.map((c) => [c.code, c.name, ...DUTY_COLUMNS.map((d) => num(c.duty[d.key]))]),
    ['', TOTAL.zh, ...DUTY_COLUMNS.map((d) => num(r.duty[d.key]))],
  ];
  const columns = [{ width: 16 }, { width: 18 }, ...MONTHLY_COLUMNS.map(() => ({ width: 12 }))];
  // write-excel-file types each cell loosely; the rows above are its documented cell objects.
  // Loaded when a workbook is asked for, not at start.
  const { default: writeXlsxFile } = await import('write-excel-file/node');
  const file = writeXlsxFile([
    { data: figures as SheetData, sheet: '隐患排查整改', columns },
    { data: duty as SheetData, sheet: '巡查检查与问责', columns },
  ]);
  return file.toBuffer();
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

const dutySchema = {
  type: 'object',
  properties: {
    patrols: { type: 'integer' }, inspections: { type: 'integer' }, farCheckIns: { type: 'integer' },
    warnings: { type: 'integer' }, rewards: { type: 'integer' }, rewardYuan: { type: 'integer' },
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
      items: { type: 'object', properties: { id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, parentId: { type: ['integer', 'null'] }, ...figureSchema.properties, duty: dutySchema } },
    },
    unallocated: figureSchema,
    total: figureSchema,
    duty: dutySchema,
  },
} as const;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

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
    config: { access: 'reports.view' },
    schema: { tags: ['command'], summary: 'The monthly report (月报) per cell of a level, as JSON', description, querystring, response: { 200: monthlyResponseSchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = request.actor;
    return build(request, scopeOf(actor));
  });

  app.get<{ Querystring: MonthlyQuery }>('/api/reports/monthly.csv', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['command'], summary: 'The monthly report (月报) as CSV: UTF-8 with BOM, Chinese headers, a row per cell, then the total (合计)',
      description, querystring, produces: ['text/csv'], response: { 200: { type: 'string' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const r = await build(request, scopeOf(actor));
    contentDisposition(reply, `monthly-${r.month}-level${r.level}.csv`, `月报-${r.month}-${r.levelName.zh}.csv`);
    return reply.type('text/csv; charset=utf-8').send(monthlyCsv(r));
  });

  /** 报送单位 and 填报人 of the document: the user's cells (or the grid's top cells) and name. */
  const metaOf = async (actor: Actor, r: MonthlyReport): Promise<MonthlyMeta> => {
    const scope = scopeOf(actor);
    const { rows } = await db.query<{ name: string }>(
      scope.length ? 'SELECT name FROM cells WHERE id = ANY ($1::int[]) ORDER BY code' : 'SELECT name FROM cells WHERE parent_id IS NULL ORDER BY code',
      scope.length ? [scope] : []);
    const category = r.category ? config.reports.categories.find((c) => c.code === r.category) : undefined;
    return { office: rows.map((x) => x.name).join('、') || '—', preparedBy: actor.displayName, categoryName: category ? category.zh : r.category };
  };

  app.get<{ Querystring: MonthlyQuery }>('/api/reports/monthly.html', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['command'], summary: 'The monthly report (月报) as a printable official document in Chinese (A4 landscape, print CSS): office, period, both tables, lines to sign',
      description, querystring, produces: ['text/html'], response: { 200: { type: 'string' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const r = await build(request, scopeOf(actor));
    return reply.type('text/html; charset=utf-8').send(monthlyHtml(r, await metaOf(actor, r)));
  });

  app.get<{ Querystring: MonthlyQuery }>('/api/reports/monthly.xlsx', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['command'], summary: 'The monthly report (月报) as an Excel workbook (.xlsx): one sheet per table, Chinese headers, numbers as numbers',
      description, querystring, produces: [XLSX], response: { 200: { type: 'string' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const r = await build(request, scopeOf(actor));
    contentDisposition(reply, `monthly-${r.month}-level${r.level}.xlsx`, `月报-${r.month}-${r.levelName.zh}.xlsx`);
    return reply.type(XLSX).send(await monthlyXlsx(r, await metaOf(actor, r)));
  });
}
