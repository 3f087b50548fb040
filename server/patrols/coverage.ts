import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { cadenceState, cellPlans, lookbackStart, unitPlan, type CadenceState, type CadenceStatus } from './cadence.ts';
import type { PatrolPlanConfig } from './config.ts';
import type { Coverage, CoverageCell, CoverageUnit, PlanState } from '../../core/contracts/patrols.ts';

export interface CellNode {
  id: number;
  parent_id: number | null;
  level: number;
  code: string;
  name: string;
}

/** The cells under the roots (inclusive), or every cell when roots is empty; parents before children. */
export async function subtreeCells(q: Queryable, roots: number[]): Promise<CellNode[]> {
  const { rows } = await q.query<CellNode>(
    roots.length === 0
      ? 'SELECT id, parent_id, level, code, name FROM cells ORDER BY level, code'
      : `SELECT c.id, c.parent_id, c.level, c.code, c.name FROM cells c
         WHERE c.id = ANY ($1::int[]) OR c.ancestors && $1::int[] ORDER BY c.level, c.code`,
    roots.length === 0 ? [] : [roots]);
  return rows;
}

const RANK: Record<CadenceStatus, number> = { ok: 0, due: 1, overdue: 2 };
export const worst = (a: CadenceStatus | null, b: CadenceStatus): CadenceStatus => (a === null || RANK[b] > RANK[a] ? b : a);

const iso = (d: Date | null) => d?.toISOString() ?? null;

function planState(plan: PatrolPlanConfig, s: CadenceState, lastAt: Date | null): PlanState {
  return { plan: plan.code, name: { zh: plan.zh, en: plan.en }, status: s.status, lastAt: iso(lastAt), dueAt: iso(s.dueAt), done: s.done, required: s.required };
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * Where every cell under the roots (or the whole grid) and every unit in them stands at `at`: each
 * cell's patrol plans, each unit's plan, and per cell the share of its units (own and below)
 * inspected within their cadence. Reads only the inspections inside the longest plan window.
 */
export async function computeCoverage(q: Queryable, config: Config, at: Date, roots: number[]): Promise<Coverage> {
  const pc = config.patrols;
  const cells = await subtreeCells(q, roots);
  const ids = cells.map((c) => c.id);
  const since = lookbackStart(pc.plans, at, pc.timeZone);

  const { rows: units } = await q.query<{ id: number; name: string; type: string; cell_id: number; lon: number; lat: number }>(
    `SELECT id, name, type, cell_id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM units
     WHERE cell_id = ANY ($1::int[]) AND (archived_at IS NULL OR archived_at > $2) ORDER BY id`, [ids, at]);
  // A check-in far from its unit proves no visit: it does not count towards the cadence.
  const { rows: visits } = await q.query<{ unit_id: number; at: Date }>(
    `SELECT v.unit_id, v.at FROM inspection_visits v JOIN units u ON u.id = v.unit_id
     WHERE u.cell_id = ANY ($1::int[]) AND v.at > $2 AND v.at <= $3 AND NOT v.far`, [ids, since, at]);
  const { rows: lastVisits } = await q.query<{ unit_id: number; at: Date }>(
    `SELECT v.unit_id, max(v.at) AS at FROM inspection_visits v JOIN units u ON u.id = v.unit_id
     WHERE u.cell_id = ANY ($1::int[]) AND v.at <= $2 AND NOT v.far GROUP BY v.unit_id`, [ids, at]);
  const { rows: patrols } = await q.query<{ cell_id: number; started_at: Date }>(
    'SELECT cell_id, started_at FROM inspections WHERE cell_id = ANY ($1::int[]) AND started_at > $2 AND started_at <= $3', [ids, since, at]);
  const { rows: lastPatrols } = await q.query<{ cell_id: number; at: Date }>(
    'SELECT cell_id, max(started_at) AS at FROM inspections WHERE cell_id = ANY ($1::int[]) AND started_at <= $2 GROUP BY cell_id', [ids, at]);
  const { rows: assigned } = await q.query<{ cell_id: number; role: string; person_id: number; name: string }>(
    `SELECT a.cell_id, a.role, a.person_id, p.name FROM cell_assignments a JOIN people p ON p.id = a.person_id
     WHERE a.cell_id = ANY ($1::int[]) ORDER BY a.cell_id, a.position`, [ids]);

  const visitsOf = new Map<number, Date[]>();
  for (const v of visits) pushTo(visitsOf, v.unit_id, v.at);
  const lastVisit = new Map(lastVisits.map((v) => [v.unit_id, v.at]));
  const patrolsOf = new Map<number, Date[]>();
  for (const p of patrols) pushTo(patrolsOf, p.cell_id, p.started_at);
  const lastPatrol = new Map(lastPatrols.map((p) => [p.cell_id, p.at]));
  const assignedTo = new Map<number, typeof assigned>();
  for (const a of assigned) pushTo(assignedTo, a.cell_id, a);

  const byId = new Map<number, CoverageCell>();
  const out: CoverageCell[] = cells.map((c) => {
    const plans = cellPlans(pc, c.level);
    const states = plans.map((p) => planState(p, cadenceState(p.cadence, patrolsOf.get(c.id) ?? [], at, pc.timeZone), lastPatrol.get(c.id) ?? null));
    const roles = new Set(plans.flatMap((p) => p.roles));
    const cell: CoverageCell = {
      id: c.id, code: c.code, name: c.name, level: c.level, parentId: c.parent_id, plans: states,
      patrolStatus: states.reduce<CadenceStatus | null>((w, s) => worst(w, s.status), null),
      responsible: (assignedTo.get(c.id) ?? []).filter((a) => roles.has(a.role)).map((a) => ({ personId: a.person_id, name: a.name, role: a.role })),
      unitsTotal: 0, unitsInspected: 0, unitsDue: 0, unitsOverdue: 0, pctInspected: null,
    };
    byId.set(c.id, cell);
    return cell;
  });

  const outUnits: CoverageUnit[] = units.map((u) => {
    const plan = unitPlan(pc, u.type);
    const last = lastVisit.get(u.id) ?? null;
    const s = plan ? cadenceState(plan.cadence, visitsOf.get(u.id) ?? [], at, pc.timeZone) : null;
    if (s) {
      // Count the unit in its cell and every ancestor inside the requested subtree.
      for (let c = byId.get(u.cell_id); c; c = c.parentId === null ? undefined : byId.get(c.parentId)) {
        c.unitsTotal += 1;
        if (s.status === 'overdue') c.unitsOverdue += 1;
        else c.unitsInspected += 1;
        if (s.status === 'due') c.unitsDue += 1;
      }
    }
    return {
      id: u.id, name: u.name, type: u.type, cellId: u.cell_id, cellCode: byId.get(u.cell_id)!.code, lon: u.lon, lat: u.lat,
      plan: plan?.code ?? null, status: s?.status ?? null, lastAt: iso(last), dueAt: iso(s?.dueAt ?? null), done: s?.done ?? 0, required: s?.required ?? 0,
    };
  });
  for (const c of out) c.pctInspected = c.unitsTotal === 0 ? null : Math.round((1000 * c.unitsInspected) / c.unitsTotal) / 10;
  return { at: at.toISOString(), cells: out, units: outUnits };
}
