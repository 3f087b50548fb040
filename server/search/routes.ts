import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { can, scopeOf } from '../auth/actor.ts';
import { problemSchema } from '../problem.ts';
import { cellInScopeSql } from '../patrols/model.ts';
import { parseCoordinate, parseTrackingCode } from '../../core/search/coordinate.ts';
import { searchAnswerSchema, type Hit, type SearchAnswer } from '../../core/contracts/search.ts';

// LIKE's own characters, taken literally.
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One search box for every role: cells by name or code (everyone), units by name or address and
 * people by name (signed-in staff, in their scope), a report by its tracking code (staff in scope
 * get the report; anyone else the tracking page), and a pasted coordinate (the cell there). Each
 * hit carries where to look: a point and, for cells, the box.
 */
export default async function searchRoutes(app: FastifyInstance, { db }: AppContext) {
  app.get<{ Querystring: { q: string; limit: number }; Reply: SearchAnswer }>('/api/search', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Search cells (name, code), units (name, address) and people (staff only, in scope), a tracking code, or a pasted coordinate',
      querystring: {
        type: 'object',
        properties: { q: { type: 'string', minLength: 1, maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 50, default: 12 } },
        required: ['q'],
        additionalProperties: false,
      },
      response: { 200: searchAnswerSchema, '4xx': problemSchema },
    },
  }, async (request) => {
    const q = request.query.q.trim();
    const limit = request.query.limit;
    const actor = request.user;
    const scope = actor ? scopeOf(actor) : [];
    const results: Hit[] = [];
    if (!q) return { results };

    const point = parseCoordinate(q);
    if (point) {
      const { rows } = await db.query<{ id: number | null; name: string | null; code: string | null }>(
        `SELECT c.id, c.name, c.code FROM (SELECT route_point(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)) AS id) x LEFT JOIN cells c ON c.id = x.id`, point);
      const cell = rows[0];
      results.push({ kind: 'point', id: `${point[0]},${point[1]}`, label: `${point[1].toFixed(6)}, ${point[0].toFixed(6)}`, detail: cell?.id ? `${cell.name} ${cell.code}` : null, cellId: cell?.id ?? null, lon: point[0], lat: point[1], bbox: null });
      return { results };
    }

    const code = parseTrackingCode(q);
    if (code) {
      const { rows } = await db.query<{ id: number; cell_id: number | null; lon: number; lat: number; in_scope: boolean }>(
        `SELECT r.id, r.cell_id, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
           (cardinality($2::int[]) = 0 OR (r.cell_id IS NOT NULL AND cell_within(r.cell_id, $2::int[]))) AS in_scope
         FROM reports r WHERE r.tracking_code = $1`, [code, scope]);
      const r = rows[0];
      if (r && actor && can(actor, 'reports.view') && r.in_scope) {
        results.push({ kind: 'report', id: r.id, label: code, detail: null, cellId: r.cell_id, lon: r.lon, lat: r.lat, bbox: null });
      } else if (r) {
        // The public learns only that the code exists: the tracking page says the rest.
        results.push({ kind: 'track', id: code, label: code, detail: null, cellId: null, lon: null, lat: null, bbox: null });
      }
      return { results };
    }

    const like = `%${likeEscape(q)}%`;
    const prefix = `${likeEscape(q)}%`;
    const { rows: cells } = await db.query<{ id: number; name: string; code: string; level: number; parent: string | null; bbox: number[] }>(
      `SELECT c.id, c.name, c.code, c.level, p.name AS parent,
         ARRAY[ST_XMin(c.geom), ST_YMin(c.geom), ST_XMax(c.geom), ST_YMax(c.geom)] AS bbox
       FROM cells c LEFT JOIN cells p ON p.id = c.parent_id
       WHERE c.name ILIKE $1 OR c.code LIKE $2
       ORDER BY (c.name = $3 OR c.code = $3) DESC, c.level, c.code LIMIT $4`, [like, prefix, q, limit]);
    for (const c of cells) {
      const [x0, y0, x1, y1] = c.bbox as [number, number, number, number];
      results.push({ kind: 'cell', id: c.id, label: c.name, detail: `${c.code}${c.parent ? ` · ${c.parent}` : ''}`, cellId: c.id, lon: (x0 + x1) / 2, lat: (y0 + y1) / 2, bbox: c.bbox });
    }

    if (actor) {
      const { rows: units } = await db.query<{ id: number; name: string; address: string | null; cell_id: number | null; cell: string | null; lon: number; lat: number }>(
        `SELECT u.id, u.name, u.address, u.cell_id, c.name AS cell, ST_X(u.geom) AS lon, ST_Y(u.geom) AS lat
         FROM units u LEFT JOIN cells c ON c.id = u.cell_id
         WHERE (u.name ILIKE $1 OR u.address ILIKE $1) AND u.archived_at IS NULL AND ${cellInScopeSql('u.cell_id', '$2')}
         ORDER BY (u.name = $3) DESC, u.name, u.id LIMIT $4`, [like, scope, q, limit]);
      for (const u of units) results.push({ kind: 'unit', id: u.id, label: u.name, detail: [u.address, u.cell].filter(Boolean).join(' · ') || null, cellId: u.cell_id, lon: u.lon, lat: u.lat, bbox: null });

      // People by name, where they are posted (in scope); no phone numbers here.
      const { rows: people } = await db.query<{ id: number; name: string; cell_id: number; cell: string; lon: number; lat: number }>(
        `SELECT DISTINCT ON (p.id) p.id, p.name, c.id AS cell_id, c.name AS cell, ST_X(ST_PointOnSurface(c.geom)) AS lon, ST_Y(ST_PointOnSurface(c.geom)) AS lat
         FROM people p JOIN cell_assignments a ON a.person_id = p.id JOIN cells c ON c.id = a.cell_id
         WHERE p.name ILIKE $1 AND ${cellInScopeSql('c.id', '$2')}
         ORDER BY p.id, c.level DESC LIMIT $3`, [like, scope, limit]);
      for (const p of people) results.push({ kind: 'person', id: p.id, label: p.name, detail: p.cell, cellId: p.cell_id, lon: p.lon, lat: p.lat, bbox: null });
    }
    return { results: results.slice(0, limit * 3) };
  });
}
