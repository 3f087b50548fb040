import { randomBytes } from 'node:crypto';
import { can, type Actor } from '../auth/actor.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import type { ActionTime } from '../action-time.ts';
import { dueAt } from './deadlines.ts';
import { insertPhotoRows, type StoredPhoto } from './photos.ts';
import type { Source } from './model.ts';

export type { NewReport } from '../../core/contracts/reports.ts';
import type { NewReport, State } from '../../core/contracts/reports.ts';

/** What intake answers about a report it has just filed. */
export interface FiledReport {
  id: number;
  tracking_code: string;
  cell_id: number | null;
  cell_name: string | null;
  coverage_gap: boolean;
  state: State;
  due_at: Date | null;
  created_at: Date;
}

/** Records when a report was made by the phone's clock (see server/action-time.ts). */
export async function recordObserved(tx: Queryable, id: number, t: ActionTime): Promise<void> {
  await tx.query('UPDATE reports SET observed_at = $2, clock_offset_ms = $3, time_flag = $4 WHERE id = $1', [id, t.at, t.offsetMs, t.flag]);
}

export interface Idempotency {
  keyHash: string;
  /** Hash of what was sent: the same key with a different report is a client error, not a replay. */
  fingerprint: string;
}

// Crockford's base32 without I, L, O, U: codes are read out over the phone.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** "WG-XXXXX-XXXXX": 50 random bits, unguessable enough to stand in for an account. */
/** The audit row of a filed report ('report.create'), written by the filing statement itself. */
export interface IntakeAudit {
  userId: number | null;
  username: string | null;
  ip: string;
  detail: Record<string, unknown>;
}

export function newTrackingCode(): string {
  const chars = [...randomBytes(10)].map((b) => ALPHABET[b % 32]).join('');
  return `WG-${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/**
 * Files a report: checks it, routes its point to the smallest cell containing it (route_point: the
 * deepest level wins; on a border shared by cells of that level, the lowest id), starts the verify
 * deadline and records the first event; the caller announces it after the commit (announceCreated).
 * A point in no cell goes to the unassigned queue (cell NULL) and is marked as evidence of a coverage
 * gap. Runs inside the caller's transaction.
 * Returns the report id and whether it was an earlier submission with the same Idempotency-Key.
 */
export async function fileReport(
  tx: Queryable, config: Config, now: Date, input: NewReport, photos: StoredPhoto[], actor: Actor | null, idem?: Idempotency,
  auditRow?: IntakeAudit,
): Promise<{ id: number; replayed: boolean; filed?: FiledReport }> {
  if (idem) {
    // Two submissions with one key queue here; the second then finds the first's report.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [idem.keyHash]);
    const { rows } = await tx.query<{ report_id: number; fingerprint: string }>(
      'SELECT report_id, fingerprint FROM report_intake_keys WHERE key_hash = $1', [idem.keyHash]);
    const earlier = rows[0];
    if (earlier) {
      if (earlier.fingerprint !== idem.fingerprint) {
        throw problem('reports.idempotency-reused');
      }
      return { id: earlier.report_id, replayed: true };
    }
  }

  if (!config.reports.categories.some((c) => c.code === input.category)) {
    const codes = config.reports.categories.map((c) => c.code);
    throw problem('reports.category-unknown', { category: input.category, codes: codes.join(', ') }, { errors: [{ field: 'category', message: `must be one of ${codes.join(', ')}` }] });
  }
  const staff = can(actor, 'reports.work');
  const source: Source = input.source ?? (staff ? 'patrol' : 'resident');
  if (!staff && source !== 'resident') {
    throw problem('reports.source-resident-only', {}, { errors: [{ field: 'source', message: 'must be resident when not signed in as staff' }] });
  }
  const [lon, lat] = input.location.coordinates as [number, number];
  const due = dueAt(config.reports, input.category, input.severity, 'reported', now);
  const contact = input.reporter?.contact?.trim() || null;
  // One statement, one round trip: route the point, insert the report and its first event, audit it,
  // and return what the answer shows. Being one statement it is atomic on its own, so a report
  // without photos, key or phone time needs no BEGIN/COMMIT around it (see intake in routes.ts).
  const { rows } = await tx.query<FiledReport>(
    `WITH cell AS (SELECT route_point(ST_SetSRID(ST_MakePoint($2, $3), 4326)) AS id),
     r AS (
       INSERT INTO reports (tracking_code, geom, category, severity, description, source, reporter_name, reporter_contact,
         confidential, reporter_user_id, cell_id, coverage_gap, step_started_at, due_at, escalate_at, created_at, updated_at)
       SELECT $1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, $5, $6, $7, $8, $9, $10, $11, cell.id, cell.id IS NULL, $12, $13, $13, $12, $12
       FROM cell
       RETURNING id, tracking_code, cell_id, coverage_gap, state, due_at, created_at),
     e AS (
       INSERT INTO report_events (report_id, at, action, user_id, username, to_state, to_cell, detail)
       SELECT r.id, $12, 'create', $11, $14, 'reported', r.cell_id,
              jsonb_build_object('source', $7::text, 'photos', $15::int) || CASE WHEN r.cell_id IS NULL THEN '{"coverageGap": true}'::jsonb ELSE '{}'::jsonb END
       FROM r),
     a AS (
       INSERT INTO audit_log (user_id, username, action, target, detail, ip)
       SELECT $16, $17, 'report.create', 'report:' || r.id, $18::jsonb, $19 FROM r WHERE $20)
     SELECT r.*, (SELECT name FROM cells WHERE id = r.cell_id) AS cell_name FROM r`,
    [newTrackingCode(), lon, lat, input.category, input.severity, input.description.trim(), source,
      input.reporter?.name?.trim() || null, contact, input.confidential ?? false, actor?.id ?? null,
      now, due, actor?.username ?? null, photos.length,
      auditRow?.userId ?? null, auditRow?.username ?? null, JSON.stringify(auditRow?.detail ?? {}), auditRow?.ip ?? null, auditRow !== undefined],
    // Planning this statement cost PostgreSQL about a third of its time per report (pgbench: 1,270–1,310/s
    // unprepared, 1,610–1,860/s prepared).
    'reports.file');
  const filed = rows[0]!;
  const id = filed.id;
  await insertPhotoRows(tx, id, 'report', photos, now);
  if (idem) {
    await tx.query('INSERT INTO report_intake_keys (key_hash, fingerprint, report_id, created_at) VALUES ($1, $2, $3, $4)',
      [idem.keyHash, idem.fingerprint, id, now]);
  }
  return { id, replayed: false, filed };
}
