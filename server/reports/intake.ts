import { randomBytes } from 'node:crypto';
import { can, type Actor } from '../auth/actor.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import type { ActionTime } from '../action-time.ts';
import { dueAt } from './deadlines.ts';
import { insertPhotoRows, type StoredPhoto } from './photos.ts';
import type { Source } from './model.ts';
import { fileReports, type FilingRow } from './filing.ts';

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
 * A report checked and made ready to file (server/reports/filing.ts): its category known, its
 * source allowed to the sender, its tracking code and verify deadline.
 */
export function filingRow(config: Config, now: Date, input: NewReport, photos: StoredPhoto[], actor: Actor | null, auditRow?: IntakeAudit): FilingRow {
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
  return {
    code: newTrackingCode(), lon, lat, category: input.category, severity: input.severity, description: input.description.trim(), source,
    reporter_name: input.reporter?.name?.trim() || null, reporter_contact: input.reporter?.contact?.trim() || null,
    confidential: input.confidential ?? false, reporter_user_id: actor?.id ?? null, username: actor?.username ?? null,
    at: now.toISOString(), due: due?.toISOString() ?? null, photos: photos.length,
    audit: auditRow ? { userId: auditRow.userId, username: auditRow.username, ip: auditRow.ip, detail: auditRow.detail } : null,
  };
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

  const [filed] = await fileReports(tx, [filingRow(config, now, input, photos, actor, auditRow)]);
  const id = filed!.id;
  await insertPhotoRows(tx, id, 'report', photos, now);
  if (idem) {
    await tx.query('INSERT INTO report_intake_keys (key_hash, fingerprint, report_id, created_at) VALUES ($1, $2, $3, $4)',
      [idem.keyHash, idem.fingerprint, id, now]);
  }
  return { id, replayed: false, filed };
}
