import type { FastifyInstance } from 'fastify';
import { csvText } from '../csv.ts';
import type { AppContext } from '../context.ts';
import type { UnitTypeConfig } from '../config.ts';
import { audit } from '../audit.ts';
import { scopeOf, type Actor } from '../auth/actor.ts';
import { requirePermission, requireUser } from '../auth/guard.ts';
import { problem, problemSchema } from '../problem.ts';
import { acceptCsvBodies, parseCsv, type RowError } from '../people/csv.ts';
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
}

// A unit is a point: POINT (lon lat) or POINT Z, optionally EWKT with SRID 4326 or 4490 (CGCS2000, same frame).
const NUM = '([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)';
const WKT_POINT = new RegExp(`^\\s*(?:SRID=(\\d+)\\s*;)?\\s*POINT\\s*(?:Z\\s*)?\\(\\s*${NUM}\\s+${NUM}(?:\\s+${NUM})?\\s*\\)\\s*$`, 'i');

export function parseWktPoint(wkt: string): [number, number] | string {
  const m = WKT_POINT.exec(wkt);
  if (!m) return `"${wkt.slice(0, 60)}" is not a WKT POINT (e.g. POINT(107.15 34.37))`;
  if (m[1] && m[1] !== '4326' && m[1] !== '4490') return `SRID ${m[1]} is not supported: send WGS 84 (4326) or CGCS2000 (4490) longitude/latitude`;
  return [Number(m[2]), Number(m[3])];
}

function findType(types: UnitTypeConfig[], text: string) {
  const t = text.trim().toLowerCase();
  return types.find((x) => x.code.toLowerCase() === t || x.zh === text.trim() || x.en.toLowerCase() === t);
}

function checkPosition(lon: number, lat: number): string | null {
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) return 'longitude and latitude must be numbers';
  if (lon < -180 || lon > 180 || lat < -90 || lat > 90) return `[${lon}, ${lat}] is out of range: longitude -180..180, latitude -90..90`;
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
      const fail = (field: string, message: string) => errors.push({ row: line, field, message });
      const before = errors.length;
      const attributes: Record<string, unknown> = {};
      if (v.attributes) {
        try {
          const parsed: unknown = JSON.parse(v.attributes);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(attributes, parsed);
          else fail('attributes', 'must be a JSON object');
        } catch {
          fail('attributes', 'is not valid JSON');
        }
      }
      for (const [k, value] of Object.entries(v)) {
        if (!(k in COLUMNS) && !DERIVED.has(k) && value !== '') attributes[k] = value;
      }
      let lon = NaN;
      let lat = NaN;
      if (v.wkt) {
        const p = parseWktPoint(v.wkt);
        if (typeof p === 'string') fail('wkt', p);
        else [lon, lat] = p;
      } else if (v.lon === undefined || v.lon === '' || !v.lat) {
        fail('lon', 'give lon and lat, or a WKT point');
      } else {
        [lon, lat] = [Number(v.lon), Number(v.lat)];
      }
      if (errors.length === before) {
        const bad = checkPosition(lon, lat);
        if (bad) fail(v.wkt ? 'wkt' : 'lon', bad);
      }
      const type = findType(types, v.type ?? '');
      if (!type) fail('type', `unknown type "${v.type ?? ''}": use one of ${types.map((t) => `${t.code} (${t.zh})`).join(', ')}`);
      if (!v.name) fail('name', 'the name is empty');
      if (!attributesWithinLimits(attributes)) fail('attributes', `too deep or too large (at most ${ATTRIBUTE_LIMITS.maxDepth} levels, ${ATTRIBUTE_LIMITS.maxKeys} entries, ${ATTRIBUTE_LIMITS.maxBytes} bytes)`);
      if (errors.length > before || !type) continue;
      candidates.push({ row: line, type: type.code, name: v.name!, address: v.address || null, contact: v.contact || null, attributes, lon, lat });
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
      const fail = (field: string, message: string) => errors.push({ row, field: `features.${i}.${field}`, message });
      const before = errors.length;
      const g = f?.geometry;
      const c = g?.coordinates;
      if (g?.type !== 'Point' || !Array.isArray(c) || c.length < 2 || !c.every((n) => typeof n === 'number')) {
        fail('geometry', 'must be a Point with [longitude, latitude] numbers');
      } else {
        const bad = checkPosition(c[0] as number, c[1] as number);
        if (bad) fail('geometry', bad);
      }
      const p = f?.properties ?? {};
      const str = (k: string) => (typeof p[k] === 'string' ? (p[k] as string).trim() : p[k] == null ? '' : String(p[k]));
      const type = findType(types, str('type'));
      if (!type) fail('properties.type', `unknown type "${str('type')}": use one of ${types.map((t) => t.code).join(', ')}`);
      const name = str('name');
      if (!name) fail('properties.name', 'the name is empty');
      const attributes: Record<string, unknown> = {};
      if (p.attributes !== undefined && p.attributes !== null) {
        if (typeof p.attributes === 'object' && !Array.isArray(p.attributes)) Object.assign(attributes, p.attributes);
        else fail('properties.attributes', 'must be an object');
      }
      for (const [k, value] of Object.entries(p)) {
        if (!['type', 'name', 'address', 'contact', 'attributes'].includes(k) && !DERIVED.has(k) && value !== null && value !== '') attributes[k] = value;
      }
      if (!attributesWithinLimits(attributes)) fail('attributes', `too deep or too large (at most ${ATTRIBUTE_LIMITS.maxDepth} levels, ${ATTRIBUTE_LIMITS.maxKeys} entries, ${ATTRIBUTE_LIMITS.maxBytes} bytes)`);
      if (errors.length > before || !type) return;
      candidates.push({ row, type: type.code, name, address: str('address') || null, contact: str('contact') || null, attributes, lon: (c as number[])[0]!, lat: (c as number[])[1]! });
    });
    return { candidates, rows: features.length };
  }

  app.post<{ Body: unknown; Querystring: { skipInvalid?: boolean; dryRun?: boolean } }>('/api/units/import', {
    schema: {
      tags: ['units'],
      summary: 'Import units from CSV (type, name, address, contact, lon+lat or wkt; other columns become attributes) or GeoJSON',
      description: 'Send text/csv, application/geo+json (a FeatureCollection of Points), or JSON {csv | geojson, skipInvalid}. '
        + 'Each unit is filed in the cell containing it. Any invalid row → 422 listing every row error, nothing written, unless skipInvalid. '
        + 'dryRun=true writes nothing and answers the preview: every valid row with the cell it would be filed in, and every row error.',
      querystring: { type: 'object', properties: { skipInvalid: { type: 'boolean' }, dryRun: { type: 'boolean' } }, additionalProperties: false },
      body: {
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'object', properties: { type: { const: 'FeatureCollection' }, features: { type: 'array' } }, required: ['type', 'features'] },
          { type: 'object', properties: { csv: { type: 'string', minLength: 1 }, skipInvalid: { type: 'boolean' } }, required: ['csv'], additionalProperties: false },
          { type: 'object', properties: { geojson: { type: 'object' }, skipInvalid: { type: 'boolean' } }, required: ['geojson'], additionalProperties: false },
        ],
      },
      response: {
        200: {
          type: 'object',
          properties: {
            rows: { type: 'integer' }, imported: { type: 'integer' }, skipped: { type: 'integer' }, ids: { type: 'array', items: { type: 'integer' } },
            errors: { type: 'array', items: { type: 'object', properties: { row: { type: 'integer' }, field: { type: 'string' }, message: { type: 'string' } } } },
            preview: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  row: { type: 'integer' }, type: { type: 'string' }, name: { type: 'string' }, address: { type: ['string', 'null'] }, contact: { type: ['string', 'null'] },
                  lon: { type: 'number' }, lat: { type: 'number' }, cellId: { type: 'integer' }, cellCode: { type: 'string' },
                },
              },
            },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = requirePermission(request, 'units.edit');
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
        if (r.cell_id === null) errors.push({ row: c.row, field: 'position', message: `[${c.lon}, ${c.lat}] lies outside every cell` });
        else if (!r.ok) errors.push({ row: c.row, field: 'position', message: `[${c.lon}, ${c.lat}] lies in cell ${r.cell_id}, outside your scope` });
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
          `INSERT INTO units (type, name, address, contact, attributes, geom, created_by, updated_by)
           SELECT x.type, x.name, x.address, x.contact, x.attributes::jsonb, ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326), $8, $8
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[]) WITH ORDINALITY AS x(type, name, address, contact, attributes, lon, lat, i)
           ORDER BY x.i RETURNING id`,
          [placed.map((c) => c.type), placed.map((c) => c.name), placed.map((c) => c.address), placed.map((c) => c.contact),
            placed.map((c) => JSON.stringify(c.attributes)), placed.map((c) => c.lon), placed.map((c) => c.lat), actor.username]);
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
    schema: { tags: ['units'], summary: 'Units as CSV (lon/lat and WKT columns; attributes as JSON); re-importable', querystring: exportQuery, response: { '4xx': problemSchema } },
  }, async (request, reply) => {
    const rows = await exportRows(request.query, requireUser(request));
    const csv = csvText([
      ['id', 'type', 'name', 'address', 'contact', 'lon', 'lat', 'wkt', 'cell_code', 'attributes'],
      ...rows.map((r) => {
        const [lon, lat] = toUnitFeature(types, r).geometry.coordinates as [number, number];
        return [r.id, r.type, r.name, r.address ?? '', r.contact ?? '', lon, lat, `POINT(${lon} ${lat})`, r.cell_code ?? '', JSON.stringify(r.attributes)];
      }),
    ]);
    // A BOM so spreadsheet programs read the Chinese text as UTF-8.
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="units.csv"').send(`\uFEFF${csv}`);
  });

  app.get<{ Querystring: UnitQuery }>('/api/units/export.geojson', {
    schema: { tags: ['units'], summary: 'Units as a GeoJSON FeatureCollection file; re-importable', querystring: exportQuery, response: { '4xx': problemSchema } },
  }, async (request, reply) => {
    const rows = await exportRows(request.query, requireUser(request));
    return reply.type('application/geo+json').header('content-disposition', 'attachment; filename="units.geojson"')
      .send(JSON.stringify({ type: 'FeatureCollection', features: rows.map((r) => toUnitFeature(types, r)) }));
  });
}
