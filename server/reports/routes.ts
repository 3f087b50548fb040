import { createHash } from 'node:crypto';
import { refileOnCellChange } from '../cells/reroute.ts';
import { reportsRerouter } from './reroute.ts';
import { binaryResponse } from '../response-schemas.ts';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppContext } from '../context.ts';
import { SEVERITIES, type Severity } from '../config.ts';
import { audit } from '../audit.ts';
import { scopeOf, type Actor } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { applyAction } from './actions.ts';
import { announceCreated } from './events.ts';
import { fileReport, filingRow, recordObserved, type FiledReport, type IntakeAudit } from './intake.ts';
import { fileTogether } from './filing.ts';
import { actionTime } from '../action-time.ts';
import { idempotencyHeaders, idempotent } from '../idempotency.ts';
import { REPORT_COLUMNS, REPORT_FROM, SOURCES, inScopeSql, loadReport, photoUrl, toReport, type ReportRow } from './model.ts';
import { removePhotos, storePhotos, insertPhotoRows, type Upload } from './photos.ts';
import { readMultipart } from './uploads.ts';
import { ACTIONS, OPEN_STATES, STATES, STATE_NAMES, type State } from '../../core/reports/workflow.ts';
import { claimCodeOf, trackExtras } from './rewards.ts';
import {
  actionSchema, filedSchema, newReportSchema, photoLinkSchema, reportEventSchema, reportPageSchema, reportSchema, trackedSchema,
  type ActionInput, type Filed, type NewReport, type Report, type ReportEvent, type ReportPage, type Tracked,
} from '../../core/contracts/reports.ts';

const SEVERITY_NAMES: Record<Severity, { zh: string; en: string }> = {
  ordinary: { zh: '一般隐患', en: 'Ordinary' },
  major: { zh: '重大隐患', en: 'Major' },
};

const TRACK_CODE = '^[Ww][Gg]-[0-9A-Za-z]{5}-[0-9A-Za-z]{5}$';

/** The signed-in user filing a report, if the request proves it (token, or a cookie with its CSRF token); else the public. */
function intakeActor(request: FastifyRequest): Actor | null {
  const u = request.user;
  if (!u) return null;
  if (u.via === 'token') return u;
  // The route takes no CSRF token (the public files here); a cookie alone must not file as staff.
  return request.headers['x-csrf-token'] === u.csrfToken ? u : null;
}

/** Hazard reports: public intake and tracking, the staff inbox, the workflow, photos, warnings and rewards. */
/**
 * Files a report as POST /api/reports does (Open311 files through here too): an Idempotency-Key
 * header makes a retry answer with the first report; the photos are stored and removed again when
 * filing fails or replays.
 */
export async function intake(ctx: AppContext, request: FastifyRequest, input: NewReport, uploads: Upload[], actor: Actor | null): Promise<{ report: FiledReport & { photos: number }; replayed: boolean }> {
  const { db, config, now } = ctx;
  const rc = config.reports;
  const key = request.headers['idempotency-key'];
  const idem = typeof key === 'string'
    ? { keyHash: sha256(`${actor?.id ?? ''}:${key}`), fingerprint: sha256(JSON.stringify(input) + uploads.map((u) => sha256(u.buf)).join(',')) }
    : undefined;
  const photos = await storePhotos(rc.photos.dir, uploads, rc.photos.thumbWidth);
  const auditRow: IntakeAudit = {
    userId: request.user?.id ?? null, username: request.user?.username ?? null, ip: request.ip,
    detail: { category: input.category, severity: input.severity, photos: photos.length },
  };
  let result: Awaited<ReturnType<typeof fileReport>>;
  try {
    // The common report (no photos, no Idempotency-Key, no phone time) is filed by one statement,
    // atomic by itself, together with the others arriving meanwhile (./filing.ts); anything more is
    // one transaction.
    result = !idem && !photos.length && input.observedAt === undefined
      ? await fileTogether(db, filingRow(config, now(), input, photos, actor, auditRow)).then((filed) => ({ id: filed.id, replayed: false, filed }))
      : await db.transaction(async (tx) => {
        const received = now();
        const r = await fileReport(tx, config, received, input, photos, actor, idem, auditRow);
        if (!r.replayed && input.observedAt !== undefined) await recordObserved(tx, r.id, actionTime(request, input.observedAt, received));
        return r;
      });
  } catch (err) {
    await removePhotos(rc.photos.dir, photos);
    throw err;
  }
  if (result.replayed) await removePhotos(rc.photos.dir, photos);
  else announceCreated(db, result.id, request.log);
  // A new report answers from what filing it returned; a replay reads the first one back.
  const report = result.filed ? { ...result.filed, photos: photos.length } : (await db.query<FiledReport & { photos: number }>(
    `SELECT r.id, r.tracking_code, r.cell_id, c.name AS cell_name, r.coverage_gap, r.state, r.due_at, r.created_at,
       (SELECT count(*)::int FROM report_photos ph WHERE ph.report_id = r.id AND ph.purpose = 'report') AS photos
     FROM ${REPORT_FROM} WHERE r.id = $1`, [result.id])).rows[0]!;
  return { report, replayed: result.replayed };
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

export default async function reportRoutes(app: FastifyInstance, ctx: AppContext) {
  refileOnCellChange(reportsRerouter);
  const { db, config, now } = ctx;
  const rc = config.reports;
  await app.register(multipart, { limits: { files: rc.photos.maxCount, fileSize: rc.photos.maxBytes } });
  app.addSchema(reportSchema);
  const uploadsOf = new WeakMap<FastifyRequest, Upload[]>();

  /** A multipart request's "report" field becomes the body, validated like JSON; its files wait in uploadsOf. */
  async function multipartBody(request: FastifyRequest) {
    if (!request.isMultipart()) return;
    const { fields, uploads } = await readMultipart(request, rc.photos);
    if (fields.report === undefined) throw problem('reports.multipart-report-missing', {}, { errors: [{ field: 'report', message: 'required' }] });
    try {
      request.body = JSON.parse(fields.report);
    } catch {
      throw problem('reports.multipart-report-json', {}, { errors: [{ field: 'report', message: 'must be JSON' }] });
    }
    uploadsOf.set(request, uploads);
  }

  /** A workflow step may come as multipart: its JSON in "action", evidence photos in "photos" (one request, replayable offline). */
  async function actionMultipart(request: FastifyRequest) {
    if (!request.isMultipart()) return;
    const { fields, uploads } = await readMultipart(request, rc.photos);
    try {
      request.body = JSON.parse(fields.action ?? '');
    } catch {
      throw problem('reports.multipart-report-json', {}, { errors: [{ field: 'action', message: 'must be JSON' }] });
    }
    uploadsOf.set(request, uploads);
  }

  app.get('/api/reports/config', {
    config: { access: 'public' },
    schema: {
      tags: ['reports'],
      summary: 'Categories, severities, sources, states and deadlines (hours) of hazard reports',
      response: { 200: { type: 'object', additionalProperties: true } },
    },
  }, async () => ({
    categories: rc.categories,
    severities: SEVERITIES.map((code) => ({ code, ...SEVERITY_NAMES[code] })),
    sources: SOURCES,
    states: STATES.map((code) => ({ code, ...STATE_NAMES[code] })),
    actions: ACTIONS,
    deadlines: rc.deadlines,
    categoryDeadlines: rc.categoryDeadlines,
    rewards: rc.rewards,
    warningThresholds: rc.warningThresholds,
    photos: { maxCount: rc.photos.maxCount, maxBytes: rc.photos.maxBytes, types: ['image/jpeg', 'image/png', 'image/webp'] },
  }));

  app.post<{ Body: NewReport; Reply: Filed }>('/api/reports', {
    // The public's limit is per address; staff (often many behind one office address) count per
    // account, so a flood of anonymous reports from that address does not stop their intake.
    config: {
      access: 'public',
      csrf: false,
      rateLimit: { max: config.security.reportsPerMinute, timeWindow: '1 minute', keyGenerator: (request: FastifyRequest) => (request.user ? `staff:${request.user.id}` : `ip:${request.ip}`) },
    },
    preValidation: multipartBody,
    schema: {
      tags: ['reports'],
      summary: 'File a hazard report (no account needed): JSON, or multipart/form-data with the JSON in a "report" field and up to N "photos". Idempotency-Key makes retries safe.',
      headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 8, maxLength: 200 } } },
      body: { content: { 'application/json': { schema: newReportSchema }, 'multipart/form-data': { schema: newReportSchema } } },
      response: { 201: filedSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    // Only JSON and multipart bodies are validated against the schema; anything else is refused outright.
    if (!/^(application\/json|multipart\/form-data)\b/i.test(request.headers['content-type'] ?? '')) {
      throw problem('reports.media-type');
    }
    const input = request.body;
    const [lon, lat] = input.location.coordinates as [number, number];
    if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
      throw problem('reports.location-invalid', { lon, lat }, { errors: [{ field: 'location.coordinates', message: 'must be [longitude -180..180, latitude -90..90]' }] });
    }
    const { report: r, replayed } = await intake(ctx, request, input, uploadsOf.get(request) ?? [], intakeActor(request));
    if (replayed) reply.header('idempotent-replayed', 'true');
    reply.header('location', `/api/reports/track/${r.tracking_code}`);
    return reply.code(201).send({
      id: r.id, trackingCode: r.tracking_code, trackUrl: `/api/reports/track/${r.tracking_code}`, cellId: r.cell_id, cellName: r.cell_name,
      coverageGap: r.coverage_gap, state: r.state, dueAt: r.due_at?.toISOString() ?? null, createdAt: r.created_at.toISOString(), photos: r.photos,
      claimCode: await claimCodeOf(db, r.tracking_code),
    });
  });

  app.get<{ Params: { code: string }; Reply: Tracked }>('/api/reports/track/:code', {
    config: { access: 'public' },
    schema: {
      tags: ['reports'],
      summary: 'Follow a report by its tracking code, without an account: its state and the public replies, nothing about people',
      params: { type: 'object', properties: { code: { type: 'string', pattern: TRACK_CODE } }, required: ['code'] },
      response: { 200: trackedSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const code = request.params.code.toUpperCase();
    const { rows } = await db.query<{ id: number; category: string; severity: Severity; state: State; cell_name: string | null; created_at: Date; updated_at: Date; closed_at: Date | null; reward: number | null }>(
      `SELECT r.id, r.category, r.severity, r.state, c.name AS cell_name, r.created_at, r.updated_at, r.closed_at,
         (SELECT amount FROM report_rewards w WHERE w.report_id = r.id) AS reward
       FROM ${REPORT_FROM} WHERE r.tracking_code = $1`, [code]);
    const r = rows[0];
    if (!r) throw problem('reports.not-found', { id: code });
    // Only state changes and replies meant for the reporter; internal notes, names and escalations stay inside.
    const { rows: events } = await db.query<{ at: Date; to_state: State | null; reply: string | null }>(
      `SELECT at, to_state, reply FROM report_events
       WHERE report_id = $1 AND action NOT IN ('escalate', 'overdue', 'reroute', 'transfer')
         AND (from_state IS DISTINCT FROM to_state OR reply IS NOT NULL)
       ORDER BY id`, [r.id]);
    return {
      trackingCode: code, category: r.category, severity: r.severity, state: r.state, stateName: STATE_NAMES[r.state],
      cellName: r.cell_name, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), closedAt: r.closed_at?.toISOString() ?? null,
      reward: r.reward, ...(await trackExtras(db, r.id)), timeline: events.map((e) => ({ at: e.at.toISOString(), state: e.to_state, reply: e.reply })),
    };
  });

  interface InboxQuery {
    state?: State[];
    cellId?: number;
    overdue?: boolean;
    unassigned?: boolean;
    supervised?: boolean;
    category?: string;
    severity?: Severity;
    since?: string;
    until?: string;
    bbox?: string;
    limit: number;
    offset: number;
  }

  app.get<{ Querystring: InboxQuery; Reply: ReportPage }>('/api/reports', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['reports'],
      summary: 'The inbox: reports in my cells and below, overdue first, then by due date; filters by state, cell, overdue, category, severity, time and bbox',
      querystring: {
        type: 'object',
        properties: {
          state: { type: 'array', items: { type: 'string', enum: STATES } },
          cellId: idSchema,
          overdue: { type: 'boolean' },
          unassigned: { type: 'boolean' },
          supervised: { type: 'boolean' },
          category: { type: 'string', maxLength: 64 },
          severity: { type: 'string', enum: SEVERITIES },
          since: { type: 'string', format: 'date-time' },
          until: { type: 'string', format: 'date-time' },
          bbox: { type: 'string', pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
        additionalProperties: false,
      },
      response: { 200: reportPageSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const q = request.query;
    const t = now();
    const params: unknown[] = [scopeOf(actor), t, OPEN_STATES];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [inScopeSql('$1')];
    if (q.state?.length) where.push(`r.state = ANY (${p(q.state)}::text[])`);
    if (q.cellId !== undefined) where.push(inScopeSql(p([q.cellId])));
    if (q.unassigned !== undefined) where.push(q.unassigned ? 'r.cell_id IS NULL' : 'r.cell_id IS NOT NULL');
    if (q.supervised !== undefined) where.push(`r.supervised = ${p(q.supervised)}`);
    if (q.overdue !== undefined) where.push(`${q.overdue ? '' : 'NOT '}(r.state = ANY ($3::text[]) AND r.due_at < $2)`);
    if (q.category) where.push(`r.category = ${p(q.category)}`);
    if (q.severity) where.push(`r.severity = ${p(q.severity)}`);
    if (q.since) where.push(`r.created_at >= ${p(q.since)}::timestamptz`);
    if (q.until) where.push(`r.created_at < ${p(q.until)}::timestamptz`);
    if (q.bbox) {
      const b = q.bbox.split(',').map(Number);
      if (b.some((v) => !Number.isFinite(v)) || b[0]! > b[2]! || b[1]! > b[3]!) throw problem('reports.bbox-invalid', {}, { errors: [{ field: 'querystring.bbox', message: 'must be minLon,minLat,maxLon,maxLat' }] });
      where.push(`r.geom && ST_MakeEnvelope(${p(b[0])}, ${p(b[1])}, ${p(b[2])}, ${p(b[3])}, 4326)`);
    }
    const { rows } = await db.query<ReportRow & { total: number }>(
      `SELECT ${REPORT_COLUMNS}, count(*) OVER () AS total FROM ${REPORT_FROM}
       WHERE ${where.join(' AND ')}
       ORDER BY (r.state = ANY ($3::text[]) AND r.due_at < $2) DESC, r.due_at ASC NULLS LAST, r.id
       LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`, params);
    return { total: rows[0]?.total ?? 0, items: rows.map((r) => toReport(r, actor, t)) };
  });

  app.get<{ Params: { id: number }; Reply: Report }>('/api/reports/:id', {
    config: { access: 'reports.view' },
    schema: { tags: ['reports'], summary: 'One report with the actions I may take on it (404 outside my cells)', params: idParams, response: { 200: { $ref: 'Report#' }, '4xx': problemSchema } },
  }, async (request) => {
    const actor = request.actor;
    return toReport(await loadReport(db, request.params.id, actor), actor, now());
  });

  app.get<{ Params: { id: number }; Reply: ReportEvent[] }>('/api/reports/:id/events', {
    config: { access: 'reports.view' },
    schema: { tags: ['reports'], summary: 'Every step of a report: who, when, from, to, note, reply, attachments', params: idParams, response: { 200: { type: 'array', items: reportEventSchema }, '4xx': problemSchema } },
  }, async (request) => {
    const actor = request.actor;
    const report = await loadReport(db, request.params.id, actor);
    const { rows } = await db.query<{ id: number; at: Date; action: string; username: string | null; display_name: string | null; role: string | null; to_cell_name: string | null; from_state: State | null; to_state: State | null; from_cell: number | null; to_cell: number | null; note: string | null; reply: string | null; detail: Record<string, unknown>; photo_ids: number[] }>(
      `SELECT e.id, e.at, e.action, e.username, u.display_name, u.role, c.name AS to_cell_name, e.from_state, e.to_state, e.from_cell, e.to_cell, e.note, e.reply, e.detail,
         ARRAY(SELECT ph.id FROM report_photos ph WHERE ph.event_id = e.id ORDER BY ph.id) AS photo_ids
       FROM report_events e LEFT JOIN users u ON u.id = e.user_id LEFT JOIN cells c ON c.id = e.to_cell
       WHERE e.report_id = $1 ORDER BY e.id`, [report.id]);
    return rows.map((e) => ({
      id: e.id, at: e.at.toISOString(), action: e.action, user: e.username, userName: e.display_name, userRole: e.role, toCellName: e.to_cell_name, fromState: e.from_state, toState: e.to_state,
      fromCell: e.from_cell, toCell: e.to_cell, note: e.note, reply: e.reply, detail: e.detail,
      photos: e.photo_ids.map((pid) => ({ id: pid, url: photoUrl(report.id, pid), thumbUrl: photoUrl(report.id, pid, true) })),
    }));
  });

  app.post<{ Params: { id: number }; Body: ActionInput; Reply: Report }>('/api/reports/:id/actions', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['reports'],
      summary: 'Take a workflow step (verify, reject, dispatch, accept, rectify, close, return, transfer, reopen); a step not allowed now is a 409 with the allowed list. Idempotency-Key makes a retry answer as the first',
      headers: idempotencyHeaders,
      params: idParams,
      body: { content: { 'application/json': { schema: actionSchema }, 'multipart/form-data': { schema: actionSchema } } },
      response: { 200: { $ref: 'Report#' }, '4xx': problemSchema },
    },
    preValidation: actionMultipart,
  }, async (request) => {
    const actor = request.actor;
    const received = now();
    const uploads = uploadsOf.get(request) ?? [];
    const photos = await storePhotos(rc.photos.dir, uploads, rc.photos.thumbWidth);
    let result: { replayed: boolean };
    try {
      result = await idempotent(db, request, actor.id, received, async (tx) => {
        // Done offline (a rectification in a basement): it counts at the phone's time, not before the report's last change.
        const { rows } = await tx.query<{ updated_at: Date }>('SELECT updated_at FROM reports WHERE id = $1', [request.params.id]);
        const t = rows[0] ? actionTime(request, request.body.at, received, { at: rows[0].updated_at, slackMs: 0 }).at : received;
        const { at: _, ...input } = request.body;
        // Photos sent with the step (multipart) become its evidence in the same transaction.
        if (photos.length) input.photoIds = [...(input.photoIds ?? []), ...(await insertPhotoRows(tx, request.params.id, 'evidence', photos, t))];
        const { eventId } = await applyAction(tx, config, t, actor, request.params.id, input);
        await audit(tx, request, `report.${request.body.action}`, `report:${request.params.id}`, { event: eventId });
        return { eventId };
      }, uploads.map((u) => sha256(u.buf)).join(','));
    } catch (err) {
      await removePhotos(rc.photos.dir, photos);
      throw err;
    }
    if (result.replayed) await removePhotos(rc.photos.dir, photos);
    // A transfer may hand the report out of the user's own cells: they still get the result.
    return toReport(await loadReport(db, request.params.id, actor, true), actor, received);
  });

  app.post<{ Params: { id: number } }>('/api/reports/:id/photos', {
    config: { access: 'reports.work' },
    schema: {
      tags: ['reports'],
      summary: 'Upload evidence photos (multipart "photos") to attach to a step with photoIds',
      params: idParams,
      response: { 201: { type: 'array', items: photoLinkSchema }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const report = await loadReport(db, request.params.id, actor);
    if (!OPEN_STATES.includes(report.state)) throw problem('reports.evidence-closed', { id: report.id, state: { zh: STATE_NAMES[report.state].zh, en: report.state } });
    if (!request.isMultipart()) throw problem('reports.photos-multipart');
    const { uploads } = await readMultipart(request, rc.photos);
    if (uploads.length === 0) throw problem('reports.photos-none', {}, { errors: [{ field: 'photos', message: 'at least one file' }] });
    const photos = await storePhotos(rc.photos.dir, uploads, rc.photos.thumbWidth);
    try {
      const ids = await db.transaction(async (tx) => {
        const inserted = await insertPhotoRows(tx, report.id, 'evidence', photos, now());
        await audit(tx, request, 'report.photos', `report:${report.id}`, { photos: inserted });
        return inserted;
      });
      return reply.code(201).send(ids.map((pid) => ({ id: pid, url: photoUrl(report.id, pid), thumbUrl: photoUrl(report.id, pid, true) })));
    } catch (err) {
      await removePhotos(rc.photos.dir, photos);
      throw err;
    }
  });

  app.get<{ Params: { id: number; photoId: number }; Querystring: { size?: 'thumb' | 'original' } }>('/api/reports/:id/photos/:photoId', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['reports'],
      summary: 'A photo of a report (size=thumb for the thumbnail)',
      params: { type: 'object', properties: { id: idSchema, photoId: idSchema }, required: ['id', 'photoId'] },
      querystring: { type: 'object', properties: { size: { type: 'string', enum: ['thumb', 'original'] } }, additionalProperties: false },
      response: { 200: binaryResponse('The image as stored (re-encoded without metadata); the thumbnail is WebP', 'image/jpeg', 'image/png', 'image/webp'), '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const report = await loadReport(db, request.params.id, actor);
    const { rows } = await db.query<{ file: string; thumb: string | null; mime: string }>(
      'SELECT file, thumb, mime FROM report_photos WHERE id = $1 AND report_id = $2', [request.params.photoId, report.id]);
    const photo = rows[0];
    if (!photo) throw problem('reports.photo-not-found', { photoId: request.params.photoId, id: report.id });
    const thumb = request.query.size === 'thumb' && photo.thumb;
    const file = path.join(rc.photos.dir, thumb ? photo.thumb! : photo.file);
    await access(file).catch(() => {
      throw problem('reports.photo-file-missing', { photoId: request.params.photoId });
    });
    reply.type(thumb ? 'image/webp' : photo.mime).header('cache-control', 'private, max-age=86400');
    return reply.send(createReadStream(file));
  });

  app.get<{ Params: { id: number } }>('/api/people/:id/warnings', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['reports'],
      summary: 'Warnings (预警) of a responsible person: reports escalated past them, and the level reached (warning, written explanation, public notice)',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: {
            personId: { type: 'integer' }, count: { type: 'integer' }, level: { type: ['string', 'null'] },
            thresholds: { type: 'object', additionalProperties: { type: 'integer' } },
            reports: { type: 'array', items: { type: 'object', properties: { reportId: { type: 'integer' }, cellId: { type: ['integer', 'null'] }, step: { type: 'string' }, at: { type: 'string' } } } },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const { rows: person } = await db.query('SELECT 1 FROM people WHERE id = $1', [request.params.id]);
    if (!person[0]) throw problem('reports.person-not-found', { id: request.params.id });
    const { rows } = await db.query<{ report_id: number; cell_id: number | null; step: string; at: Date }>(
      'SELECT report_id, cell_id, step, at FROM report_warnings WHERE person_id = $1 ORDER BY at DESC, report_id', [request.params.id]);
    const th = rc.warningThresholds;
    const n = rows.length;
    const level = n >= th.publicNotice ? 'publicNotice' : n >= th.explanation ? 'explanation' : n >= th.warning ? 'warning' : null;
    return { personId: request.params.id, count: n, level, thresholds: th, reports: rows.map((w) => ({ reportId: w.report_id, cellId: w.cell_id, step: w.step, at: w.at.toISOString() })) };
  });


}
