import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Point } from 'geojson';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { scopeOf, type Actor } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { UNIT_COLUMNS, UNIT_FROM, toUnitFeature, typeName, unitInScopeSql, type UnitRow } from './feature.ts';
import {
  newUnitBodySchema, pointBodySchema, unitPatchBodySchema, unitRecordBodySchema, unitTypeSchema,
  type NewUnitBody, type PointBody, type UnitPatchBody, type UnitRecordBody,
} from '../../core/contracts/units.ts';

export interface UnitQuery {
  cellId?: number;
  bbox?: string;
  type?: string[];
}

const BBOX = /^\s*-?\d+(\.\d+)?\s*(,\s*-?\d+(\.\d+)?\s*){3}$/;

export const unitQuerySchema = {
  cellId: { ...idSchema, description: 'units in this cell and all cells below it' },
  bbox: { type: 'string', pattern: BBOX.source, description: 'minLon,minLat,maxLon,maxLat' },
  type: { type: 'array', items: { type: 'string', maxLength: 64 }, description: 'one or more type codes (?type=a&type=b)' },
} as const;

/** The WHERE clause of a unit list or export: the query's filters within the actor's scope. */
export function unitFilter(query: UnitQuery, actor: Actor): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  where.push(unitInScopeSql('u.cell_id', `$${params.push(scopeOf(actor))}`));
  if (query.cellId !== undefined) {
    const cell = `$${params.push(query.cellId)}::int`;
    where.push(`u.cell_id IN (SELECT id FROM cells WHERE id = ${cell} OR ancestors @> ARRAY[${cell}])`);
  }
  if (query.bbox !== undefined) {
    const [minLon, minLat, maxLon, maxLat] = query.bbox.split(',').map(Number);
    where.push(`u.geom && ST_MakeEnvelope($${params.push(minLon)}, $${params.push(minLat)}, $${params.push(maxLon)}, $${params.push(maxLat)}, 4326)`);
  }
  if (query.type?.length) where.push(`u.type = ANY($${params.push(query.type)}::text[])`);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export { pointBodySchema as pointSchema };

export function checkPoint(p: Pick<Point, 'coordinates'> | PointBody, field = 'geometry.coordinates'): [number, number] {
  const [lon, lat] = p.coordinates as [number, number];
  if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
    throw problem('units.position-out-of-range', { lon, lat }, { errors: [{ field, message: 'out of range' }] });
  }
  return [lon, lat];
}

/** The cell a point would be filed in, and whether the actor may work there. */
export async function routeFor(q: Queryable, actor: Actor, lon: number, lat: number): Promise<{ cellId: number | null; inScope: boolean }> {
  const { rows } = await q.query<{ cell_id: number | null }>('SELECT route_point(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)) AS cell_id', [lon, lat]);
  const cellId = rows[0]?.cell_id ?? null;
  const scope = scopeOf(actor);
  if (scope.length === 0) return { cellId, inScope: true };
  if (cellId === null) return { cellId, inScope: false };
  const ok = await q.query<{ ok: boolean }>('SELECT cell_within($1, $2::int[]) AS ok', [cellId, scope]);
  return { cellId, inScope: ok.rows[0]?.ok === true };
}

/** Limits of a unit's free attributes: a record card, not a document store. */
export const ATTRIBUTE_LIMITS = { maxDepth: 3, maxKeys: 200, maxBytes: 16 * 1024 } as const;

/** Whether attributes stay within ATTRIBUTE_LIMITS (depth, entries, bytes). */
export function attributesWithinLimits(attributes: unknown): boolean {
  if (attributes === undefined) return true;
  let keys = 0;
  const depthOf = (v: unknown, depth: number): boolean => {
    if (v === null || typeof v !== 'object') return true;
    if (depth > ATTRIBUTE_LIMITS.maxDepth) return false;
    const children = Array.isArray(v) ? v : Object.values(v);
    keys += children.length;
    return keys <= ATTRIBUTE_LIMITS.maxKeys && children.every((c) => depthOf(c, depth + 1));
  };
  return depthOf(attributes, 1) && Buffer.byteLength(JSON.stringify(attributes)) <= ATTRIBUTE_LIMITS.maxBytes;
}

/**
 * Attributes without the archive mark of old clients (archivedAt/archivedBy): a unit is archived
 * and restored only through POST /api/units/:id/archive and /restore (units.archived_at).
 */
function plainAttributes(attributes: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!attributes) return attributes;
  const { archivedAt: _at, archivedBy: _by, ...rest } = attributes;
  return rest;
}

/** Refuses attributes nested deeper, with more entries or longer than ATTRIBUTE_LIMITS (422). */
export function checkAttributes(attributes: unknown, field = 'properties.attributes'): void {
  if (!attributesWithinLimits(attributes)) throw problem('units.attributes-too-large', { ...ATTRIBUTE_LIMITS }, { errors: [{ field, message: 'too deep or too large' }] });
}

const blankToNull = (s: string | null | undefined) => (s == null || s.trim() === '' ? null : s.trim());

function parseIfMatch(request: FastifyRequest): number {
  const h = request.headers['if-match'];
  if (!h) throw problem('units.if-match-required');
  const v = Number(String(h).replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(v) || v < 1) throw problem('units.if-match-invalid', { value: String(h) });
  return v;
}

/** Units and places on file (一户一档): each a point filed in the smallest cell containing it. */
export default async function unitRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const types = config.unitTypes;
  const typeCodes = types.map((t) => t.code);
  const newUnitSchema = newUnitBodySchema(typeCodes);
  const unitPatchSchema = unitPatchBodySchema(typeCodes);

  /** A unit the actor may see, or 404: a unit outside one's scope (or in no cell, for a scoped user) is not admitted to exist. */
  async function loadUnit(q: Queryable, id: number, actor: Actor, lock = false): Promise<UnitRow> {
    const { rows } = await q.query<UnitRow>(
      `SELECT ${UNIT_COLUMNS} FROM ${UNIT_FROM} WHERE u.id = $1 AND ${unitInScopeSql('u.cell_id', '$2')} ${lock ? 'FOR UPDATE OF u' : ''}`, [id, scopeOf(actor)]);
    if (!rows[0]) throw problem('units.not-found', { id });
    return rows[0];
  }

  async function placeable(q: Queryable, actor: Actor, lon: number, lat: number) {
    const { cellId, inScope } = await routeFor(q, actor, lon, lat);
    if (cellId === null) throw problem('units.outside-cells', { lon, lat }, { errors: [{ field: 'geometry.coordinates', message: 'outside every cell' }] });
    if (!inScope) throw problem('units.point-out-of-scope', { lon, lat, cellId, scope: actor.scope.join(', ') });
  }

  app.get('/api/unit-types', {
    config: { access: 'public' },
    schema: {
      tags: ['units'],
      summary: 'The configured unit types',
      response: { 200: { type: 'array', items: unitTypeSchema } },
    },
  }, async () => types);

  app.get<{ Querystring: UnitQuery & { limit?: number } }>('/api/units', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['units'],
      summary: 'Units as a GeoJSON FeatureCollection (filter by cell with its sub-cells, bbox, type)',
      querystring: { type: 'object', properties: { ...unitQuerySchema, limit: { type: 'integer', minimum: 1, maximum: 100_000, default: 10_000 } }, additionalProperties: false },
      response: { 200: { $ref: 'UnitCollection#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { where, params } = unitFilter(request.query, actor);
    const { rows } = await db.query<UnitRow>(
      `SELECT ${UNIT_COLUMNS} FROM ${UNIT_FROM} ${where} ORDER BY u.id LIMIT $${params.length + 1}`, [...params, request.query.limit ?? 10_000]);
    return { type: 'FeatureCollection', features: rows.map((r) => toUnitFeature(types, r)) };
  });

  app.get<{ Params: { id: number } }>('/api/units/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['units'], summary: 'One unit; its version is the ETag', params: idParams, response: { 200: { $ref: 'UnitFeature#' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    const row = await loadUnit(db, request.params.id, request.actor);
    reply.header('etag', `"${row.version}"`);
    return toUnitFeature(types, row);
  });

  app.post<{ Body: NewUnitBody }>('/api/units', {
    config: { access: 'units.edit' },
    schema: {
      tags: ['units'],
      summary: 'File a unit; its cell is the smallest cell containing the point',
      body: newUnitSchema,
      response: { 201: { $ref: 'UnitFeature#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const { geometry, properties: p } = request.body;
    const [lon, lat] = checkPoint(geometry);
    checkAttributes(p.attributes);
    const row = await db.transaction(async (tx) => {
      await placeable(tx, actor, lon, lat);
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO units (type, name, address, contact, attributes, geom, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_MakePoint($6::float8, $7::float8), 4326), $8, $8) RETURNING id`,
        [p.type, p.name.trim(), blankToNull(p.address), blankToNull(p.contact), JSON.stringify(plainAttributes(p.attributes) ?? {}), lon, lat, actor.username]);
      const id = rows[0]!.id;
      await audit(tx, request, 'unit.create', `unit:${id}`, { type: p.type, name: p.name });
      return loadUnit(tx, id, actor);
    });
    reply.header('etag', `"${row.version}"`);
    return reply.code(201).send(toUnitFeature(types, row));
  });

  app.patch<{ Params: { id: number }; Body: UnitPatchBody }>('/api/units/:id', {
    config: { access: 'units.edit' },
    schema: {
      tags: ['units'],
      summary: 'Edit or move a unit; If-Match with its version is required (stale → 409)',
      params: idParams,
      body: unitPatchSchema,
      response: { 200: { $ref: 'UnitFeature#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const { geometry, properties: p = {} } = request.body;
    const to = geometry ? checkPoint(geometry) : null;
    checkAttributes(p.attributes);
    const row = await db.transaction(async (tx) => {
      const current = await loadUnit(tx, request.params.id, actor, true);
      const expected = parseIfMatch(request);
      if (current.version !== expected) {
        throw problem('units.version-conflict', { id: current.id, expected, current: current.version }, { current: toUnitFeature(types, current) });
      }
      if (to) await placeable(tx, actor, to[0], to[1]);
      await tx.query(
        `UPDATE units SET type = $2, name = $3, address = $4, contact = $5, attributes = $6,
           geom = CASE WHEN $7::float8 IS NULL THEN geom ELSE ST_SetSRID(ST_MakePoint($7::float8, $8::float8), 4326) END,
           version = version + 1, updated_at = now(), updated_by = $9 WHERE id = $1`,
        [current.id, p.type ?? current.type, p.name?.trim() ?? current.name,
          'address' in p ? blankToNull(p.address) : current.address, 'contact' in p ? blankToNull(p.contact) : current.contact,
          JSON.stringify(plainAttributes(p.attributes) ?? current.attributes), to?.[0] ?? null, to?.[1] ?? null, actor.username]);
      await audit(tx, request, 'unit.update', `unit:${current.id}`, { changed: [...Object.keys(p), ...(to ? ['geometry'] : [])] });
      return loadUnit(tx, current.id, actor);
    });
    reply.header('etag', `"${row.version}"`);
    return toUnitFeature(types, row);
  });

  app.delete<{ Params: { id: number } }>('/api/units/:id', {
    config: { access: 'units.edit' },
    schema: { tags: ['units'], summary: 'Delete a unit and its records', params: idParams, response: { 204: { type: 'null' }, '4xx': problemSchema } },
  }, async (request, reply) => {
    const actor = request.actor;
    await db.transaction(async (tx) => {
      const unit = await loadUnit(tx, request.params.id, actor, true);
      await tx.query('DELETE FROM units WHERE id = $1', [unit.id]);
      await audit(tx, request, 'unit.delete', `unit:${unit.id}`, { type: unit.type, name: unit.name });
    });
    return reply.code(204).send();
  });

  const recordSchema = {
    type: 'object',
    properties: { id: { type: 'integer' }, date: { type: 'string' }, kind: { type: 'string' }, text: { type: 'string' }, by: { type: ['string', 'null'] }, createdAt: { type: 'string' } },
  } as const;
  interface RecordRow { id: number; date: string; kind: string; text: string; created_by: string | null; created_at: Date }
  const toRecord = (r: RecordRow) => ({ id: r.id, date: r.date, kind: r.kind, text: r.text, by: r.created_by, createdAt: r.created_at.toISOString() });
  const RECORD_COLUMNS = "id, to_char(date, 'YYYY-MM-DD') AS date, kind, text, created_by, created_at";

  app.get<{ Params: { id: number } }>('/api/units/:id/records', {
    config: { access: 'signed-in' },
    schema: { tags: ['units'], summary: "A unit's file: inspections and notes, newest first", params: idParams, response: { 200: { type: 'array', items: recordSchema }, '4xx': problemSchema } },
  }, async (request) => {
    await loadUnit(db, request.params.id, request.actor);
    const { rows } = await db.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM unit_records WHERE unit_id = $1 ORDER BY date DESC, id DESC`, [request.params.id]);
    return rows.map(toRecord);
  });

  app.post<{ Params: { id: number }; Body: UnitRecordBody }>('/api/units/:id/records', {
    config: { access: 'units.edit' },
    schema: {
      tags: ['units'],
      summary: "Add an inspection or a note to a unit's file (date defaults to today)",
      params: idParams,
      body: unitRecordBodySchema,
      response: { 201: recordSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const b = request.body;
    const today = now().toISOString().slice(0, 10);
    if (b.date && b.date > today) throw problem('units.record-in-future', { date: b.date }, { errors: [{ field: 'date', message: 'in the future' }] });
    const row = await db.transaction(async (tx) => {
      const unit = await loadUnit(tx, request.params.id, actor, true);
      const { rows } = await tx.query<RecordRow>(
        `INSERT INTO unit_records (unit_id, date, kind, text, created_by) VALUES ($1, $2::date, $3, $4, $5) RETURNING ${RECORD_COLUMNS}`,
        [unit.id, b.date ?? today, b.kind, b.text.trim(), actor.username]);
      await audit(tx, request, 'unit.record', `unit:${unit.id}`, { kind: b.kind, date: b.date ?? today });
      return rows[0]!;
    });
    return reply.code(201).send(toRecord(row));
  });

  app.get<{ Params: { id: number } }>('/api/cells/:id/units/summary', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['units'],
      summary: 'How many units of each type a cell holds, its sub-cells included',
      params: idParams,
      response: {
        200: {
          type: 'object',
          properties: {
            cellId: { type: 'integer' },
            total: { type: 'integer' },
            byType: { type: 'array', items: { type: 'object', properties: { type: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' }, count: { type: 'integer' } } } },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = request.actor;
    const cellId = request.params.id;
    const exists = await db.query('SELECT 1 FROM cells WHERE id = $1', [cellId]);
    if (!exists.rowCount) throw problem('units.cell-not-found', { id: cellId });
    // Counts only the units the actor may see: a street worker asking about the district counts their street's.
    const { where, params } = unitFilter({ cellId }, actor);
    const { rows } = await db.query<{ type: string; n: number }>(`SELECT u.type, count(*)::int AS n FROM units u ${where} GROUP BY u.type`, params);
    const counts = new Map(rows.map((r) => [r.type, r.n]));
    // Every configured type (zeros too, so the panel's list is stable), then any type no longer configured.
    const codes = [...typeCodes, ...rows.map((r) => r.type).filter((t) => !typeCodes.includes(t))];
    const byType = codes.map((code) => ({ type: code, ...typeName(types, code), count: counts.get(code) ?? 0 }));
    return { cellId, total: rows.reduce((s, r) => s + r.n, 0), byType };
  });
}
