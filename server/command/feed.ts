import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { scopeOf } from '../auth/actor.ts';
import { problemSchema } from '../problem.ts';
import { REPORT_COLUMNS, REPORT_FROM, inScopeSql, toReport, type ReportRow } from '../reports/model.ts';

interface FeedQuery {
  since?: string;
  limit?: number;
}

/**
 * The live feed's first load: the latest reports of my cells changed since a time, newest change
 * first, in the same shape as the `report` of an SSE event, so the client merges both by id and
 * version. The cursor is the latest change returned; with it the client asks again after a
 * reconnect of the event stream, and misses nothing.
 */
export default async function feedRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  const max = config.command.feedLimit;
  app.get<{ Querystring: FeedQuery }>('/api/reports/feed', {
    config: { access: 'reports.view' },
    schema: {
      tags: ['command'],
      summary: 'The live feed\'s initial load: the latest reports in my cells changed after `since` (default: ever), newest change first',
      description: 'Then follow GET /api/events (Server-Sent Events): each `event: report` carries {type: "created" | "changed", report}, '
        + 'the report in the shape of this list (with allowedActions) for staff whose scope holds it, else a public summary '
        + '{id, location, category, severity, state, createdAt} without trackingCode: a command view shows only events whose report has a trackingCode. '
        + 'After a reconnect, ask again with since = cursor.',
      querystring: {
        type: 'object',
        properties: {
          since: { type: 'string', format: 'date-time', description: 'Only reports changed (updatedAt) after this time' },
          limit: { type: 'integer', minimum: 1, maximum: max, default: Math.min(50, max) },
        },
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            items: { type: 'array', items: { $ref: 'Report#' } },
            cursor: { type: ['string', 'null'], description: 'The latest updatedAt returned (or since): pass it as since next time' },
            more: { type: 'boolean', description: 'More reports changed after since than limit' },
          },
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    const actor = request.actor;
    const { since, limit = Math.min(50, max) } = request.query;
    const params: unknown[] = [scopeOf(actor), limit + 1];
    const after = since ? `AND r.updated_at > $${params.push(since)}::timestamptz` : '';
    const { rows } = await db.query<ReportRow>(
      `SELECT ${REPORT_COLUMNS} FROM ${REPORT_FROM}
       WHERE ${inScopeSql('$1')} ${after}
       ORDER BY r.updated_at DESC, r.id DESC LIMIT $2`, params);
    const t = now();
    const items = rows.slice(0, limit).map((r) => toReport(r, actor, t));
    return { items, cursor: items[0]?.updatedAt ?? (since ? new Date(since).toISOString() : null), more: rows.length > limit };
  });
}
