import type { FastifyInstance } from 'fastify';
import { documentResponse, textResponse } from '../response-schemas.ts';
import { csvText } from '../csv.ts';
import type { AppContext } from '../context.ts';
import type { UnitTypeConfig } from '../config.ts';
import { audit } from '../audit.ts';
import { scopeOf, type Actor } from '../auth/actor.ts';
import { problem, problemSchema } from '../problem.ts';
import { fillTemplate, type ProblemParam } from '../../core/problems/index.ts';
import { unitRowProblems } from '../../core/problems/units.ts';
import { acceptCsvBodies, parseCsv, type RowError } from '../people/csv.ts';
import { unitImportSchema, type UnitImport } from '../../core/contracts/imports.ts';
import { unitImportBodySchema, unitImportQuerySchema, type UnitImportBody, type UnitImportQuery } from '../../core/contracts/units.ts';
import { UNIT_COLUMNS, UNIT_FROM, toUnitFeature, type UnitRow } from './feature.ts';
import { ATTRIBUTE_LIMITS, attributesWithinLimits, unitFilter, unitQuerySchema, type UnitQuery } from './routes.ts';

const COLUMNS = {
  type: ['类型', '单位类型', 'kind'],
  name: ['名称', '单位名称'],
  address: ['地址'],
  contact: ['联系人', '联系方式', '联系电话'],
  lon: ['longitude', 'lng', 'x', '经度'],
  lat: ['latitude', 'y', '纬度'],
  wkt: ['geometry', 'geom', 'the_geom', '坐标'],
  attributes: ['属性'],
  archivedAt: ['archived_at', '归档时间'],
  archivedBy: ['archived_by', '归档人'],
};
/** Written by the export, recomputed on import: never copied into attributes. */
const DERIVED = new Set(['id', 'cellId', 'cell_id', 'cellCode', 'cell_code', 'typeName', 'version', 'updatedAt']);

interface Candidate {
  row: number;
  type: string;
  name: string;
  address: string | null;
  contact: string | null;
  attributes: Record<string, unknown>;
  lon: number;
  lat: number;
  archivedAt: string | null;
  archivedBy: string | null;
}

/** A row's reason, by code (core/problems/units.ts unitRowProblems). */
interface Issue { code: keyof typeof unitRowProblems; params?: Record<string, ProblemParam> }

const rowError = (row: number, field: string, issue: Issue): RowError => ({
  row, field, message: fillTemplate(unitRowProblems[issue.code].en, issue.params, 'en'), code: issue.code, params: issue.params ?? {},
});

/** The archive mark of an imported row: archived_at/archivedAt, or (before migration 016) in its attributes. */
function archiveOf(at: unknown, by: unknown, attributes: Record<string, unknown>): { archivedAt: string | null; archivedBy: string | null; issue?: Issue } {
  const { archivedAt: legacyAt, archivedBy: legacyBy } = attributes;
  delete attributes.archivedAt;
  delete attributes.archivedBy;
  const value = at !== undefined && at !== null && at !== '' ? at : legacyAt;
  const who = by !== undefined && by !== null && by !== '' ? by : legacyBy;
  if (value === undefined || value === null || value === '') return { archivedAt: null, archivedBy: null };
  const t = new Date(String(value));
  if (!/^\d{4}-\d{2}-\d{2}/.test(String(value)) || Number.isNaN(t.getTime())) return { archivedAt: null, archivedBy: null, issue: { code: 'units.row-archived-at', params: { value: String(value).slice(0, 40) } } };
  return { archivedAt: t.toISOString(), archivedBy: who === undefined || who === null || who === '' ? null : String(who) };
}

// A unit is a point: POINT (lon lat) or POINT Z, optionally EWKT with SRID 4326 or 4490 (CGCS2000, same frame).
const NUM = '([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)';
const WKT_POINT = new RegExp(`^\\s*(?:SRID=(\\d+)\\s*;)?\\s*POINT\\s*(?:Z\\s*)?\\(\\s*${NUM}\\s+${NUM}(?:\\s+${NUM})?\\s*\\)\\s*$`, 'i');

function readWktPoint(wkt: string): [number, number] | Issue {
  const m = WKT_POINT.exec(wkt);
  if (!m) return { code: 'units.row-wkt-invalid', params: { wkt: wkt.slice(0, 60) } };
  if (m[1] && m[1] !== '4326' && m[1] !== '4490') return { code: 'units.row-wkt-srid', params: { srid: m[1] } };
  return [Number(m[2]), Number(m[3])];
}

/** A WKT point's longitude and latitude, or why it is none (in English). */
export function parseWktPoint(wkt: string): [number, number] | string {
  const p = readWktPoint(wkt);
  return Array.isArray(p) ? p : rowError(0, 'wkt', p).message;
}

function findType(types: UnitTypeConfig[], text: string) {
  const t = text.trim().toLowerCase();
  return types.find((x) => x.code.toLowerCase() === t || x.zh === text.trim() || x.en.toLowerCase() === t);
}

function checkPosition(lon: number, lat: number): Issue | null {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return { code: 'units.row-position-nan' };
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return { code: 'units.row-position-range', params: { lon, lat } };
  return null;
}

/** Import and export of units as CSV (lon/lat columns or WKT) and GeoJSON. */
export default async function unitTransferRoutes(app: FastifyInstance, { db, config }: AppContext) {
  acceptCsvBodies(app);
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/geo+json', { parseAs: 'string' }, jsonParser);
  const types = config.unitTypes;

  function fromCsv(csv: string, errors: RowError[]): { candidates: Candidate[]; rows: number } {
    const { rows } = parseCsv(csv, COLUMNS, [['type'], ['name'], ['lon', 'wkt']]);
    const candidates: Candidate[] = [];
    for (const { line, values: v } of rows) {
      const fail = (field: string, issue: Issue) => errors.push(rowError(line, field, issue));
      const before = errors.length;
      const attributes: Record<string, unknown> = {};
      if (v.attributes) {
        try {
          const parsed: unknown = JSON.parse(v.attributes);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(attributes, parsed);
          else fail('attributes', { code: 'units.row-attributes-not-object' });
        } catch {
          fail('attributes', { code: 'units.row-attributes-json' });
        }
      }
      for (const [k, value] of Object.entries(v)) {
        if (!(k in COLUMNS) && !DERIVED.has(k) && value !== '') attributes[k] = value;
      }
      let lon = NaN;
      let lat = NaN;
      if (v.wkt) {
        const p = readWktPoint(v.wkt);
        if (!Array.isArray(p)) fail('wkt', p);
        else [lon, lat] = p;
      } else if (v.lon === undefined || v.lon === '' || !v.lat) {
        fail('lon', { code: 'units.row-position-missing' });
      } else {
        [lon, lat] = [Number(v.lon), Number(v.lat)];
      }
      if (errors.length === before) {
        const bad = checkPosition(lon, lat);
        if (bad) fail(v.wkt ? 'wkt' : 'lon', bad);
      }
      const type = findType(types, v.type ?? '');
      if (!type) fail('type', { code: 'units.row-type-unknown', params: { type: v.type ?? '', types: types.map((t) => `${t.code} (${t.zh})`).join(', ') } });
      if (!v.name) fail('name', { code: 'units.row-name-empty' });
      const archive = archiveOf(v.archivedAt, v.archivedBy, attributes);
      if (archive.issue) fail('archivedAt', archive.issue);
      if (!attributesWithinLimits(attributes)) fail('attributes', { code: 'units.row-attributes-too-large', params: { ...ATTRIBUTE_LIMITS } });
      if (errors.length > before || !type) continue;
      candidates.push({ row: line, type: type.code, name: v.name!, address: v.address || null, contact: v.contact || null, attributes, lon, lat, archivedAt: archive.archivedAt, archivedBy: archive.archivedBy });
    }
    return { candidates, rows: rows.length };
  }

  function fromGeoJson(fc: unknown, errors: RowError[]): { candidates: Candidate[]; rows: number } {
    const features = (fc as { type?: unknown; features?: unknown }).features;
    if ((fc as { type?: unknown }).type !== 'FeatureCollection' || !Array.isArray(features)) {
      throw problem('units.import-not-collection', {}, { errors: [{ field: 'body', message: 'not a FeatureCollection' }] });
    }
    if (features.length === 0) throw problem('units.import-empty', {}, { errors: [{ field: 'features', message: 'empty' }] });
    const candidates: Candidate[] = [];
    features.forEach((f: { geometry?: { type?: unknown; coordinates?: unknown }; properties?: Record<string, unknown> | null }, i) => {
      const row = i + 1;
      const fail = (field: string, issue: Issue) => errors.push(rowError(row, `features.${i}.${field}`, issue));
      const before = errors.length;
      const g = f?.geometry;
      const c = g?.coordinates;
      if (g?.type !== 'Point' || !Array.isArray(c) || c.length < 2 || !c.every((n) => typeof n === 'number')) {
        fail('geometry', { code: 'units.row-geometry-invalid' });
      } else {
        const bad = checkPosition(c[0] as number, c[1] as number);
        if (bad) fail('geometry', bad);
      }
      const p = f?.properties ?? {};
      const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string).trim() : p[k] == null ? '' : String(p[k]));
      const type = findType(types, str('type'));
      if (!type) fail('properties.type', { code: 'units.row-type-unknown', params: { type: str('type'), types: types.map((t) => t.code).join(', ') } });
      const name = str('name');
      if (!name) fail('properties.name', { code: 'units.row-name-empty' });
      const attributes: Record<string, unknown> = {};
      if (p.attributes !== undefined && p.attributes !== null) {
        if (typeof p.attributes === 'object' && !Array.isArray(p.attributes)) Object.assign(attributes, p.attributes);
        else fail('properties.attributes', { code: 'units.row-attributes-not-object' });
      }
      for (const [k, value] of Object.entries(p)) {
        if (!['type', 'name', 'address', 'contact', 'attributes', 'archivedAt', 'archivedBy'].includes(k) && !DERIVED.has(k) && value !== null && value !== '') attributes[k] = value;
      }
      const archive = archiveOf(p.archivedAt, p.archivedBy, attributes);
      if (archive.issue) fail('properties.archivedAt', archive.issue);
      if (!attributesWithinLimits(attributes)) fail('attributes', { code: 'units.row-attributes-too-large', params: { ...ATTRIBUTE_LIMITS } });
      if (errors.length > before || !type) return;
      candidates.push({ row, type: type.code, name, address: str('address') || null, contact: str('contact') || null, attributes, lon: (c as number[])[0]!, lat: (c as number[])[1]!, archivedAt: archive.archivedAt, archivedBy: archive.archivedBy });
    });
    return { candidates, rows: features.length };
  }

  app.post<{ Body: UnitImportBody; Querystring: UnitImportQuery; Reply: UnitImport }>('/api/units/import', {
    config: { access: 'units.edit' },
    schema: {
      tags: ['units'],
      summary: 'Import units from CSV (type, name, address, contact, lon+lat or wkt; other columns become attributes) or GeoJSON',
      description: 'Send text/csv, application/geo+json (a FeatureCollection of Points), or JSON {csv | geojson, skipInvalid}. '
        + 'Each unit is filed in the cell containing it. Any invalid row → 422 listing every row error, nothing written, unless skipInvalid. '
        + 'dryRun=true writes nothing and answers the preview: every valid row with the cell it would be filed in, and every row error.',
      querystring: unitImportQuerySchema,
      body: unitImportBodySchema,
      response: { 200: unitImportSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const body = request.body as string | { csv?: string; geojson?: unknown; skipInvalid?: boolean; type?: string };
    const wrapped = typeof body === 'object' && (body.csv !== undefined || body.geojson !== undefined);
    const skipInvalid = (wrapped ? body.skipInvalid : undefined) ?? request.query.skipInvalid ?? false;
    const errors: RowError[] = [];
    const { candidates, rows } = typeof body === 'string' ? fromCsv(body, errors)
      : body.csv !== undefined ? fromCsv(body.csv, errors)
        : fromGeoJson(body.geojson ?? body, errors);

    return db.transaction(async (tx) => {
      // Route every point in one query, with the scope check, before writing anything.
      const { rows: routed } = await tx.query<{ cell_id: number | null; ok: boolean | null }>(
        `SELECT x.cell_id, CASE WHEN x.cell_id IS NULL THEN NULL ELSE cell_within(x.cell_id, $3::int[]) END AS ok
         FROM (SELECT i, route_point(ST_SetSRID(ST_MakePoint(lon, lat), 4326)) AS cell_id
               FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(lon, lat, i)) x ORDER BY x.i`,
        [candidates.map((c) => c.lon), candidates.map((c) => c.lat), scopeOf(actor)]);
      const placed = candidates.filter((c, i) => {
        const r = routed[i]!;
        if (r.cell_id === null) errors.push(rowError(c.row, 'position', { code: 'units.row-outside-cells', params: { lon: c.lon, lat: c.lat } }));
        else if (!r.ok) errors.push(rowError(c.row, 'position', { code: 'units.row-out-of-scope', params: { lon: c.lon, lat: c.lat, cellId: r.cell_id } }));
        else return true;
        return false;
      });
      errors.sort((a, b) => a.row - b.row);
      const invalidRows = new Set(errors.map((e) => e.row)).size;
      if (request.query.dryRun) {
        const cellIds = [...new Set(routed.map((r) => r.cell_id).filter((c): c is number => c !== null))];
        const { rows: cells } = await tx.query<{ id: number; code: string }>('SELECT id, code FROM cells WHERE id = ANY($1::int[])', [cellIds]);
        const codeOf = new Map(cells.map((c) => [c.id, c.code]));
        const preview = placed.map((c) => {
          const cellId = routed[candidates.indexOf(c)]!.cell_id!;
          return { row: c.row, type: c.type, name: c.name, address: c.address, contact: c.contact, lon: c.lon, lat: c.lat, cellId, cellCode: codeOf.get(cellId) ?? '' };
        });
        return { rows, imported: 0, skipped: invalidRows, ids: [], errors, preview };
      }
      if (errors.length && !skipInvalid) {
        throw problem('units.import-invalid-rows', { invalid: invalidRows, rows }, { errors, rows });
      }
      let ids: number[] = [];
      if (placed.length) {
        const { rows: made } = await tx.query<{ id: number }>(
          `INSERT INTO units (type, name, address, contact, attributes, geom, created_by, updated_by, archived_at, archived_by)
           SELECT x.type, x.name, x.address, x.contact, x.attributes::jsonb, ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326), $8, $8, x.archived_at, x.archived_by
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $9::timestamptz[], $10::text[])
             WITH ORDINALITY AS x(type, name, address, contact, attributes, lon, lat, archived_at, archived_by, i)
           ORDER BY x.i RETURNING id`,
          [placed.map((c) => c.type), placed.map((c) => c.name), placed.map((c) => c.address), placed.map((c) => c.contact),
            placed.map((c) => JSON.stringify(c.attributes)), placed.map((c) => c.lon), placed.map((c) => c.lat), actor.username,
            placed.map((c) => c.archivedAt), placed.map((c) => c.archivedBy)]);
        ids = made.map((m) => m.id).sort((a, b) => a - b);
      }
      await audit(tx, request, 'units.import', null, { rows, imported: ids.length, skipped: invalidRows });
      return { rows, imported: ids.length, skipped: invalidRows, ids, errors };
    });
  });

  const exportQuery = { type: 'object', properties: unitQuerySchema, additionalProperties: false } as const;
  async function exportRows(query: UnitQuery, actor: Actor) {
    const { where, params } = unitFilter(query, actor);
    const { rows } = await db.query<UnitRow>(`SELECT ${UNIT_COLUMNS} FROM ${UNIT_FROM} ${where} ORDER BY u.id`, params);
    return rows;
  }

  app.get<{ Querystring: UnitQuery }>('/api/units/export.csv', {
    config: { access: 'signed-in' },
    schema: { tags: ['units'], summary: 'Units as CSV (lon/lat and WKT columns; attributes as JSON); re-importable', querystring: exportQuery,
      response: { 200: textResponse('CSV with a byte-order mark, as the attachment units.csv', 'text/csv'), '4xx': problemSchema } },
  }, async (request, reply) => {
    const rows = await exportRows(request.query, request.actor);
    const csv = csvText([
      ['id', 'type', 'name', 'address', 'contact', 'lon', 'lat', 'wkt', 'cell_code', 'attributes', 'archived_at', 'archived_by'],
      ...rows.map((r) => {
        const f = toUnitFeature(types, r);
        const [lon, lat] = f.geometry.coordinates as [number, number];
        return [r.id, r.type, r.name, r.address ?? '', r.contact ?? '', lon, lat, `POINT(${lon} ${lat})`, r.cell_code ?? '', JSON.stringify(r.attributes),
          f.properties.archivedAt ?? '', f.properties.archivedBy ?? ''];
      }),
    ]);
    // A BOM so spreadsheet programs read the Chinese text as UTF-8.
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="units.csv"').send(`\uFEFF${csv}`);
  });

  app.get<{ Querystring: UnitQuery }>('/api/units/export.geojson', {
    config: { access: 'signed-in' },
    schema: { tags: ['units'], summary: 'Units as a GeoJSON FeatureCollection file; re-importable', querystring: exportQuery,
      response: { 200: documentResponse('The attachment units.geojson', { $ref: 'UnitCollection#' }, 'application/geo+json'), '4xx': problemSchema } },
  }, async (request, reply) => {
    const rows = await exportRows(request.query, request.actor);
    return reply.type('application/geo+json').header('content-disposition', 'attachment; filename="units.geojson"')
      .send(JSON.stringify({ type: 'FeatureCollection', features: rows.map((r) => toUnitFeature(types, r)) }));
  });
}
