import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { documentResponse, textResponse } from '../response-schemas.ts';
import type { AppContext } from '../context.ts';
import { SEVERITIES, type Severity } from '../config.ts';
import { actorFromToken } from '../auth/plugin.ts';
import { can, type Actor } from '../auth/actor.ts';
import { publicBase } from '../public-url.ts';
import { problemText } from '../../core/problems/index.ts';
import { Problem, problem } from '../problem.ts';
import { xmlText } from '../exchange/export/kml.ts';
import multipart from '@fastify/multipart';
import { intake } from '../reports/routes.ts';
import { readMultipart } from '../reports/uploads.ts';
import type { Upload } from '../reports/photos.ts';
import type { NewReport } from '../reports/intake.ts';
import { OPEN_STATES, STATE_NAMES, type State } from '../../core/reports/workflow.ts';

/**
 * Open311 GeoReport v2 at /open311/v2: city hotlines and apps (12345 platforms, FixMyStreet and
 * SeeClickFix clients) list the report categories as services, file reports as service requests
 * (through the same intake as POST /api/reports) and follow them. What they read is public: no
 * reporter, no description; a confidential report shows at its cell.
 */

type Format = 'json' | 'xml';
const FORMATS: Format[] = ['json', 'xml'];
const SEVERITY_NAMES: Record<Severity, string> = { ordinary: '一般隐患 Ordinary', major: '重大隐患 Major' };
/** A report's public place: its point, or for a confidential one a point inside its cell. */
const PUBLIC_GEOM = 'CASE WHEN r.confidential THEN ST_PointOnSurface(c.geom) ELSE r.geom END';
const MAX_REQUESTS = 1000;

/** XML as GeoReport v2 writes it: one element per key, arrays as repeated child elements. */
function toXml(root: string, item: string, rows: Record<string, unknown>[]): string {
  const value = (k: string, v: unknown): string => {
    if (v === null || v === undefined) return `<${k}/>`;
    if (Array.isArray(v)) return `<${k}>${v.map((x) => value(k === 'values' ? 'value' : k.replace(/s$/, ''), x)).join('')}</${k}>`;
    if (typeof v === 'object') return `<${k}>${Object.entries(v).map(([a, b]) => value(a, b)).join('')}</${k}>`;
    return `<${k}>${xmlText(String(v))}</${k}>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>\n<${root}>${rows.map((r) => value(item, r)).join('')}</${root}>`;
}

function send(reply: FastifyReply, format: Format, root: string, item: string, rows: Record<string, unknown>[]) {
  if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml(root, item, rows));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(rows));
}

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
/** The answers of GeoReport v2 (http://wiki.open311.org/GeoReport_v2), as the routes write them. */
const discoverySchema = {
  type: 'object',
  properties: {
    changeset: str, contact: str, key_service: str,
    endpoints: { type: 'array', items: { type: 'object', properties: { specification: str, url: str, changeset: str, type: str, formats: { type: 'array', items: str } } } },
  },
} as const;
const servicesSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: { service_code: str, service_name: str, description: str, metadata: { type: 'boolean' }, type: str, keywords: str, group: str },
  },
} as const;
const definitionSchema = {
  type: 'object',
  properties: {
    service_code: str,
    attributes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          variable: { type: 'boolean' }, code: str, datatype: str, required: { type: 'boolean' }, datatype_description: str, order: { type: 'integer' }, description: str,
          values: { type: 'array', items: { type: 'object', properties: { key: str, name: str } } },
        },
      },
    },
  },
} as const;
const requestsSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      service_request_id: str, status: { type: 'string', enum: ['open', 'closed'] }, status_notes: str, service_name: str, service_code: str,
      description: { type: 'null' }, agency_responsible: strOrNull, service_notice: { type: 'null' }, requested_datetime: str, updated_datetime: str,
      expected_datetime: strOrNull, address: { type: 'null' }, address_id: { type: 'null' }, zipcode: { type: 'null' }, lat: { type: 'number' }, long: { type: 'number' },
      media_url: { type: 'null' },
    },
  },
} as const;
const createdSchema = {
  type: 'array',
  items: { type: 'object', properties: { service_request_id: str, service_notice: str, account_id: { type: 'null' } } },
} as const;
/** One answer in the format of the route: JSON described by `schema`, or the same as XML. */
const answer = (format: Format, description: string, schema: Record<string, unknown>) => (format === 'xml'
  ? textResponse(`${description} (XML)`, 'text/xml')
  : documentResponse(description, schema));

/** The spec's error answer: [{code, description}], the description in Chinese then English. */
function errorBody(err: FastifyError | Problem): { status: number; body: { code: number; description: string }[] } {
  const status = err instanceof Problem ? err.status : (err.statusCode ?? 500);
  let description: string;
  if (err instanceof Problem && err.code) {
    description = `${problemText(err.code, err.params, 'zh-CN')} / ${problemText(err.code, err.params, 'en')}`;
  } else if ((err as FastifyError).validation) {
    description = `请求参数无效 / Invalid request: ${err.message}`;
  } else if (status === 429) {
    description = `请求过于频繁，请稍后再试 / Too many requests: ${err.message}`;
  } else if (status < 500) {
    description = `请求无效 / ${err.message}`;
  } else {
    description = '服务器内部错误 / Internal server error';
  }
  return { status, body: [{ code: status, description }] };
}

interface RequestRow {
  id: number;
  category: string;
  state: State;
  lon: number;
  lat: number;
  cell_name: string | null;
  created_at: Date;
  updated_at: Date;
  due_at: Date | null;
  last_reply: string | null;
}

interface PostBody {
  jurisdiction_id?: string;
  service_code?: string;
  lat?: string | number;
  long?: string | number;
  address_string?: string;
  address_id?: string;
  email?: string;
  device_id?: string;
  account_id?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  description?: string;
  media_url?: string;
  api_key?: string;
  'attribute[severity]'?: string;
  attribute?: { severity?: string };
}

export default async function open311Routes(app: FastifyInstance, ctx: AppContext) {
  const { db, config, now } = ctx;
  const categories = config.reports.categories;

  // Open311 clients POST application/x-www-form-urlencoded (the spec); JSON works too.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Errors in the format asked for (the spec's <errors><error>… for .xml), as [{code, description}].
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const { status, body } = errorBody(err);
    if (status >= 500) reply.log.error(err);
    const format: Format = /\.xml(\?|$)/.test(request.url) ? 'xml' : 'json';
    return send(reply.code(status), format, 'errors', 'error', body);
  });

  /** The account behind a POST's api_key (valid, unrevoked, active), or its Bearer token, found before the rate limit. */
  const keyActors = new WeakMap<FastifyRequest, Actor>();
  async function apiKeyActor(request: FastifyRequest) {
    if (request.user?.via === 'token') keyActors.set(request, request.user);
    const key = (request.body as PostBody | undefined)?.api_key;
    if (typeof key !== 'string' || !key.trim() || key.length > 200) return;
    const actor = await actorFromToken(db, key.trim(), now());
    if (actor) keyActors.set(request, actor);
    else keyActors.delete(request);
  }

  // Photos uploaded with the request (multipart/form-data, files in "media" or "photos"; the spec
  // itself only has media_url): the text fields become the body.
  await app.register(multipart, { limits: { files: config.reports.photos.maxCount, fileSize: config.reports.photos.maxBytes } });
  const uploadsOf = new WeakMap<FastifyRequest, Upload[]>();
  async function multipartFields(request: FastifyRequest) {
    if (!request.isMultipart()) return;
    const { fields, uploads } = await readMultipart(request, config.reports.photos, ['media', 'photos']);
    request.body = fields;
    uploadsOf.set(request, uploads);
    await apiKeyActor(request);
  }

  const checkJurisdiction = (value: string | undefined) => {
    if (value !== undefined && config.open311Jurisdiction && value !== config.open311Jurisdiction) {
      throw problem('open311.jurisdiction', { value, expected: config.open311Jurisdiction });
    }
  };
  const jurisdictionQuery = { type: 'object', properties: { jurisdiction_id: { type: 'string', maxLength: 200 } }, additionalProperties: false } as const;

  app.get<{ Querystring: { jurisdiction_id?: string } }>('/open311/v2/discovery.json', { config: { access: 'public' }, schema: { hide: true, querystring: jurisdictionQuery, response: { 200: documentResponse('The discovery document', discoverySchema) } } }, async (request, reply) => {
    const url = `${publicBase(request, config.publicUrl)}/open311/v2`;
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({
      changeset: '2025-01-01T00:00:00Z',
      contact: 'Wangge 网格化管理 — see the README',
      key_service: 'Sign in to Wangge and make an API token (账号 › API 令牌); send it as api_key',
      endpoints: [{
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url,
        changeset: '2025-01-01T00:00:00Z',
        type: 'production',
        formats: ['application/json', 'text/xml'],
      }],
    }));
  });

  const service = (c: (typeof categories)[number]) => ({
    service_code: c.code,
    service_name: c.zh,
    description: c.en,
    metadata: true,
    type: 'realtime',
    keywords: [c.zh, c.en, c.code].join(','),
    group: '隐患 Hazards',
  });
  const definition = (code: string) => ({
    service_code: code,
    attributes: [{
      variable: true,
      code: 'severity',
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: 'ordinary (default) or major',
      order: 1,
      description: '隐患等级 Severity',
      values: SEVERITIES.map((key) => ({ key, name: SEVERITY_NAMES[key] })),
    }],
  });

  for (const format of FORMATS) {
    app.get<{ Querystring: { jurisdiction_id?: string } }>(`/open311/v2/services.${format}`, { config: { access: 'public' }, schema: { hide: true, querystring: jurisdictionQuery, response: { 200: answer(format, 'The services: the report categories', servicesSchema) } } }, async (request, reply) => {
      checkJurisdiction(request.query.jurisdiction_id);
      return send(reply, format, 'services', 'service', categories.map(service));
    });

    app.post<{ Body: PostBody }>(`/open311/v2/requests.${format}`, {
      // As POST /api/reports: the public's limit is per address, a valid api_key (staff, e.g. a
      // 12345 platform filing for many callers) counts per account. The key is in the body, so the
      // limit runs once a form or JSON body is parsed (preValidation), after apiKeyActor; an invalid
      // key counts as the address. A multipart upload is read only after the limit, so it counts
      // as its address (a Bearer header makes it count as the account).
      preValidation: apiKeyActor,
      preHandler: multipartFields,
      config: {
        access: 'public',
        csrf: false,
        rateLimit: {
          hook: 'preValidation',
          max: config.security.reportsPerMinute,
          timeWindow: '1 minute',
          keyGenerator: (request: FastifyRequest) => {
            const actor = keyActors.get(request);
            return actor ? `staff:${actor.id}` : `ip:${request.ip}`;
          },
        },
      },
      schema: {
        hide: true,
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 8, maxLength: 200 } } },
        response: { 201: answer(format, 'The request filed: its id and tracking code', createdSchema) },
      },
    }, async (request, reply) => {
      if (!/^(application\/x-www-form-urlencoded|application\/json|multipart\/form-data)\b/i.test(request.headers['content-type'] ?? '')) {
        throw problem('open311.missing', { field: 'application/x-www-form-urlencoded body' });
      }
      const b = (request.body ?? {}) as PostBody;
      const text = (k: keyof PostBody, max: number): string | undefined => {
        const v = b[k];
        if (v === undefined || v === null || v === '') return undefined;
        if (typeof v !== 'string' && typeof v !== 'number') throw problem('open311.invalid', { field: k, value: typeof v });
        const s = String(v).trim();
        if (s.length > max) throw problem('open311.invalid', { field: k, value: `${s.slice(0, 20)}…` });
        return s;
      };
      checkJurisdiction(text('jurisdiction_id', 200));
      const apiKey = text('api_key', 200);
      const actor = keyActors.get(request) ?? null;
      if (apiKey && !actor) throw problem('open311.api-key');
      const code = text('service_code', 64);
      if (!code) throw problem('open311.missing', { field: 'service_code' });
      if (!categories.some((c) => c.code === code)) throw problem('open311.service-not-found', { code });
      const latText = text('lat', 40);
      const lonText = text('long', 40);
      if (latText === undefined || lonText === undefined) throw problem('open311.location');
      const lat = Number(latText);
      const lon = Number(lonText);
      if (!(Number.isFinite(lat) && lat >= -90 && lat <= 90)) throw problem('open311.invalid', { field: 'lat', value: latText });
      if (!(Number.isFinite(lon) && lon >= -180 && lon <= 180)) throw problem('open311.invalid', { field: 'long', value: lonText });
      const severityText = text('attribute[severity]', 20) ?? (typeof b.attribute?.severity === 'string' ? b.attribute.severity : undefined);
      if (severityText !== undefined && !SEVERITIES.includes(severityText as Severity)) throw problem('open311.invalid', { field: 'attribute[severity]', value: severityText });
      const mediaUrl = text('media_url', 2000);
      if (mediaUrl !== undefined && !/^https?:\/\/\S+$/i.test(mediaUrl)) throw problem('open311.invalid', { field: 'media_url', value: mediaUrl.slice(0, 40) });
      const address = text('address_string', 500);
      const description = text('description', 3000);
      if (!description) throw problem('open311.missing', { field: 'description' });
      const name = [text('last_name', 50), text('first_name', 50)].filter(Boolean).join('');
      const contact = [text('phone', 50), text('email', 150)].filter(Boolean).join(' ');
      // The address and the media link travel in the description: the cell comes from lat/long, and
      // a remote photo is not fetched by the server.
      const input: NewReport = {
        location: { type: 'Point', coordinates: [lon, lat] },
        category: code,
        severity: (severityText as Severity | undefined) ?? 'ordinary',
        description: [description, address && `地址 Address: ${address}`, mediaUrl && `图片 Media: ${mediaUrl}`].filter(Boolean).join('\n'),
        ...(name || contact ? { reporter: { ...(name ? { name } : {}), ...(contact ? { contact } : {}) } } : {}),
      };
      // A hotline platform files with a staff token: its reports come from the hotline.
      if (can(actor, 'reports.work')) input.source = 'hotline';
      const { report, replayed } = await intake(ctx, request, input, uploadsOf.get(request) ?? [], actor);
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.code(201);
      return send(reply, format, 'service_requests', 'request', [{
        service_request_id: String(report.id),
        service_notice: `追踪码 Tracking code ${report.tracking_code}`,
        account_id: null,
      }]);
    });

    app.get<{ Params: { code: string }; Querystring: { jurisdiction_id?: string } }>(`/open311/v2/services/:code.${format}`, { config: { access: 'public' }, schema: { hide: true, querystring: jurisdictionQuery, response: { 200: answer(format, 'The definition of a service: its attribute severity', definitionSchema) } } }, async (request, reply) => {
      checkJurisdiction(request.query.jurisdiction_id);
      const { code } = request.params;
      if (!categories.some((c) => c.code === code)) throw problem('open311.service-not-found', { code });
      const def = definition(code);
      if (format === 'xml') return reply.type('text/xml; charset=utf-8').send(toXml('service_definition', 'x', []).replace('<service_definition></service_definition>', `<service_definition><service_code>${xmlText(code)}</service_code>${toXml('attributes', 'attribute', def.attributes).replace(/^<\?xml[^>]*>\n/, '')}</service_definition>`));
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(def));
    });

    const listQuery = {
      type: 'object',
      properties: {
        jurisdiction_id: { type: 'string', maxLength: 200 },
        service_request_id: { type: 'string', maxLength: 2000 },
        service_code: { type: 'string', maxLength: 2000 },
        start_date: { type: 'string', maxLength: 40 },
        end_date: { type: 'string', maxLength: 40 },
        status: { type: 'string', maxLength: 20 },
      },
      additionalProperties: false,
    } as const;
    app.get<{ Querystring: { jurisdiction_id?: string; service_request_id?: string; service_code?: string; start_date?: string; end_date?: string; status?: string } }>(
      `/open311/v2/requests.${format}`, { config: { access: 'public' }, schema: { hide: true, querystring: listQuery, response: { 200: answer(format, 'The requests found, newest first', requestsSchema) } } }, async (request, reply) => {
        const q = request.query;
        checkJurisdiction(q.jurisdiction_id);
        const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);
        const ids = list(q.service_request_id);
        if (ids?.some((id) => !/^\d{1,9}$/.test(id))) throw problem('open311.invalid', { field: 'service_request_id', value: q.service_request_id! });
        const statuses = list(q.status);
        if (statuses?.some((s) => s !== 'open' && s !== 'closed')) throw problem('open311.invalid', { field: 'status', value: q.status! });
        const date = (field: string, s: string | undefined) => {
          if (s === undefined) return null;
          const d = new Date(s);
          if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(d.getTime())) throw problem('open311.invalid', { field, value: s });
          return d;
        };
        let start = date('start_date', q.start_date);
        const end = date('end_date', q.end_date);
        // The spec's default: the last 90 days, unless ids are asked for.
        if (!ids && !start && !end) start = new Date(now().getTime() - 90 * 86_400_000);
        const open = statuses && statuses.length === 1 ? statuses[0] === 'open' : null;
        const rows = await queryRequests({
          ids: ids?.map(Number) ?? null, codes: list(q.service_code) ?? null, start, end, open,
        });
        return send(reply, format, 'service_requests', 'request', rows.map(toRequest));
      });

    app.get<{ Params: { id: string }; Querystring: { jurisdiction_id?: string } }>(`/open311/v2/requests/:id.${format}`, { config: { access: 'public' }, schema: { hide: true, querystring: jurisdictionQuery, response: { 200: answer(format, 'The request, as a list of one', requestsSchema) } } }, async (request, reply) => {
      checkJurisdiction(request.query.jurisdiction_id);
      const { id } = request.params;
      if (!/^\d{1,9}$/.test(id)) throw problem('open311.request-not-found', { id });
      const rows = await queryRequests({ ids: [Number(id)], codes: null, start: null, end: null, open: null });
      if (!rows.length) throw problem('open311.request-not-found', { id });
      return send(reply, format, 'service_requests', 'request', rows.map(toRequest));
    });
  }

  async function queryRequests(f: { ids: number[] | null; codes: string[] | null; start: Date | null; end: Date | null; open: boolean | null }): Promise<RequestRow[]> {
    const { rows } = await db.query<RequestRow>(
      `SELECT r.id, r.category, r.state, ST_X(${PUBLIC_GEOM}) AS lon, ST_Y(${PUBLIC_GEOM}) AS lat, c.name AS cell_name,
         r.created_at, r.updated_at, r.due_at,
         (SELECT e.reply FROM report_events e WHERE e.report_id = r.id AND e.reply IS NOT NULL
            AND e.action NOT IN ('escalate', 'overdue', 'reroute', 'transfer') ORDER BY e.id DESC LIMIT 1) AS last_reply
       FROM reports r LEFT JOIN cells c ON c.id = r.cell_id
       WHERE ($1::int[] IS NULL OR r.id = ANY ($1::int[]))
         AND ($2::text[] IS NULL OR r.category = ANY ($2::text[]))
         AND ($3::timestamptz IS NULL OR r.created_at >= $3)
         AND ($4::timestamptz IS NULL OR r.created_at <= $4)
         AND ($5::boolean IS NULL OR (r.state = ANY ($6::text[])) = $5)
       ORDER BY r.created_at DESC, r.id DESC LIMIT ${MAX_REQUESTS}`,
      [f.ids, f.codes, f.start, f.end, f.open, OPEN_STATES]);
    return rows;
  }

  function toRequest(r: RequestRow) {
    const category = categories.find((c) => c.code === r.category);
    const state = STATE_NAMES[r.state];
    return {
      service_request_id: String(r.id),
      status: OPEN_STATES.includes(r.state) ? 'open' : 'closed',
      status_notes: r.last_reply ? `${state.zh} ${state.en}: ${r.last_reply}` : `${state.zh} ${state.en}`,
      service_name: category?.zh ?? r.category,
      service_code: r.category,
      description: null,
      agency_responsible: r.cell_name,
      service_notice: null,
      requested_datetime: r.created_at.toISOString(),
      updated_datetime: r.updated_at.toISOString(),
      expected_datetime: r.due_at?.toISOString() ?? null,
      address: null,
      address_id: null,
      zipcode: null,
      lat: Math.round(r.lat * 1e7) / 1e7,
      long: Math.round(r.lon * 1e7) / 1e7,
      media_url: null,
    };
  }
}
