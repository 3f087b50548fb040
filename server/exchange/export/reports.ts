import type { FastifyInstance, FastifyRequest } from 'fastify';
import { documentResponse, textResponse } from '../../response-schemas.ts';
import { csvText } from '../../csv.ts';
import type { AppContext } from '../../context.ts';
import { SEVERITIES, type Severity } from '../../config.ts';
import { scopeOf } from '../../auth/actor.ts';
import { problem, problemSchema } from '../../problem.ts';
import { featureCollectionSchema, featureSchema, idSchema } from '../../schemas.ts';
import { REPORT_COLUMNS, REPORT_FROM, inScopeSql, toReport, type ReportRow } from '../../reports/model.ts';
import { OPEN_STATES, STATES, type State } from '../../../core/reports/workflow.ts';
import { contentDisposition, exportTitle } from './filename.ts';

interface ReportExportQuery {
  state?: State[];
  cellId?: number;
  category?: string;
  severity?: Severity;
  since?: string;
  until?: string;
  bbox?: string;
  overdue?: boolean;
  download: boolean;
}

/** One flat row per report: what staff see in the inbox, the reporter only where the inbox shows it. */
function flatten(r: ReturnType<typeof toReport>) {
  return {
    id: r.id,
    trackingCode: r.trackingCode,
    category: r.category,
    severity: r.severity,
    state: r.state,
    source: r.source,
    description: r.description,
    cellCode: r.cellCode,
    cellName: r.cellName,
    coverageGap: r.coverageGap,
    supervised: r.supervised,
    overdue: r.overdue,
    department: r.department,
    assignees: r.assignees.map((a) => a.name).join('、'),
    createdAt: r.createdAt,
    dueAt: r.dueAt,
    closedAt: r.closedAt,
    confidential: r.confidential,
    reporterName: r.reporter?.name ?? null,
    reporterContact: r.reporter?.contact ?? null,
  };
}

/**
 * Hazard reports as GeoJSON points or CSV, with the inbox's filters. Only for staff who may view
 * reports, only in their cells, and a confidential reporter stays hidden from all but supervisors.
 */
export default async function reportExportRoutes(app: FastifyInstance, { db, now }: AppContext) {
  const querystring = {
    type: 'object',
    properties: {
      state: { type: 'array', items: { type: 'string', enum: STATES } },
      cellId: { ...idSchema, description: 'reports in this cell and the cells below it' },
      category: { type: 'string', maxLength: 64 },
      severity: { type: 'string', enum: SEVERITIES },
      since: { type: 'string', format: 'date-time', description: 'filed at or after' },
      until: { type: 'string', format: 'date-time', description: 'filed before' },
      bbox: { type: 'string', pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'minLon,minLat,maxLon,maxLat' },
      overdue: { type: 'boolean' },
      download: { type: 'boolean', default: true },
    },
    additionalProperties: false,
  } as const;

  async function load(request: FastifyRequest<{ Querystring: ReportExportQuery }>) {
    const actor = request.actor;
    const q = request.query;
    const t = now();
    const params: unknown[] = [scopeOf(actor)];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = [inScopeSql('$1')];
    if (q.state?.length) where.push(`r.state = ANY (${p(q.state)}::text[])`);
    if (q.cellId !== undefined) where.push(inScopeSql(p([q.cellId])));
    if (q.category) where.push(`r.category = ${p(q.category)}`);
    if (q.severity) where.push(`r.severity = ${p(q.severity)}`);
    if (q.since) where.push(`r.created_at >= ${p(q.since)}::timestamptz`);
    if (q.until) where.push(`r.created_at < ${p(q.until)}::timestamptz`);
    if (q.overdue !== undefined) where.push(`${q.overdue ? '' : 'NOT '}(r.state = ANY (${p(OPEN_STATES)}::text[]) AND r.due_at IS NOT NULL AND r.due_at < ${p(t)})`);
    if (q.bbox) {
      const b = q.bbox.split(',').map(Number);
      if (b.some((v) => !Number.isFinite(v)) || b[0]! > b[2]! || b[1]! > b[3]!) {
        throw problem('export.bbox-invalid', {}, { errors: [{ field: 'querystring.bbox', message: 'must be minLon,minLat,maxLon,maxLat' }] });
      }
      where.push(`r.geom && ST_MakeEnvelope(${p(b[0])}, ${p(b[1])}, ${p(b[2])}, ${p(b[3])}, 4326)`);
    }
    const { rows } = await db.query<ReportRow & { in_scope: boolean }>(
      `SELECT ${REPORT_COLUMNS}, true AS in_scope FROM ${REPORT_FROM} WHERE ${where.join(' AND ')} ORDER BY r.id`, params);
    return { reports: rows.map((r) => toReport(r, actor, t)), title: exportTitle(['reports'], t) };
  }

  const schema = (summary: string, ok: object) => ({ tags: ['export'], summary, querystring, response: { 200: ok, '4xx': problemSchema } });
  const str = { type: 'string' } as const;
  const strOrNull = { type: ['string', 'null'] } as const;
  const reportPointSchema = featureCollectionSchema(featureSchema({
    id: { type: 'integer' },
    geometry: { type: 'object', additionalProperties: true, description: 'GeoJSON Point, EPSG:4326' },
    properties: {
      type: 'object',
      description: 'the columns of the CSV export but lon, lat and WKT',
      properties: {
        id: { type: 'integer' }, trackingCode: str, category: str, severity: str, state: str, source: str, description: str,
        cellCode: strOrNull, cellName: strOrNull, coverageGap: { type: 'boolean' }, supervised: { type: 'boolean' }, overdue: { type: 'boolean' },
        department: strOrNull, assignees: { type: 'string', description: 'names joined by 、' }, createdAt: str, dueAt: strOrNull, closedAt: strOrNull,
        confidential: { type: 'boolean' }, reporterName: strOrNull, reporterContact: strOrNull,
      },
    },
  }));

  app.get<{ Querystring: ReportExportQuery }>('/api/export/reports.geojson', {
    config: { access: 'reports.view' },
    schema: schema('Hazard reports in my cells as GeoJSON points (filters as the inbox); confidential reporters only for supervisors',
      documentResponse('A GeoJSON FeatureCollection (an attachment with download=true)', reportPointSchema, 'application/geo+json')),
  }, async (request, reply) => {
    const { reports, title } = await load(request);
    reply.type('application/geo+json');
    if (request.query.download) reply.header('content-disposition', contentDisposition(title, 'geojson'));
    return reply.send(JSON.stringify({
      type: 'FeatureCollection',
      features: reports.map((r) => ({ type: 'Feature', id: r.id, geometry: r.location, properties: flatten(r) })),
    }));
  });

  app.get<{ Querystring: ReportExportQuery }>('/api/export/reports.csv', {
    config: { access: 'reports.view' },
    schema: schema('Hazard reports in my cells as CSV with lon/lat and WKT (UTF-8 with BOM)', textResponse('CSV with a byte-order mark and CRLF line ends', 'text/csv')),
  }, async (request, reply) => {
    const { reports, title } = await load(request);
    const rows = reports.map((r) => {
      const [lon, lat] = r.location.coordinates as [number, number];
      return { ...flatten(r), lon, lat, WKT: `POINT(${lon} ${lat})` };
    });
    const columns = ['id', 'trackingCode', 'category', 'severity', 'state', 'source', 'description', 'cellCode', 'cellName', 'coverageGap',
      'supervised', 'overdue', 'department', 'assignees', 'createdAt', 'dueAt', 'closedAt', 'confidential', 'reporterName', 'reporterContact', 'lon', 'lat', 'WKT'];
    const text = csvText(rows, { header: true, columns, record_delimiter: 'windows', cast: { boolean: (b) => (b ? 'true' : 'false') } });
    reply.type('text/csv; charset=utf-8');
    if (request.query.download) reply.header('content-disposition', contentDisposition(title, 'csv'));
    return reply.send(`\uFEFF${text}`);
  });
}
