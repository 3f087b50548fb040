import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LineString, MultiPolygon } from 'geojson';
import type { AppContext } from '../context.ts';
import type { Queryable } from '../db/db.ts';
import { audit } from '../audit.ts';
import { assertCellEditable, cellWhat, assertOutlineEditable } from '../auth/guard.ts';
import { problem, problemSchema } from '../problem.ts';
import { idParams, idSchema } from '../schemas.ts';
import { checkCode, nextChildCode } from './codes.ts';
import { CELL_COLUMNS, toFeature, type CellRow } from './feature.ts';
import { CELL_NAME_MAX_LENGTH, cellVersionSchema, type CellVersion } from '../../core/contracts/cells.ts';
import { checkGeometry, checkInsideParent, checkStructure, checkValidity, geometrySchema, type CellGeometry } from './geometry.ts';
import { afterCellsChanged } from './reroute.ts';

interface NewCell {
  type: 'Feature';
  geometry: CellGeometry;
  properties: { name: string; level: number; parentId: number | null; code?: string };
}

interface ReshapeEdit {
  id: number;
  version: number;
  geometry: CellGeometry;
}

interface CellPatch {
  type?: 'Feature';
  geometry?: CellGeometry;
  properties?: { name?: string };
}

const nameSchema = { type: 'string', minLength: 1, maxLength: CELL_NAME_MAX_LENGTH, pattern: '\\S' } as const;

async function loadCell(q: Queryable, id: number, lock = false): Promise<CellRow> {
  const { rows } = await q.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  if (!rows[0]) throw problem('cells.not-found', { id });
  return rows[0];
}

/** Who the trigger records for rows this transaction deletes. */
async function setActor(q: Queryable, request: FastifyRequest) {
  await q.query("SELECT set_config('wangge.actor', $1, true)", [request.user?.username ?? '']);
}

function parseIfMatch(request: FastifyRequest): number {
  const h = request.headers['if-match'];
  if (!h) throw problem('cells.if-match-required');
  const v = Number(String(h).replace(/^W\//, '').replace(/"/g, ''));
  if (!Number.isInteger(v) || v < 1) throw problem('cells.if-match-invalid', { value: String(h) });
  return v;
}

/** Creating, editing, splitting, merging, deleting and restoring cells; each change one transaction. */
export default async function cellEditRoutes(app: FastifyInstance, { db, config }: AppContext) {
  const levelCount = config.levels.length;

  app.post<{ Body: NewCell }>('/api/cells', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Create a cell inside its parent; the code is generated unless given',
      body: {
        type: 'object',
        properties: {
          type: { const: 'Feature' },
          geometry: geometrySchema,
          properties: {
            type: 'object',
            properties: { name: nameSchema, level: { type: 'integer', minimum: 1, maximum: levelCount }, parentId: { anyOf: [idSchema, { type: 'null' }] }, code: { type: 'string', maxLength: 64 } },
            required: ['name', 'level', 'parentId'],
          },
        },
        required: ['type', 'geometry', 'properties'],
      },
      response: { 201: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const { geometry, properties: p } = request.body;
    const row = await db.transaction(async (tx) => {
      let parentCode: string | null = null;
      if (p.parentId === null) {
        if (p.level !== 1) throw problem('cells.parent-required', {}, { errors: [{ field: 'properties.parentId', message: 'required below level 1' }] });
        if (actor.role !== 'admin' && actor.scope.length) throw problem('cells.top-level-forbidden');
      } else {
        const parent = await loadCell(tx, p.parentId, true).catch(() => {
          throw problem('cells.parent-not-found', { id: p.parentId }, { errors: [{ field: 'properties.parentId', message: 'unknown cell' }] });
        });
        await assertCellEditable(tx, actor, parent.id, `Parent cell ${parent.id} (${parent.name})`);
        if (p.level !== parent.level + 1) {
          throw problem('cells.level-mismatch', { level: p.level, parentLevel: parent.level, expected: parent.level + 1 }, { errors: [{ field: 'properties.level', message: `must be ${parent.level + 1}` }] });
        }
        parentCode = parent.code;
      }
      const geojson = await checkGeometry(tx, geometry, p.parentId);
      let code = p.code;
      if (code !== undefined) checkCode(config.codeScheme, code, p.level, parentCode);
      else if (parentCode) code = await nextChildCode(tx, config.codeScheme, parentCode, p.level);
      else throw problem('cells.code-required', {}, { errors: [{ field: 'properties.code', message: 'required at level 1' }] });
      const dup = await tx.query('SELECT 1 FROM cells WHERE code = $1', [code]);
      if (dup.rowCount) throw problem('cells.code-taken', { code }, { errors: [{ field: 'properties.code', message: 'duplicate' }] });
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by)
         VALUES ($1, $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)), $6, $6) RETURNING id`,
        [code, p.name.trim(), p.level, p.parentId, geojson, actor.username]);
      const id = rows[0]!.id;
      await afterCellsChanged(tx, [id]);
      await audit(tx, request, 'cell.create', `cell:${id}`, { code, name: p.name });
      return loadCell(tx, id);
    });
    reply.header('etag', `"${row.version}"`);
    return reply.code(201).send(toFeature(row));
  });

  app.patch<{ Params: { id: number }; Body: CellPatch }>('/api/cells/:id', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Rename or reshape a cell; If-Match with its version is required (stale → 409)',
      params: idParams,
      body: {
        type: 'object',
        properties: { type: { const: 'Feature' }, geometry: geometrySchema, properties: { type: 'object', properties: { name: nameSchema } } },
        anyOf: [{ required: ['geometry'] }, { required: ['properties'] }],
      },
      response: { 200: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const { geometry, properties } = request.body;
    const row = await db.transaction(async (tx) => {
      const current = await loadCell(tx, request.params.id, true);
      await assertCellEditable(tx, actor, current.id, cellWhat(current.id, current.name));
      if (geometry) await assertOutlineEditable(tx, actor, current);
      const expected = parseIfMatch(request);
      if (current.version !== expected) {
        throw problem('cells.version-conflict', { id: current.id, expected, current: current.version }, { current: toFeature(current) });
      }
      const geojson = geometry ? await checkGeometry(tx, geometry, current.parent_id) : null;
      await tx.query(
        `UPDATE cells SET name = COALESCE($2, name), geom = COALESCE(ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)), geom),
           version = version + 1, updated_at = now(), updated_by = $4 WHERE id = $1`,
        [current.id, properties?.name?.trim() ?? null, geojson, actor.username]);
      if (geojson) await afterCellsChanged(tx, [current.id]);
      await audit(tx, request, 'cell.update', `cell:${current.id}`, { changed: [...(properties?.name ? ['name'] : []), ...(geometry ? ['geometry'] : [])] });
      return loadCell(tx, current.id);
    });
    reply.header('etag', `"${row.version}"`);
    return toFeature(row);
  });

  // Topological editing: a border shared by several cells is moved in all of them at once, so it
  // stays shared. Every cell carries the version it was edited from; one stale version refuses all.
  app.post<{ Body: { cells: ReshapeEdit[] } }>('/api/cells/reshape', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Reshape several cells in one transaction (a shared border moved in every cell that has it); each with the version it was edited from',
      body: {
        type: 'object',
        properties: {
          cells: {
            type: 'array', minItems: 1, maxItems: 200,
            items: { type: 'object', properties: { id: idSchema, version: { type: 'integer', minimum: 1 }, geometry: geometrySchema }, required: ['id', 'version', 'geometry'], additionalProperties: false },
          },
        },
        required: ['cells'],
        additionalProperties: false,
      },
      response: { 200: { $ref: 'CellCollection#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const edits = request.body.cells;
    const ids = edits.map((e) => e.id);
    if (new Set(ids).size !== ids.length) throw problem('cells.duplicate-id', {}, { errors: [{ field: 'cells', message: 'duplicate id' }] });
    edits.forEach((e, i) => checkStructure(e.geometry, `cells[${i}].geometry`));
    const rows = await db.transaction(async (tx) => {
      // Locked in id order, so two overlapping batches cannot deadlock.
      const { rows: current } = await tx.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = ANY($1::int[]) ORDER BY c.id FOR UPDATE`, [ids]);
      const missing = ids.filter((id) => !current.some((c) => c.id === id));
      if (missing.length) throw problem('cells.not-found', { id: missing.join(', ') });
      for (const c of current) {
        await assertCellEditable(tx, actor, c.id, cellWhat(c.id, c.name));
        await assertOutlineEditable(tx, actor, c);
      }
      const stale = current.filter((c) => c.version !== edits.find((e) => e.id === c.id)!.version);
      if (stale.length) {
        const list = stale.map((c) => `${c.name} (edited version ${edits.find((e) => e.id === c.id)!.version}, now ${c.version})`).join(', ');
        throw problem('cells.changed-meanwhile', { list }, { current: stale.map(toFeature) });
      }
      const byId = new Map(current.map((c) => [c.id, c]));
      const geojson = new Map<number, string>();
      for (const [i, e] of edits.entries()) {
        const json = JSON.stringify(e.geometry);
        await checkValidity(tx, json, `cells[${i}].geometry`);
        geojson.set(e.id, json);
      }
      // Parents first, so each child is checked against its parent's new outline.
      const order = [...edits].sort((a, b) => byId.get(a.id)!.level - byId.get(b.id)!.level);
      for (const e of order) {
        await tx.query(
          `UPDATE cells SET geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)), version = version + 1, updated_at = now(), updated_by = $3 WHERE id = $1`,
          [e.id, geojson.get(e.id), actor.username]);
      }
      for (const e of order) {
        const cell = byId.get(e.id)!;
        if (cell.parent_id !== null) await checkInsideParent(tx, geojson.get(e.id)!, cell.parent_id, `${cell.name} (${cell.code})`);
      }
      await afterCellsChanged(tx, ids);
      for (const id of ids) await audit(tx, request, 'cell.update', `cell:${id}`, { changed: ['geometry'], with: ids.filter((x) => x !== id) });
      const { rows: out } = await tx.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = ANY($1::int[]) ORDER BY c.id`, [ids]);
      return out;
    });
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
    const actor = request.actor;
    const { childrenTo } = request.query;
    await db.transaction(async (tx) => {
      const cell = await loadCell(tx, request.params.id, true);
      await assertCellEditable(tx, actor, cell.id, cellWhat(cell.id, cell.name));
      await assertOutlineEditable(tx, actor, cell);
      const kids = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM cells WHERE parent_id = $1', [cell.id]);
      const n = kids.rows[0]!.n;
      if (n > 0) {
        if (childrenTo === undefined) throw problem('cells.has-children', { id: cell.id, name: cell.name, count: n }, { children: n });
        const target = await loadCell(tx, childrenTo, true);
        if (target.id === cell.id || target.level !== cell.level) throw problem('cells.children-to-invalid', {}, { errors: [{ field: 'querystring.childrenTo', message: 'must be a cell of the same level' }] });
        await assertCellEditable(tx, actor, target.id, cellWhat(target.id, target.name));
        await tx.query('UPDATE cells SET parent_id = $2, version = version + 1, updated_at = now(), updated_by = $3 WHERE parent_id = $1', [cell.id, target.id, actor.username]);
      }
      await setActor(tx, request);
      await tx.query('DELETE FROM cells WHERE id = $1', [cell.id]);
      await afterCellsChanged(tx, cell.parent_id ? [cell.parent_id] : []);
      await audit(tx, request, 'cell.delete', `cell:${cell.id}`, { code: cell.code, name: cell.name, childrenTo: childrenTo ?? null });
    });
    return reply.code(204).send();
  });

  app.post<{ Params: { id: number }; Body: LineString | { type: 'Feature'; geometry: LineString } }>('/api/cells/:id/split', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Split a cell along a line; the parts tile the old cell exactly; children follow their part',
      params: idParams,
      body: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['LineString', 'Feature'] },
          coordinates: { type: 'array', minItems: 2, items: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } },
          geometry: { type: 'object', properties: { type: { const: 'LineString' }, coordinates: { type: 'array', minItems: 2, items: { type: 'array', minItems: 2, maxItems: 3, items: { type: 'number' } } } }, required: ['type', 'coordinates'] },
        },
        required: ['type'],
      },
      response: { 201: { $ref: 'CellCollection#' }, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const line = request.body.type === 'Feature' ? request.body.geometry : request.body;
    if (!line?.coordinates) throw problem('cells.line-required', {}, { errors: [{ field: 'body', message: 'LineString required' }] });
    const rows = await db.transaction(async (tx) => {
      const cell = await loadCell(tx, request.params.id, true);
      await assertCellEditable(tx, actor, cell.id, cellWhat(cell.id, cell.name));
      await assertOutlineEditable(tx, actor, cell);
      const { rows: parts } = await tx.query<{ geom: string }>(
        `SELECT ST_AsHexEWKB(ST_Multi(d.geom)) AS geom FROM cells c,
           LATERAL ST_Dump(ST_Split(c.geom, ST_SetSRID(ST_GeomFromGeoJSON($2), 4326))) d
         WHERE c.id = $1 ORDER BY ST_Area(d.geom::geography) DESC`,
        [cell.id, JSON.stringify(line)]);
      if (parts.length < 2) throw problem('cells.line-does-not-cut', {}, { errors: [{ field: 'body', message: 'does not cross the cell' }] });
      // The largest part keeps the cell's id and code; the others become new siblings.
      await tx.query('UPDATE cells SET geom = $2::geometry, version = version + 1, updated_at = now(), updated_by = $3 WHERE id = $1', [cell.id, parts[0]!.geom, actor.username]);
      const ids = [cell.id];
      for (const [i, part] of parts.slice(1).entries()) {
        const code = cell.parent_id ? await nextChildCode(tx, config.codeScheme, cell.code.slice(0, -config.codeScheme.digitsPerLevel), cell.level) : `${cell.code}-${i + 2}`;
        const r = await tx.query<{ id: number }>(
          `INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by) VALUES ($1, $2, $3, $4, $5::geometry, $6, $6) RETURNING id`,
          [code, `${cell.name} (${i + 2})`, cell.level, cell.parent_id, part.geom, actor.username]);
        ids.push(r.rows[0]!.id);
      }
      // Each child goes to the part that holds most of it.
      await tx.query(
        `UPDATE cells k SET parent_id = best.id, version = k.version + 1, updated_at = now(), updated_by = $3
         FROM (SELECT DISTINCT ON (k2.id) k2.id AS kid, p.id FROM cells k2 JOIN cells p ON p.id = ANY($2::int[]) AND p.geom && k2.geom
               WHERE k2.parent_id = $1 ORDER BY k2.id, ST_Area(ST_Intersection(p.geom, k2.geom)) DESC) best
         WHERE k.id = best.kid AND k.parent_id IS DISTINCT FROM best.id`,
        [cell.id, ids, actor.username]);
      await afterCellsChanged(tx, ids);
      await audit(tx, request, 'cell.split', `cell:${cell.id}`, { into: ids });
      const { rows: out } = await tx.query<CellRow>(`SELECT ${CELL_COLUMNS} FROM cells c WHERE c.id = ANY($1::int[]) ORDER BY c.id`, [ids]);
      return out;
    });
    return reply.code(201).send({ type: 'FeatureCollection', features: rows.map(toFeature) });
  });

  app.post<{ Body: { ids: number[]; name?: string } }>('/api/cells/merge', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Merge adjacent cells of one parent into the first; children move with them',
      body: {
        type: 'object',
        properties: { ids: { type: 'array', items: idSchema, minItems: 2, maxItems: 100, uniqueItems: true }, name: nameSchema },
        required: ['ids'],
        additionalProperties: false,
      },
      response: { 200: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const { ids, name } = request.body;
    const row = await db.transaction(async (tx) => {
      const { rows: cells } = await tx.query<{ id: number; parent_id: number | null; level: number; name: string }>(
        'SELECT id, parent_id, level, name FROM cells WHERE id = ANY($1::int[]) ORDER BY array_position($1::int[], id) FOR UPDATE', [ids]);
      const missing = ids.filter((id) => !cells.some((c) => c.id === id));
      if (missing.length) throw problem('cells.not-found', { id: missing.join(', ') });
      for (const c of cells) {
        await assertCellEditable(tx, actor, c.id, cellWhat(c.id, c.name));
        await assertOutlineEditable(tx, actor, c);
      }
      if (new Set(cells.map((c) => c.parent_id)).size > 1) throw problem('cells.merge-different-parents', {}, { errors: [{ field: 'ids', message: 'different parents' }] });
      // Adjacent: cells share a stretch of border (or overlap); touching at a point is not enough.
      const { rows: links } = await tx.query<{ a: number; b: number }>(
        `SELECT a.id AS a, b.id AS b FROM cells a JOIN cells b ON a.id < b.id AND a.geom && b.geom
         WHERE a.id = ANY($1::int[]) AND b.id = ANY($1::int[]) AND (ST_Relate(a.geom, b.geom, '2********') OR ST_Relate(a.geom, b.geom, '****1****'))`, [ids]);
      const reached = new Set([ids[0]!]);
      for (let grew = true; grew;) {
        grew = false;
        for (const { a, b } of links) {
          if (reached.has(a) !== reached.has(b)) { reached.add(a); reached.add(b); grew = true; }
        }
      }
      if (reached.size < ids.length) {
        const apart = ids.filter((id) => !reached.has(id));
        throw problem('cells.merge-not-adjacent', { ids: apart.join(', ') }, { errors: [{ field: 'ids', message: 'not adjacent' }] });
      }
      const [keep, ...gone] = ids as [number, ...number[]];
      await tx.query(
        `UPDATE cells SET geom = (SELECT ST_Multi(ST_UnaryUnion(ST_Collect(geom))) FROM cells WHERE id = ANY($2::int[])),
           name = COALESCE($3, name), version = version + 1, updated_at = now(), updated_by = $4 WHERE id = $1`,
        [keep, ids, name?.trim() ?? null, actor.username]);
      await tx.query('UPDATE cells SET parent_id = $1, version = version + 1, updated_at = now(), updated_by = $3 WHERE parent_id = ANY($2::int[])', [keep, gone, actor.username]);
      await setActor(tx, request);
      await afterCellsChanged(tx, [keep], gone);
      await tx.query('DELETE FROM cells WHERE id = ANY($1::int[])', [gone]);
      await audit(tx, request, 'cell.merge', `cell:${keep}`, { merged: gone });
      return loadCell(tx, keep);
    });
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

  app.post<{ Params: { id: number }; Body: { version: number } }>('/api/cells/:id/restore', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['cells'],
      summary: 'Restore the name and geometry of an earlier version (as a new version)',
      params: idParams,
      body: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } }, required: ['version'], additionalProperties: false },
      response: { 200: { $ref: 'CellFeature#' }, '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = request.actor;
    const row = await db.transaction(async (tx) => {
      const cell = await loadCell(tx, request.params.id, true);
      await assertCellEditable(tx, actor, cell.id, cellWhat(cell.id, cell.name));
      await assertOutlineEditable(tx, actor, cell);
      const { rows } = await tx.query<{ name: string; geometry: CellGeometry }>(
        `SELECT name, ST_AsGeoJSON(geom)::json AS geometry FROM cell_versions WHERE cell_id = $1 AND version = $2 AND operation <> 'delete' ORDER BY changed_at DESC LIMIT 1`,
        [cell.id, request.body.version]);
      const old = rows[0];
      if (!old) throw problem('cells.version-not-found', { version: request.body.version, id: cell.id });
      checkStructure(old.geometry);
      const geojson = await checkGeometry(tx, old.geometry, cell.parent_id);
      await tx.query(
        `UPDATE cells SET name = $2, geom = ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3), 4326)), version = version + 1, updated_at = now(), updated_by = $4 WHERE id = $1`,
        [cell.id, old.name, geojson, actor.username]);
      await afterCellsChanged(tx, [cell.id]);
      await audit(tx, request, 'cell.restore', `cell:${cell.id}`, { version: request.body.version });
      return loadCell(tx, cell.id);
    });
    return toFeature(row);
  });
}
