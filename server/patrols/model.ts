import type { LineString, Point } from 'geojson';
import { scopeOf, type Actor } from '../auth/actor.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import type { ChecklistItemConfig } from './config.ts';


export type { ChecklistEntry, VisitResult } from '../../core/contracts/patrols.ts';
import type { ChecklistEntry, Inspection, InspectionSummary, VisitResult } from '../../core/contracts/patrols.ts';
import type { Severity, State } from '../../core/contracts/reports.ts';

export interface InspectionRow {
  id: number;
  cell_id: number | null;
  cell_code: string;
  cell_name: string;
  cell_level: number;
  inspector_id: number | null;
  inspector: string;
  person_id: number | null;
  started_at: Date;
  finished_at: Date | null;
  note: string | null;
  track: string | null;
  track_times: number[] | null;
  track_length_m: number | null;
  track_points: number;
}

export const INSPECTION_COLUMNS = `i.id, i.cell_id, i.cell_code, i.cell_name, i.cell_level, i.inspector_id, i.inspector, i.person_id,
  i.started_at, i.finished_at, i.note, ST_AsGeoJSON(ST_Force2D(i.track), 7) AS track,
  (SELECT array_agg(ST_M(dp.geom) ORDER BY dp.path) FROM ST_DumpPoints(i.track) dp) AS track_times,
  i.track_length_m,
  (SELECT count(*)::int FROM inspection_track_points tp WHERE tp.inspection_id = i.id) AS track_points`;

interface VisitRow {
  id: number;
  unit_id: number | null;
  unit_name: string;
  unit_type: string;
  cell_id: number | null;
  at: Date;
  lon: number;
  lat: number;
  location_source: 'device' | 'unit';
  accuracy_m: number | null;
  distance_m: number;
  far: boolean;
  checklist: ChecklistEntry[];
  note: string | null;
  received_at: Date | null;
  time_flag: string | null;
}

interface FindingRow {
  report_id: number;
  visit_id: number | null;
  unit_id: number | null;
  tracking_code: string;
  state: State;
  category: string;
  severity: Severity;
  description: string;
  cell_id: number | null;
}

export const checklistFor = (config: Config, unitType: string): ChecklistItemConfig[] =>
  config.patrols.checklists[unitType] ?? config.patrols.checklists.default ?? [];

/** pass: every item ticked ok and nothing found; fail: an item not ok or a finding; else incomplete. */
export function visitResult(items: ChecklistItemConfig[], checklist: ChecklistEntry[], findings: number): VisitResult {
  if (findings > 0 || checklist.some((c) => !c.ok)) return 'fail';
  const done = new Set(checklist.map((c) => c.code));
  return items.every((i) => done.has(i.code)) ? 'pass' : 'incomplete';
}

/** SQL true when cell `col` lies in the scope given as int[] parameter `param` (empty = everywhere). */
export const cellInScopeSql = (col: string, param: string) => `(cardinality(${param}::int[]) = 0 OR cell_within(${col}, ${param}::int[]))`;

/**
 * An inspection the actor may see, or 404: patrols of cells outside one's scope are not admitted to
 * exist (the inspector always sees their own).
 */
export async function loadInspection(q: Queryable, actor: Actor, id: number, lock = false): Promise<InspectionRow> {
  // Recording on a patrol queues behind any other write to it (finish, check-in), then reads it fresh.
  if (lock) await q.query('SELECT 1 FROM inspections WHERE id = $1 FOR UPDATE', [id]);
  const { rows } = await q.query<InspectionRow & { visible: boolean }>(
    `SELECT ${INSPECTION_COLUMNS},
       (i.inspector_id = $2 OR cardinality($3::int[]) = 0 OR (i.cell_id IS NOT NULL AND cell_within(i.cell_id, $3::int[]))) AS visible
     FROM inspections i WHERE i.id = $1`, [id, actor.id, scopeOf(actor)]);
  const row = rows[0];
  if (!row || !row.visible) throw problem('patrols.inspection-not-found', { id });
  return row;
}

/** Only the worker who started a patrol records on it, and only while it is open. */
export function assertOwnOpen(actor: Actor, row: InspectionRow): void {
  if (row.inspector_id !== actor.id) {
    throw problem('patrols.not-your-patrol', { id: row.id, inspector: row.inspector });
  }
  if (row.finished_at) {
    throw problem('patrols.finished', { id: row.id, finishedAt: row.finished_at.toISOString() });
  }
}

/** The whole inspection for the API: visits with checklist and result, findings with their report, and the track. */
export async function inspectionView(q: Queryable, config: Config, row: InspectionRow): Promise<Inspection> {
  const { rows: visits } = await q.query<VisitRow>(
    `SELECT v.id, v.unit_id, v.unit_name, v.unit_type, v.cell_id, v.at, ST_X(v.geom) AS lon, ST_Y(v.geom) AS lat,
       v.location_source, v.accuracy_m, v.distance_m, v.far, v.checklist, v.note, v.received_at, v.time_flag
     FROM inspection_visits v WHERE v.inspection_id = $1 ORDER BY v.at, v.id`, [row.id]);
  const { rows: findings } = await q.query<FindingRow>(
    `SELECT f.report_id, f.visit_id, f.unit_id, r.tracking_code, r.state, r.category, r.severity, r.description, r.cell_id
     FROM inspection_findings f JOIN reports r ON r.id = f.report_id WHERE f.inspection_id = $1 ORDER BY f.report_id`, [row.id]);
  return {
    ...inspectionSummary(row),
    visits: visits.map((v) => {
      const items = checklistFor(config, v.unit_type);
      const own = findings.filter((f) => f.visit_id === v.id);
      return {
        id: v.id, unitId: v.unit_id, unitName: v.unit_name, unitType: v.unit_type, cellId: v.cell_id, at: v.at.toISOString(),
        location: { type: 'Point', coordinates: [v.lon, v.lat] } as Point,
        locationSource: v.location_source, accuracyM: v.accuracy_m, distanceM: Math.round(v.distance_m * 10) / 10, far: v.far,
        checklistItems: items, checklist: v.checklist, note: v.note,
        receivedAt: (v.received_at ?? v.at).toISOString(), timeFlag: v.time_flag,
        result: visitResult(items, v.checklist, own.length), findings: own.map((f) => f.report_id),
      };
    }),
    findings: findings.map((f) => ({
      reportId: f.report_id, trackingCode: f.tracking_code, visitId: f.visit_id, unitId: f.unit_id, state: f.state,
      category: f.category, severity: f.severity, description: f.description, cellId: f.cell_id,
    })),
  };
}

export function inspectionSummary(row: InspectionRow): InspectionSummary {
  return {
    id: row.id, cellId: row.cell_id, cellCode: row.cell_code, cellName: row.cell_name, cellLevel: row.cell_level,
    inspector: row.inspector, personId: row.person_id, startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null, open: row.finished_at === null, note: row.note,
    track: row.track ? (JSON.parse(row.track) as LineString) : null,
    trackTimes: (row.track_times ?? []).map((s) => new Date(Number(s) * 1000).toISOString()),
    trackLengthM: row.track_length_m === null ? null : Math.round(row.track_length_m * 10) / 10,
    trackPoints: row.track_points,
  };
}
