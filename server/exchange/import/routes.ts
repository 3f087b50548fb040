import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import type { Queryable } from '../../db/db.ts';
import { audit } from '../../audit.ts';
import type { Actor } from '../../auth/actor.ts';
import { assertCellEditable, requirePermission } from '../../auth/guard.ts';
import { Problem, problem, problemSchema } from '../../problem.ts';
import { idSchema } from '../../schemas.ts';
import { checkCode, nextChildCode } from '../../cells/codes.ts';
import { checkGeometry, geographyProblem } from '../../cells/geometry.ts';
import { afterCellsChanged } from '../../cells/reroute.ts';
import type { SourceCrs } from './crs.ts';
import { fieldsOf, planImport, suggestMapping, type ImportOptions, type ImportPlan, type Mapping } from './plan.ts';
import { UnreadableFile, readUpload, type SourceFeature } from './read.ts';

const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Previews not committed within a day are dropped. */
const KEEP_HOURS = 24;

interface StoredImport {
  id: string;
  user_id: number;
  file_name: string;
  format: string;
  source_crs: SourceCrs | null;
  encoding: string | null;
  warnings: string[];
  features: SourceFeature[];
  committed_at: Date | null;
  committed_ids: number[] | null;
}

const fieldName = { anyOf: [{ type: 'string', minLength: 1, maxLength: 200 }, { type: 'null' }] } as const;
const optionsSchema = {
  type: 'object',
  properties: {
    mapping: {
      type: 'object',
      properties: { name: fieldName, code: fieldName, parentCode: fieldName, level: fieldName },
      required: ['name'],
      additionalProperties: false,
    },
    parentId: { anyOf: [idSchema, { type: 'null' }] },
    epsg: { anyOf: [{ type: 'integer', minimum: 1, maximum: 999999 }, { type: 'null' }] },
    exclude: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 20_000 },
    cutAntimeridian: { type: 'boolean', description: 'cut polygons crossing 180° longitude into MultiPolygons (RFC 7946)' },
  },
  required: ['mapping'],
  additionalProperties: false,
} as const;
const importParams = { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } as const;

/** The preview a planner sees: per-feature problems, the fields and mapping, the shapes for the map. */
function previewOf(stored: StoredImport, opts: ImportOptions, plan: ImportPlan) {
  return {
    id: stored.id,
    fileName: stored.file_name,
    format: stored.format,
    featureCount: stored.features.length,
    crs: plan.crs?.name ?? null,
    declaredCrs: stored.source_crs?.name ?? null,
    encoding: stored.encoding,
    warnings: stored.warnings,
    fields: fieldsOf(stored.features),
    mapping: opts.mapping,
    parentId: opts.parentId ?? null,
    epsg: opts.epsg ?? null,
    fileProblems: plan.fileProblems,
    summary: {
      features: stored.features.length,
      excluded: plan.features.filter((f) => f.excluded).length,
      withErrors: plan.features.filter((f) => !f.excluded && f.problems.some((p) => p.severity === 'error')).length,
      errors: plan.errors,
      warnings: plan.warnings,
      ready: plan.errors === 0,
    },
    features: plan.features,
    preview: {
      type: 'FeatureCollection',
      features: plan.features.flatMap((f) => {
        const geometry = plan.geometries[f.index];
        return geometry ? [{ type: 'Feature', id: f.index, geometry, properties: { index: f.index, name: f.name, code: f.code, level: f.level, errors: f.problems.filter((p) => p.severity === 'error').length } }] : [];
      }),
    },
  };
}

async function loadImport(q: Queryable, id: string, actor: Actor, lock = false): Promise<StoredImport> {
  const { rows } = await q.query<StoredImport>(
    `SELECT id, user_id, file_name, format, source_crs, encoding, warnings, features, committed_at, committed_ids FROM cell_imports WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  // Someone else's upload is not admitted to exist.
  if (!rows[0] || rows[0].user_id !== actor.id) throw problem('imports.not-found', { id });
  return rows[0];
}

/**
 * Importing cells from GIS files: upload → preview (per-feature report, fields, suggested mapping)
 * → commit with the planner's mapping, as one transaction through the checks of cell creation.
 */
export default async function importRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  await app.register(multipart, { limits: { files: 1, fileSize: MAX_UPLOAD_BYTES, fields: 10, fieldSize: 1024, parts: 12 } });

  app.post<{ Querystring: { epsg?: number } }>('/api/import/cells', {
    schema: {
      tags: ['import'],
      summary: 'Upload a boundary file (GeoJSON, zipped Shapefile, KML/KMZ, GeoPackage) as multipart field "file"; answers the preview',
      description: 'Nothing is written to the cells: the answer has an import id, a validation report per feature, the fields and a suggested mapping. '
        + 'Commit with POST /api/import/cells/{id}/commit. An "epsg" field or query parameter names the coordinate system when the file has none.',
      querystring: { type: 'object', properties: { epsg: { type: 'integer', minimum: 1, maximum: 999999 } }, additionalProperties: false },
      response: { '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = requirePermission(request, 'cells.edit');
    if (!request.isMultipart()) throw problem('imports.not-multipart');
    let fileName = '';
    let data: Buffer | null = null;
    let epsg = request.query.epsg ?? null;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file') throw problem('imports.wrong-field', { field: part.fieldname }, { errors: [{ field: part.fieldname, message: 'unexpected file' }] });
          fileName = part.filename || 'upload';
          data = await part.toBuffer();
        } else if (part.fieldname === 'epsg' && String(part.value).trim() !== '') {
          epsg = Number(part.value);
          if (!Number.isInteger(epsg)) throw problem('imports.bad-epsg', { value: String(part.value).slice(0, 40) }, { errors: [{ field: 'epsg', message: 'must be an integer' }] });
        }
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') throw problem('imports.file-too-large', { limitMb: MAX_UPLOAD_BYTES / 1024 / 1024 }, { errors: [{ field: 'file', message: 'too large' }] });
      if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw problem('imports.too-many-parts');
      throw err;
    }
    if (!data) throw problem('imports.no-file', {}, { errors: [{ field: 'file', message: 'required' }] });

    let source;
    try {
      source = await readUpload(fileName, data, db);
    } catch (e) {
      if (e instanceof UnreadableFile) throw e.problem(fileName);
      throw e;
    }
    const fields = fieldsOf(source.features).map((f) => f.name);
    const opts: ImportOptions = { mapping: suggestMapping(fields), epsg };
    const id = randomUUID();
    const stored: StoredImport = {
      id, user_id: actor.id, file_name: fileName, format: source.format, source_crs: source.crs, encoding: source.encoding,
      warnings: source.warnings, features: source.features, committed_at: null, committed_ids: null,
    };
    const plan = await planImport(db, config, actor, source, opts);
    await db.transaction(async (tx) => {
      await tx.query(`DELETE FROM cell_imports WHERE created_at < $1::timestamptz - make_interval(hours => $2)`, [now(), KEEP_HOURS]);
      await tx.query(
        `INSERT INTO cell_imports (id, user_id, file_name, format, source_crs, encoding, warnings, features, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, actor.id, fileName, source.format, source.crs ? JSON.stringify(source.crs) : null, source.encoding, JSON.stringify(source.warnings), JSON.stringify(source.features), now()]);
    });
    return reply.code(201).header('location', `/api/import/cells/${id}`).send(previewOf(stored, opts, plan));
  });

  app.post<{ Params: { id: string }; Body: ImportOptions }>('/api/import/cells/:id/preview', {
    schema: {
      tags: ['import'],
      summary: 'Check an uploaded file again with another mapping, parent or coordinate system (writes nothing)',
      params: importParams,
      body: optionsSchema,
      response: { '4xx': problemSchema },
    },
  }, async (request) => {
    const actor = requirePermission(request, 'cells.edit');
    const stored = await loadImport(db, request.params.id, actor);
    const opts = withMapping(request.body);
    const plan = await planImport(db, config, actor, { features: stored.features, crs: stored.source_crs }, opts);
    return previewOf(stored, opts, plan);
  });

  app.post<{ Params: { id: string }; Body: ImportOptions }>('/api/import/cells/:id/commit', {
    schema: {
      tags: ['import'],
      summary: 'Write the cells of an uploaded file with this mapping: all of them in one transaction, or none (422 with the report)',
      params: importParams,
      body: optionsSchema,
      response: { '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = requirePermission(request, 'cells.edit');
    const opts = withMapping(request.body);
    const refuse = (stored: StoredImport, plan: ImportPlan) => problem('imports.refused', { count: plan.errors, file: stored.file_name }, { report: previewOf(stored, opts, plan) });
    // The full check first, outside the transaction, for the report a refusal carries.
    const checked = await loadImport(db, request.params.id, actor);
    if (!checked.committed_at) {
      const plan = await planImport(db, config, actor, { features: checked.features, crs: checked.source_crs }, opts);
      if (plan.errors) throw refuse(checked, plan);
    }
    const result = await db.transaction(async (tx) => {
      const stored = await loadImport(tx, request.params.id, actor, true);
      if (stored.committed_at) throw problem('imports.already-committed', { ids: stored.committed_ids?.join(', ') ?? '' });
      await tx.query("SELECT set_config('wangge.actor', $1, true)", [actor.username]);
      // Codes, parents, levels and scope again under the lock: the cells may have changed since.
      const plan = await planImport(tx, config, actor, { features: stored.features, crs: stored.source_crs }, opts, { spatial: false });
      if (plan.errors) throw refuse(stored, plan);
      if (plan.writes.length === 0) throw problem('imports.nothing', {}, { errors: [{ field: 'exclude', message: 'leaves nothing' }] });
      const ids = new Map<number, { id: number; code: string }>();
      const cells: { index: number; id: number; code: string; name: string; level: number }[] = [];
      for (const w of plan.writes) {
        try {
          // The checks of POST /api/cells: scope, level, geometry inside the parent, code.
          let parentId: number | null = null;
          let parentCode: string | null = null;
          if (w.parent && 'id' in w.parent) {
            const { rows } = await tx.query<{ id: number; code: string }>('SELECT id, code FROM cells WHERE id = $1 FOR UPDATE', [w.parent.id]);
            if (!rows[0]) throw problem('cells.not-found', { id: w.parent.id });
            await assertCellEditable(tx, actor, rows[0].id, `Parent cell ${rows[0].id}`);
            ({ id: parentId, code: parentCode } = rows[0]);
          } else if (w.parent) {
            ({ id: parentId, code: parentCode } = ids.get(w.parent.index)!);
          }
          const geojson = await checkGeometry(tx, w.geometry, parentId);
          let code = w.code;
          if (code) checkCode(config.codeScheme, code, w.level, parentCode);
          else code = await nextChildCode(tx, config.codeScheme, parentCode!, w.level);
          const { rows } = await tx.query<{ id: number }>(
            `INSERT INTO cells (code, name, level, parent_id, geom, created_by, updated_by)
             VALUES ($1, $2, $3, $4, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326)), $6, $6) RETURNING id`,
            [code, w.name, w.level, parentId, geojson, actor.username]);
          ids.set(w.index, { id: rows[0]!.id, code });
          cells.push({ index: w.index, id: rows[0]!.id, code, name: w.name, level: w.level });
        } catch (e) {
          const p = e instanceof Problem ? e : geographyProblem(e, w.geometry);
          if (p) throw problem('imports.feature-refused', { feature: w.index + 1, name: w.name, reason: p.detail ?? p.title }, { ...p.extra, feature: w.index, cause: p.code ?? null });
          throw e;
        }
      }
      const created = cells.map((c) => c.id);
      await afterCellsChanged(tx, created);
      await tx.query('UPDATE cell_imports SET committed_at = $2, committed_ids = $3 WHERE id = $1', [stored.id, now(), created]);
      await audit(tx, request, 'cell.import', `import:${stored.id}`, { file: stored.file_name, format: stored.format, cells: created.length, crs: plan.crs?.name ?? null });
      return { id: stored.id, created: cells.length, cells };
    });
    return reply.code(201).send(result);
  });
}

function withMapping(body: ImportOptions): ImportOptions {
  const m = body.mapping;
  const mapping: Mapping = { name: m.name ?? null, code: m.code ?? null, parentCode: m.parentCode ?? null, level: m.level ?? null };
  return { mapping, parentId: body.parentId ?? null, epsg: body.epsg ?? null, exclude: body.exclude ?? [], cutAntimeridian: body.cutAntimeridian ?? false };
}

