import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { isProblemCode, problemCatalog } from '../../core/problems/index.ts';
import { problem } from '../problem.ts';
import type { BasemapStore } from './basemap.ts';
import { clientConfigSchema, levelSchema, type Bounds, type ClientConfig } from '../../core/contracts/system.ts';

/** Health, levels and what the client needs to know about this deployment. */
export default async function systemRoutes(app: FastifyInstance, { db, config, basemaps }: AppContext & { basemaps: BasemapStore }) {
  app.get('/api/health', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Is the server up, which database, which PostGIS',
      response: {
        200: { type: 'object', properties: { status: { type: 'string' }, db: { type: 'string', enum: ['embedded', 'postgres'] }, postgis: { type: 'string' } } },
        503: { type: 'object', properties: { status: { type: 'string' }, db: { type: 'string' }, error: { type: 'string' } } },
      },
    },
  }, async (_request, reply) => {
    try {
      const { rows } = await db.query<{ v: string }>('SELECT postgis_lib_version() AS v');
      return { status: 'ok', db: db.kind, postgis: rows[0]?.v ?? 'unknown' };
    } catch {
      return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', db: db.kind, error: 'database unreachable' });
    }
  });

  app.get('/api/levels', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'The configured grid levels', response: { 200: { type: 'array', items: levelSchema } } },
  }, async () => config.levels);

  app.get('/api/client-config', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'Levels and basemap for the map client',
      response: { 200: clientConfigSchema },
    },
  }, async (): Promise<ClientConfig> => {
    const { rows } = await db.query<{ b: Bounds | null }>(
      `SELECT CASE WHEN e IS NULL THEN NULL ELSE ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] END AS b
       FROM (SELECT ST_Extent(geom) AS e FROM cells WHERE level = 1) x`,
    );
    await basemaps.refresh();
    const basemap = basemaps.current();
    return { levels: config.levels, basemap, bounds: rows[0]?.b ?? null, timeZone: config.timeZone };
  });

  const problemDefSchema = {
    type: 'object',
    properties: { code: { type: 'string' }, status: { type: 'integer' }, en: { type: 'string' }, zh: { type: 'string' } },
  } as const;

  // The `type` of every problem answer resolves here: what the code means, in both languages.
  app.get('/api/problems', {
    config: { access: 'public' },
    schema: { tags: ['system'], summary: 'Every problem code the API answers, with its text in zh-CN and en', response: { 200: { type: 'array', items: problemDefSchema } } },
  }, async () => Object.entries(problemCatalog).map(([code, def]) => ({ code, ...def })));

  app.get<{ Params: { code: string } }>('/api/problems/:code', {
    config: { access: 'public' },
    schema: {
      tags: ['system'],
      summary: 'One problem code',
      params: { type: 'object', properties: { code: { type: 'string', maxLength: 80 } }, required: ['code'] },
      response: { 200: problemDefSchema },
    },
  }, async (request) => {
    const { code } = request.params;
    if (!isProblemCode(code)) throw problem('http.not-found', { method: 'GET', path: `/api/problems/${code}` });
    return { code, ...problemCatalog[code] };
  });
}
