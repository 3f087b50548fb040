import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { Problem, problemSchema } from '../problem.ts';
import { encodeCellsTile, type TileRequest } from './encode.ts';
import { Lru } from './lru.ts';

export const MAX_ZOOM = 22;
const CACHED_TILES = 2000;

interface Generation {
  value: number;
  /** Another session holds uncommitted writes to cells: what it will commit may already be counted. */
  unsettled: boolean;
}

/**
 * The cells generation, bumped by trigger on every change, in every server process. A sequence is
 * not transactional: a writer bumps it before it commits, so while any writer is open the number
 * may already count changes a query cannot see yet. The lock check runs after the sequence is read:
 * a writer that bumped it either still holds its lock or has committed.
 */
async function readGeneration(db: Queryable): Promise<Generation> {
  const seq = await db.query<{ value: number }>(
    // is_called is false until the first nextval, when last_value is already 1.
    `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS value FROM cells_generation`,
  );
  const locks = await db.query<{ unsettled: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'cells'::regclass AND mode = 'RowExclusiveLock'
       AND pid <> pg_backend_pid()) AS unsettled`,
  );
  return { value: seq.rows[0]!.value, unsettled: locks.rows[0]!.unsettled };
}

const matches = (ifNoneMatch: string | undefined, etag: string) =>
  ifNoneMatch !== undefined && ifNoneMatch.split(',').some((t) => ['*', etag].includes(t.trim().replace(/^W\//, '')));

/** Grid cells as Mapbox Vector Tiles for the map. */
export default async function tileRoutes(app: FastifyInstance, { db }: AppContext) {
  const encoder = db.kind === 'postgres' ? 'postgis' : 'node';
  // Keyed by generation, so an edit makes every older entry unreachable; they age out.
  const cache = new Lru<Buffer>(CACHED_TILES);
  const coordinate = { type: 'integer', minimum: 0, maximum: 2 ** MAX_ZOOM - 1 } as const;

  app.get<{ Params: { z: number; x: number; y: number }; Querystring: { level?: number } }>('/tiles/cells/:z/:x/:y.mvt', {
    schema: {
      tags: ['tiles'],
      summary: 'Grid cells as a Mapbox Vector Tile (layer "cells", extent 4096); 204 when empty',
      params: {
        type: 'object',
        properties: { z: { type: 'integer', minimum: 0, maximum: MAX_ZOOM }, x: coordinate, y: coordinate },
        required: ['z', 'x', 'y'],
      },
      querystring: {
        type: 'object',
        properties: { level: { type: 'integer', minimum: 1, maximum: 32767, description: 'only cells of this level' } },
        additionalProperties: false,
      },
      response: { '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const { z, x, y } = request.params;
    const { level } = request.query;
    const errors = (['x', 'y'] as const)
      .filter((k) => request.params[k] >= 2 ** z)
      .map((k) => ({ field: `params.${k}`, message: `must be at most ${2 ** z - 1} at zoom ${z}` }));
    if (errors.length) throw new Problem(400, 'Bad Request', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });

    const generation = await readGeneration(db);
    const key = `${generation.value}/${z}/${x}/${y}/${level ?? 'all'}`;
    const etag = `"cells-${key.replaceAll('/', '-')}"`;
    // Clients keep tiles but ask every time, so an edit shows at once.
    reply.header('cache-control', 'public, max-age=0, must-revalidate');
    // An ETag is only ever issued for a settled generation, so a match is never stale.
    if (matches(request.headers['if-none-match'], etag)) return reply.code(304).header('etag', etag).send();

    let tile = cache.get(key);
    // Cached entries were encoded at a settled generation; a fresh encode while unsettled is not kept.
    const settled = tile !== undefined || !generation.unsettled;
    if (tile === undefined) {
      tile = await encodeCellsTile(db, { z, x, y, level } satisfies TileRequest, encoder);
      if (settled) cache.set(key, tile);
    }
    if (settled) reply.header('etag', etag);
    else reply.header('cache-control', 'no-store');
    if (tile.length === 0) return reply.code(204).send();
    return reply.type('application/vnd.mapbox-vector-tile').send(tile);
  });
}
