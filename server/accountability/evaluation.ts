import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { scopeOf } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { idSchema } from '../schemas.ts';
import { levelCells, levelCtes, levelOf } from '../command/level.ts';
import { cellPlans, monthRange, requiredBetween } from '../patrols/cadence.ts';
import { computeCoverage } from '../patrols/coverage.ts';
import { REPORT_ACTIONS } from '../../core/audit/actions.ts';
import { chineseDate, esc } from './period.ts';
import { democraticBodySchema, democraticScoreSchema, evaluationSchema, type CellEvaluation, type DemocraticBody, type Evaluation, type PersonEvaluation } from '../../core/contracts/accountability.ts';
import { OFFICIAL_BODY_FONT, OFFICIAL_TITLE_FONT } from '../print/official.ts';

/**
 * Periodic evaluation (考评) of the cells of a level, for a month (2026-11) or a quarter (2026-Q4) in
 * the deployment time zone. Each figure is 0–100, null when there is nothing to measure:
 *   onTime         按时办结率  of the reports handled in the period (an action of the workflow in it),
 *                              those none of whose steps ever went overdue (escalated) before its end;
 *   rectification  整改率      of the reports verified in the period, those rectified or closed before its end;
 *   patrol         巡查覆盖率  the patrols' coverage (% of units inspected within cadence) at the period's end,
 *                              else the cell's patrols done in the period / those its plans ask for;
 *   satisfaction   群众满意度  the reporters' average rating (1–5) of reports rated in the period, (avg − 1) × 25;
 *   democratic     民主测评    entered by hand per cell and period.
 * The total is the weighted mean of the figures a cell has (config command.evaluation.weights; a
 * missing figure is left out, not counted as 0). A person scores the average total of the cells of
 * the level they are assigned in (or below), minus command.evaluation.warningPenalty per warning in the period.
 */
export type { CellEvaluation, Evaluation, PersonEvaluation } from '../../core/contracts/accountability.ts';

const PERIOD = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/;

/** A period's [start, end) in the zone, or a coded 400. */
export function periodRange(period: string, zone: string): [Date, Date] {
  const m = PERIOD.exec(period);
  if (!m) throw problem('evaluations.bad-period', { period }, { errors: [{ field: 'period', message: 'must be YYYY-MM or YYYY-Q1…Q4' }] });
  if (m[2]) return monthRange(period, zone);
  const first = (Number(m[3]) - 1) * 3 + 1;
  const mm = (n: number) => `${m[1]}-${String(n).padStart(2, '0')}`;
  return [monthRange(mm(first), zone)[0], monthRange(mm(first + 2), zone)[1]];
}

/** 2026年11月, 2026年第四季度 */
export function periodName(period: string): string {
  const m = PERIOD.exec(period)!;
  return m[2] ? `${m[1]}年${Number(m[2])}月` : `${m[1]}年第${'一二三四'[Number(m[3]) - 1]}季度`;
}

const pct = (n: number, d: number) => (d > 0 ? Math.round((1000 * n) / d) / 10 : null);
const round1 = (v: number) => Math.round(v * 10) / 10;

/** Ranks by a score, highest first; equal scores share a rank; no score, no rank. */
function rankBy<T extends { rank: number | null }>(items: T[], score: (x: T) => number | null): T[] {
  const sorted = [...items].sort((a, b) => (score(b) ?? -Infinity) - (score(a) ?? -Infinity));
  let last: number | null = null;
  let rank = 0;
  sorted.forEach((x, i) => {
    const s = score(x);
    if (s === null) { x.rank = null; return; }
    if (s !== last) { rank = i + 1; last = s; }
    x.rank = rank;
  });
  return sorted;
}

export async function evaluate(q: Queryable, config: Config, opts: { period: string; level: number; scope: number[]; now: Date }): Promise<Evaluation> {
  const zone = config.command.timeZone;
  const levelName = levelOf(config, opts.level);
  const [start, end] = periodRange(opts.period, zone);
  const cells = await levelCells(q, opts.level, opts.scope);
  const ids = cells.map((c) => c.id);
  const { rows: figures } = await q.query<{ root: number; handled: number; on_time: number; verified: number; rectified: number; ratings: number; avg_score: number | null }>(
    `WITH ${levelCtes('$1', '$2')},
     m AS (
       SELECT under.root,
         EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action = ANY ($5::text[]) AND e.at >= $3 AND e.at < $4) AS handled,
         NOT EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action IN ('escalate', 'overdue') AND e.at < $4) AS on_time,
         EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action = 'verify' AND e.at >= $3 AND e.at < $4) AS verified,
         EXISTS (SELECT 1 FROM report_events e WHERE e.report_id = r.id AND e.action IN ('rectify', 'close') AND e.at < $4) AS rectified,
         g.score AS rating
       FROM reports r JOIN under ON under.id = r.cell_id
       LEFT JOIN report_ratings g ON g.report_id = r.id AND g.at >= $3 AND g.at < $4)
     SELECT root, count(*) FILTER (WHERE handled)::int AS handled, count(*) FILTER (WHERE handled AND on_time)::int AS on_time,
       count(*) FILTER (WHERE verified)::int AS verified, count(*) FILTER (WHERE verified AND rectified)::int AS rectified,
       count(rating)::int AS ratings, avg(rating)::float8 AS avg_score
     FROM m GROUP BY root`,
    [opts.level, opts.scope, start, end, REPORT_ACTIONS]);
  const fig = new Map(figures.map((f) => [f.root, f]));

  // Patrol coverage as the patrols module measures it, at the period's end (or now, in a running period).
  const at = new Date(Math.min(end.getTime(), opts.now.getTime()) - 1);
  const coverage = ids.length ? await computeCoverage(q, config, at, ids) : { cells: [] };
  const pctOf = new Map(coverage.cells.map((c) => [c.id, c.pctInspected]));
  const { rows: patrols } = await q.query<{ cell_id: number; n: number }>(
    'SELECT cell_id, count(*)::int AS n FROM inspections WHERE cell_id = ANY ($1::int[]) AND started_at >= $2 AND started_at < $3 GROUP BY cell_id', [ids, start, end]);
  const patrolsDone = new Map(patrols.map((p) => [p.cell_id, p.n]));
  const due = cellPlans(config.patrols, opts.level).reduce((n, p) => n + requiredBetween(p.cadence, start, end, config.patrols.timeZone), 0);

  const { rows: dem } = await q.query<{ cell_id: number; score: number }>(
    'SELECT cell_id, score FROM evaluation_democratic WHERE period = $1 AND cell_id = ANY ($2::int[])', [opts.period, ids]);
  const democratic = new Map(dem.map((d) => [d.cell_id, d.score]));

  const w = config.command.evaluation.weights;
  const out: CellEvaluation[] = cells.map((c) => {
    const f = fig.get(c.id);
    const patrolPct = pctOf.get(c.id) ?? (due > 0 ? Math.min(100, pct(patrolsDone.get(c.id) ?? 0, due)!) : null);
    const e = {
      ...c,
      handled: f?.handled ?? 0, onTimeCount: f?.on_time ?? 0, verified: f?.verified ?? 0, rectifiedCount: f?.rectified ?? 0, ratings: f?.ratings ?? 0,
      onTime: pct(f?.on_time ?? 0, f?.handled ?? 0),
      rectification: pct(f?.rectified ?? 0, f?.verified ?? 0),
      patrol: patrolPct,
      satisfaction: f?.avg_score != null ? round1((f.avg_score - 1) * 25) : null,
      democratic: democratic.get(c.id) ?? null,
      total: null as number | null, rank: null as number | null,
    };
    const parts = ([['onTime', e.onTime], ['rectification', e.rectification], ['patrol', e.patrol], ['satisfaction', e.satisfaction], ['democratic', e.democratic]] as const)
      .filter(([k, v]) => v !== null && w[k] > 0);
    const weight = parts.reduce((s, [k]) => s + w[k], 0);
    e.total = weight > 0 ? round1(parts.reduce((s, [k, v]) => s + w[k] * v!, 0) / weight) : null;
    return e;
  });
  const ranked = rankBy(out, (c) => c.total);

  // People of the level's cells (assigned in the cell or below), their warnings in the period.
  const { rows: ppl } = await q.query<{ person_id: number; name: string; roots: number[]; warnings: number }>(
    `WITH ${levelCtes('$1', '$2')}
     SELECT p.id AS person_id, p.name, array_agg(DISTINCT under.root) AS roots,
       (SELECT count(*)::int FROM report_warnings w WHERE w.person_id = p.id AND w.at >= $3 AND w.at < $4) AS warnings
     FROM cell_assignments a JOIN under ON under.id = a.cell_id JOIN people p ON p.id = a.person_id
     GROUP BY p.id, p.name`, [opts.level, opts.scope, start, end]);
  const totalOf = new Map(out.map((c) => [c.id, c.total]));
  const penalty = config.command.evaluation.warningPenalty;
  const people: PersonEvaluation[] = ppl.map((p) => {
    const totals = p.roots.map((r) => totalOf.get(r)).filter((t): t is number => t !== null && t !== undefined);
    const average = totals.length ? round1(totals.reduce((s, t) => s + t, 0) / totals.length) : null;
    return { personId: p.person_id, name: p.name, cells: p.roots.sort((a, b) => a - b), average, warnings: p.warnings, score: average === null ? null : round1(average - penalty * p.warnings), rank: null };
  });
  return {
    period: opts.period, level: opts.level, levelName: { zh: levelName.zh, en: levelName.en }, from: start.toISOString(), to: end.toISOString(),
    timeZone: zone, generatedAt: opts.now.toISOString(), weights: w, warningPenalty: penalty,
    cells: ranked, people: rankBy(people, (p) => p.score),
  };
}

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(1));

/** The 通报: the ranked table in Chinese, ready to print (A4 portrait), the first and last named. */
export function evaluationNoticeHtml(e: Evaluation, office: string): string {
  const title = `关于${periodName(e.period)}${e.levelName.zh}网格考评结果的通报`;
  const ranked = e.cells.filter((c) => c.rank !== null);
  const top = ranked[0];
  const bottom = ranked.length > 1 ? ranked[ranked.length - 1] : undefined;
  const rows = e.cells.map((c) => `<tr><td class="num">${c.rank ?? '—'}</td><td>${esc(c.code)}</td><td>${esc(c.name)}</td><td class="num">${fmt(c.onTime)}</td><td class="num">${fmt(c.rectification)}</td><td class="num">${fmt(c.patrol)}</td><td class="num">${fmt(c.satisfaction)}</td><td class="num">${fmt(c.democratic)}</td><td class="num"><strong>${fmt(c.total)}</strong></td></tr>`).join('\n');
  const w = e.weights;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
  @page { size: A4 portrait; margin: 25mm 18mm 20mm; }
  body { font-family: ${OFFICIAL_BODY_FONT}; color: #000; margin: 16px; font-size: 13pt; line-height: 1.7; }
  h1 { font-family: ${OFFICIAL_TITLE_FONT}; font-size: 20pt; text-align: center; margin: 0 0 16px; }
  table { border-collapse: collapse; width: 100%; font-size: 10.5pt; margin: 8px 0 12px; }
  th, td { border: 1px solid #000; padding: 3px 5px; }
  th { background: #eee; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .date { text-align: right; margin-top: 36px; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p>各${esc(e.levelName.zh)}网格：</p>
<p>根据网格化管理考评办法，现将${esc(periodName(e.period))}（${esc(chineseDate(e.from, e.timeZone))}至${esc(chineseDate(new Date(new Date(e.to).getTime() - 1), e.timeZone))}）各网格考评结果通报如下。</p>
${top ? `<p>本期综合得分第一名为<strong data-top>${esc(top.name)}</strong>（${fmt(top.total)} 分）${bottom ? `，最后一名为<strong data-bottom>${esc(bottom.name)}</strong>（${fmt(bottom.total)} 分）` : ''}。${bottom ? '希望排名靠后的网格认真查找差距，限期整改。' : ''}</p>` : '<p>本期无可考评的数据。</p>'}
<table>
<thead><tr><th>排名</th><th>网格编码</th><th>网格名称</th><th>按时办结率</th><th>整改率</th><th>巡查覆盖率</th><th>群众满意度</th><th>民主测评</th><th>综合得分</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>说明：各项均为百分制。综合得分为各项加权平均（按时办结率 ${w.onTime}、整改率 ${w.rectification}、巡查覆盖率 ${w.patrol}、群众满意度 ${w.satisfaction}、民主测评 ${w.democratic}），缺项不计入。</p>
<p class="date">${esc(office)}<br>${esc(chineseDate(e.generatedAt, e.timeZone))}</p>
</body>
</html>
`;
}

interface EvalQuery { period: string; level?: number }

export default async function evaluationRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const defaultLevel = Math.min(2, Math.max(...config.levels.map((l) => l.level)));
  const querystring = {
    type: 'object',
    properties: {
      period: { type: 'string', maxLength: 16, description: 'A month YYYY-MM or a quarter YYYY-Q1…Q4, in the deployment time zone' },
      level: { type: 'integer', minimum: 1, maximum: 32, description: `The grid level (default ${defaultLevel})` },
    },
    required: ['period'],
    additionalProperties: false,
  } as const;
  const build = (actorScope: number[], q: EvalQuery) => evaluate(db, config, { period: q.period, level: q.level ?? defaultLevel, scope: actorScope, now: now() });

  app.get<{ Querystring: EvalQuery; Reply: Evaluation }>('/api/evaluations', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['accountability'],
      summary: 'Periodic evaluation (考评) of the cells of a level in my scope, ranked: on-time rate, rectification rate, patrol coverage, resident satisfaction, 民主测评 and the weighted total; people ranked by their cells\' average minus a penalty per warning',
      querystring, response: { 200: evaluationSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    return build(scopeOf(actor), request.query);
  });

  app.put<{ Params: { period: string; id: number }; Body: DemocraticBody }>('/api/evaluations/:period/cells/:id/democratic', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['accountability'],
      summary: 'Enter the 民主测评 score (0–100) of a cell in my scope for a period',
      params: { type: 'object', properties: { period: { type: 'string', maxLength: 16 }, id: idSchema }, required: ['period', 'id'] },
      body: democraticBodySchema,
      response: { 200: democraticScoreSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { period, id } = request.params;
    periodRange(period, config.command.timeZone);
    const score = Math.round(request.body.score * 100) / 100;
    return db.transaction(async (tx) => {
      const scope = scopeOf(actor);
      const { rows } = await tx.query(
        'SELECT 1 FROM cells c WHERE c.id = $1 AND (cardinality($2::int[]) = 0 OR c.id = ANY ($2::int[]) OR c.ancestors && $2::int[])', [id, scope]);
      if (!rows[0]) throw problem('evaluations.cell-not-found', { id });
      await tx.query(
        `INSERT INTO evaluation_democratic (cell_id, period, score, entered_by, entered_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (cell_id, period) DO UPDATE SET score = EXCLUDED.score, entered_by = EXCLUDED.entered_by, entered_at = EXCLUDED.entered_at`,
        [id, period, score, actor.id, now()]);
      await audit(tx, request, 'evaluation.democratic', `cell:${id}`, { period, score });
      return { cellId: id, period, score };
    });
  });

  app.get<{ Params: { period: string }; Querystring: { level?: number } }>('/evaluations/:period/notice', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['accountability'],
      summary: 'The evaluation\'s publishable ranked notice (通报) as a printable Chinese page: title, period, ranked table, the first and last named, date line',
      params: { type: 'object', properties: { period: { type: 'string', maxLength: 16 } }, required: ['period'] },
      querystring: { type: 'object', properties: { level: querystring.properties.level }, additionalProperties: false },
      produces: ['text/html'], response: { 200: { type: 'string' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const scope = scopeOf(actor);
    const e = await build(scope, { period: request.params.period, level: request.query.level });
    const { rows } = await db.query<{ name: string }>(
      scope.length ? 'SELECT name FROM cells WHERE id = ANY ($1::int[]) ORDER BY code' : 'SELECT name FROM cells WHERE parent_id IS NULL ORDER BY code',
      scope.length ? [scope] : []);
    return reply.type('text/html; charset=utf-8').send(evaluationNoticeHtml(e, rows.map((r) => r.name).join('、')));
  });
}
