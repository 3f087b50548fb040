import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Actor } from '../auth/actor.ts';
import { scopeOf } from '../auth/actor.ts';
import { assertCellEditable, cellWhat } from '../auth/guard.ts';
import type { Queryable } from '../db/db.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { checklistFor } from './model.ts';
import { computeCoverage } from './coverage.ts';
import { CADENCE_STATUSES, cellPlanSchema, coverageSchema, type CadenceStatus, type CellPlan, type Coverage, type CoverageUnit } from '../../core/contracts/patrols.ts';

/** The roots a coverage read works on: the cell asked for (in scope, else 403), or the user's scope. */
async function rootsFor(q: Queryable, actor: Actor, cellId?: number, personId?: number): Promise<number[]> {
  if (cellId !== undefined) {
    const { rowCount } = await q.query('SELECT 1 FROM cells WHERE id = $1', [cellId]);
    if (!rowCount) throw problem('patrols.cell-not-found', { id: cellId });
    await assertCellEditable(q, actor, cellId, cellWhat(cellId));
  }
  if (personId === undefined) return cellId !== undefined ? [cellId] : scopeOf(actor);
  // A responsible person's own list: the cells they are assigned to, inside what the user may see.
  const scope = cellId !== undefined ? [cellId] : scopeOf(actor);
  const { rows } = await q.query<{ cell_id: number }>(
    `SELECT DISTINCT cell_id FROM cell_assignments WHERE person_id = $1
       AND (cardinality($2::int[]) = 0 OR cell_within(cell_id, $2::int[])) ORDER BY cell_id`, [personId, scope]);
  if (rows.length === 0) throw problem('patrols.person-no-cell', { id: personId });
  return rows.map((r) => r.cell_id);
}

/** Patrol plans from the configuration, a cell's plan with its units, and inspection coverage. */
export default async function planRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const pc = config.patrols;
  const atOf = (at?: string) => (at ? new Date(at) : now());

  app.get('/api/plans', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['patrols'],
      summary: 'The patrol plans (cadence per level and per unit type, time windows, responsible roles), checklists per unit type, and the check-in distance',
      response: { 200: { type: 'object', additionalProperties: true } },
    },
  }, async () => {
    return {
      timeZone: pc.timeZone,
      farCheckInMetres: pc.farCheckInMetres,
      plans: pc.plans.map((p) => ({
        code: p.code, zh: p.zh, en: p.en, level: p.level ?? null,
        levelName: p.level === undefined ? null : (config.levels.find((l) => l.level === p.level) ?? null),
        unitTypes: p.unitTypes ?? [], roles: p.roles,
        cadence: { period: p.cadence.period, every: p.cadence.every ?? 1, times: p.cadence.times ?? 1, window: p.cadence.window ?? null },
      })),
      checklists: pc.checklists,
    };
  });

  app.get<{ Params: { id: number }; Querystring: { at?: string }; Reply: CellPlan }>('/api/plans/cells/:id', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['patrols'],
      summary: 'A cell\'s plan: its own patrol plans and who answers for them, and every unit in it (and below) with its plan, due or overdue state and checklist',
      params: idParams,
      querystring: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } }, additionalProperties: false },
      response: { 200: cellPlanSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const roots = await rootsFor(db, actor, request.params.id);
    const cov = await computeCoverage(db, config, atOf(request.query.at), roots);
    const rank = (u: CoverageUnit) => (u.status === 'overdue' ? 0 : u.status === 'due' ? 1 : u.status === 'ok' ? 2 : 3);
    return {
      at: cov.at,
      cell: cov.cells.find((c) => c.id === request.params.id)!,
      units: cov.units
        .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'zh-CN'))
        .map((u) => ({ ...u, checklist: checklistFor(config, u.type) })),
    };
  });

  interface CoverageQuery { cellId?: number; personId?: number; at?: string; unitStatus?: CadenceStatus[] }
  app.get<{ Querystring: CoverageQuery; Reply: Coverage }>('/api/inspections/coverage', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['patrols'],
      summary: 'Inspection coverage at a moment (default now): every cell in my scope (or under cellId, or a responsible person\'s cells) with its patrol plans and % of units inspected within cadence; the units by status (default overdue)',
      querystring: {
        type: 'object',
        properties: {
          cellId: idSchema, personId: idSchema, at: { type: 'string', format: 'date-time' },
          unitStatus: { type: 'array', items: { type: 'string', enum: CADENCE_STATUSES }, default: ['overdue'] },
        },
        additionalProperties: false,
      },
      response: { 200: coverageSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const q = request.query;
    const roots = await rootsFor(db, actor, q.cellId, q.personId);
    const cov = await computeCoverage(db, config, atOf(q.at), roots);
    const wanted = new Set(q.unitStatus ?? ['overdue']);
    return { at: cov.at, cells: cov.cells, units: cov.units.filter((u) => u.status !== null && wanted.has(u.status)) };
  });

  interface MapQuery { cellId?: number; at?: string; level?: number }
  app.get<{ Querystring: MapQuery }>('/api/inspections/coverage/map', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['patrols'],
      summary: 'The coverage map layer: cells of one level (default the deepest under the root) with % of units inspected and patrol status, and the overdue units as points',
      querystring: {
        type: 'object',
        properties: { cellId: idSchema, at: { type: 'string', format: 'date-time' }, level: { type: 'integer', minimum: 1, maximum: 20 } },
        additionalProperties: false,
      },
      response: { 200: { type: 'object', additionalProperties: true }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const q = request.query;
    const roots = await rootsFor(db, actor, q.cellId);
    const cov = await computeCoverage(db, config, atOf(q.at), roots);
    const level = q.level ?? Math.max(0, ...cov.cells.map((c) => c.level));
    const shown = cov.cells.filter((c) => c.level === level);
    const { rows } = await db.query<{ id: number; geom: string }>(
      'SELECT id, ST_AsGeoJSON(geom, 6) AS geom FROM cells WHERE id = ANY ($1::int[])', [shown.map((c) => c.id)]);
    const geomOf = new Map(rows.map((r) => [r.id, JSON.parse(r.geom) as unknown]));
    return {
      at: cov.at,
      level,
      cells: {
        type: 'FeatureCollection',
        features: shown.map((c) => ({
          type: 'Feature', id: c.id, geometry: geomOf.get(c.id),
          properties: {
            code: c.code, name: c.name, level: c.level, pctInspected: c.pctInspected, unitsTotal: c.unitsTotal,
            unitsOverdue: c.unitsOverdue, patrolStatus: c.patrolStatus,
          },
        })),
      },
      units: {
        type: 'FeatureCollection',
        features: cov.units.filter((u) => u.status === 'overdue' || u.status === 'due').map((u) => ({
          type: 'Feature', id: u.id, geometry: { type: 'Point', coordinates: [u.lon, u.lat] },
          properties: { name: u.name, type: u.type, status: u.status, lastAt: u.lastAt, cellId: u.cellId },
        })),
      },
    };
  });
}
