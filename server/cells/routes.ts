import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { CELL_COLUMNS, bboxSql, toFeature, type CellRow } from './feature.ts';

interface ListQuery {
  level?: number;
  parentId?: number;
  bbox?: string;
}

const BBOX = /^\s*-?\d+(\.\d+)?\s*(,\s*-?\d+(\.\d+)?\s*){3}$/;

/** Reading grid cells as GeoJSON. */
export default async function cellRoutes(app: FastifyInstance, { db }: AppContext) {
  app.get<{ Querystring: ListQuery }>('/api/cells', {
    config: { access: 'public' },
    schema: {
      tags: ['cells'],
      summary: 'Grid cells as a GeoJSON FeatureCollection',
      querystring: {
        type: 'object',
        properties: {
          level: { type: 'integer', minimum: 1 },
          parentId: idSchema,
          bbox: { type: 'string', pattern: BBOX.source, description: 'minLon,minLat,maxLon,maxLat' },
        },
        additionalProperties: false,
      },
      response: { 200: { $ref: 'CellCollection#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const { level, parentId, bbox } = request.query;
    const where: string[] = [];
    const params: unknown[] = [];
    if (level !== undefined) where.push(`c.level = $${params.push(level)}`);
    if (parentId !== undefined) where.push(`c.parent_id = $${params.push(parentId)}`);
    if (bbox !== undefined) {
      const [minLon, minLat, maxLon, maxLat] = bbox.split(',').map(Number) as [number, number, number, number];
      where.push(bboxSql('c.geom', [minLon, minLat, maxLon, maxLat], params));
    }
    const { rows } = await db.query<CellRow>(
      `SELECT ${CELL_COLUMNS} FROM cells c ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.level, c.code`,
      params,
    );
    return { type: 'FeatureCollection', features: rows.map(toFeature) };
  });

  // A panel that names many cells (coverage results) asks once, instead of once per cell.
  app.get<{ Querystring: { ids: string } }>('/api/cells/names', {
    config: { access: 'public' },
    schema: {
      tags: ['cells'],
      summary: 'The code, name and level of up to 500 cells by id (ids=1,2,3); unknown ids are left out',
      querystring: {
        type: 'object',
        properties: { ids: { type: 'string', pattern: '^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9}){0,499}$', description: 'comma-separated cell ids, at most 500' } },
        required: ['ids'],
        additionalProperties: false,
      },
      response: {
        200: {
          type: 'object',
          properties: {
            cells: {
              type: 'array',
              items: { type: 'object', properties: { id: { type: 'integer' }, code: { type: 'string' }, name: { type: 'string' }, level: { type: 'integer' } }, required: ['id', 'code', 'name', 'level'] },
            },
          },
          required: ['cells'],
        },
        '4xx': problemSchema,
      },
    },
  }, async (request) => {
    // Ids past PostgreSQL's integer cannot name a cell: left out like any unknown id.
    const ids = [...new Set(request.query.ids.split(',').map(Number))].filter((id) => id <= 2147483647);
    const { rows } = await db.query<{ id: number; code: string; name: string; level: number }>(
      'SELECT c.id, c.code, c.name, c.level::int AS level FROM cells c WHERE c.id = ANY ($1::int[]) ORDER BY c.id', [ids]);
    return { cells: rows };
  });

  app.get<{ Params: { id: number } }>('/api/cells/:id', {
    config: { access: 'public' },
    schema: {
      tags: ['cells'],
      summary: 'One grid cell as a GeoJSON Feature; its version is the ETag',
      params: idParams,
      response: { 200: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { rows } = await db.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = $1`, [request.params.id]);
    const row = rows[0];
    if (!row) throw problem('cells.not-found', { id: request.params.id });
    reply.header('etag', `"${row.version}"`);
    return toFeature(row);
  });
}
