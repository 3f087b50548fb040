import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import type { Db, Queryable } from '../../db/db.ts';
import type { Actor } from '../../auth/actor.ts';
import { assertCellEditable } from '../../auth/guard.ts';
import { problem, problemSchema } from '../../problem.ts';
import { idSchema } from '../../schemas.ts';
import { CellWriter } from '../../cells/writer.ts';
import { toStoredPrecision } from '../../cells/geometry.ts';
import { cellImportCommittedSchema, cellImportPreviewSchema, type CellImportPreview } from '../../../core/contracts/imports.ts';
import type { SourceCrs } from './crs.ts';
import { fieldsOf, planImport, suggestMapping, type ImportOptions, type ImportPlan, type Mapping, type SpatialFindings } from './plan.ts';
import { ReadTooSlow, UnreadableFile, readUpload, type ImportNotice, type SourceFeature } from './read.ts';
import { loadFeatures, storeFeatures } from './store.ts';

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
  /** What the reader noticed (imports stored before notices had codes hold their English text). */
  warnings: (ImportNotice | string)[];
  committed_at: Date | null;
  committed_ids: number[] | null;
  /** The last check's options and PostGIS findings, whose staged geometries a commit with the same options reuses. */
  checked_options: string | null;
  checked_spatial: SpatialFindings | null;
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

function previewOf(stored: StoredImport, features: SourceFeature[], opts: ImportOptions, plan: ImportPlan): CellImportPreview {
  const notices = stored.warnings.map((n) => (typeof n === 'string' ? { code: null, params: {}, message: n } : n));
  return {
    id: stored.id,
    fileName: stored.file_name,
    format: stored.format,
    featureCount: features.length,
    crs: plan.crs?.name ?? null,
    declaredCrs: stored.source_crs?.name ?? null,
    encoding: stored.encoding,
    warnings: notices.map((n) => n.message),
    notices,
    fields: fieldsOf(features),
    mapping: opts.mapping,
    parentId: opts.parentId ?? null,
    epsg: opts.epsg ?? null,
    fileProblems: plan.fileProblems,
    summary: {
      features: features.length,
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
        return geometry ? [{ type: 'Feature', id: f.index, geometry: toStoredPrecision(geometry), properties: { index: f.index, name: f.name, code: f.code, level: f.level, errors: f.problems.filter((p) => p.severity === 'error').length } }] : [];
      }),
    },
  };
}

/**
 * A preview answered as JSON.stringify writes it: its every geometry (megabytes of coordinates) is
 * written several times faster than by the response schema's serializer, and as one flat string
 * that the socket takes without joining it first. The object is built to the schema (previewOf).
 */
function sendPreview(reply: FastifyReply, preview: CellImportPreview) {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(preview));
}

async function loadImport(q: Queryable, id: string, actor: Actor, lock = false): Promise<StoredImport> {
  const { rows } = await q.query<StoredImport>(
    `SELECT id, user_id, file_name, format, source_crs, encoding, warnings, committed_at, committed_ids, checked_options, checked_spatial
     FROM cell_imports WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
  // Someone else's upload is not admitted to exist.
  if (!rows[0] || rows[0].user_id !== actor.id) throw problem('imports.not-found', { id });
  return rows[0];
}

/** The options as one canonical string: a commit reuses a check made with the same. */
const optionsKey = (o: ImportOptions) => JSON.stringify([o.mapping.name ?? null, o.mapping.code ?? null, o.mapping.parentCode ?? null, o.mapping.level ?? null,
  o.parentId ?? null, o.epsg ?? null, [...new Set(o.exclude ?? [])].sort((a, b) => a - b), o.cutAntimeridian ?? false]);

const dropRun = (q: Queryable, run: string | undefined) => (run ? q.query('DELETE FROM cell_import_staging WHERE run = $1', [run]).then(() => undefined) : Promise.resolve());

/**
 * Checks an import with these options and keeps the result as the import's last check: its staged
 * geometries stay (the previous check's go) for a commit with the same options.
 */
async function check(db: Db, config: AppContext['config'], actor: Actor, stored: StoredImport, features: SourceFeature[], opts: ImportOptions) {
  const run = randomUUID();
  let plan: ImportPlan;
  try {
    plan = await planImport(db, config, actor, { features, crs: stored.source_crs }, opts, run);
  } catch (e) {
    await dropRun(db, run).catch(() => {});
    throw e;
  }
  const { rows } = await db.query<{ previous: string | null }>(
    `UPDATE cell_imports n SET checked_options = $2, checked_spatial = $3 FROM cell_imports o
     WHERE n.id = $1 AND o.id = n.id RETURNING o.checked_spatial->>'run' AS previous`,
    [stored.id, optionsKey(opts), JSON.stringify(plan.spatial)]);
  await dropRun(db, rows[0]?.previous ?? undefined);
  return plan;
}

/**
 * Importing cells from GIS files: upload → preview (per-feature report, fields, suggested mapping)
 * → commit with the planner's mapping, as one transaction through the checks of cell creation.
 */
export default async function importRoutes(app: FastifyInstance, { db, config, now }: AppContext) {
  await app.register(multipart, { limits: { files: 1, fileSize: MAX_UPLOAD_BYTES, fields: 10, fieldSize: 1024, parts: 12 } });

  app.post<{ Querystring: { epsg?: number } }>('/api/import/cells', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['import'],
      summary: 'Upload a boundary file (GeoJSON, zipped Shapefile, KML/KMZ, GeoPackage) as multipart field "file"; answers the preview',
      description: 'Nothing is written to the cells: the answer has an import id, a validation report per feature, the fields and a suggested mapping. '
        + 'Commit with POST /api/import/cells/{id}/commit. An "epsg" field or query parameter names the coordinate system when the file has none.',
      querystring: { type: 'object', properties: { epsg: { type: 'integer', minimum: 1, maximum: 999999 } }, additionalProperties: false },
      response: { 201: cellImportPreviewSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
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
      if (e instanceof ReadTooSlow) throw problem('imports.too-slow', { file: fileName, seconds: e.seconds }, { errors: [{ field: 'file', message: 'reading took too long' }] });
      throw e;
    }
    data = null;
    const fields = fieldsOf(source.features).map((f) => f.name);
    const opts: ImportOptions = { mapping: suggestMapping(fields), epsg };
    const id = randomUUID();
    const stored: StoredImport = {
      id, user_id: actor.id, file_name: fileName, format: source.format, source_crs: source.crs, encoding: source.encoding,
      warnings: source.notices, committed_at: null, committed_ids: null, checked_options: null, checked_spatial: null,
    };
    // Day-old previews and staging rows a crash left behind go first.
    await db.query(`DELETE FROM cell_imports WHERE created_at < $1::timestamptz - make_interval(hours => $2)`, [now(), KEEP_HOURS]);
    await db.query(`DELETE FROM cell_import_staging WHERE created_at < now() - make_interval(hours => $1)`, [KEEP_HOURS]);
    // The import row, then its features in short statements: a preview without its features is never read
    // (the answer comes after the last is stored), and one a crash cut short is dropped with the day-old ones.
    await db.query(
      `INSERT INTO cell_imports (id, user_id, file_name, format, source_crs, encoding, warnings, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, actor.id, fileName, source.format, source.crs ? JSON.stringify(source.crs) : null, source.encoding, JSON.stringify(source.notices), now()]);
    // The features are stored while they are checked (on PostgreSQL on other connections of the pool).
    const [kept, checked] = await Promise.allSettled([storeFeatures(db, id, source.features), check(db, config, actor, stored, source.features, opts)]);
    if (kept.status === 'rejected') throw kept.reason;
    if (checked.status === 'rejected') throw checked.reason;
    const plan = checked.value;
    return sendPreview(reply.code(201).header('location', `/api/import/cells/${id}`), previewOf(stored, source.features, opts, plan));
  });

  app.post<{ Params: { id: string }; Body: ImportOptions }>('/api/import/cells/:id/preview', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['import'],
      summary: 'Check an uploaded file again with another mapping, parent or coordinate system (writes nothing)',
      params: importParams,
      body: optionsSchema,
      response: { 200: cellImportPreviewSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const stored = await loadImport(db, request.params.id, actor);
    const opts = withMapping(request.body);
    const features = await loadFeatures(db, stored.id);
    const plan = await check(db, config, actor, stored, features, opts);
    return sendPreview(reply, previewOf(stored, features, opts, plan));
  });

  app.post<{ Params: { id: string }; Body: ImportOptions }>('/api/import/cells/:id/commit', {
    config: { access: 'cells.edit' },
    schema: {
      tags: ['import'],
      summary: 'Write the cells of an uploaded file with this mapping: all of them in one transaction, or none (422 with the report)',
      params: importParams,
      body: optionsSchema,
      response: { 201: cellImportCommittedSchema, '4xx': problemSchema },
    },
  }, async (request, reply) => {
    const actor = request.actor;
    const opts = withMapping(request.body);
    // Every check of the preview, set-wise in short statements outside any transaction: the
    // geometries are staged, and the commit's one short transaction makes them cells. The last
    // preview's PostGIS findings and staged geometries serve when the options are the same.
    const checked = await loadImport(db, request.params.id, actor);
    if (checked.committed_at) throw problem('imports.already-committed', { ids: checked.committed_ids?.join(', ') ?? '' });
    const features = await loadFeatures(db, checked.id);
    let reuse = checked.checked_spatial && checked.checked_options === optionsKey(opts) ? checked.checked_spatial : null;
    if (reuse?.parentVersions.length) {
      // A parent edited since the preview: its children are checked again against the new outline.
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM cells c JOIN unnest($1::int[], $2::int[]) AS u(id, v) ON c.id = u.id AND c.version = u.v',
        [reuse.parentVersions.map((p) => p[0]), reuse.parentVersions.map((p) => p[1])]);
      if (rows[0]!.n !== reuse.parentVersions.length) reuse = null;
    }
    const plan = reuse
      ? await planImport(db, config, actor, { features, crs: checked.source_crs }, opts, reuse)
      : await check(db, config, actor, checked, features, opts);
    // Checked without an error, the plan hands over its staging run for the writer (null otherwise).
    const run = plan.staged;
    if (plan.errors || !run) throw problem('imports.refused', { count: plan.errors, file: checked.file_name }, { report: previewOf(checked, features, opts, plan) });
    if (plan.writes.length === 0) throw problem('imports.nothing', {}, { errors: [{ field: 'exclude', message: 'leaves nothing' }] });
    const result = await db.transaction(async (tx) => {
      const w = new CellWriter(tx, request, actor);
      const stored = await loadImport(tx, request.params.id, actor, true);
      if (stored.committed_at) throw problem('imports.already-committed', { ids: stored.committed_ids?.join(', ') ?? '' });
      // Another check since ours has replaced the staged geometries this plan writes.
      if (stored.checked_spatial?.run !== run) throw problem('imports.checked-meanwhile');
      await w.recordDeletesAs(actor.username);
      // What the checks relied on, again under the lock: the stored parents unchanged (their outlines
      // were checked), still in scope, the codes still free.
      const parentIds = [...plan.parentVersions.keys()].sort((a, b) => a - b);
      const locked = await w.lock(parentIds);
      const changed = parentIds.filter((id) => locked.find((c) => c.id === id)?.version !== plan.parentVersions.get(id));
      if (changed.length) throw problem('imports.changed-meanwhile', { ids: changed.join(', ') });
      for (const c of locked) await assertCellEditable(tx, actor, c.id, `Parent cell ${c.id}`);
      const codes = plan.writes.map((w) => w.code);
      const { rows: taken } = await tx.query<{ code: string; name: string }>('SELECT code, name FROM cells WHERE code = ANY($1::text[]) ORDER BY code LIMIT 3', [codes]);
      if (taken.length) {
        const refused = plan.writes.find((x) => x.code === taken[0]!.code)!;
        throw problem('imports.feature-refused', { feature: refused.index + 1, name: refused.name, reason: { zh: `编码 ${refused.code} 已被网格 ${taken[0]!.name} 使用`, en: `the code ${refused.code} is taken by the cell ${taken[0]!.name}` } }, { feature: refused.index, cause: 'code' });
      }
      // Ids first, so children name their new parents; then one INSERT of every cell (triggers snap and version them).
      const ids = await w.reserveIds(plan.writes.length);
      const idOf = new Map(plan.writes.map((x, i) => [x.index, ids[i]!]));
      const parentId = (x: (typeof plan.writes)[number]) => (x.parent === null ? null : 'id' in x.parent ? x.parent.id : idOf.get(x.parent.index)!);
      const rowCount = await w.insertMany(run, plan.writes.map((x) => ({ idx: x.index, id: idOf.get(x.index)!, code: x.code, name: x.name, level: x.level, parentId: parentId(x) })));
      if (rowCount !== plan.writes.length) throw problem('imports.checked-meanwhile');
      // The staged rows are spent with the commit (refused, they stay with the check for the next try).
      await tx.query('DELETE FROM cell_import_staging WHERE run = $1', [run]);
      const created = plan.writes.map((w) => idOf.get(w.index)!);
      await w.refile(created);
      await tx.query('UPDATE cell_imports SET committed_at = $2, committed_ids = $3, checked_options = NULL, checked_spatial = NULL WHERE id = $1', [stored.id, now(), created]);
      await tx.query('DELETE FROM cell_import_features WHERE import_id = $1', [stored.id]);
      await w.audit('cell.import', `import:${stored.id}`, { file: stored.file_name, format: stored.format, cells: created.length, crs: plan.crs?.name ?? null });
      const cells = plan.writes.map((w) => ({ index: w.index, id: idOf.get(w.index)!, code: w.code, name: w.name, level: w.level }));
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

