import type { FastifyInstance } from 'fastify';
import { TZDate, tz } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { format } from 'date-fns/format';
import type { AppContext } from './context.ts';
import { csvText } from './csv.ts';
import { problem, problemSchema } from './problem.ts';
import { idSchema } from './schemas.ts';
import { textResponse } from './response-schemas.ts';
import type { Role } from './config.ts';
import { auditPageSchema, type AuditEntry, type AuditPage } from '../core/contracts/audit.ts';
import {
  AUDIT_OBJECT_TYPES, AUDIT_OBJECT_WORDS, AUDIT_ROLES, AUDIT_WORDS, sentenceText, type AuditLang, type AuditObjectType,
} from '../core/audit/actions.ts';

interface AuditQuery {
  actor?: number;
  action?: string;
  objectType?: AuditObjectType;
  from?: string;
  to?: string;
  q?: string;
  before?: number;
  limit: number;
}

const DAY = '^\\d{4}-\\d{2}-\\d{2}$';
const filterProperties = {
  actor: { ...idSchema, description: 'only what this user (id) did' },
  action: { type: 'string', pattern: '^[a-z0-9.]{1,64}$', description: 'an action code (cell.update) or the first words of one (cell, coverage.fix)' },
  objectType: { type: 'string', enum: AUDIT_OBJECT_TYPES },
  from: { anyOf: [{ type: 'string', pattern: DAY }, { type: 'string', format: 'date-time' }], description: 'from this day (YYYY-MM-DD, in the deployment\'s time zone) or instant' },
  to: { anyOf: [{ type: 'string', pattern: DAY }, { type: 'string', format: 'date-time' }], description: 'up to and including this day (YYYY-MM-DD, deployment time zone), or up to this instant' },
  q: { type: 'string', maxLength: 100, description: 'words in the object\'s name or code, or the actor\'s name or login' },
} as const;

interface Row {
  id: string; at: Date; user_id: number | null; username: string | null; display_name: string | null; role: Role | null;
  action: string; target: string | null; detail: Record<string, unknown>; ip: string | null;
  object_type: string | null; object_key: string | null; object_name: string | null; object_cell: number | null; object_exists: boolean;
}

/** `%`, `_` and `\` match themselves in a search, not any text. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Objects with a row of their own: gone from the table means deleted. Settings are not deleted. */
const NAMED = ['cell', 'report', 'unit', 'person', 'user', 'token', 'inspection', 'import'];

/**
 * The log's entries with today's names of who acted and of what they acted on. The object's name is
 * looked up in its own table now, so a renamed cell shows its new name and a deleted one shows none.
 */
const SELECT = `
  SELECT a.id::text AS id, a.at, a.user_id, a.username, u.display_name, u.role, a.action, a.target, a.detail, a.ip,
    o.type AS object_type, o.key AS object_key, n.name AS object_name, n.cell_id AS object_cell, (n.name IS NOT NULL) AS object_exists
  FROM audit_log a
  LEFT JOIN users u ON u.id = a.user_id
  LEFT JOIN LATERAL (
    SELECT split_part(a.target, ':', 1) AS type, substr(a.target, strpos(a.target, ':') + 1) AS key,
      CASE WHEN substr(a.target, strpos(a.target, ':') + 1) ~ '^[0-9]{1,9}$' THEN substr(a.target, strpos(a.target, ':') + 1)::int END AS num
  ) o ON a.target IS NOT NULL
  LEFT JOIN LATERAL (
    SELECT c.name, c.id AS cell_id FROM cells c WHERE o.type = 'cell' AND c.id = o.num
    UNION ALL SELECT r.tracking_code, r.cell_id FROM reports r WHERE o.type = 'report' AND r.id = o.num
    UNION ALL SELECT un.name, un.cell_id FROM units un WHERE o.type = 'unit' AND un.id = o.num
    UNION ALL SELECT p.name, NULL FROM people p WHERE o.type = 'person' AND p.id = o.num
    UNION ALL SELECT ou.display_name || ' (' || ou.username || ')', NULL FROM users ou WHERE o.type = 'user' AND ou.id = o.num
    UNION ALL SELECT t.name, NULL FROM api_tokens t WHERE o.type = 'token' AND t.id = o.num
    UNION ALL SELECT COALESCE(ic.name, i.cell_name), i.cell_id FROM inspections i LEFT JOIN cells ic ON ic.id = i.cell_id WHERE o.type = 'inspection' AND i.id = o.num
    UNION ALL SELECT ci.file_name, NULL FROM cell_imports ci WHERE o.type = 'import' AND ci.id = o.key
    LIMIT 1
  ) n ON true`;

/** The log for admins: who (name, role), what (code and parameters, the object's current name), when, from where. */
export default async function auditLogRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const zone = config.timeZone;

  /** A day is the deployment's day (Asia/Shanghai by default), not UTC's; `to` includes its whole day. */
  const instant = (value: string, end: boolean) => {
    if (!new RegExp(DAY).test(value)) return new Date(value);
    const [y, m, d] = value.split('-').map(Number) as [number, number, number];
    const start = new TZDate(y, m - 1, d, zone);
    return new Date((end ? addDays(start, 1) : start).getTime());
  };

  async function entries(query: AuditQuery, limit: number): Promise<AuditEntry[]> {
    const from = query.from ? instant(query.from, false) : null;
    const to = query.to ? instant(query.to, true) : null;
    if (from && to && from >= to) {
      throw problem('audit.range-reversed', { from: query.from!, to: query.to! }, { errors: [{ field: 'querystring.from', message: 'must not be after to' }] });
    }
    const { rows } = await db.query<Row>(
      // One level, ordered by the key: newest first walks the primary key backwards and stops at the limit.
      `${SELECT}
       WHERE ($1::bigint IS NULL OR a.id < $1)
         AND ($2::int IS NULL OR a.user_id = $2)
         AND ($3::text IS NULL OR a.action = $3 OR a.action LIKE $3 || '.%')
         AND ($4::text IS NULL OR o.type = $4)
         AND ($5::timestamptz IS NULL OR a.at >= $5)
         AND ($6::timestamptz IS NULL OR a.at < $6)
         AND ($7::text IS NULL OR n.name ILIKE $7 OR u.display_name ILIKE $7 OR a.username ILIKE $7
           OR a.detail->>'name' ILIKE $7 OR a.detail->>'code' ILIKE $7 OR a.detail->>'username' ILIKE $7)
       ORDER BY a.id DESC LIMIT $8`,
      [query.before ?? null, query.actor ?? null, query.action ?? null, query.objectType ?? null, from, to,
        query.q?.trim() ? likePattern(query.q.trim()) : null, limit]);
    return rows.map((r) => {
      const type = r.object_type;
      const former = r.detail.name ?? r.detail.code ?? r.detail.username;
      return {
        id: Number(r.id),
        at: r.at.toISOString(),
        // No one signed in (a resident's report, a failed sign-in): no actor.
        actor: r.user_id === null && r.username === null ? null : { id: r.user_id, login: r.username, name: r.display_name ?? r.username, role: r.role },
        action: r.action,
        params: r.detail,
        object: type === null ? null : {
          type, id: r.object_key ?? '', name: r.object_name,
          formerName: !r.object_exists && typeof former === 'string' ? former : null,
          deleted: NAMED.includes(type) && !r.object_exists,
          cellId: r.object_cell,
        },
        address: r.ip,
      };
    });
  }

  app.get<{ Querystring: AuditQuery; Reply: AuditPage }>('/api/audit', {
    config: { access: 'audit.view' },
    schema: {
      tags: ['accounts'],
      summary: 'The audit log, newest first (admin): who, what (code, parameters, the object and its current name), when, from where; filters and search; page on with before=next',
      querystring: {
        type: 'object',
        properties: { ...filterProperties, before: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        additionalProperties: false,
      },
      response: {
        200: auditPageSchema,
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const items = await entries(request.query, request.query.limit);
    return { items, next: items.length === request.query.limit ? items.at(-1)!.id : null, timeZone: zone };
  });

  const CSV_MAX = 50_000;
  app.get<{ Querystring: Omit<AuditQuery, 'limit' | 'before'> & { lang: AuditLang } }>('/api/audit.csv', {
    config: { access: 'audit.view' },
    schema: {
      tags: ['accounts'],
      summary: `The audit log as CSV with the same filters (admin), newest first, at most ${CSV_MAX} rows; times in the deployment's time zone; lang=zh-CN for Chinese headers and sentences`,
      querystring: {
        type: 'object',
        properties: { ...filterProperties, lang: { type: 'string', enum: ['en', 'zh-CN'], default: 'zh-CN' } },
        additionalProperties: false,
      },
      response: { 200: textResponse('CSV with a byte-order mark and CRLF line ends, as an attachment', 'text/csv'), '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const lang = request.query.lang;
    const list = await entries({ ...request.query, limit: CSV_MAX }, CSV_MAX);
    const local = (at: string) => format(new Date(at), 'yyyy-MM-dd HH:mm:ss', { in: tz(zone) });
    const header = lang === 'zh-CN'
      ? [`时间（${zone}）`, '账号', '操作人', '角色', '操作', '操作代码', '对象类型', '对象编号', '对象名称', '来源地址', '参数']
      : [`time (${zone})`, 'login', 'actor', 'role', 'what', 'action', 'object_type', 'object_id', 'object_name', 'address', 'params'];
    const words = AUDIT_WORDS[lang];
    const rows = list.map((e) => {
      const actorName = e.actor?.name ?? (e.actor ? e.actor.login ?? '' : words.public);
      const objectName = !e.object ? words.none
        : e.object.deleted ? `${e.object.formerName ?? `${e.object.type}:${e.object.id}`}${lang === 'zh-CN' ? `（${words.deleted}）` : ` (${words.deleted})`}`
        : e.object.name ?? e.object.id;
      return [
        local(e.at), e.actor?.login ?? '', actorName, e.actor?.role ? (AUDIT_ROLES[lang][e.actor.role] ?? e.actor.role) : '',
        sentenceText(e.action, e.params, lang, actorName, objectName), e.action,
        e.object ? (AUDIT_OBJECT_WORDS[lang][e.object.type as AuditObjectType] ?? e.object.type) : '', e.object?.id ?? '', e.object ? objectName : '',
        e.address ?? '', JSON.stringify(e.params),
      ];
    });
    // An ASCII name of digits and dashes only: nothing a filter typed can reach the header.
    const name = `audit-log-${format(now(), 'yyyyMMdd-HHmm', { in: tz(zone) })}.csv`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`)
      .send(`\uFEFF${csvText([header, ...rows], { record_delimiter: 'windows' })}`);
  });
}
