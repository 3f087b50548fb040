import type { FastifyInstance } from 'fastify';
import type { MultiPolygon } from 'geojson';
import type { AppContext } from '../context.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { toFeature } from './feature.ts';
import {
  cellPatchBodySchema, cellVersionSchema, mergeBodySchema, newCellBodySchema, reshapeBodySchema, restoreBodySchema, splitBodySchema,
  type CellPatchBody, type CellVersion, type MergeBody, type NewCellBody, type ReshapeBody, type RestoreBody, type SplitBody,
} from '../../core/contracts/cells.ts';
import { checkStructure } from './geometry.ts';
import { CellWriter } from './writer.ts';
import { createCell, deleteCell, mergeCells, reshapeCells, restoreCell, splitCell, updateCell } from './edits.ts';

/** Creating, editing, splitting, merging, deleting and restoring cells; each change one transaction. */
export default async function cellEditRoutes(app: FastifyInstance, { db, config }: AppContext) {
  const levelCount = config.levels.length;

  app.post<{ Body: NewCellBody }>('/api/cells', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Create a cell inside its parent; the code is generated unless given',
      body: newCellBodySchema(levelCount),
      response: { 201: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const row = await db.transaction((tx) => createCell(new CellWriter(tx, request), config, request.body));
    reply.header('etag', `"${row.version}"`);
    return reply.code(201).send(toFeature(row));
  });

  app.patch<{ Params: { id: number }; Body: CellPatchBody }>('/api/cells/:id', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Rename or reshape a cell; If-Match with its version is required (stale → 409)',
      params: idParams,
      body: cellPatchBodySchema,
      response: { 200: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const row = await db.transaction((tx) => updateCell(new CellWriter(tx, request), request.params.id, request.headers['if-match'], request.body));
    reply.header('etag', `"${row.version}"`);
    return toFeature(row);
  });

  // Topological editing: a border shared by several cells is moved in all of them at once, so it
  // stays shared. Every cell carries the version it was edited from; one stale version refuses all.
  app.post<{ Body: ReshapeBody }>('/api/cells/reshape', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Reshape several cells in one transaction (a shared border moved in every cell that has it); each with the version it was edited from',
      body: reshapeBodySchema,
      response: { 200: { $ref: 'CellCollection#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const edits = request.body.cells;
    const ids = edits.map((e) => e.id);
    if (new Set(ids).size !== ids.length) throw problem('cells.duplicate-id', {}, { errors: [{ field: 'cells', message: 'duplicate id' }] });
    edits.forEach((e, i) => checkStructure(e.geometry, `cells[${i}].geometry`));
    const rows = await db.transaction((tx) => reshapeCells(new CellWriter(tx, request), edits));
    return { type: 'FeatureCollection', features: rows.map(toFeature) };
  });

  app.delete<{ Params: { id: number }; Querystring: { childrenTo?: number } }>('/api/cells/:id', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Delete a cell; refused while it has children unless childrenTo names the sibling that takes them',
      params: idParams,
      querystring: { type: 'object', properties: { childrenTo: idSchema }, additionalProperties: false },
      response: { 204: { type: 'null' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    await db.transaction((tx) => deleteCell(new CellWriter(tx, request), request.params.id, request.query.childrenTo));
    return reply.code(204).send();
  });

  app.post<{ Params: { id: number }; Body: SplitBody }>('/api/cells/:id/split', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Split a cell along a line; the parts tile the old cell exactly; children follow their part',
      params: idParams,
      body: splitBodySchema,
      response: { 201: { $ref: 'CellCollection#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const line = request.body.type === 'Feature' ? request.body.geometry : request.body;
    const coordinates = line?.coordinates;
    if (!coordinates) throw problem('cells.line-required', {}, { errors: [{ field: 'body', message: 'LineString required' }] });
    // Either way the line's type is 'LineString' here (the body's own, or its Feature's geometry's).
    const rows = await db.transaction((tx) => splitCell(new CellWriter(tx, request), config, request.params.id, { ...line, type: 'LineString', coordinates }));
    return reply.code(201).send({ type: 'FeatureCollection', features: rows.map(toFeature) });
  });

  app.post<{ Body: MergeBody }>('/api/cells/merge', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Merge adjacent cells of one parent into the first; children move with them',
      body: mergeBodySchema,
      response: { 200: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const row = await db.transaction((tx) => mergeCells(new CellWriter(tx, request), request.body.ids, request.body.name));
    return toFeature(row);
  });

  app.get<{ Params: { id: number }; Reply: CellVersion[] }>('/api/cells/:id/history', {
    config: { access: 'public' },
    schema: {
      tags: ['cells'],
      summary: 'Every version of a cell: geometry, when, what changed; who changed it only for signed-in users',
      params: idParams,
      response: { 200: { type: 'array', items: cellVersionSchema }, '4xx': problemSchema },
    },
  }, async (request) => {
    const { rows } = await db.query<{ version: number; name: string; code: string; parent_id: number | null; changed_at: Date; changed_by: string | null; operation: CellVersion['operation']; changed: string[]; geometry: MultiPolygon; area_m2: number }>(
      `SELECT version, name, code, parent_id, changed_at, changed_by, operation, changed, ST_AsGeoJSON(ST_ForcePolygonCCW(geom), 7)::json AS geometry,
              ST_Area(geom::geography) AS area_m2
       FROM cell_versions WHERE cell_id = $1 ORDER BY changed_at, version`, [request.params.id]);
    if (!rows.length) throw problem('cells.not-found', { id: request.params.id });
    // The public sees what changed and when, not who: staff usernames are for signed-in users.
    const staff = request.user !== null;
    return rows.map((r) => ({
      version: r.version, operation: r.operation, changed: r.changed, changedAt: r.changed_at.toISOString(), ...(staff ? { changedBy: r.changed_by } : {}),
      name: r.name, code: r.code, parentId: r.parent_id, areaM2: Math.round(r.area_m2 * 100) / 100, geometry: r.geometry,
    }));
  });

  app.post<{ Params: { id: number }; Body: RestoreBody }>('/api/cells/:id/restore', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Restore the name and geometry of an earlier version (as a new version)',
      params: idParams,
      body: restoreBodySchema,
      response: { 200: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const row = await db.transaction((tx) => restoreCell(new CellWriter(tx, request), request.params.id, request.body.version));
    return toFeature(row);
  });
}
