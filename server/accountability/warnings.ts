import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { scopeOf } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { formatLocal } from '../../core/time/local.ts';
import { chineseDate, dayWindow, esc, localDayEnd, localDayStart } from './period.ts';
import { dateQuery, noticeBodySchema, noticeSchema, warningsSchema, type NoticeBody, type WarningLevel, type Warnings } from '../../core/contracts/accountability.ts';
import { OFFICIAL_BODY_FONT, OFFICIAL_TITLE_FONT } from '../print/official.ts';

export { WARNING_LEVELS, type WarningLevel } from '../../core/contracts/accountability.ts';

export const LEVEL_NAMES: Record<WarningLevel, { zh: string; en: string }> = {
  warning: { zh: '预警提醒', en: 'Warning' },
  explanation: { zh: '书面说明', en: 'Written explanation' },
  publicNotice: { zh: '通报批评', en: 'Public notice' },
};

const STEP_NAMES: Record<string, string> = { verify: '核实', dispatch: '派遣', rectify: '整改', check: '核查' };

/** The level a count reaches under the configured thresholds, or null. */
export function levelOfCount(count: number, th: Config['reports']['warningThresholds']): WarningLevel | null {
  return count >= th.publicNotice ? 'publicNotice' : count >= th.explanation ? 'explanation' : count >= th.warning ? 'warning' : null;
}

/**
 * People the actor answers for: those assigned in a cell of the scope (subtree roots; empty = all).
 * As SQL on a person id expression, the scope in param `p`.
 */
const personInScopeSql = (personExpr: string, p: string) => `(cardinality(${p}::int[]) = 0 OR ${personExpr} IN (
  SELECT a.person_id FROM cell_assignments a JOIN cells k ON k.id = a.cell_id
  WHERE k.id = ANY (${p}::int[]) OR k.ancestors && ${p}::int[]))`;

interface WarningRow {
  report_id: number; person_id: number; cell_id: number | null; step: string; at: Date;
  person_name: string; cell_name: string | null; cell_code: string | null; tracking_code: string; roles: string[] | null;
}

/** The period and scope of a warnings read, as SQL on `w` (report_warnings), its values appended to params. */
function warningWhere(params: unknown[], scope: number[], start: Date, end: Date, opts: { personId?: number; cellId?: number } = {}): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = [`w.at >= ${p(start)}`, `w.at < ${p(end)}`, personInScopeSql('w.person_id', p(scope))];
  if (opts.personId !== undefined) where.push(`w.person_id = ${p(opts.personId)}`);
  if (opts.cellId !== undefined) where.push(`w.cell_id = ${p(opts.cellId)}`);
  return where.join(' AND ');
}

async function warningRows(q: Queryable, scope: number[], start: Date, end: Date, opts: { personId?: number; cellId?: number; limit?: number } = {}): Promise<WarningRow[]> {
  const params: unknown[] = [];
  const where = warningWhere(params, scope, start, end, opts);
  const limit = opts.limit === undefined ? '' : `LIMIT ${Number(opts.limit)}`;
  const { rows } = await q.query<WarningRow>(
    `SELECT w.report_id, w.person_id, w.cell_id, w.step, w.at, p.name AS person_name, c.name AS cell_name, c.code AS cell_code, r.tracking_code,
       (SELECT array_agg(a.role ORDER BY a.position) FROM cell_assignments a WHERE a.cell_id = w.cell_id AND a.person_id = w.person_id) AS roles
     FROM report_warnings w JOIN people p ON p.id = w.person_id JOIN reports r ON r.id = w.report_id LEFT JOIN cells c ON c.id = w.cell_id
     WHERE ${where}
     ORDER BY w.at DESC, w.report_id, w.person_id ${limit}`, params);
  return rows;
}

/** The warnings a screen lists at most (the latest); counts are over all of them. */
export const WARNINGS_LIST_MAX = 1000;

interface NoticeRow {
  id: number; year: number; number: number; person_id: number; person_name: string; level: WarningLevel; note: string | null;
  period_from: string; period_to: string; issued_at: Date; issued_by_name: string | null;
}

const NOTICE_SELECT = `SELECT n.id, n.year, n.number, n.person_id, p.name AS person_name, n.level, n.note,
    to_char(n.period_from, 'YYYY-MM-DD') AS period_from, to_char(n.period_to, 'YYYY-MM-DD') AS period_to, n.issued_at, u.display_name AS issued_by_name
  FROM warning_notices n JOIN people p ON p.id = n.person_id LEFT JOIN users u ON u.id = n.issued_by`;

/** 〔2026〕第 3 号 */
export const noticeNumber = (year: number, number: number) => `〔${year}〕第 ${number} 号`;

const noticeSummary = (n: NoticeRow) => ({
  id: n.id, number: noticeNumber(n.year, n.number), year: n.year, seq: n.number, personId: n.person_id, personName: n.person_name,
  level: n.level, note: n.note, from: n.period_from, to: n.period_to, issuedAt: n.issued_at.toISOString(), issuedBy: n.issued_by_name,
  url: `/warnings/notices/${n.id}`,
});

interface WindowQuery { from?: string; to?: string; cellId?: number }
export default async function warningRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const zone = config.timeZone;
  const th = config.reports.warningThresholds;
  const roleOf = (code: string) => {
    const r = config.assignmentRoles.find((x) => x.code === code);
    return { code, zh: r?.zh ?? code, en: r?.en ?? code };
  };

  app.get<{ Querystring: WindowQuery; Reply: Warnings }>('/api/warnings', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['accountability'],
      summary: 'Warnings (预警) of the people assigned in my cells in a period of local days (default: this year up to today): the latest warnings (at most 1000 of total), the cells warned in, and per person the count, the level reached and the notices issued',
      querystring: { type: 'object', properties: { from: dateQuery, to: dateQuery, cellId: { ...idSchema, description: 'Only the warnings for this cell (people keep their count over all cells)' } }, additionalProperties: false },
      response: { 200: warningsSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const scope = scopeOf(actor);
    const w = dayWindow(request.query.from, request.query.to, zone, now());
    const cellId = request.query.cellId;
    // Per person: every warning in the period (the thresholds count them all), and those in the cell filtered by.
    const pp: unknown[] = [];
    const inCell = cellId === undefined ? 'count(*)' : `count(*) FILTER (WHERE w.cell_id = $${pp.push(cellId)})`;
    const { rows: counts } = await db.query<{ person_id: number; name: string; n: number; in_cell: number }>(
      `SELECT w.person_id, p.name, count(*)::int AS n, ${inCell}::int AS in_cell FROM report_warnings w JOIN people p ON p.id = w.person_id
       WHERE ${warningWhere(pp, scope, w.start, w.end)} GROUP BY w.person_id, p.name`, pp);
    const shown = counts.filter((c) => c.in_cell > 0);
    const personIds = shown.map((c) => c.person_id);
    const cp: unknown[] = [];
    const { rows: warnedCells } = await db.query<{ id: number; code: string; name: string; n: number }>(
      `SELECT c.id, c.code, c.name, count(*)::int AS n FROM report_warnings w JOIN cells c ON c.id = w.cell_id
       WHERE ${warningWhere(cp, scope, w.start, w.end)} GROUP BY c.id, c.code, c.name ORDER BY c.code`, cp);
    const rows = await warningRows(db, scope, w.start, w.end, { cellId, limit: WARNINGS_LIST_MAX });
    const { rows: cells } = await db.query<{ person_id: number; id: number; code: string; name: string }>(
      `SELECT DISTINCT a.person_id, c.id, c.code, c.name FROM cell_assignments a JOIN cells c ON c.id = a.cell_id
       WHERE a.person_id = ANY ($1::int[]) ORDER BY c.code`, [personIds]);
    const { rows: notices } = await db.query<NoticeRow>(`${NOTICE_SELECT} WHERE n.person_id = ANY ($1::int[]) ORDER BY n.issued_at DESC, n.id DESC`, [personIds]);
    const people = shown.map((c) => ({
      personId: c.person_id, name: c.name, count: c.n, inCell: c.in_cell, level: levelOfCount(c.n, th),
      cells: cells.filter((x) => x.person_id === c.person_id).map((x) => ({ id: x.id, code: x.code, name: x.name })),
      notices: notices.filter((n) => n.person_id === c.person_id).map((n) => ({ id: n.id, number: noticeNumber(n.year, n.number), level: n.level, issuedAt: n.issued_at.toISOString(), url: `/warnings/notices/${n.id}` })),
    }));
    // Who reached a threshold first: the most warnings, then by name.
    people.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'zh-CN') || a.personId - b.personId);
    return {
      from: w.from, to: w.to, timeZone: zone, thresholds: th, levels: LEVEL_NAMES, people,
      cells: warnedCells.map((c) => ({ id: c.id, code: c.code, name: c.name, count: c.n })),
      total: shown.reduce((n, c) => n + c.in_cell, 0),
      warnings: rows.map((r) => ({
        reportId: r.report_id, trackingCode: r.tracking_code, reportUrl: `/#/reports?report=${r.report_id}`,
        personId: r.person_id, personName: r.person_name, roles: (r.roles ?? []).map(roleOf),
        cellId: r.cell_id, cellCode: r.cell_code, cellName: r.cell_name, step: r.step, at: r.at.toISOString(),
      })),
    };
  });

  app.post<{ Body: NoticeBody }>('/api/warnings/notices', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['accountability'],
      summary: 'Issue a numbered warning notice (预警通知书, 〔year〕第 n 号) to a person about their warnings in a period (default: this year); the level must have been reached',
      body: noticeBodySchema,
      response: { 201: noticeSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const b = request.body;
    const at = now();
    const w = dayWindow(b.from, b.to, zone, at);
    const created = await db.transaction(async (tx) => {
      const { rows: known } = await tx.query(`SELECT 1 FROM people p WHERE p.id = $1 AND ${personInScopeSql('p.id', '$2')}`, [b.personId, scopeOf(actor)]);
      if (!known[0]) throw problem('warnings.person-not-found', { id: b.personId });
      const rows = await warningRows(tx, scopeOf(actor), w.start, w.end, { personId: b.personId });
      const needed = th[b.level];
      if (rows.length < needed || rows.length === 0) {
        throw problem('warnings.level-not-reached', { id: b.personId, count: rows.length, level: LEVEL_NAMES[b.level].zh, needed: Math.max(needed, 1) });
      }
      const year = Number(formatLocal(at, 'zh-CN', zone, 'date').slice(0, 4));
      // The year's counter hands out the next number; the row lock serialises concurrent notices.
      const { rows: seq } = await tx.query<{ last: number }>(
        `INSERT INTO warning_notice_counters (year, last) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last = warning_notice_counters.last + 1 RETURNING last`, [year]);
      const number = seq[0]!.last;
      const { rows: ins } = await tx.query<{ id: number }>(
        `INSERT INTO warning_notices (year, number, person_id, level, note, period_from, period_to, issued_at, issued_by)
         VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8, $9) RETURNING id`,
        [year, number, b.personId, b.level, b.note?.trim() || null, w.from, w.to, at, actor.id]);
      const id = ins[0]!.id;
      for (const r of rows) {
        await tx.query('INSERT INTO warning_notice_items (notice_id, report_id, cell_id, step, at) VALUES ($1, $2, $3, $4, $5)', [id, r.report_id, r.cell_id, r.step, r.at]);
      }
      await audit(tx, request, 'warning.notice', `person:${b.personId}`, { notice: id, number: noticeNumber(year, number), level: b.level, count: rows.length });
      return id;
    });
    return reply.code(201).send(await loadNotice(db, created));
  });

  app.get<{ Params: { id: number } }>('/api/warnings/notices/:id', {
    config: { access: 'reports.supervise' },
    schema: { tags: ['accountability'], summary: 'A warning notice (预警通知书) as JSON', params: idParams, response: { 200: noticeSchema, '4xx': problemSchema } },
  }, async (request) => {
    const actor = request.actor;
    return loadNotice(db, request.params.id, scopeOf(actor));
  });

  app.get<{ Params: { id: number } }>('/warnings/notices/:id', {
    config: { access: 'reports.supervise' },
    schema: {
      tags: ['accountability'],
      summary: 'A warning notice (预警通知书) as a printable Chinese A4 page: number, person, cells, the reports, the level, lines for 签发人 and 日期',
      params: idParams, produces: ['text/html'], response: { 200: { type: 'string' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const n = await loadNotice(db, request.params.id, scopeOf(actor));
    const { rows: cells } = await db.query<{ code: string; name: string; role: string }>(
      `SELECT c.code, c.name, a.role FROM cell_assignments a JOIN cells c ON c.id = a.cell_id WHERE a.person_id = $1 ORDER BY c.code, a.position`, [n.personId]);
    return reply.type('text/html; charset=utf-8').send(noticeHtml(n, cells.map((c) => ({ ...c, role: roleOf(c.role).zh })), zone));
  });
}

type Notice = ReturnType<typeof noticeSummary> & { warnings: { reportId: number; trackingCode: string; cellId: number | null; cellName: string | null; step: string; at: string }[] };

/** A notice with its warnings; outside the actor's scope (when given) it does not exist. */
async function loadNotice(q: Queryable, id: number, scope?: number[]): Promise<Notice> {
  const params: unknown[] = [id];
  const inScope = scope ? `AND ${personInScopeSql('n.person_id', `$${params.push(scope)}`)}` : '';
  const { rows } = await q.query<NoticeRow>(`${NOTICE_SELECT} WHERE n.id = $1 ${inScope}`, params);
  const n = rows[0];
  if (!n) throw problem('warnings.notice-not-found', { id });
  const { rows: items } = await q.query<{ report_id: number; tracking_code: string; cell_id: number | null; cell_name: string | null; step: string; at: Date }>(
    `SELECT i.report_id, coalesce(r.tracking_code, '#' || i.report_id) AS tracking_code, i.cell_id, c.name AS cell_name, i.step, i.at
     FROM warning_notice_items i LEFT JOIN reports r ON r.id = i.report_id LEFT JOIN cells c ON c.id = i.cell_id
     WHERE i.notice_id = $1 ORDER BY i.at, i.report_id`, [id]);
  return {
    ...noticeSummary(n),
    warnings: items.map((i) => ({ reportId: i.report_id, trackingCode: i.tracking_code, cellId: i.cell_id, cellName: i.cell_name, step: i.step, at: i.at.toISOString() })),
  };
}

/** The printable notice (A4 portrait), no script, times local. */
export function noticeHtml(n: Notice, cells: { code: string; name: string; role: string }[], zone: string): string {
  const level = LEVEL_NAMES[n.level as WarningLevel]?.zh ?? n.level;
  const demand: Record<string, string> = {
    warning: '请高度重视，立即督促整改到位，杜绝类似情况再次发生。',
    explanation: '请于收到本通知书之日起三个工作日内就超期原因作出书面说明，并落实整改。',
    publicNotice: '经研究，予以通报批评。请深刻反思，限期整改，整改情况书面报告。',
  };
  const rows = n.warnings.map((w, i) => `<tr><td class="num">${i + 1}</td><td class="mono">${esc(w.trackingCode)}</td><td>${esc(w.cellName ?? '')}</td><td>${esc(STEP_NAMES[w.step] ?? w.step)}</td><td>${esc(formatLocal(w.at, 'zh-CN', zone, 'datetime'))}</td></tr>`).join('\n');
  const cellText = cells.length ? cells.map((c) => `${c.name}（${c.role}）`).join('、') : '—';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>预警通知书 ${esc(n.number)}</title>
<style>
  @page { size: A4 portrait; margin: 25mm 20mm 20mm; }
  body { font-family: ${OFFICIAL_BODY_FONT}; color: #000; margin: 16px; font-size: 13pt; line-height: 1.7; }
  h1 { font-family: ${OFFICIAL_TITLE_FONT}; font-size: 22pt; text-align: center; margin: 0 0 4px; letter-spacing: 4px; }
  .number { text-align: center; margin: 0 0 18px; }
  table { border-collapse: collapse; width: 100%; font-size: 11pt; margin: 8px 0 12px; }
  th, td { border: 1px solid #000; padding: 3px 6px; }
  th { background: #eee; }
  td.num { text-align: right; }
  .mono { font-family: monospace; }
  .sign { margin-top: 40px; display: flex; justify-content: flex-end; gap: 48px; }
  .line { display: inline-block; min-width: 9em; border-bottom: 1px solid #000; }
</style>
</head>
<body>
<h1>预警通知书</h1>
<p class="number" data-number>${esc(n.number)}</p>
<p><strong data-person>${esc(n.personName)}</strong>同志：</p>
<p>您所负责的网格：${esc(cellText)}。</p>
<p>经统计，${esc(chineseDate(localDayStart(n.from, zone, 'from'), zone))}至${esc(chineseDate(new Date(localDayEnd(n.to, zone, 'to').getTime() - 1), zone))}期间，您负责办理的隐患报告中有 <strong>${n.warnings.length}</strong> 件超过办理时限被升级督办，达到“<strong data-level>${esc(level)}</strong>”标准。明细如下：</p>
<table>
<thead><tr><th>序号</th><th>跟踪码</th><th>网格</th><th>超期环节</th><th>预警时间</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>${esc(demand[n.level] ?? '')}</p>
${n.note ? `<p>附注：${esc(n.note)}</p>` : ''}
<p class="sign"><span>签发人：<span class="line"></span></span><span>日期：<span class="line"></span></span></p>
<p class="muted">本通知书于 ${esc(formatLocal(n.issuedAt, 'zh-CN', zone, 'datetime'))} 生成${n.issuedBy ? `，经办人：${esc(n.issuedBy)}` : ''}。</p>
</body>
</html>
`;
}
