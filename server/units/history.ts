import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { can, scopeOf, type Actor } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams } from '../schemas.ts';
import { UNIT_COLUMNS, UNIT_FROM, toUnitFeature, type UnitRow } from './feature.ts';
import { unitPageSchema, type UnitEntry, type UnitPage } from '../../core/contracts/units.ts';

/**
 * A unit's page (一户一档): everything on file about it over time, from the tables that hold it —
 * its own records, patrol check-ins, hazards found there (reports filed from a check-in), their
 * rectification steps and photos — and who answers for it (its contact and its cell's people).
 * Archiving keeps the file but takes the unit off the active list: units.archived_at/archived_by
 * (migration 016), which patrol plans, coverage, overdue counts, search and OGC leave out.
 */

/** Outside the actor's scope a unit is not there (404); a unit in no cell is only for unscoped users. */
async function loadVisibleUnit(q: Queryable, actor: Actor, id: number, lock = false): Promise<UnitRow> {
  const { rows } = await q.query<UnitRow & { ok: boolean | null }>(
    `SELECT ${UNIT_COLUMNS}, CASE WHEN u.cell_id IS NULL THEN NULL ELSE cell_within(u.cell_id, $2::int[]) END AS ok
     FROM ${UNIT_FROM} WHERE u.id = $1 ${lock ? 'FOR UPDATE OF u' : ''}`, [id, scopeOf(actor)]);
  const row = rows[0];
  const unscoped = scopeOf(actor).length === 0;
  if (!row || (!unscoped && row.ok !== true)) throw problem('units.not-found', { id });
  return row;
}

function ifMatch(request: FastifyRequest): number | null {
  const h = request.headers['if-match'];
  if (!h) return null;
  const v = Number(String(h).replace(/^W\//, '').replace(/"/g, ''));
  return Number.isInteger(v) && v >= 1 ? v : null;
}

const blank = { text: null, result: null, failedItems: [], reportId: null, trackingCode: null, category: null, severity: null, photos: [] };

export default async function unitHistoryRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const types = config.unitTypes;
  const categoryName = (code: string) => config.reports.categories.find((c) => c.code === code);
  const roleName = (code: string) => config.assignmentRoles.find((r) => r.code === code);

  app.get<{ Params: { id: number }; Reply: UnitPage }>('/api/units/:id/history', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['units'],
      summary: "A unit's page: the unit, who answers for it, and its file over time (records, check-ins, hazards found, rectifications, photos), newest first",
      params: idParams,
      response: { 200: unitPageSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const unit = await loadVisibleUnit(db, actor, request.params.id);
    const id = unit.id;
    const [records, visits, hazards, steps, photos, people] = await Promise.all([
      db.query<{ date: string; kind: 'inspection' | 'note'; text: string; created_by: string | null; created_at: Date }>(
        "SELECT to_char(date, 'YYYY-MM-DD') AS date, kind, text, created_by, created_at FROM unit_records WHERE unit_id = $1", [id]),
      db.query<{ at: Date; inspector: string; checklist: { code: string; ok: boolean }[]; note: string | null }>(
        'SELECT v.at, i.inspector, v.checklist, v.note FROM inspection_visits v JOIN inspections i ON i.id = v.inspection_id WHERE v.unit_id = $1', [id]),
      db.query<{ id: number; tracking_code: string; created_at: Date; category: string; severity: string; state: string; description: string; inspector: string }>(
        `SELECT r.id, r.tracking_code, r.created_at, r.category, r.severity, r.state, r.description, i.inspector
         FROM inspection_findings f JOIN reports r ON r.id = f.report_id JOIN inspections i ON i.id = f.inspection_id WHERE f.unit_id = $1`, [id]),
      db.query<{ id: string; report_id: number; at: Date; action: string; username: string | null; note: string | null; tracking_code: string }>(
        `SELECT e.id, e.report_id, e.at, e.action, e.username, e.note, r.tracking_code FROM report_events e
         JOIN inspection_findings f ON f.report_id = e.report_id JOIN reports r ON r.id = e.report_id
         WHERE f.unit_id = $1 AND e.action IN ('rectify', 'close')`, [id]),
      db.query<{ id: number; report_id: number; event_id: string | null }>(
        'SELECT p.id, p.report_id, p.event_id FROM report_photos p JOIN inspection_findings f ON f.report_id = p.report_id WHERE f.unit_id = $1 ORDER BY p.id', [id]),
      unit.cell_id === null ? Promise.resolve({ rows: [] }) : db.query<{ name: string; role: string; phone: string | null; organisation: string | null }>(
        'SELECT p.name, a.role, p.phone, p.organisation FROM cell_assignments a JOIN people p ON p.id = a.person_id WHERE a.cell_id = $1 ORDER BY a.position', [unit.cell_id]),
    ]);
    // Photos are report evidence: shown to those who may see reports.
    const seePhotos = can(actor, 'reports.view');
    const photo = (p: { id: number; report_id: number }) => ({
      id: p.id, reportId: p.report_id, url: `/api/reports/${p.report_id}/photos/${p.id}`, thumbUrl: `/api/reports/${p.report_id}/photos/${p.id}?size=thumb`,
    });
    const iso = (d: Date) => d.toISOString();
    const entries: UnitEntry[] = [
      // A record has a date; one written on its day sorts by when it was written, among that day's check-ins.
      ...records.rows.map((r) => ({
        ...blank, kind: r.kind, at: iso(r.created_at).slice(0, 10) === r.date ? iso(r.created_at) : `${r.date}T00:00:00.000Z`, date: r.date, by: r.created_by, text: r.text,
      })),
      ...visits.rows.map((v) => {
        const failed = v.checklist.filter((c) => !c.ok).map((c) => c.code);
        return { ...blank, kind: 'visit' as const, at: iso(v.at), date: iso(v.at).slice(0, 10), by: v.inspector, text: v.note, result: failed.length ? 'failed' : 'ok', failedItems: failed };
      }),
      ...hazards.rows.map((h) => ({
        ...blank, kind: 'hazard' as const, at: iso(h.created_at), date: iso(h.created_at).slice(0, 10), by: h.inspector, text: h.description, result: h.state,
        reportId: h.id, trackingCode: h.tracking_code, category: h.category, severity: h.severity,
        photos: seePhotos ? photos.rows.filter((p) => p.report_id === h.id && p.event_id === null).map(photo) : [],
      })),
      ...steps.rows.map((s) => ({
        ...blank, kind: 'rectification' as const, at: iso(s.at), date: iso(s.at).slice(0, 10), by: s.username, text: s.note, result: s.action === 'close' ? 'closed' : 'rectified',
        reportId: s.report_id, trackingCode: s.tracking_code,
        photos: seePhotos ? photos.rows.filter((p) => p.event_id === s.id).map(photo) : [],
      })),
    ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    const categories: Record<string, { zh: string; en: string }> = {};
    for (const h of hazards.rows) {
      const c = categoryName(h.category);
      categories[h.category] = { zh: c?.zh ?? h.category, en: c?.en ?? h.category };
    }
    const contacts = [
      ...(unit.contact ? [{ name: unit.contact, role: 'unit', roleName: { zh: '单位联系人', en: 'Unit contact' }, phone: null, organisation: unit.name }] : []),
      ...people.rows.map((p) => {
        const r = roleName(p.role);
        return { name: p.name, role: p.role, roleName: { zh: r?.zh ?? p.role, en: r?.en ?? p.role }, phone: p.phone, organisation: p.organisation };
      }),
    ];
    const open = new Set(['reported', 'verified', 'dispatched', 'rectifying']);
    reply.header('etag', `"${unit.version}"`);
    return {
      unit: toUnitFeature(types, unit),
      contacts,
      counts: {
        inspections: visits.rows.length + records.rows.filter((r) => r.kind === 'inspection').length,
        hazards: hazards.rows.length,
        openHazards: hazards.rows.filter((h) => open.has(h.state)).length,
        rectified: hazards.rows.filter((h) => h.state === 'rectified' || h.state === 'closed').length,
        photos: seePhotos ? photos.rows.length : 0,
      },
      categories,
      entries,
    };
  });

  /** Archive (归档) or restore: If-Match with the version seen is optional, a stale one is a 409. */
  for (const action of ['archive', 'restore'] as const) {
    app.post<{ Params: { id: number } }>(`/api/units/:id/${action}`, {
      config: { access: 'units.edit' },
      schema: {
        tags: ['units'],
        summary: action === 'archive'
          ? 'Archive a unit: off the active list, the map, patrol due-lists, search and OGC; its file kept (archivedAt/archivedBy)'
          : 'Restore an archived unit to the active list',
        params: idParams,
        response: { 200: { $ref: 'UnitFeature#' }, '4xx': problemSchema },
      },
    }, async (request, reply) => {
      const actor = request.actor;
      const row = await db.transaction(async (tx) => {
        const unit = await loadVisibleUnit(tx, actor, request.params.id, true);
        const expected = ifMatch(request);
        if (expected !== null && expected !== unit.version) throw problem('units.stale', { id: unit.id, expected, current: unit.version });
        const archived = unit.archived_at !== null;
        if (action === 'archive' && archived) throw problem('units.already-archived', { id: unit.id });
        if (action === 'restore' && !archived) throw problem('units.not-archived', { id: unit.id });
        await tx.query(
          `UPDATE units SET archived_at = $2, archived_by = $3, version = version + 1, updated_at = now(), updated_by = $4 WHERE id = $1`,
          action === 'archive' ? [unit.id, now(), actor.username, actor.username] : [unit.id, null, null, actor.username]);
        await audit(tx, request, `unit.${action}`, `unit:${unit.id}`, { name: unit.name });
        return loadVisibleUnit(tx, actor, unit.id);
      });
      reply.header('etag', `"${row.version}"`);
      return toUnitFeature(types, row);
    });
  }
}
