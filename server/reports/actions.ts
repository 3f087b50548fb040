import { can, type Actor } from '../auth/actor.ts';
import type { Config } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import type { ProblemParam } from '../../core/problems/index.ts';
import { normalizePhone } from '../people/phone.ts';
import { dueAt } from './deadlines.ts';
import { notifyReport } from './events.ts';
import { loadReport, type ReportRow } from './model.ts';
import { STATE_NAMES, allowedActions, findTransition, type Action, type State } from '../../core/reports/workflow.ts';

export type { ActionInput } from '../../core/contracts/reports.ts';
import type { ActionInput } from '../../core/contracts/reports.ts';

/** Feedback the reporter gets when the worker writes none (the documents require it at these steps). */
const DEFAULT_REPLY: Partial<Record<Action, string>> = {
  verify: '您反映的问题已核实，正在按规定处理。',
  reject: '经现场核实，您反映的问题不属实。',
  close: '您反映的问题已整改完毕，经核查结案。感谢您的监督。',
};

/** The actions' names in Chinese, for problems shown in zh-CN. */
const ACTION_ZH: Record<Action, string> = {
  verify: '核实', reject: '判为不属实', dispatch: '派遣', accept: '接收整改', rectify: '整改完成', close: '核查结案', return: '退回整改', transfer: '移交', reopen: '重新打开',
};
/** A state as a problem parameter: its Chinese name, and in English the state as the API names it. */
const stateParam = (s: State): ProblemParam => ({ zh: STATE_NAMES[s].zh, en: s });
const actionParam = (a: Action): ProblemParam => ({ zh: ACTION_ZH[a] ?? a, en: a });
const actionsParam = (list: readonly Action[]): ProblemParam => ({ zh: list.map((a) => ACTION_ZH[a] ?? a).join('、') || '无', en: list.join(', ') || 'nothing' });

/**
 * Applies one workflow action inside the caller's transaction: the transition must exist for the
 * report's state (409 with the allowed list), the user's role must allow it (403), and what it
 * needs must be there (422). The write is conditional on the version read, so of two concurrent
 * actions one wins and the other gets a 409. Returns the report id and the event id.
 */
export async function applyAction(tx: Queryable, config: Config, now: Date, actor: Actor, id: number, input: ActionInput): Promise<{ eventId: number }> {
  const r = await loadReport(tx, id, actor);
  const may = (p: Parameters<typeof can>[1]) => can(actor, p);
  const allowed = allowedActions(r.state, may);
  if (input.version !== undefined && input.version !== r.version) {
    throw problem('reports.stale', { id, expected: input.version, current: r.version, state: stateParam(r.state) }, { state: r.state, version: r.version, allowedActions: allowed });
  }
  const tr = findTransition(r.state, input.action);
  if (!tr) {
    const action = { zh: `“${ACTION_ZH[input.action] ?? input.action}”`, en: input.action === 'reopen' ? 'reopened' : `given "${input.action}"` };
    throw problem('reports.action-not-allowed', { state: stateParam(r.state), action, allowed: actionsParam(allowed) }, { state: r.state, version: r.version, allowedActions: allowed });
  }
  if (!may(tr.permission)) {
    throw problem('reports.role-forbidden', { role: actor.role, action: actionParam(input.action), permission: tr.permission, allowed: actionsParam(allowed) }, { state: r.state, version: r.version, allowedActions: allowed });
  }

  // Who filed the report: an account, or a phone that may be a staff member's own.
  const reporterPhone = r.reporter_contact ? normalizePhone(r.reporter_contact) : null;
  if (input.action === 'verify') {
    const { rows: own } = await tx.query<{ own: boolean }>(
      `SELECT (r.reporter_user_id = $2 OR ($3::text IS NOT NULL AND EXISTS (
          SELECT 1 FROM users u JOIN people p ON p.id = u.person_id WHERE u.id = $2 AND p.phone = $3))) AS own
       FROM reports r WHERE r.id = $1`, [id, actor.id, reporterPhone]);
    if (own[0]?.own) throw problem('workflow.own-report', { id });
  }

  const note = input.note?.trim() || null;
  const photoIds = input.photoIds ?? [];
  if (tr.needs.includes('reason') && !note) throw problem('reports.reason-required', { action: actionParam(input.action) }, { errors: [{ field: 'note', message: 'the reason is required' }] });
  if (tr.needs.includes('evidence') && !note && photoIds.length === 0) {
    throw problem('reports.evidence-required', {}, { errors: [{ field: 'note', message: 'evidence (text or photoIds) is required' }] });
  }
  if (tr.needs.includes('assignee') && !(input.assignees?.length) && !input.department?.trim()) {
    throw problem('reports.assignees-required', {}, { errors: [{ field: 'assignees', message: 'people or a department are required' }] });
  }
  if (tr.needs.includes('cell') && input.cellId === undefined) throw problem('reports.transfer-cell-required', {}, { errors: [{ field: 'cellId', message: 'the cell to transfer to is required' }] });

  let due: Date | null = r.due_at;
  let stepStarted = r.step_started_at;
  const to: State = tr.to;
  let cellId = r.cell_id;
  let severity = r.severity;
  let assignees: number[] | null = null;
  let department: string | null = r.department;
  const detail: Record<string, unknown> = {};

  if (input.action === 'verify' && input.severity) {
    severity = input.severity;
    if (severity !== r.severity) detail.severity = { from: r.severity, to: severity };
  }
  if (input.action === 'dispatch') {
    assignees = [...new Set(input.assignees ?? [])];
    department = input.department?.trim() || null;
    if (assignees.length) await checkAssignees(tx, r, assignees);
    detail.assignees = assignees;
    if (department) detail.department = department;
  }
  if (input.action === 'transfer') {
    const target = input.cellId!;
    if (target === r.cell_id) throw problem('reports.already-in-cell', { id, cellId: target }, { errors: [{ field: 'cellId', message: 'is the current cell' }] });
    const { rows } = await tx.query<{ id: number }>('SELECT id FROM cells WHERE id = $1', [target]);
    if (!rows[0]) throw problem('reports.cell-not-found', { id: target }, { errors: [{ field: 'cellId', message: 'unknown cell' }] });
    cellId = target;
  }
  const newStep = to !== r.state || input.action === 'transfer';
  if (newStep) {
    // A new step (or a new owner) starts its deadline now, and its escalation from the bottom.
    stepStarted = now;
    due = dueAt(config.reports, r.category, severity, to, now);
    if (input.dueAt !== undefined && ['dispatch', 'return', 'reopen'].includes(input.action)) {
      const given = new Date(input.dueAt);
      if (Number.isNaN(given.getTime()) || given <= now) throw problem('reports.due-not-future', { dueAt: input.dueAt }, { errors: [{ field: 'dueAt', message: 'must be a future time' }] });
      due = given;
    }
    if (due) detail.dueAt = due.toISOString();
  }

  const { rowCount } = await tx.query(
    `UPDATE reports SET state = $3, severity = $4, cell_id = $5, transferred = transferred OR $6,
       supervised = supervised OR ($3 = 'verified' AND $4 = 'major'),
       assignees = COALESCE($7::int[], assignees), department = $8,
       step_started_at = $9, due_at = $10, escalate_at = $10,
       escalated_to = CASE WHEN $11 THEN NULL ELSE escalated_to END,
       escalation_level = CASE WHEN $11 THEN 0 ELSE escalation_level END,
       closed_at = CASE WHEN $3 = 'closed' THEN $12::timestamptz END,
       updated_at = $12, version = version + 1
     WHERE id = $1 AND version = $2`,
    [id, r.version, to, severity, cellId, input.action === 'transfer', assignees, department, stepStarted, due,
      newStep, now]);
  if (rowCount === 0) {
    throw problem('reports.changed-meanwhile', { id }, { allowedActions: allowed });
  }

  const reply = input.reply?.trim() || DEFAULT_REPLY[input.action] || null;
  const { rows: ev } = await tx.query<{ id: number }>(
    `INSERT INTO report_events (report_id, at, action, user_id, username, from_state, to_state, from_cell, to_cell, note, reply, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [id, now, input.action, actor.id, actor.username, r.state, to, r.cell_id, cellId, note, reply, JSON.stringify(detail)]);
  const eventId = ev[0]!.id;

  if (photoIds.length) {
    const { rowCount: attached } = await tx.query(
      "UPDATE report_photos SET event_id = $3 WHERE report_id = $1 AND id = ANY ($2::int[]) AND purpose = 'evidence' AND event_id IS NULL",
      [id, photoIds, eventId]);
    if (attached !== new Set(photoIds).size) throw problem('reports.evidence-photos-unknown', { id }, { errors: [{ field: 'photoIds', message: 'unknown or already used photos' }] });
  }
  // 有奖举报: a verified report from the public earns its reporter the configured reward, once. Not
  // one filed from a staff account, nor one whose reporter's phone is a staff account's (reporting
  // is their duty): so a reward never goes to anyone who may handle reports.
  if (input.action === 'verify' && (r.source === 'resident' || r.source === 'hotline')) {
    await tx.query(
      `INSERT INTO report_rewards (report_id, amount, created_at)
       SELECT r.id, $2, $3 FROM reports r
       WHERE r.id = $1 AND r.reporter_user_id IS NULL AND NOT ($4::text IS NOT NULL AND EXISTS (
         SELECT 1 FROM users u JOIN people p ON p.id = u.person_id WHERE p.phone = $4))
       ON CONFLICT (report_id) DO NOTHING`,
      [id, config.reports.rewards[severity], now, reporterPhone]);
  }
  await notifyReport(tx, id, 'changed');
  return { eventId };
}

/** Dispatch goes to the people who answer for the report's cell or a cell above it. */
async function checkAssignees(tx: Queryable, r: ReportRow, ids: number[]) {
  const { rows } = await tx.query<{ id: number; ok: boolean }>(
    `SELECT p.id, $2::int IS NULL OR EXISTS (
        SELECT 1 FROM cell_assignments a JOIN cells c ON c.id = $2::int
        WHERE a.person_id = p.id AND (a.cell_id = c.id OR a.cell_id = ANY (c.ancestors))) AS ok
     FROM people p WHERE p.id = ANY ($1::int[])`,
    [ids, r.cell_id]);
  const missing = ids.filter((i) => !rows.some((row) => row.id === i));
  if (missing.length) throw problem('reports.assignees-unknown', { ids: missing.join(', ') }, { errors: [{ field: 'assignees', message: 'unknown people' }] });
  const outside = rows.filter((row) => !row.ok).map((row) => row.id);
  if (outside.length) {
    throw problem('reports.assignees-not-responsible', { ids: outside.join(', '), cellId: r.cell_id }, { errors: [{ field: 'assignees', message: 'not responsible for this cell' }] });
  }
}
