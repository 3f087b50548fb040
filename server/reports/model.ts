import { can, scopeOf, type Actor } from '../auth/actor.ts';
import type { Severity } from '../config.ts';
import type { Queryable } from '../db/db.ts';
import { problem } from '../problem.ts';
import { allowedActions, OPEN_STATES, type Action, type State } from '../../core/reports/workflow.ts';

export { SOURCES, type Source } from '../../core/contracts/reports.ts';
import type { Report, Source } from '../../core/contracts/reports.ts';

export interface PhotoRef {
  id: number;
  purpose: 'report' | 'evidence';
  event_id: number | null;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
}

export interface ReportRow {
  id: number;
  tracking_code: string;
  lon: number;
  lat: number;
  category: string;
  severity: Severity;
  description: string;
  source: Source;
  reporter_name: string | null;
  reporter_contact: string | null;
  confidential: boolean;
  state: State;
  cell_id: number | null;
  cell_code: string | null;
  cell_name: string | null;
  coverage_gap: boolean;
  transferred: boolean;
  escalated_to: number | null;
  escalation_level: number;
  supervised: boolean;
  assignee_people: { id: number; name: string }[];
  department: string | null;
  step_started_at: Date;
  due_at: Date | null;
  created_at: Date;
  /** When the hazard was seen, by the phone's clock (corrected), for a report made offline and sent later. */
  observed_at: Date | null;
  time_flag: string | null;
  updated_at: Date;
  closed_at: Date | null;
  version: number;
  photos: PhotoRef[];
  /** The reporter's rating of the handling, once closed. */
  rating: { score: number; comment: string | null; at: string } | null;
}

export const REPORT_COLUMNS = `r.id, r.tracking_code, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat, r.category, r.severity,
  r.description, r.source, r.reporter_name, r.reporter_contact, r.confidential, r.state, r.cell_id,
  c.code AS cell_code, c.name AS cell_name, r.coverage_gap, r.transferred, r.escalated_to, r.escalation_level,
  r.supervised, r.department, r.step_started_at, r.due_at, r.created_at, r.observed_at, r.time_flag, r.updated_at, r.closed_at, r.version,
  (SELECT COALESCE(json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY p.id), '[]'::json)
     FROM people p WHERE p.id = ANY (r.assignees)) AS assignee_people,
  (SELECT COALESCE(json_agg(json_build_object('id', ph.id, 'purpose', ph.purpose, 'event_id', ph.event_id, 'mime', ph.mime, 'bytes', ph.bytes,
                                              'width', ph.width, 'height', ph.height) ORDER BY ph.id), '[]'::json)
     FROM report_photos ph WHERE ph.report_id = r.id) AS photos,
  (SELECT json_build_object('score', g.score, 'comment', g.comment, 'at', g.at) FROM report_ratings g WHERE g.report_id = r.id) AS rating`;

export const REPORT_FROM = 'reports r LEFT JOIN cells c ON c.id = r.cell_id';

/**
 * SQL true when report `r` is in the scope given as parameter `param` (an int[] of subtree roots;
 * empty = the whole grid, including the unassigned queue): the cells whose path (cells.ancestors) meets it.
 */
export const inScopeSql = (param: string) => `(cardinality(${param}::int[]) = 0 OR r.cell_id IN (
  SELECT id FROM cells WHERE id = ANY (${param}::int[]) OR ancestors && ${param}::int[]))`;

/**
 * A report the actor may see, or 404: reports outside one's cells are not admitted to exist. With
 * evenOutOfScope (the answer to a transfer out of one's own cells), it is returned, marked.
 */
export async function loadReport(q: Queryable, id: number, actor: Actor, evenOutOfScope = false): Promise<ReportRow & { in_scope: boolean }> {
  const { rows } = await q.query<ReportRow & { in_scope: boolean }>(
    `SELECT ${REPORT_COLUMNS}, ${inScopeSql('$2')} AS in_scope FROM ${REPORT_FROM} WHERE r.id = $1`, [id, scopeOf(actor)]);
  const row = rows[0];
  if (!row || (!row.in_scope && !evenOutOfScope)) throw problem('reports.not-found', { id });
  return row;
}

export const isOverdue = (r: Pick<ReportRow, 'state' | 'due_at'>, now: Date) =>
  OPEN_STATES.includes(r.state) && r.due_at !== null && r.due_at.getTime() < now.getTime();

const location = (r: Pick<ReportRow, 'lon' | 'lat'>): Report['location'] => ({ type: 'Point', coordinates: [r.lon, r.lat] });

export const photoUrl = (reportId: number, photoId: number, thumb = false) =>
  `/api/reports/${reportId}/photos/${photoId}${thumb ? '?size=thumb' : ''}`;

/** The report as staff see it, with what this user may do next. */
export function toReport(r: ReportRow & { in_scope?: boolean }, actor: Actor, now: Date): Report {
  // Confidential reporters are known to supervisors only.
  const showReporter = !r.confidential || can(actor, 'reports.supervise');
  const actions: Action[] = r.in_scope === false ? [] : allowedActions(r.state, (p) => can(actor, p));
  return {
    id: r.id,
    trackingCode: r.tracking_code,
    location: location(r),
    category: r.category,
    severity: r.severity,
    description: r.description,
    source: r.source,
    confidential: r.confidential,
    reporter: showReporter ? { name: r.reporter_name, contact: r.reporter_contact } : null,
    state: r.state,
    cellId: r.cell_id,
    cellCode: r.cell_code,
    cellName: r.cell_name,
    coverageGap: r.coverage_gap,
    transferred: r.transferred,
    escalatedTo: r.escalated_to,
    escalationLevel: r.escalation_level,
    supervised: r.supervised,
    assignees: r.assignee_people,
    department: r.department,
    stepStartedAt: r.step_started_at.toISOString(),
    dueAt: r.due_at?.toISOString() ?? null,
    overdue: isOverdue(r, now),
    createdAt: r.created_at.toISOString(),
    observedAt: r.observed_at?.toISOString() ?? null,
    timeFlag: r.time_flag,
    updatedAt: r.updated_at.toISOString(),
    closedAt: r.closed_at?.toISOString() ?? null,
    rating: r.rating ? { score: r.rating.score, comment: r.rating.comment, at: new Date(r.rating.at).toISOString() } : null,
    version: r.version,
    photos: r.photos.map((p) => ({
      id: p.id, purpose: p.purpose, eventId: p.event_id, mime: p.mime, bytes: p.bytes, width: p.width, height: p.height,
      url: photoUrl(r.id, p.id), thumbUrl: photoUrl(r.id, p.id, true),
    })),
    allowedActions: actions,
  };
}

/** What anyone may know of a report: enough for a public heatmap, nothing about people. */
export function toPublicSummary(r: Pick<ReportRow, 'id' | 'lon' | 'lat' | 'category' | 'severity' | 'state' | 'created_at'>) {
  return { id: r.id, location: location(r), category: r.category, severity: r.severity, state: r.state, createdAt: r.created_at.toISOString() };
}

const pointSchema = {
  type: 'object',
  properties: { type: { const: 'Point' }, coordinates: { type: 'array', items: { type: 'number' } } },
} as const;

export const publicSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, location: pointSchema, category: { type: 'string' }, severity: { type: 'string' },
    state: { type: 'string' }, createdAt: { type: 'string' },
  },
} as const;

