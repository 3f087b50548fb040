import type { Queryable } from '../db/db.ts';
import type { FiledReport } from './intake.ts';

/**
 * Group filing of reports: the filing statement takes any number of reports, and the reports that
 * arrive while one filing statement runs on a database are filed together by the next one (a
 * leader-follower queue, as PostgreSQL groups commits: nothing waits for a timer, a lone report is
 * filed at once). Per report, one statement costs a round trip, an executor start, a commit and its
 * WAL flush; ten reports in one statement cost them once (pgbench, one connection: 1,014 reports/s
 * one by one, 2,495/s in tens).
 *
 * One filing statement runs at a time per database handle: two at once were measured slower here
 * (the database and the server share two cores; 1,686 against 1,848 reports/s). Two statements,
 * from this server or another, cannot deadlock on the heatmap's rollup, the only rows filings
 * share: migration 029's statement triggers write each rollup row once per statement, in key order.
 * A statement that fails anyway (a constraint, a lost connection) is not the reports' fault: each is
 * then filed again on its own, so only a report that fails by itself fails, and no accepted report
 * is lost.
 */

/** One report ready to file: checked, with its tracking code, deadline and audit row. */
export interface FilingRow {
  code: string;
  lon: number;
  lat: number;
  category: string;
  severity: string;
  description: string;
  source: string;
  reporter_name: string | null;
  reporter_contact: string | null;
  confidential: boolean;
  reporter_user_id: number | null;
  username: string | null;
  /** When the server received it (created_at, the first step's start). */
  at: string;
  due: string | null;
  photos: number;
  /** The audit row ('report.create'), when the caller wants one written with the report. */
  audit: { userId: number | null; username: string | null; ip: string | null; detail: Record<string, unknown> } | null;
}

/** The most reports one statement files (a burst past it waits for the next statement). */
export const FILING_MAX = 100;

// The reports as one JSON parameter: one statement text for any number, prepared once per connection
// on both databases (the embedded one passes it as one literal).
const FILE_REPORTS = `
WITH src AS MATERIALIZED (
  SELECT u.*, route_point(ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326)) AS cell_id
  FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (code text, lon float8, lat float8, category text, severity text, description text,
         source text, reporter_name text, reporter_contact text, confidential boolean, reporter_user_id integer, username text,
         at timestamptz, due timestamptz, photos integer, audit jsonb)) WITH ORDINALITY AS u),
 r AS (
  INSERT INTO reports (tracking_code, geom, category, severity, description, source, reporter_name, reporter_contact,
    confidential, reporter_user_id, cell_id, coverage_gap, step_started_at, due_at, escalate_at, created_at, updated_at)
  SELECT code, ST_SetSRID(ST_MakePoint(lon, lat), 4326), category, severity, description, source, reporter_name, reporter_contact,
         confidential, reporter_user_id, cell_id, cell_id IS NULL, at, due, due, at, at
  FROM src ORDER BY ordinality
  RETURNING id, tracking_code, cell_id, coverage_gap, state, due_at, created_at),
 e AS (
  INSERT INTO report_events (report_id, at, action, user_id, username, to_state, to_cell, detail)
  SELECT r.id, s.at, 'create', s.reporter_user_id, s.username, 'reported', r.cell_id,
         jsonb_build_object('source', s.source, 'photos', s.photos) || CASE WHEN r.cell_id IS NULL THEN '{"coverageGap": true}'::jsonb ELSE '{}'::jsonb END
  FROM r JOIN src s ON s.code = r.tracking_code ORDER BY r.id),
 a AS (
  INSERT INTO audit_log (user_id, username, action, target, detail, ip)
  SELECT (s.audit->>'userId')::integer, s.audit->>'username', 'report.create', 'report:' || r.id, s.audit->'detail', s.audit->>'ip'
  FROM r JOIN src s ON s.code = r.tracking_code WHERE s.audit IS NOT NULL ORDER BY r.id)
SELECT r.*, (SELECT name FROM cells WHERE id = r.cell_id) AS cell_name FROM r`;

/** Files the reports in one statement (in the caller's transaction, if it is one): each one's row, in the order given. */
export async function fileReports(q: Queryable, rows: FilingRow[]): Promise<FiledReport[]> {
  const { rows: filed } = await q.query<FiledReport & { tracking_code: string }>(FILE_REPORTS, [JSON.stringify(rows)], 'reports.file');
  const byCode = new Map(filed.map((f) => [f.tracking_code, f]));
  return rows.map((r) => byCode.get(r.code)!);
}

interface Waiting {
  row: FilingRow;
  resolve: (f: FiledReport) => void;
  reject: (e: unknown) => void;
}

const queues = new WeakMap<Queryable, { waiting: Waiting[]; running: boolean }>();

/**
 * Files one report outside any transaction, together with the others that arrive meanwhile: it is
 * written (and committed) when this resolves.
 */
export function fileTogether(db: Queryable, row: FilingRow): Promise<FiledReport> {
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = { waiting: [], running: false }));
  const q = queue;
  return new Promise((resolve, reject) => {
    q.waiting.push({ row, resolve, reject });
    if (!q.running) void drain(db, q);
  });
}

async function drain(db: Queryable, q: { waiting: Waiting[]; running: boolean }) {
  q.running = true;
  try {
    while (q.waiting.length) {
      // Requests that came in meanwhile are read first: the embedded database runs its statement
      // in this thread, so they could not have been queued while it ran.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const group = q.waiting.splice(0, FILING_MAX);
      try {
        const filed = await fileReports(db, group.map((w) => w.row));
        group.forEach((w, i) => w.resolve(filed[i]!));
      } catch (e) {
        if (group.length === 1) group[0]!.reject(e);
        else for (const w of group) await fileReports(db, [w.row]).then((f) => w.resolve(f[0]!), w.reject);
      }
    }
  } finally {
    q.running = false;
  }
}
