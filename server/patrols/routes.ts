import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { actionTime, type ActionTime } from '../action-time.ts';
import { audit } from '../audit.ts';
import { scopeOf, type Actor } from '../auth/actor.ts';
import { assertCellEditable, cellWhat } from '../auth/guard.ts';
import { idempotencyHeaders, idempotent } from '../idempotency.ts';
import { Problem, problem, problemSchema } from '../problem.ts';
import { idSchema } from '../schemas.ts';
import { fileReport, recordObserved } from '../reports/intake.ts';
import { notifyReport } from '../reports/events.ts';
import { removePhotos, storePhotos, type StoredPhoto, type Upload } from '../reports/photos.ts';
import { readMultipart } from '../reports/uploads.ts';
import { checkPoint } from '../units/routes.ts';
import { localDate } from './cadence.ts';
import {
  INSPECTION_COLUMNS, assertOwnOpen, cellInScopeSql, checklistFor, inspectionSummary,
  inspectionView, loadInspection, type ChecklistEntry, type InspectionRow,
} from './model.ts';
import {
  checkInBodySchema, checklistBodySchema, findingBodySchema, finishBodySchema, inspectionSchema, inspectionSummarySchema, startInspectionBodySchema,
  trackBodySchema, visitSchema, type CheckInBody, type ChecklistBody, type FindingBody, type FinishBody, type StartInspectionBody, type TrackBody, type TrackPoint,
} from '../../core/contracts/patrols.ts';

const inspectionParams = { type: 'object', properties: { id: idSchema }, required: ['id'] } as const;
const visitParams = { type: 'object', properties: { id: idSchema, visitId: idSchema }, required: ['id', 'visitId'] } as const;

// A phone's clock may be a little off; a point far outside the patrol is a client bug, not a track.
const CLOCK_SLACK_MS = 10 * 60 * 1000;

/** Patrols (巡查): start, track, check in at units, checklists, findings as reports, finish. */
export default async function inspectionRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const pc = config.patrols;
  app.addSchema(inspectionSummarySchema);
  app.addSchema(visitSchema);
  app.addSchema(inspectionSchema);

  const view = async (q: Queryable, row: InspectionRow) => inspectionView(q, config, row);

  async function addTrack(tx: Queryable, row: InspectionRow, points: TrackPoint[], t: Date): Promise<number> {
    if (points.length === 0) return 0;
    const from = row.started_at.getTime() - CLOCK_SLACK_MS;
    const to = t.getTime() + CLOCK_SLACK_MS;
    const errors = points.flatMap((p, i) => {
      const ms = Date.parse(p.at);
      return ms >= from && ms <= to ? [] : [{ field: `track.${i}.at`, message: `must be between the start of the patrol (${row.started_at.toISOString()}) and now` }];
    });
    if (errors.length) throw problem('patrols.track-outside', { count: errors.length, startedAt: row.started_at.toISOString() }, { errors });
    const { rowCount } = await tx.query(
      `INSERT INTO inspection_track_points (inspection_id, at, geom, accuracy_m)
       SELECT $1, p.at, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326), p.accuracy
       FROM unnest($2::float8[], $3::float8[], $4::timestamptz[], $5::real[]) AS p (lon, lat, at, accuracy)
       ON CONFLICT (inspection_id, at) DO NOTHING`,
      [row.id, points.map((p) => p.lon), points.map((p) => p.lat), points.map((p) => p.at), points.map((p) => p.accuracy ?? null)]);
    return rowCount;
  }

  app.post<{ Body: StartInspectionBody }>('/api/inspections', {
    config: { access: 'reports.work' },
    schema: {
      tags: ['patrols'],
      summary: 'Start a patrol of a cell in my scope (one open patrol per worker: finish it first); at: the phone\'s time of the start',
      headers: idempotencyHeaders,
      body: startInspectionBodySchema,
      response: { 201: { $ref: 'Inspection#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const t = actionTime(request, request.body.at, now()).at;
    const { value: id } = await idempotent(db, request, actor.id, now(), async (tx) => {
      const { rows: cells } = await tx.query<{ id: number; code: string; name: string; level: number }>('SELECT id, code, name, level FROM cells WHERE id = $1', [request.body.cellId]);
      const cell = cells[0];
      if (!cell) throw problem('patrols.cell-not-found', { id: request.body.cellId });
      await assertCellEditable(tx, actor, cell.id, cellWhat(cell.code, cell.name));
      // One patrol at a time per worker: queue concurrent starts of the same user.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`inspection-start:${actor.id}`]);
      const { rows: open } = await tx.query<{ id: number; cell_code: string }>('SELECT id, cell_code FROM inspections WHERE inspector_id = $1 AND finished_at IS NULL', [actor.id]);
      if (open[0]) {
        throw problem('patrols.open-patrol', { id: open[0].id, cellCode: open[0].cell_code }, { inspectionId: open[0].id });
      }
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO inspections (cell_id, cell_code, cell_name, cell_level, inspector_id, inspector, person_id, started_at, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [cell.id, cell.code, cell.name, cell.level, actor.id, actor.username, actor.personId, t, request.body.note?.trim() || null]);
      await audit(tx, request, 'inspection.start', `inspection:${rows[0]!.id}`, { cellId: cell.id });
      return rows[0]!.id;
    });
    const row = await loadInspection(db, actor, id);
    reply.header('location', `/api/inspections/${row.id}`);
    return reply.code(201).send(await view(db, row));
  });

  interface ListQuery { cellId?: number; mine?: boolean; open?: boolean; since?: string; until?: string; limit: number; offset: number }
  app.get<{ Querystring: ListQuery }>('/api/inspections', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['patrols'],
      summary: 'Patrols in my scope (or of a cell and below), newest first; mine=true for my own, open=true for unfinished ones',
      querystring: {
        type: 'object',
        properties: {
          cellId: idSchema, mine: { type: 'boolean' }, open: { type: 'boolean' },
          since: { type: 'string', format: 'date-time' }, until: { type: 'string', format: 'date-time' },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 },
        },
        additionalProperties: false,
      },
      response: { 200: { type: 'object', properties: { total: { type: 'integer' }, items: { type: 'array', items: { $ref: 'InspectionSummary#' } } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const q = request.query;
    const params: unknown[] = [scopeOf(actor), actor.id];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [`(i.inspector_id = $2 OR ${cellInScopeSql('i.cell_id', '$1')})`];
    if (q.cellId !== undefined) {
      await assertCellEditable(db, actor, q.cellId, cellWhat(q.cellId));
      where.push(`i.cell_id IS NOT NULL AND cell_within(i.cell_id, ARRAY[${p(q.cellId)}::int])`);
    }
    if (q.mine) where.push('i.inspector_id = $2');
    if (q.open !== undefined) where.push(q.open ? 'i.finished_at IS NULL' : 'i.finished_at IS NOT NULL');
    if (q.since) where.push(`i.started_at >= ${p(q.since)}::timestamptz`);
    if (q.until) where.push(`i.started_at < ${p(q.until)}::timestamptz`);
    const { rows } = await db.query<InspectionRow & { total: number }>(
      `SELECT ${INSPECTION_COLUMNS}, count(*) OVER ()::int AS total FROM inspections i
       WHERE ${where.join(' AND ')} ORDER BY i.started_at DESC, i.id DESC LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`, params);
    return { total: rows[0]?.total ?? 0, items: rows.map(inspectionSummary) };
  });

  app.get<{ Params: { id: number } }>('/api/inspections/:id', {
    config: { access: 'reports.view' },
    schema: { tags: ['patrols'], summary: 'One patrol: visits with checklists and results, findings with their reports, the track (404 outside my scope)', params: inspectionParams, response: { 200: { $ref: 'Inspection#' }, '4xx': problemSchema } },
  }, async (request) => {
    const actor = request.actor;
    return view(db, await loadInspection(db, actor, request.params.id));
  });

  app.post<{ Params: { id: number }; Body: TrackBody }>('/api/inspections/:id/track', {
    config: { access: 'reports.work' },
    schema: {
      tags: ['patrols'],
      summary: 'Add track points (from the phone, in batches) to my open patrol; a point sent twice is kept once',
      headers: idempotencyHeaders,
      params: inspectionParams,
      body: trackBodySchema,
      response: { 200: { type: 'object', properties: { added: { type: 'integer' }, trackPoints: { type: 'integer' } } }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { value } = await idempotent(db, request, actor.id, now(), async (tx) => {
      const row = await loadInspection(tx, actor, request.params.id, true);
      assertOwnOpen(actor, row);
      const added = await addTrack(tx, row, request.body.points, now());
      return { added, trackPoints: row.track_points + added };
    });
    return value;
  });

  app.post<{ Params: { id: number }; Body: CheckInBody }>('/api/inspections/:id/visits', {
    config: { access: 'reports.work' },
    schema: {
      tags: ['patrols'],
      summary: 'Check in at a unit of the patrolled cell. Without a location the unit\'s own is used and flagged; a check-in far from the unit is flagged, not refused. at: the phone\'s time of the check-in (done offline, sent later)',
      headers: idempotencyHeaders,
      params: inspectionParams,
      body: checkInBodySchema,
      response: { 201: { $ref: 'InspectionVisit#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const body = request.body;
    const at = body.location ? checkPoint(body.location, 'location.coordinates') : null;
    const received = now();
    const { value: result } = await idempotent(db, request, actor.id, received, async (tx) => {
      const row = await loadInspection(tx, actor, request.params.id, true);
      assertOwnOpen(actor, row);
      const t = actionTime(request, body.at, received, { at: row.started_at, slackMs: CLOCK_SLACK_MS });
      const { rows: units } = await tx.query<{ id: number; name: string; type: string; cell_id: number | null; cell_code: string | null; inside: boolean }>(
        `SELECT u.id, u.name, u.type, u.cell_id, c.code AS cell_code,
           (u.cell_id IS NOT NULL AND $2::int IS NOT NULL AND cell_within(u.cell_id, ARRAY[$2::int])) AS inside
         FROM units u LEFT JOIN cells c ON c.id = u.cell_id WHERE u.id = $1`, [body.unitId, row.cell_id]);
      const unit = units[0];
      if (!unit) throw problem('patrols.unit-not-found', { id: body.unitId });
      if (!unit.inside) {
        throw problem('patrols.unit-elsewhere', { id: unit.id, name: unit.name, unitCell: unit.cell_code ?? { zh: '（无）', en: 'none' }, cellCode: row.cell_code }, { errors: [{ field: 'unitId', message: 'not in the patrolled cell' }] });
      }
      const checklist = checkChecklist(unit.type, body.checklist ?? []);
      const { rows: dup } = await tx.query<{ id: number }>('SELECT id FROM inspection_visits WHERE inspection_id = $1 AND unit_id = $2', [row.id, unit.id]);
      if (dup[0]) throw problem('patrols.already-checked-in', { id: unit.id, name: unit.name, visitId: dup[0].id }, { visitId: dup[0].id });
      // The distance on the sphere, in metres; PGlite may answer a GEOS failure with no row, so none is a failure.
      const { rows: placed } = await tx.query<{ lon: number; lat: number; distance_m: number }>(
        `SELECT ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, ST_Distance(u.geom::geography, p.geom::geography) AS distance_m
         FROM units u, (SELECT CASE WHEN $2::float8 IS NULL THEN (SELECT geom FROM units WHERE id = $1)
                                    ELSE ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326) END AS geom) p
         WHERE u.id = $1`, [unit.id, at?.[0] ?? null, at?.[1] ?? null]);
      const place = placed[0];
      if (!place) throw problem('patrols.distance-failed');
      const far = place.distance_m > pc.farCheckInMetres;
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO inspection_visits (inspection_id, unit_id, unit_name, unit_type, cell_id, at, geom, location_source, accuracy_m, distance_m, far, checklist, note,
           received_at, clock_offset_ms, time_flag)
         VALUES ($1, $2, $3, $4, $5, $6, ST_SetSRID(ST_MakePoint($7, $8), 4326), $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
        [row.id, unit.id, unit.name, unit.type, unit.cell_id, t.at, place.lon, place.lat, at ? 'device' : 'unit', body.accuracy ?? null,
          place.distance_m, far, JSON.stringify(checklist), body.note?.trim() || null, received, t.offsetMs, t.flag]);
      await audit(tx, request, 'inspection.checkin', `inspection:${row.id}`, { unitId: unit.id, visitId: rows[0]!.id, far, distanceM: Math.round(place.distance_m), ...(t.flag ? { timeFlag: t.flag } : {}) });
      return { inspectionId: row.id, visitId: rows[0]!.id };
    });
    const full = await view(db, await loadInspection(db, actor, result.inspectionId));
    return reply.code(201).send(full.visits.find((v) => v.id === result.visitId));
  });

  function checkChecklist(unitType: string, entries: ChecklistEntry[]): ChecklistEntry[] {
    const items = checklistFor(config, unitType);
    const codes = new Set(items.map((i) => i.code));
    const seen = new Set<string>();
    const errors: { field: string; message: string; problem: Problem }[] = [];
    entries.forEach((e, i) => {
      const field = `checklist.${i}.code`;
      if (!codes.has(e.code)) {
        const p = problem('patrols.checklist-unknown-item', { code: e.code, unitType, codes: [...codes].join(', ') });
        errors.push({ field, message: p.detail!, problem: p });
      } else if (seen.has(e.code)) {
        const p = problem('patrols.checklist-item-twice', { code: e.code });
        errors.push({ field, message: p.detail!, problem: p });
      }
      seen.add(e.code);
    });
    if (errors.length) {
      const first = errors[0]!.problem;
      throw new Problem(first.status, first.title, errors.map((e) => e.message).join('; '), {
        errors: errors.map(({ field, message, problem: p }) => ({ field, message, code: p.code, params: p.params })),
      }, first.code, first.params);
    }
    return entries.map((e) => ({ code: e.code, ok: e.ok, ...(e.note?.trim() ? { note: e.note.trim() } : {}) }));
  }

  app.put<{ Params: { id: number; visitId: number }; Body: ChecklistBody }>('/api/inspections/:id/visits/:visitId/checklist', {
    config: { access: 'reports.work' },
    schema: {
      tags: ['patrols'],
      summary: 'Replace the checklist of a visit on my open patrol (items from the unit type\'s configured list)',
      headers: idempotencyHeaders,
      params: visitParams,
      body: checklistBodySchema,
      response: { 200: { $ref: 'InspectionVisit#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { value: id } = await idempotent(db, request, actor.id, now(), async (tx) => {
      const row = await loadInspection(tx, actor, request.params.id, true);
      assertOwnOpen(actor, row);
      const { rows: visits } = await tx.query<{ unit_type: string }>('SELECT unit_type FROM inspection_visits WHERE id = $1 AND inspection_id = $2', [request.params.visitId, row.id]);
      if (!visits[0]) throw problem('patrols.visit-not-found', { visitId: request.params.visitId, id: row.id });
      const checklist = checkChecklist(visits[0].unit_type, request.body.checklist);
      await tx.query('UPDATE inspection_visits SET checklist = $2, note = COALESCE($3, note) WHERE id = $1',
        [request.params.visitId, JSON.stringify(checklist), request.body.note === undefined ? null : request.body.note.trim() || null]);
      await audit(tx, request, 'inspection.checklist', `inspection:${row.id}`, { visitId: request.params.visitId, failed: checklist.filter((c) => !c.ok).map((c) => c.code) });
      return row.id;
    });
    const full = await view(db, await loadInspection(db, actor, id));
    return full.visits.find((v) => v.id === request.params.visitId);
  });

  const rc = config.reports;
  await app.register(multipart, { limits: { files: rc.photos.maxCount, fileSize: rc.photos.maxBytes } });
  const uploadsOf = new WeakMap<FastifyRequest, Upload[]>();
  /** A finding may come as multipart/form-data: its JSON in the "finding" field and photos in "photos" (as a report's). */
  async function findingMultipart(request: FastifyRequest) {
    if (!request.isMultipart()) return;
    const { fields, uploads } = await readMultipart(request, rc.photos);
    if (fields.finding === undefined) throw problem('reports.multipart-report-missing', {}, { errors: [{ field: 'finding', message: 'required' }] });
    try {
      request.body = JSON.parse(fields.finding);
    } catch {
      throw problem('reports.multipart-report-json', {}, { errors: [{ field: 'finding', message: 'must be JSON' }] });
    }
    uploadsOf.set(request, uploads);
  }
  app.post<{ Params: { id: number }; Body: FindingBody }>('/api/inspections/:id/findings', {
    config: { access: 'reports.work' },
    schema: {
      tags: ['patrols'],
      summary: 'File a finding of my open patrol as a hazard report (source "inspection"), linked to the patrol and, after a check-in, to the unit; routed to the cell containing it. JSON, or multipart/form-data with the JSON in "finding" and photos in "photos"; at: the phone\'s time',
      headers: idempotencyHeaders,
      params: inspectionParams,
      body: { content: { 'application/json': { schema: findingBodySchema }, 'multipart/form-data': { schema: findingBodySchema } } },
      response: {
        201: {
          type: 'object',
          properties: {
            reportId: { type: 'integer' }, trackingCode: { type: 'string' }, cellId: { type: ['integer', 'null'] }, state: { type: 'string' },
            inspectionId: { type: 'integer' }, visitId: { type: ['integer', 'null'] }, unitId: { type: ['integer', 'null'] },
          },
        },
        '4xx': problemSchema,
      },
    },
    preValidation: findingMultipart,
  }, async (request, reply) => {
    const actor = request.actor;
    const body = request.body;
    const given = body.location ? checkPoint(body.location, 'location.coordinates') : null;
    const received = now();
    const uploads = uploadsOf.get(request) ?? [];
    const photos: StoredPhoto[] = await storePhotos(rc.photos.dir, uploads, rc.photos.thumbWidth);
    const photoHashes = uploads.map((u) => createHash('sha256').update(u.buf).digest('hex')).join(',');
    let result: { value: FindingAnswer; replayed: boolean };
    try {
      result = await idempotent(db, request, actor.id, received, (tx) => fileFinding(tx, request, actor, body, given, received, photos), photoHashes);
    } catch (err) {
      await removePhotos(rc.photos.dir, photos);
      throw err;
    }
    if (result.replayed) await removePhotos(rc.photos.dir, photos);
    reply.header('location', `/api/reports/${result.value.reportId}`);
    return reply.code(201).send(result.value);
  });

  interface FindingAnswer { reportId: number; trackingCode: string; cellId: number | null; state: string; inspectionId: number; visitId: number | null; unitId: number | null }
  async function fileFinding(
    tx: Queryable, request: FastifyRequest<{ Params: { id: number } }>, actor: Actor, body: FindingBody,
    given: [number, number] | null, received: Date, photos: StoredPhoto[],
  ): Promise<FindingAnswer> {
    const row = await loadInspection(tx, actor, request.params.id, true);
    assertOwnOpen(actor, row);
    const t: ActionTime = actionTime(request, body.at, received, { at: row.started_at, slackMs: CLOCK_SLACK_MS });
    let visitId: number | null = null;
    let where = given;
    if (body.unitId !== undefined) {
      const { rows } = await tx.query<{ id: number; lon: number; lat: number }>(
        `SELECT v.id, ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat FROM inspection_visits v JOIN units u ON u.id = v.unit_id
         WHERE v.inspection_id = $1 AND v.unit_id = $2`, [row.id, body.unitId]);
      if (!rows[0]) throw problem('patrols.check-in-first', { unitId: body.unitId });
      visitId = rows[0].id;
      where ??= [rows[0].lon, rows[0].lat];
    }
    if (!where) throw problem('patrols.finding-location-required', {}, { errors: [{ field: 'location', message: 'required without unitId' }] });
    const filed = await fileReport(tx, config, received, {
      location: { type: 'Point', coordinates: where }, category: body.category, severity: body.severity,
      description: body.description, source: 'inspection',
    }, photos, actor);
    await recordObserved(tx, filed.id, t);
    // Announced in this transaction: findings are few, so they need not wait for the intake's batches.
    await notifyReport(tx, filed.id, 'created');
    await tx.query('INSERT INTO inspection_findings (report_id, inspection_id, visit_id, unit_id) VALUES ($1, $2, $3, $4)',
      [filed.id, row.id, visitId, body.unitId ?? null]);
    await audit(tx, request, 'inspection.finding', `inspection:${row.id}`, { reportId: filed.id, unitId: body.unitId ?? null });
    const { rows: r } = await tx.query<{ tracking_code: string; cell_id: number | null; state: string }>('SELECT tracking_code, cell_id, state FROM reports WHERE id = $1', [filed.id]);
    return { reportId: filed.id, trackingCode: r[0]!.tracking_code, cellId: r[0]!.cell_id, state: r[0]!.state, inspectionId: row.id, visitId, unitId: body.unitId ?? null };
  }

  app.post<{ Params: { id: number }; Body: FinishBody }>('/api/inspections/:id/finish', {
    config: { access: 'reports.work' },
    schema: {
      tags: ['patrols'],
      summary: 'Finish my patrol: the last track points are added, the track becomes a line (timestamps kept as M), each visit goes into its unit\'s records; at: the phone\'s time of the finish',
      headers: idempotencyHeaders,
      params: inspectionParams,
      body: finishBodySchema,
      response: { 200: { $ref: 'Inspection#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const received = now();
    const { value: id } = await idempotent(db, request, actor.id, received, async (tx) => {
      const row = await loadInspection(tx, actor, request.params.id, true);
      assertOwnOpen(actor, row);
      const t = actionTime(request, request.body?.at, received, { at: row.started_at, slackMs: 0 }).at;
      await addTrack(tx, row, request.body?.track ?? [], received);
      await tx.query(
        `UPDATE inspections SET finished_at = $2, note = COALESCE($3, note),
           track = (SELECT CASE WHEN count(*) >= 2 THEN
                      ST_SetSRID(ST_MakeLine(ST_MakePointM(ST_X(tp.geom), ST_Y(tp.geom), extract(epoch FROM tp.at)) ORDER BY tp.at), 4326) END
                    FROM inspection_track_points tp WHERE tp.inspection_id = $1)
         WHERE id = $1`, [row.id, t, request.body?.note?.trim() || null]);
      await tx.query('UPDATE inspections SET track_length_m = ST_Length(ST_Force2D(track)::geography) WHERE id = $1 AND track IS NOT NULL', [row.id]);
      const done = await loadInspection(tx, actor, row.id);
      await recordVisits(tx, done);
      await audit(tx, request, 'inspection.finish', `inspection:${row.id}`, { trackPoints: done.track_points });
      return row.id;
    });
    return view(db, await loadInspection(db, actor, id));
  });

  /** Every visit of a finished patrol goes into its unit's record log (一户一档), with the result. */
  async function recordVisits(tx: Queryable, row: InspectionRow) {
    const full = await view(tx, row);
    for (const v of full.visits) {
      if (v.unitId === null) continue;
      const failed = v.checklist.filter((c) => !c.ok).length;
      const result = v.result === 'pass' ? '检查合格' : v.result === 'fail' ? `不合格 ${failed} 项` : '检查未完成';
      const text = `巡查 #${row.id}（${row.inspector}）：${result}${v.findings.length ? `，发现隐患 ${v.findings.length} 条` : ''}${v.far ? '，签到位置距单位较远' : ''}`;
      await tx.query(
        `INSERT INTO unit_records (unit_id, date, kind, text, created_by) VALUES ($1, $2::date, 'inspection', $3, $4)`,
        [v.unitId, localDate(new Date(v.at), pc.timeZone), text, row.inspector]);
    }
  }
}
