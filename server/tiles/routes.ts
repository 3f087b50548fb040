import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { problem, problemSchema } from '../problem.ts';
import { publicBase } from '../public-url.ts';
import { cellsBounds, cellsStyle, tileJson } from './describe.ts';
import { encodeCellsTile } from './encode.ts';
import { Lru } from './lru.ts';
import { binaryResponse, documentResponse, emptyResponse } from '../response-schemas.ts';

const numbers = (n: number) => ({ type: 'array', items: { type: 'number' }, minItems: n, maxItems: n }) as const;
/** TileJSON 3.0.0 as tileJson() writes it. */
const tileJsonSchema = {
  type: 'object',
  properties: {
    tilejson: { type: 'string', const: '3.0.0' },
    name: { type: 'string' },
    description: { type: 'string' },
    version: { type: 'string' },
    scheme: { type: 'string', const: 'xyz' },
    tiles: { type: 'array', items: { type: 'string', format: 'uri' } },
    minzoom: { type: 'integer' },
    maxzoom: { type: 'integer' },
    bounds: numbers(4),
    center: numbers(3),
    vector_layers: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          description: { type: 'string' },
          minzoom: { type: 'integer' },
          maxzoom: { type: 'integer' },
          fields: { type: 'object', additionalProperties: { type: 'string' } },
        },
        required: ['id', 'fields'],
      },
    },
  },
  required: ['tilejson', 'tiles', 'minzoom', 'maxzoom', 'bounds', 'vector_layers'],
} as const;
/** A MapLibre style (https://maplibre.org/maplibre-style-spec/) as cellsStyle() writes it. */
const styleSchema = {
  type: 'object',
  properties: {
    version: { type: 'integer', const: 8 },
    name: { type: 'string' },
    center: numbers(2),
    zoom: { type: 'number' },
    glyphs: { type: 'string', description: 'WANGGE_GLYPHS_URL, when set' },
    sources: { type: 'object', additionalProperties: { type: 'object', properties: { type: { type: 'string' }, url: { type: 'string' } } } },
    layers: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, type: { type: 'string' } }, required: ['id', 'type'], additionalProperties: true } },
  },
  required: ['version', 'sources', 'layers'],
} as const;

const MAX_ZOOM = 22;
const CACHED_TILES = 2000;

/** The cells generation: bumped in the same transaction as every change, in every server process. */
async function readGeneration(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ generation: number }>('SELECT generation FROM cells_state');
  return rows[0]!.generation;
}

/** If-None-Match compares weakly: W/"x" matches "x". */
const matches = (ifNoneMatch: string | undefined, etag: string) =>
  ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag) ?? false;

/** Grid cells as Mapbox Vector Tiles for the map. */
export default async function tileRoutes(app: FastifyInstance, { db, config }: AppContext) {
  const encoder = db.kind === 'postgres' ? 'postgis' : 'node';
  // Keyed by generation, so an edit makes every older entry unreachable; they age out.
  const cache = new Lru<Buffer>(CACHED_TILES);
  const coordinate = { type: 'integer', minimum: 0, maximum: 2 ** MAX_ZOOM - 1 } as const;

  app.get<{ Params: { z: number; x: number; y: number }; Querystring: { level?: number } }>('/tiles/cells/:z/:x/:y.mvt', {
    config: { access: 'public' },
    schema: {
      tags: ['tiles'],
      summary: 'Grid cells as a Mapbox Vector Tile (layers "cells" and "labels", a point inside each cell, extent 4096); 204 when empty',
      description: 'Without level: the levels legible at the zoom (config levels[].minZoom/maxZoom), and at most 500 KB (the finest levels are left out until it fits).',
      params: {
        type: 'object',
        properties: { z: { type: 'integer', minimum: 0, maximum: MAX_ZOOM }, x: coordinate, y: coordinate },
        required: ['z', 'x', 'y'],
      },
      querystring: {
        type: 'object',
        properties: {
          level: { type: 'integer', minimum: 1, maximum: 32767, description: 'only cells of this level' },
          v: { type: 'integer', description: 'ignored; clients change it to skip their cache after an edit' },
        },
        additionalProperties: false,
      },
      response: {
        200: binaryResponse('The tile (Mapbox Vector Tile 2.1, protobuf)', 'application/vnd.mapbox-vector-tile'),
        204: emptyResponse('No cell in the tile'),
        304: emptyResponse('The tile is unchanged since the ETag in If-None-Match'),
        '4xx': problemSchema,
      },
    },
  }, async (request, reply) => {
    const { z, x, y } = request.params;
    const { level } = request.query;
    const errors = (['x', 'y'] as const)
      .filter((k) => request.params[k] >= 2 ** z)
      .map((k) => ({ field: `params.${k}`, message: `must be at most ${2 ** z - 1} at zoom ${z}` }));
    if (errors.length) throw problem('tiles.out-of-range', { field: errors.map((e) => e.field).join(', '), max: 2 ** z - 1, z }, { errors });

    const generation = await readGeneration(db);
    const key = `${generation}/${z}/${x}/${y}/${level ?? 'all'}`;
    const etag = `"cells-${key.replaceAll('/', '-')}"`;
    // Clients keep tiles but ask every time, so an edit shows at once.
    reply.header('cache-control', 'public, max-age=0, must-revalidate');
    // Public data: web maps on other sites may load it.
    reply.header('access-control-allow-origin', '*');
    if (matches(request.headers['if-none-match'], etag)) return reply.code(304).header('etag', etag).send();

    // Read after the generation, so a tile is never older than the number it is filed under.
    let tile = cache.get(key);
    if (tile === undefined) {
      tile = await encodeCellsTile(db, { z, x, y, level, levels: config.levels }, encoder);
      cache.set(key, tile);
    }
    reply.header('etag', etag);
    if (tile.length === 0) return reply.code(204).send();
    return reply.type('application/vnd.mapbox-vector-tile').send(tile);
  });

  // Other clients (QGIS, GDAL, MapLibre, ArcGIS) add the tiles by these URLs; absolute links from
  // WANGGE_PUBLIC_URL, never from the Host header.
  const noQuery = { type: 'object', properties: {}, additionalProperties: false } as const;
  app.get('/tiles/cells.json', {
    config: { access: 'public' },
    schema: {
      tags: ['tiles'],
      summary: 'TileJSON 3.0.0 of the cells tiles: the tile URL, the bounds of the cells, zooms and the layers\' fields',
      querystring: noQuery,
      response: { 200: documentResponse('TileJSON 3.0.0', tileJsonSchema) },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=0, must-revalidate').header('access-control-allow-origin', '*');
    return reply.type('application/json').send(JSON.stringify(tileJson(publicBase(request, config.publicUrl), await cellsBounds(db), config.levels)));
  });

  app.get('/styles/cells.json', {
    config: { access: 'public' },
    schema: {
      tags: ['tiles'],
      summary: 'A MapLibre style of the cells: levels coloured and named as in the app (glyphs: WANGGE_GLYPHS_URL when set)',
      querystring: noQuery,
      response: { 200: documentResponse('A MapLibre style (version 8)', styleSchema) },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=0, must-revalidate').header('access-control-allow-origin', '*');
    return reply.type('application/json').send(JSON.stringify(cellsStyle(publicBase(request, config.publicUrl), await cellsBounds(db), config.levels, config.glyphsUrl)));
  });
}
