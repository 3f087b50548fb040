import type { FastifyInstance, FastifyReply } from 'fastify';
import { csvText } from '../csv.ts';
import { addMonths } from 'date-fns/addMonths';
import { tz } from '@date-fns/tz';
import type { AppContext } from '../context.ts';
import { scopeOf } from '../auth/actor.ts';
import { assertCellEditable, cellWhat, cellInScope } from '../auth/guard.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { cellPlans, localDate, monthOf, monthRange, requiredBetween, unitPlan } from './cadence.ts';
import { subtreeCells } from './coverage.ts';
import { checklistFor, visitResult, type ChecklistEntry } from './model.ts';
import { formatLocal } from '../../core/time/local.ts';

const MONTH = '^\\d{4}-(0[1-9]|1[0-2])$';
const MAX_MONTHS = 24;

/** CSV with a BOM, so spreadsheet programs read the Chinese text as UTF-8. */
function sendCsv(reply: FastifyReply, name: string, columns: string[], rows: unknown[][]) {
  const csv = csvText([columns, ...rows]);
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(`\uFEFF${csv}`);
}

const formatSchema = { type: 'string', enum: ['json', 'csv'], default: 'json' } as const;
/** The language of a CSV's headers and words: English keys for programs (default), Chinese for people. */
const langSchema = { type: 'string', enum: ['en', 'zh-CN'], default: 'en' } as const;
type Lang = 'en' | 'zh-CN';

const ZH_HEADERS: Record<string, string> = {
  date: '日期', at: '时间', unit_id: '单位编号', unit_name: '单位名称', unit_type: '单位类型', inspection_id: '巡查编号', inspector: '巡查人',
  result: '结果', failed_items: '不合格项', distance_m: '签到距离（米）', far: '远距离签到', location_source: '位置来源', findings: '发现隐患', note: '备注',
  month: '月份', cell_code: '网格编码', cell_name: '网格名称', level: '层级', patrols_done: '已巡查次数', patrols_due: '应巡查次数',
  units_total: '单位总数', units_inspected: '已检查单位', pct_units_inspected: '单位检查率（%）', unit_inspections_done: '已检查次数',
  unit_inspections_due: '应检查次数', far_check_ins: '远距离签到次数',
};
const ZH_WORDS: Record<string, string> = { pass: '合格', fail: '不合格', incomplete: '未完成', true: '是', false: '否', device: '设备定位', unit: '单位位置' };

/** Headers and the few fixed words of a ledger CSV in the language asked for. */
function localise(lang: Lang, columns: string[], rows: unknown[][], wordColumns: string[]): [string[], unknown[][]] {
  if (lang === 'en') return [columns, rows];
  const words = new Set(wordColumns.map((c) => columns.indexOf(c)));
  return [columns.map((c) => ZH_HEADERS[c] ?? c), rows.map((r) => r.map((v, i) => (words.has(i) ? (ZH_WORDS[String(v)] ?? v) : v)))];
}

/** The inspection ledger (台账): every inspection of a unit with its result; per cell and month, done vs due. */
export default async function ledgerRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const pc = config.patrols;

  app.get<{ Params: { id: number }; Querystring: { format: 'json' | 'csv'; lang: Lang } }>('/api/inspections/ledger/units/:id', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['patrols'],
      summary: 'A unit\'s inspection ledger: every check-in with inspector, result, failed items, distance and findings (format=csv to export)',
      params: idParams,
      querystring: { type: 'object', properties: { format: formatSchema, lang: langSchema }, additionalProperties: false },
      response: { 200: { type: 'object', additionalProperties: true }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const { rows: units } = await db.query<{ id: number; name: string; type: string; cell_id: number | null; cell_code: string | null }>(
      'SELECT u.id, u.name, u.type, u.cell_id, c.code AS cell_code FROM units u LEFT JOIN cells c ON c.id = u.cell_id WHERE u.id = $1', [request.params.id]);
    const unit = units[0];
    // A unit outside one's scope (or in no cell, for a scoped user) is not admitted to exist, as on /api/units.
    const visible = unit && (unit.cell_id === null ? scopeOf(actor).length === 0 : await cellInScope(db, actor, unit.cell_id));
    if (!unit || !visible) throw problem('units.not-found', { id: request.params.id });
    const { rows } = await db.query<{
      id: number; inspection_id: number; at: Date; inspector: string; cell_code: string; unit_type: string; checklist: ChecklistEntry[];
      distance_m: number; far: boolean; location_source: string; note: string | null; findings: { reportId: number; trackingCode: string; state: string }[];
    }>(
      `SELECT v.id, v.inspection_id, v.at, i.inspector, i.cell_code, v.unit_type, v.checklist, v.distance_m, v.far, v.location_source, v.note,
         (SELECT COALESCE(json_agg(json_build_object('reportId', r.id, 'trackingCode', r.tracking_code, 'state', r.state) ORDER BY r.id), '[]'::json)
            FROM inspection_findings f JOIN reports r ON r.id = f.report_id WHERE f.visit_id = v.id) AS findings
       FROM inspection_visits v JOIN inspections i ON i.id = v.inspection_id
       WHERE v.unit_id = $1 ORDER BY v.at DESC, v.id DESC`, [unit.id]);
    const entries = rows.map((v) => {
      const items = checklistFor(config, v.unit_type);
      return {
        visitId: v.id, inspectionId: v.inspection_id, at: v.at.toISOString(), date: localDate(v.at, pc.timeZone), inspector: v.inspector,
        patrolCell: v.cell_code, result: visitResult(items, v.checklist, v.findings.length),
        failedItems: v.checklist.filter((c) => !c.ok).map((c) => c.code), checklist: v.checklist,
        distanceM: Math.round(v.distance_m * 10) / 10, far: v.far, locationSource: v.location_source, note: v.note, findings: v.findings,
      };
    });
    if (request.query.format === 'csv') {
      const lang = request.query.lang;
      const [cols, rows] = localise(lang,
        ['date', 'at', 'unit_id', 'unit_name', 'unit_type', 'inspection_id', 'inspector', 'result', 'failed_items', 'distance_m', 'far', 'location_source', 'findings', 'note'],
        entries.map((e) => [e.date, lang === 'en' ? e.at : formatLocal(e.at, 'zh-CN', pc.timeZone), unit.id, unit.name, unit.type, e.inspectionId, e.inspector, e.result, e.failedItems.join(' '),
          e.distanceM, e.far ? 'true' : 'false', e.locationSource, e.findings.map((f) => f.trackingCode).join(' '), e.note ?? '']),
        ['result', 'far', 'location_source']);
      return sendCsv(reply, `unit-${unit.id}-ledger.csv`, cols, rows);
    }
    return { unit: { id: unit.id, name: unit.name, type: unit.type, cellId: unit.cell_id, cellCode: unit.cell_code }, entries };
  });

  interface LedgerQuery { cellId?: number; from?: string; to?: string; format: 'json' | 'csv'; lang: Lang }
  app.get<{ Querystring: LedgerQuery }>('/api/inspections/ledger', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['patrols'],
      summary: 'The cell-month ledger: for each cell in my scope (or under cellId) and each month from..to (YYYY-MM, default this month), patrols and unit inspections done vs due (format=csv to export)',
      querystring: {
        type: 'object',
        properties: { cellId: idSchema, from: { type: 'string', pattern: MONTH }, to: { type: 'string', pattern: MONTH }, format: formatSchema, lang: langSchema },
        additionalProperties: false,
      },
      response: { 200: { type: 'object', additionalProperties: true }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const q = request.query;
    if (q.cellId !== undefined) {
      const { rowCount } = await db.query('SELECT 1 FROM cells WHERE id = $1', [q.cellId]);
      if (!rowCount) throw problem('patrols.cell-not-found', { id: q.cellId });
      await assertCellEditable(db, actor, q.cellId, cellWhat(q.cellId));
    }
    const thisMonth = monthOf(now(), pc.timeZone);
    const from = q.from ?? q.to ?? thisMonth;
    const to = q.to ?? (q.from ? q.from : thisMonth);
    if (from > to) throw problem('patrols.range-reversed', { from, to }, { errors: [{ field: 'querystring.from', message: 'must not be after to' }] });
    const months: string[] = [];
    for (let m = monthRange(from, pc.timeZone)[0]; monthOf(m, pc.timeZone) <= to; m = new Date(addMonths(m, 1, { in: tz(pc.timeZone) }).getTime())) {
      months.push(monthOf(m, pc.timeZone));
      if (months.length > MAX_MONTHS) throw problem('patrols.range-too-long', { max: MAX_MONTHS }, { errors: [{ field: 'querystring.to', message: `at most ${MAX_MONTHS} months after from` }] });
    }
    const rangeStart = monthRange(from, pc.timeZone)[0];
    const rangeEnd = monthRange(to, pc.timeZone)[1];

    const cells = await subtreeCells(db, q.cellId !== undefined ? [q.cellId] : scopeOf(actor));
    const ids = cells.map((c) => c.id);
    const parentOf = new Map(cells.map((c) => [c.id, c.parent_id]));
    const inTree = new Set(ids);
    /** The cell and its ancestors inside the requested tree: a unit's inspection counts in each. */
    const upFrom = (id: number | null): number[] => {
      const out: number[] = [];
      for (let c = id; c !== null && c !== undefined && inTree.has(c); c = parentOf.get(c) ?? null) out.push(c);
      return out;
    };

    const { rows: units } = await db.query<{ id: number; type: string; cell_id: number }>('SELECT id, type, cell_id FROM units WHERE cell_id = ANY ($1::int[]) AND (archived_at IS NULL OR archived_at >= $2)', [ids, rangeStart]);
    const { rows: patrols } = await db.query<{ cell_id: number; started_at: Date }>(
      'SELECT cell_id, started_at FROM inspections WHERE cell_id = ANY ($1::int[]) AND started_at >= $2 AND started_at < $3', [ids, rangeStart, rangeEnd]);
    const { rows: visits } = await db.query<{ unit_id: number | null; cell_id: number; at: Date; far: boolean; findings: number }>(
      `SELECT v.unit_id, v.cell_id, v.at, v.far, (SELECT count(*)::int FROM inspection_findings f WHERE f.visit_id = v.id) AS findings
       FROM inspection_visits v WHERE v.cell_id = ANY ($1::int[]) AND v.at >= $2 AND v.at < $3`, [ids, rangeStart, rangeEnd]);

    interface Row {
      month: string; cellId: number; code: string; name: string; level: number;
      patrolsDone: number; patrolsDue: number; unitsTotal: number; unitsInspected: number;
      unitInspectionsDone: number; unitInspectionsDue: number; pctUnitsInspected: number | null; findings: number; farCheckIns: number;
    }
    const key = (month: string, cellId: number) => `${month}:${cellId}`;
    const table = new Map<string, Row>();
    const inspectedUnits = new Map<string, Set<number>>();
    for (const month of months) {
      const [ms, me] = monthRange(month, pc.timeZone);
      for (const c of cells) {
        table.set(key(month, c.id), {
          month, cellId: c.id, code: c.code, name: c.name, level: c.level,
          patrolsDone: 0, patrolsDue: cellPlans(pc, c.level).reduce((s, p) => s + requiredBetween(p.cadence, ms, me, pc.timeZone), 0),
          unitsTotal: 0, unitsInspected: 0, unitInspectionsDone: 0, unitInspectionsDue: 0, pctUnitsInspected: null, findings: 0, farCheckIns: 0,
        });
        inspectedUnits.set(key(month, c.id), new Set());
      }
      for (const u of units) {
        const plan = unitPlan(pc, u.type);
        if (!plan) continue;
        const due = requiredBetween(plan.cadence, ms, me, pc.timeZone);
        for (const c of upFrom(u.cell_id)) {
          const r = table.get(key(month, c))!;
          r.unitsTotal += 1;
          r.unitInspectionsDue += due;
        }
      }
    }
    for (const p of patrols) table.get(key(monthOf(p.started_at, pc.timeZone), p.cell_id))!.patrolsDone += 1;
    for (const v of visits) {
      const month = monthOf(v.at, pc.timeZone);
      for (const c of upFrom(v.cell_id)) {
        const r = table.get(key(month, c))!;
        r.findings += v.findings;
        // A check-in far from its unit is no proof of a visit: it is counted apart, not as done.
        if (v.far) {
          r.farCheckIns += 1;
          continue;
        }
        r.unitInspectionsDone += 1;
        if (v.unit_id !== null) inspectedUnits.get(key(month, c))!.add(v.unit_id);
      }
    }
    const rows = [...table.values()];
    for (const r of rows) {
      r.unitsInspected = inspectedUnits.get(key(r.month, r.cellId))!.size;
      r.pctUnitsInspected = r.unitsTotal === 0 ? null : Math.round((1000 * Math.min(r.unitsInspected, r.unitsTotal)) / r.unitsTotal) / 10;
    }
    if (q.format === 'csv') {
      const cols = ['month', 'cell_code', 'cell_name', 'level', 'patrols_done', 'patrols_due', 'units_total', 'units_inspected', 'pct_units_inspected',
        'unit_inspections_done', 'unit_inspections_due', 'findings', 'far_check_ins'];
      const [header, body] = localise(q.lang, cols, rows.map((r) => [
        r.month, r.code, r.name, r.level, r.patrolsDone, r.patrolsDue, r.unitsTotal, r.unitsInspected, r.pctUnitsInspected ?? '',
        r.unitInspectionsDone, r.unitInspectionsDue, r.findings, r.farCheckIns]), []);
      return sendCsv(reply, `inspection-ledger-${from}_${to}.csv`, header, body);
    }
    return { from, to, timeZone: pc.timeZone, rows };
  });

  interface FarQuery { cellId?: number; from?: string; to?: string }
  // Far check-ins, listed for the commander: each is counted as not done, so someone should look.
  app.get<{ Querystring: FarQuery }>('/api/inspections/far-check-ins', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['patrols'],
      summary: 'Check-ins farther from their unit than patrols.farCheckInMetres, newest first, in my scope (or under cellId), between from and to (ISO times; default the last 30 days)',
      querystring: {
        type: 'object',
        properties: { cellId: idSchema, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            thresholdM: { type: 'number' },
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  visitId: { type: 'integer' }, inspectionId: { type: 'integer' }, at: { type: 'string' }, inspector: { type: 'string' },
                  unitId: { type: ['integer', 'null'] }, unitName: { type: 'string' }, cellId: { type: ['integer', 'null'] },
                  cellName: { type: ['string', 'null'] }, distanceM: { type: 'number' },
                },
              },
            },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = request.actor;
    const q = request.query;
    if (q.cellId !== undefined) {
      const { rowCount } = await db.query('SELECT 1 FROM cells WHERE id = $1', [q.cellId]);
      if (!rowCount) throw problem('patrols.cell-not-found', { id: q.cellId });
      await assertCellEditable(db, actor, q.cellId, cellWhat(q.cellId));
    }
    const to = q.to ? new Date(q.to) : now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    const ids = (await subtreeCells(db, q.cellId !== undefined ? [q.cellId] : scopeOf(actor))).map((c) => c.id);
    const { rows } = await db.query<{ id: number; inspection_id: number; at: Date; inspector: string; unit_id: number | null; unit_name: string; cell_id: number | null; cell_name: string | null; distance_m: number }>(
      `SELECT v.id, v.inspection_id, v.at, i.inspector, v.unit_id, v.unit_name, v.cell_id, c.name AS cell_name, v.distance_m
       FROM inspection_visits v JOIN inspections i ON i.id = v.inspection_id LEFT JOIN cells c ON c.id = v.cell_id
       WHERE v.far AND v.cell_id = ANY ($1::int[]) AND v.at >= $2 AND v.at <= $3
       ORDER BY v.at DESC, v.id DESC LIMIT 500`, [ids, from, to]);
    return {
      thresholdM: pc.farCheckInMetres,
      items: rows.map((v) => ({
        visitId: v.id, inspectionId: v.inspection_id, at: v.at.toISOString(), inspector: v.inspector, unitId: v.unit_id, unitName: v.unit_name,
        cellId: v.cell_id, cellName: v.cell_name, distanceM: Math.round(v.distance_m),
      })),
    };
  });
}
