import type { FastifyBaseLogger } from 'fastify';
import type { ReportsConfig } from '../config.ts';
import type { Db } from '../db/db.ts';
import { KEY_RETENTION_DAYS } from '../idempotency.ts';
import { notifyReport } from './events.ts';
import { OPEN_STATES, stepOf, type State } from '../../core/reports/workflow.ts';

// One job at a time across every server process sharing the database.
const ESCALATION_LOCK = 72070007;
const BATCH = 500;

interface Due {
  id: number;
  state: State;
  cell_id: number | null;
  escalated_to: number | null;
  escalation_level: number;
  assignees: number[];
  due_at: Date;
  step_started_at: Date;
  parent_id: number | null;
}

/**
 * Escalates overdue reports: each report whose current step is past its deadline goes one level up
 * (the parent of the cell now answering for it), the people of the cell it passed get a warning
 * (预警), and an event records it. If the step is still not done one step-length later, it goes up
 * again, until the top level. Safe when several processes run it: the first to take the advisory
 * lock does the work, the others return at once. `now` is a parameter so tests need no sleeping.
 */
export async function runEscalation(db: Db, now: Date): Promise<{ escalated: number[]; overdueAtTop: number[] }> {
  return db.transaction(async (tx) => {
    const { rows: lock } = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [ESCALATION_LOCK]);
    if (!lock[0]?.ok) return { escalated: [], overdueAtTop: [] };
    const { rows } = await tx.query<Due>(
      `SELECT r.id, r.state, r.cell_id, r.escalated_to, r.escalation_level, r.assignees, r.due_at, r.step_started_at, c.parent_id
       FROM reports r LEFT JOIN cells c ON c.id = COALESCE(r.escalated_to, r.cell_id)
       WHERE r.escalate_at <= $1 AND r.state = ANY ($2::text[])
       ORDER BY r.escalate_at, r.id LIMIT ${BATCH}
       FOR UPDATE OF r SKIP LOCKED`,
      [now, OPEN_STATES]);
    const escalated: number[] = [];
    const overdueAtTop: number[] = [];
    for (const r of rows) {
      const step = stepOf(r.state);
      const from = r.escalated_to ?? r.cell_id;
      const to = r.parent_id;
      // The people who let it pass: those of the cell it leaves, and on the first escalation of a
      // rectification, the people it was dispatched to.
      await tx.query(
        `INSERT INTO report_warnings (report_id, person_id, cell_id, step, at)
         SELECT $1::int, person_id, $2::int, $3::text, $4::timestamptz FROM (
           SELECT person_id FROM cell_assignments WHERE cell_id = $2::int
           UNION SELECT unnest($5::int[])) p
         ON CONFLICT (report_id, person_id) DO NOTHING`,
        [r.id, from, step, now, r.escalation_level === 0 && step === 'rectify' ? r.assignees : []]);
      const period = r.due_at.getTime() - r.step_started_at.getTime();
      if (to !== null) {
        await tx.query(
          `UPDATE reports SET escalated_to = $2, escalation_level = escalation_level + 1, escalate_at = $3,
             updated_at = $4, version = version + 1 WHERE id = $1`,
          [r.id, to, new Date(now.getTime() + Math.max(period, 3600_000)), now]);
        escalated.push(r.id);
      } else {
        // At the top already (or unassigned): marked once, nowhere further to go.
        await tx.query('UPDATE reports SET escalate_at = NULL, updated_at = $2, version = version + 1 WHERE id = $1', [r.id, now]);
        overdueAtTop.push(r.id);
      }
      await tx.query(
        `INSERT INTO report_events (report_id, at, action, from_state, to_state, from_cell, to_cell, detail)
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`,
        [r.id, now, to !== null ? 'escalate' : 'overdue', r.state, from, to ?? from,
          JSON.stringify({ step, dueAt: r.due_at.toISOString(), level: r.escalation_level + (to !== null ? 1 : 0) })]);
      await notifyReport(tx, r.id, 'changed');
    }
    // Idempotency keys only need to outlive a client's retries: a phone's offline queue may replay days later.
    await tx.query(`DELETE FROM report_intake_keys WHERE created_at < $1::timestamptz - make_interval(days => $2)`, [now, KEY_RETENTION_DAYS]);
    await tx.query(`DELETE FROM request_keys WHERE created_at < $1::timestamptz - make_interval(days => $2)`, [now, KEY_RETENTION_DAYS]);
    return { escalated, overdueAtTop };
  });
}

/** Runs the escalation job every few seconds in this process; the timer never keeps the process alive. */
export function startEscalation(db: Db, config: ReportsConfig, log: FastifyBaseLogger, now: () => Date = () => new Date()): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runEscalation(db, now())
      .then((r) => {
        if (r.escalated.length || r.overdueAtTop.length) log.info({ escalated: r.escalated, overdueAtTop: r.overdueAtTop }, 'overdue reports escalated');
      })
      .catch((err: unknown) => log.error({ err }, 'report escalation failed'))
      .finally(() => {
        running = false;
      });
  }, config.escalationIntervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
