import type { Geometry, Polygon } from 'geojson';
import type { Config } from '../../config.ts';
import type { Queryable } from '../../db/db.ts';
import { scopeOf, type Actor } from '../../auth/actor.ts';
import { cellInScope } from '../../auth/guard.ts';
import { Problem } from '../../problem.ts';
import { checkCode } from '../../cells/codes.ts';
import { CONTAINMENT_TOLERANCE_M2, antimeridianEdge, checkStructure, fmtArea, fmtAt, geographyProblem, measureOutside, type CellGeometry, type Outside } from '../../cells/geometry.ts';
import { problemText, type ProblemCode, type ProblemParam, type ProblemParams } from '../../../core/problems/index.ts';
import { faultReason, geosFault } from '../../../core/problems/geos.ts';
import { CELL_NAME_MAX_LENGTH } from '../../../core/contracts/cells.ts';
import type { ImportProblem } from '../../../core/contracts/imports.ts';
import { multiPolygonWkbHex } from '../../cells/wkb.ts';
import { crsFromEpsg, toLonLat, type SourceCrs } from './crs.ts';
import type { SourceFeature } from './read.ts';

/** Which attribute of the file holds each cell property (null: not in the file). */
export interface Mapping {
  name: string | null;
  code: string | null;
  parentCode: string | null;
  level: string | null;
}

export interface ImportOptions {
  mapping: Mapping;
  /** The parent of features that name none (e.g. communities imported under one street). */
  parentId?: number | null;
  /** The file's coordinate system, when it declares none or declares it wrongly. */
  epsg?: number | null;
  /** Indexes of features left out. */
  exclude?: number[];
  /** Cut polygons that cross the antimeridian at 180° into MultiPolygons (RFC 7946 §3.1.9). */
  cutAntimeridian?: boolean;
}

export type ProblemKind = ImportProblem['kind'];

/** A problem of the file or of a feature, always with its catalog code. */
export type FeatureProblem = Omit<ImportProblem, 'code' | 'params'> & {
  /** The catalog code (core/problems: imports.row-*, imports.file-*, a geometry's or a code's fault), for the client to show in its language. */
  code: ProblemCode;
  params: Record<string, ProblemParam>;
};

/** What a problem says: its code and parameters, and its English message. */
type Said = Pick<FeatureProblem, 'message' | 'code' | 'params'>;
const featureProblem = (kind: ProblemKind, severity: FeatureProblem['severity'], said: Said): FeatureProblem => ({ kind, severity, ...said });
/** A problem by its catalog code; the message is the code's English text unless given. */
const coded = <C extends ProblemCode>(code: C, params: ProblemParams<C>, message?: string): Said =>
  ({ message: message ?? problemText(code, params, 'en')!, code, params });

export interface FeatureReport {
  index: number;
  name: string | null;
  code: string | null;
  parentCode: string | null;
  level: number | null;
  areaM2: number | null;
  excluded: boolean;
  problems: FeatureProblem[];
}

/** A feature ready to write: the parent is a cell already stored or one earlier in `writes`. */
export interface PlannedCell {
  index: number;
  name: string;
  /** The file's code, or the next free one under the parent (as POST /api/cells would give it). */
  code: string;
  level: number;
  parent: { id: number } | { index: number } | null;
  geometry: CellGeometry;
}

/**
 * A staging run whose every geometry the plan wrote is checked, set-wise in SQL (structure,
 * validity, snapped to the grid, inside the parent) and found sound: what the cells writer's
 * `insertMany` takes. Only `planImport` makes one, and only for a plan without errors.
 */
declare const stagedRun: unique symbol;
export type StagedRun = string & { readonly [stagedRun]: true };

export interface ImportPlan {
  crs: SourceCrs | null;
  /** Problems of the whole file (its coordinate system), before any feature's. */
  fileProblems: FeatureProblem[];
  features: FeatureReport[];
  /** Lon/lat geometries for the map preview, in feature order (null where there is none). */
  geometries: (CellGeometry | null)[];
  writes: PlannedCell[];
  /** The stored parents the writes go under, with the version the checks saw (the commit locks and compares). */
  parentVersions: Map<number, number>;
  /** What the PostGIS checks found, and the staging run that holds their geometries. */
  spatial: SpatialFindings;
  /** The staging run as the cells writer takes it: null when there are errors (nothing to write). */
  staged: StagedRun | null;
  errors: number;
  warnings: number;
}

/**
 * The findings of one run of the PostGIS checks (the costly part of a check), kept with a preview:
 * a commit with the very same options reuses them and the run's staged geometries instead of
 * checking again. They hold only what cannot change meanwhile without the commit noticing: the
 * file's own geometries, and the stored parents' versions as the checks saw them (locked and
 * compared by the commit). Overlaps with stored cells are warnings and never block.
 */
export interface SpatialFindings {
  run: string;
  problems: [index: number, problems: FeatureProblem[]][];
  areas: [index: number, m2: number][];
  parentVersions: [id: number, version: number][];
}

const CANDIDATES: Record<keyof Mapping, string[]> = {
  name: ['name', 'cellname', 'mc', '名称', '网格名称', '名字', 'xzqmc', 'name_chn', 'name_zh', 'title', 'label'],
  code: ['code', 'cellcode', 'bm', 'dm', '编码', '网格编码', '代码', 'xzqdm', 'gridcode', 'grid_code', 'id_code'],
  parentCode: ['parentcode', 'parent_code', 'parent', 'pcode', 'sjbm', 'sjdm', '上级编码', '父编码', '上级代码', 'parentid'],
  level: ['level', 'lvl', 'jb', 'cj', '层级', '级别', 'grade'],
};

const norm = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

/** A first guess at the mapping from the field names, which the planner can change. */
export function suggestMapping(fields: string[]): Mapping {
  const pick = (key: keyof Mapping) => {
    for (const c of CANDIDATES[key]) {
      const hit = fields.find((f) => norm(f) === norm(c));
      if (hit) return hit;
    }
    return null;
  };
  return { name: pick('name'), code: pick('code'), parentCode: pick('parentCode'), level: pick('level') };
}

/** The fields of the file in order of first appearance, with a sample value each. */
export function fieldsOf(features: SourceFeature[]): { name: string; sample: string | null }[] {
  const out = new Map<string, string | null>();
  for (const f of features) {
    for (const [k, v] of Object.entries(f.properties)) {
      const text = v === null || v === '' ? null : String(v);
      if (!out.has(k) || (out.get(k) === null && text !== null)) out.set(k, text);
    }
  }
  return [...out].map(([name, sample]) => ({ name, sample: sample && sample.length > 60 ? `${sample.slice(0, 60)}…` : sample }));
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = (typeof v === 'number' && Number.isInteger(v) ? String(v) : String(v)).trim();
  return s === '' ? null : s;
}

/** Polygons only; a GeometryCollection of polygons (KML MultiGeometry) becomes a MultiPolygon. */
function asCellGeometry(g: Geometry | null): CellGeometry | Said {
  if (!g) return coded('imports.row-no-geometry', {});
  if (g.type === 'Polygon' || g.type === 'MultiPolygon') return g;
  // A collection from the file may hold anything (null, no array at all): only polygons make a cell.
  if (g.type === 'GeometryCollection' && Array.isArray(g.geometries)) {
    const parts = g.geometries.flatMap((p) => (p?.type === 'Polygon' ? [p.coordinates] : p?.type === 'MultiPolygon' ? p.coordinates : [null]));
    if (parts.length && parts.every((p) => p !== null)) return { type: 'MultiPolygon', coordinates: parts as Polygon['coordinates'][] };
  }
  return coded('imports.row-not-polygon', { type: g.type });
}

function firstPosition(g: Geometry | null): number[] | null {
  if (!g || g.type === 'GeometryCollection') return g?.type === 'GeometryCollection' && Array.isArray(g.geometries) ? firstPosition(g.geometries[0] ?? null) : null;
  let c: unknown = g.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && typeof c[0] === 'number' ? (c as number[]) : null;
}

type Parent = { id: number; level: number } | { index: number } | null;

/** Lets the server answer others between two statements (the embedded database is one connection). */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Positions in a cell geometry. */
const vertexCount = (g: CellGeometry) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates).reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);

/**
 * How much one statement may check. The embedded database is one connection that every other
 * request waits for, so its statements stay short (about 2,000 vertices); PostgreSQL answers others
 * from its pool meanwhile, so there a statement takes far more and the per-statement cost goes.
 */
const budgetOf = (q: Queryable) => ((q as { kind?: string }).kind === 'postgres' ? { maxWeight: 25_000, maxItems: 2_000, parallel: 2 } : { maxWeight: 2_000, maxItems: 300, parallel: 1 });

/** Splits items into chunks of at most `maxItems` and about `maxWeight`: one statement each, kept short. */
function chunked<T>(items: T[], weight: (t: T) => number, { maxWeight, maxItems }: { maxWeight: number; maxItems: number }): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let w = 0;
  for (const it of items) {
    const wi = weight(it);
    if (cur.length && (cur.length >= maxItems || w + wi > maxWeight)) {
      out.push(cur);
      cur = [];
      w = 0;
    }
    cur.push(it);
    w += wi;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Runs `statement` on each chunk; a chunk whose statement fails (one bad geometry fails it all) is
 * done again one item at a time with `one`, which names the fault of the item that has it. On
 * PostgreSQL two chunks run at once, on two connections of the pool (the checks are CPU-bound in
 * the database, which has a core for each); the embedded database runs them one after the other.
 */
async function setWise<T>(chunks: T[][], statement: (chunk: T[]) => Promise<void>, one: (item: T, e: unknown) => Promise<void>, parallel = 1) {
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      try {
        await statement(chunk);
      } catch (e) {
        if (chunk.length === 1) await one(chunk[0]!, e);
        else for (const item of chunk) await statement([item]).catch((err: unknown) => one(item, err));
      }
      await tick();
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, chunks.length) }, lane));
}

/**
 * The codes of features that have none: the parent's code and the next free numbers under it (after
 * the stored cells' and the file's own), as nextChildCode gives them one at a time. A parent whose
 * numbers run out (999 children with 3 digits a level) is a problem of the features past the last.
 */
async function generateCodes(q: Queryable, scheme: Config['codeScheme'], reports: FeatureReport[], parents: Map<number, Parent>) {
  const need = reports.filter((r) => !r.excluded && !r.code && r.level !== null && r.level > 1 && r.parentCode && parents.get(r.index) !== null);
  if (!need.length) return;
  const d = scheme.digitsPerLevel;
  const prefixes = [...new Set(need.map((r) => r.parentCode!))];
  const last = new Map<string, number>();
  const { rows } = await q.query<{ p: string; max: string }>(
    'SELECT left(code, length(code) - $2) AS p, max(code) AS max FROM cells WHERE left(code, length(code) - $2) = ANY($1::text[]) GROUP BY 1', [prefixes, d]);
  for (const r of rows) last.set(r.p, Number(r.max.slice(r.p.length)));
  for (const r of reports) {
    if (r.excluded || !r.code || r.code.length <= d) continue;
    const p = r.code.slice(0, -d);
    if (prefixes.includes(p)) last.set(p, Math.max(last.get(p) ?? 0, Number(r.code.slice(-d))));
  }
  for (const r of need.sort((a, b) => a.level! - b.level! || a.index - b.index)) {
    const next = (last.get(r.parentCode!) ?? 0) + 1;
    if (next >= 10 ** d) {
      r.problems.push(featureProblem('code', 'error', coded('imports.row-codes-exhausted', { parent: r.parentCode!, max: 10 ** d - 1, digits: d })));
      continue;
    }
    last.set(r.parentCode!, next);
    r.code = r.parentCode + String(next).padStart(d, '0');
  }
}

/**
 * The PostGIS checks, set-wise: the geometries are written to the staging table under `run`, then
 * one statement a chunk checks validity, area, lying inside the parent (the robust cell_outside
 * measure only where the parent grown by 11 cm does not cover it) and overlaps with stored cells of
 * the same level. The staged rows stay for the commit. Answers the features whose geometry is sound.
 */
async function checkSpatial(
  q: Queryable, reports: FeatureReport[], geometries: (CellGeometry | null)[], parents: Map<number, Parent>, run: string, crsFailed: boolean,
): Promise<Set<number>> {
  const add = (r: FeatureReport, kind: ProblemKind, said: Said, severity: 'error' | 'warning' = 'error') => { r.problems.push(featureProblem(kind, severity, said)); };
  const geoOk = new Set<number>();
  if (crsFailed) return geoOk;
  const staged: FeatureReport[] = [];
  for (const r of reports) {
    const g = geometries[r.index];
    if (r.excluded || !g) continue;
    try {
      checkStructure(g);
      staged.push(r);
    } catch (e) {
      add(r, 'geometry', refusal(e, g));
    }
  }
  const weight = (r: FeatureReport) => vertexCount(geometries[r.index]!) + 20;
  const budget = budgetOf(q);
  const parentOf = (r: FeatureReport) => parents.get(r.index) ?? null;

  // One statement a chunk, one write a row: validity of the geometry as given (PostGIS's reason and
  // location), then the sound ones staged snapped to the stored precision, with their area on the
  // sphere (also where geography refuses the shape: an antipodal edge).
  await setWise(chunked(staged, weight, budget), async (chunk) => {
    const { rows } = await q.query<{ idx: number; empty: boolean; valid: boolean; reason: string | null; lon: number | null; lat: number | null; m2: number | null }>(
      // MATERIALIZED: an inlined CTE would read the WKB (and snap) again at every use.
      `WITH src AS MATERIALIZED (SELECT i, pi, pid, lv, ST_GeomFromWKB(decode(g, 'hex'), 4326) AS raw
                    FROM unnest($2::int[], $3::int[], $4::int[], $5::int[], $6::text[]) AS u(i, pi, pid, lv, g)),
            chk AS (SELECT *, ST_IsEmpty(raw) AS empty, ST_IsValid(raw) AS valid FROM src),
            -- PostGIS's reason and place only for the invalid: ST_IsValidDetail costs 3× ST_IsValid.
            det AS (SELECT *, CASE WHEN NOT valid THEN ST_IsValidDetail(raw) END AS d FROM chk),
            -- Snapped to the grid: rounding the vertices keeps a typical polygon valid, and is 100×
            -- cheaper than ST_ReducePrecision's snap-rounding overlay, which mends the rest.
            snap AS MATERIALIZED (SELECT *, CASE WHEN NOT empty AND valid THEN ST_Multi(ST_SnapToGrid(raw, 1e-7)) END AS s FROM det),
            fit AS MATERIALIZED (SELECT *, CASE WHEN s IS NULL THEN NULL WHEN NOT ST_IsEmpty(s) AND ST_IsValid(s) THEN s
                                               ELSE ST_Multi(ST_CollectionExtract(ST_ReducePrecision(raw, 1e-7), 3)) END AS g FROM snap),
            ins AS (INSERT INTO cell_import_staging (run, idx, parent_idx, parent_id, level, geom) SELECT $1, i, pi, pid, lv, g FROM fit WHERE g IS NOT NULL)
       SELECT i AS idx, empty, valid, (d).reason, ST_X((d).location) AS lon, ST_Y((d).location) AS lat,
              CASE WHEN g IS NULL THEN NULL WHEN ST_XMax(g) - ST_XMin(g) <= 180 THEN ST_Area(g::geography, false) ELSE cell_area_m2(g) END AS m2
       FROM fit`,
      [run, chunk.map((r) => r.index), chunk.map((r) => { const p = parentOf(r); return p && 'index' in p ? p.index : null; }),
        chunk.map((r) => { const p = parentOf(r); return p && 'id' in p ? p.id : null; }), chunk.map((r) => r.level), chunk.map((r) => multiPolygonWkbHex(geometries[r.index]!))]);
    const by = new Map(rows.map((x) => [x.idx, x]));
    for (const r of chunk) {
      const x = by.get(r.index)!;
      if (x.empty) add(r, 'geometry', { message: 'the geometry is empty', code: 'cells.geometry-empty', params: {} });
      else if (!x.valid) add(r, 'geometry', invalidity(x.reason, x.lon === null ? null : [x.lon, x.lat!]));
      else if (x.m2 !== null) {
        r.areaM2 = Math.round(x.m2 * 100) / 100;
        geoOk.add(r.index);
      }
    }
  }, async (r, e) => add(r, 'geometry', refusal(e, geometries[r.index]!)), budget.parallel);

  // Inside the parent (a stored cell, or a sound feature of the file); grouped by parent, whose prepared geometry PostGIS keeps.
  const parentKey = (r: FeatureReport) => { const p = parentOf(r)!; return 'id' in p ? `c${p.id}` : `f${p.index}`; };
  const children = reports.filter((r) => { const p = parentOf(r); return geoOk.has(r.index) && p && ('id' in p || geoOk.has(p.index)); })
    .sort((a, b) => parentKey(a).localeCompare(parentKey(b)) || a.index - b.index);
  const outside = (r: FeatureReport, o: Outside | null) => {
    const parent = r.parentCode ?? '';
    if (o?.outsideM2 === null) {
      add(r, 'outside', coded('imports.row-outside-unmeasured', { parent }, `lies outside the parent ${parent} (the part outside could not be measured)`.replace('  ', ' ')));
    } else if (o) {
      const params = { area: fmtArea(o.outsideM2), parent, at: fmtAt(o.at) };
      add(r, 'outside', coded('imports.row-outside', params, `${params.area} lie outside the parent ${parent} near ${params.at}`.replace('  ', ' ')));
    }
  };
  await setWise(chunked(children, weight, budget), async (chunk) => {
    const { rows } = await q.query<{ idx: number; outside_m2: number | null; at_lon: number | null; at_lat: number | null; measured: boolean | null }>(
      `WITH s AS MATERIALIZED (SELECT idx, geom AS g, COALESCE('f' || parent_idx, 'c' || parent_id) AS pk, parent_idx, parent_id
                              FROM cell_import_staging WHERE run = $1 AND idx = ANY($2::int[])),
            -- Each parent once, grown by 1e-6° (about 11 cm): a child it covers has nothing outside
            -- thicker than the slivers cell_outside leaves out, so only the others are measured.
            parents AS MATERIALIZED (SELECT p.pk, p.pg, ST_Buffer(p.pg, 1e-6, 'quad_segs=2') AS pb
                                     FROM (SELECT DISTINCT ON (s.pk) s.pk, COALESCE(f.geom, c.geom) AS pg FROM s
                                           LEFT JOIN cell_import_staging f ON f.run = $1 AND f.idx = s.parent_idx
                                           LEFT JOIN cells c ON c.id = s.parent_id) p),
            -- Against the grown parent, a child cut from the same topology shares no edge with it:
            -- GEOS settles it from the prepared parent, which it keeps while the same parent comes
            -- row after row (hence the children in parent order), instead of a full relate of both.
            byParent AS (SELECT idx, g, pk FROM s ORDER BY pk OFFSET 0)
       SELECT x.idx, o.outside_m2, o.at_lon, o.at_lat, o.measured
       FROM (SELECT idx, g, pk FROM byParent b WHERE NOT ST_Covers((SELECT pb FROM parents WHERE parents.pk = b.pk), b.g) OFFSET 0) x
       JOIN parents USING (pk),
       LATERAL cell_outside(x.g, parents.pg) AS o`,
      [run, chunk.map((r) => r.index)]);
    for (const x of rows) {
      const r = reports[x.idx]!;
      if (!x.measured) outside(r, { outsideM2: null, at: null });
      else if (x.outside_m2 !== null && x.outside_m2 > CONTAINMENT_TOLERANCE_M2) outside(r, { outsideM2: x.outside_m2, at: x.at_lon === null ? null : [x.at_lon, x.at_lat!] });
    }
  }, async (r, e) => {
    const p = parentOf(r)!;
    try {
      outside(r, await measureOutside(q, JSON.stringify(geometries[r.index]), 'id' in p ? { id: p.id } : { geojson: JSON.stringify(geometries[p.index]) }));
    } catch (err) {
      add(r, 'outside', coded('imports.row-outside-unchecked', { reason: detail(err ?? e, geometries[r.index]!) }));
    }
  }, budget.parallel);

  // Overlaps with stored cells of the same level: a warning, as drawing by hand allows them too.
  const found = new Map<number, { code: string; name: string; m2: number }[]>();
  const leveled = reports.filter((r) => geoOk.has(r.index) && r.level !== null);
  await setWise(chunked(leveled, weight, budget), async (chunk) => {
    const { rows } = await q.query<{ idx: number; code: string; name: string; m2: number }>(
      `SELECT s.idx, c.code, c.name, cell_area_m2(ST_Intersection(c.geom, s.g, 1e-7)) AS m2
       FROM (SELECT idx, level, geom AS g FROM cell_import_staging WHERE run = $1 AND idx = ANY($2::int[])) s
       JOIN cells c ON c.level = s.level AND c.geom && s.g AND ST_Relate(c.geom, s.g, '2********')`,
      [run, chunk.map((r) => r.index)]);
    for (const x of rows) found.set(x.idx, [...(found.get(x.idx) ?? []), x]);
  }, async (r, e) => add(r, 'overlap', coded('imports.row-overlaps-unchecked', { reason: detail(e, geometries[r.index]!) }), 'warning'), budget.parallel);
  for (const [idx, list] of found) {
    const overlaps = list.filter((o) => o.m2 > CONTAINMENT_TOLERANCE_M2).sort((a, b) => b.m2 - a.m2);
    if (!overlaps.length) continue;
    const r = reports[idx]!;
    const cells = overlaps.slice(0, 3).map((o) => `${o.name} (${o.code}, ${fmtArea(o.m2)})`).join(', ') + (overlaps.length > 3 ? ', …' : '');
    add(r, 'overlap', coded('imports.row-overlaps', { count: overlaps.length, level: r.level, cells },
      `overlaps ${overlaps.length} existing cell${overlaps.length > 1 ? 's' : ''} of level ${r.level}: ${cells}`), 'warning');
  }
  return geoOk;
}

/** A refusal for the report, with its code and parameters; never an internal error's message. */
const refusal = (e: unknown, g?: CellGeometry): Said => {
  const p = e instanceof Problem ? e : geographyProblem(e, g);
  return p ? { message: (p.detail ?? p.title).replace(/^Invalid geometry: /, ''), code: p.code, params: p.params } : coded('imports.row-geometry-unprocessable', {});
};
const detail = (e: unknown, g?: CellGeometry) => refusal(e, g).message;

/** PostGIS's reason a geometry is invalid, and where: its code, and the message the report always gave. */
const invalidity = (reason: string | null, at: number[] | null): Said => {
  const fault = geosFault(reason, at);
  return { message: faultReason(fault), ...fault };
};

/**
 * Everything a commit would check, per feature, without writing: geometry (structure and validity,
 * with PostGIS's reason and location), name, code, parent and level, lying inside the parent,
 * overlaps with the cells already there, and the planner's scope. The same rules as creating a cell
 * by hand (server/cells), so a clean preview commits. Without `spatial`, the PostGIS checks are
 * left out: inside the commit's transaction the inserts make them again, and a PostGIS error there
 * must not leave later checks in an aborted transaction.
 */
export async function planImport(
  q: Queryable, config: Config, actor: Actor, source: { features: SourceFeature[]; crs: SourceCrs | null }, opts: ImportOptions,
  run: string | SpatialFindings,
): Promise<ImportPlan> {
  const { mapping } = opts;
  const scheme = config.codeScheme;
  const exclude = new Set(opts.exclude ?? []);
  const fileProblems: FeatureProblem[] = [];
  let crs = source.crs;
  if (opts.epsg != null) {
    crs = crsFromEpsg(opts.epsg);
    if (!crs) fileProblems.push(featureProblem('crs', 'error', coded('imports.file-epsg-unsupported', { epsg: opts.epsg })));
  }

  const reports: FeatureReport[] = source.features.map((f) => ({
    index: f.index,
    name: mapping.name ? text(f.properties[mapping.name]) : null,
    code: mapping.code ? text(f.properties[mapping.code]) : null,
    parentCode: mapping.parentCode ? text(f.properties[mapping.parentCode]) : null,
    level: null,
    areaM2: null,
    excluded: exclude.has(f.index),
    problems: [],
  }));
  const add = (r: FeatureReport, kind: ProblemKind, said: Said, severity: 'error' | 'warning' = 'error') => r.problems.push(featureProblem(kind, severity, said));

  // Coordinates: to lon/lat, and a whole-file check that they are lon/lat at all.
  const geometries: (CellGeometry | null)[] = source.features.map((f, i) => {
    const g = asCellGeometry(f.geometry);
    if ('message' in g) {
      add(reports[i]!, 'geometry', g);
      return null;
    }
    try {
      return toLonLat(g, crs) as CellGeometry;
    } catch {
      add(reports[i]!, 'geometry', coded('imports.row-coordinates-unconvertible', {}));
      return null;
    }
  });
  const crossing = geometries.map((g) => (g ? antimeridianEdge(g) : null));
  if (opts.cutAntimeridian && crossing.some(Boolean)) {
    // Shifted to 0…360 the ring is continuous; ST_WrapX then cuts it at 180° and moves the east part back.
    const at = crossing.flatMap((c, i) => (c ? [i] : []));
    const { rows } = await q.query<{ g: CellGeometry }>(
      `SELECT ST_AsGeoJSON(ST_WrapX(ST_ShiftLongitude(ST_GeomFromGeoJSON(t)), 180, -360), 15)::json AS g FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i`,
      [at.map((i) => JSON.stringify(geometries[i]))]);
    at.forEach((i, k) => { geometries[i] = rows[k]!.g; });
  }
  const outOfRange = geometries.filter((g) => {
    const p = firstPosition(g);
    return p && !(Math.abs(p[0]!) <= 180 && Math.abs(p[1]!) <= 90);
  });
  if (outOfRange.length && fileProblems.length === 0) {
    const p = firstPosition(outOfRange[0]!)!;
    const found = { count: outOfRange.length, total: geometries.length, example: `[${p.slice(0, 2).map((n) => Math.round(n * 100) / 100).join(', ')}]` };
    fileProblems.push(featureProblem('crs', 'error', crs ? coded('imports.file-not-lonlat', { ...found, crs: crs.name }) : coded('imports.file-not-lonlat-undeclared', found)));
  }

  // Codes in the file, and the stored cells the file refers to.
  const byCode = new Map<string, number>();
  for (const r of reports) {
    if (r.excluded || !r.code) continue;
    if (byCode.has(r.code)) add(r, 'code', coded('imports.row-code-duplicate', { code: r.code, feature: byCode.get(r.code)! + 1 }));
    else byCode.set(r.code, r.index);
  }
  const derivedParent = (r: FeatureReport) => {
    if (r.parentCode) return r.parentCode;
    if (mapping.parentCode || opts.parentId != null || !r.code || r.code.length <= scheme.rootDigits) return null;
    // Codes carry their parent's code (DB11/T 2157): 610302001003 is under 610302001.
    return r.code.slice(0, -scheme.digitsPerLevel);
  };
  const referenced = [...new Set(reports.flatMap((r) => [r.code, derivedParent(r)]).filter((c): c is string => !!c))];
  const stored = new Map<string, { id: number; level: number; name: string }>();
  if (referenced.length) {
    const { rows } = await q.query<{ id: number; code: string; level: number; name: string }>('SELECT id, code, level, name FROM cells WHERE code = ANY($1::text[])', [referenced]);
    for (const r of rows) stored.set(r.code, r);
  }
  let fixedParent: { id: number; level: number; name: string; code: string } | null = null;
  if (opts.parentId != null) {
    const { rows } = await q.query<{ id: number; level: number; name: string; code: string }>('SELECT id, level, name, code FROM cells WHERE id = $1', [opts.parentId]);
    fixedParent = rows[0] ?? null;
    if (!fixedParent) fileProblems.push(featureProblem('parent', 'error', coded('imports.file-parent-not-found', { id: opts.parentId })));
  }

  // Parents and levels.
  const parents = new Map<number, Parent>();
  for (const r of reports) {
    const pc = derivedParent(r);
    let parent: Parent = null;
    if (pc) {
      const inFile = byCode.get(pc);
      const inDb = stored.get(pc);
      if (inFile !== undefined && inFile !== r.index && !reports[inFile]!.excluded) parent = { index: inFile };
      else if (inDb) parent = { id: inDb.id, level: inDb.level };
      else add(r, 'parent', coded('imports.row-parent-not-found', { parent: pc }));
    } else if (fixedParent) {
      parent = { id: fixedParent.id, level: fixedParent.level };
      r.parentCode = fixedParent.code;
    }
    if (pc) r.parentCode = pc;
    parents.set(r.index, parent);
  }
  const levelOf = (r: FeatureReport, seen = new Set<number>()): number | null => {
    if (r.level !== null) return r.level;
    const raw = mapping.level ? source.features[r.index]!.properties[mapping.level] : null;
    const given = raw === null || raw === undefined || raw === '' ? null : Number(raw);
    const parent = parents.get(r.index);
    let parentLevel: number | null = null;
    if (parent && 'id' in parent) parentLevel = parent.level;
    else if (parent && !seen.has(parent.index)) parentLevel = levelOf(reports[parent.index]!, seen.add(r.index));
    let level: number | null;
    if (given !== null) level = Number.isInteger(given) ? given : NaN;
    else if (parentLevel !== null) level = parentLevel + 1;
    else if (r.code && (r.code.length - scheme.rootDigits) % scheme.digitsPerLevel === 0) level = (r.code.length - scheme.rootDigits) / scheme.digitsPerLevel + 1;
    else level = parent ? null : 1;
    r.level = level !== null && Number.isNaN(level) ? null : level;
    if (given !== null && !Number.isInteger(given)) add(r, 'level', coded('imports.row-level-not-integer', { level: String(raw) }));
    return r.level;
  };
  for (const r of reports) {
    if (r.excluded) continue;
    const level = levelOf(r);
    const parent = parents.get(r.index)!;
    const parentLevel = parent === null ? null : 'id' in parent ? parent.level : reports[parent.index]!.level;
    if (level === null) continue;
    if (level < 1 || level > config.levels.length) add(r, 'level', coded('imports.row-level-unknown', { level, max: config.levels.length }));
    else if (parent === null && level !== 1 && !r.problems.some((p) => p.kind === 'parent')) add(r, 'parent', coded('imports.row-parent-missing', { level }));
    else if (parentLevel !== null && level !== parentLevel + 1) add(r, 'level', coded('imports.row-level-misfit', { level, parentLevel, expected: parentLevel + 1 }));
  }

  // Name and code.
  for (const r of reports) {
    if (r.excluded) continue;
    if (!r.name) add(r, 'name', mapping.name ? coded('imports.row-name-empty', { field: mapping.name }) : coded('imports.row-name-unmapped', {}));
    // Characters as the cell routes' schema counts them (code points), not UTF-16 units.
    else if ([...r.name].length > CELL_NAME_MAX_LENGTH) add(r, 'name', coded('imports.row-name-too-long', { length: [...r.name].length, max: CELL_NAME_MAX_LENGTH }));
    if (r.code) {
      try {
        if (r.level !== null) checkCode(scheme, r.code, r.level, r.level > 1 ? r.parentCode : null);
      } catch (e) {
        add(r, 'code', refusal(e));
      }
      if (stored.has(r.code)) add(r, 'code', coded('imports.row-code-taken', { code: r.code, name: stored.get(r.code)!.name }));
    } else if (r.level === 1) {
      add(r, 'code', coded('imports.row-code-missing', {}));
    }
  }

  // Codes for features without one: the parent's code and the next free numbers under it, as
  // POST /api/cells gives them; a parent that would pass the last number (999) is refused here.
  await generateCodes(q, scheme, reports, parents);

  // Geometry, inside the parent, overlaps: PostGIS, set-wise on the staging table, a chunk per statement.
  let spatial: SpatialFindings;
  if (typeof run === 'string') {
    const before = reports.map((r) => r.problems.length);
    await checkSpatial(q, reports, geometries, parents, run, fileProblems.some((p) => p.kind === 'crs'));
    // The versions read after the checks: a parent edited during them is caught by the commit's compare.
    const storedParents = [...new Set([...parents.values()].flatMap((p) => (p && 'id' in p ? [p.id] : [])))];
    const { rows } = storedParents.length
      ? await q.query<{ id: number; version: number }>('SELECT id, version FROM cells WHERE id = ANY($1::int[])', [storedParents])
      : { rows: [] };
    spatial = {
      run,
      problems: reports.flatMap((r, i) => (r.problems.length > before[i]! ? [[r.index, r.problems.slice(before[i])] as [number, FeatureProblem[]]] : [])),
      areas: reports.flatMap((r) => (r.areaM2 === null ? [] : [[r.index, r.areaM2] as [number, number]])),
      parentVersions: rows.map((r) => [r.id, r.version]),
    };
  } else {
    spatial = run;
    for (const [i, problems] of spatial.problems) reports[i]!.problems.push(...problems);
    for (const [i, m2] of spatial.areas) reports[i]!.areaM2 = m2;
  }
  const parentVersions = new Map(spatial.parentVersions);
  const scoped = scopeOf(actor).length > 0;

  // Scope: a stored parent (or ancestor) must be in the planner's cells; new top-level cells need an unscoped planner.
  if (actor.role !== 'admin' || scoped) {
    const rootOf = (r: FeatureReport, seen = new Set<number>()): Parent => {
      const p = parents.get(r.index) ?? null;
      if (p && !('id' in p) && !seen.has(p.index)) return rootOf(reports[p.index]!, seen.add(r.index));
      return p;
    };
    const checked = new Map<number, boolean>();
    for (const r of reports) {
      if (r.excluded) continue;
      const root = rootOf(r);
      if (root === null || !('id' in root)) {
        if (scoped) add(r, 'scope', coded('imports.row-scope-top-level', {}));
        continue;
      }
      if (!checked.has(root.id)) checked.set(root.id, await cellInScope(q, actor, root.id));
      if (!checked.get(root.id)) add(r, 'scope', coded('imports.row-scope-outside', { id: root.id, scope: actor.scope.join(', ') }));
    }
  }

  const included = reports.filter((r) => !r.excluded);
  const errors = fileProblems.filter((p) => p.severity === 'error').length + included.reduce((n, r) => n + r.problems.filter((p) => p.severity === 'error').length, 0);
  const warnings = included.reduce((n, r) => n + r.problems.filter((p) => p.severity === 'warning').length, 0);
  const writes: PlannedCell[] = errors ? [] : included
    .map((r) => {
      const p = parents.get(r.index)!;
      return { index: r.index, name: r.name!, code: r.code!, level: r.level!, parent: p === null ? null : 'id' in p ? { id: p.id } : { index: p.index }, geometry: geometries[r.index]! };
    })
    .sort((a, b) => a.level - b.level || a.index - b.index);
  // The checks above ran on every geometry staged under the run (or their findings are reused with
  // the same run): without an error, the run's geometries may be written.
  const staged = errors ? null : (spatial.run as StagedRun);
  return { crs, fileProblems, features: reports, geometries, writes, parentVersions, spatial, staged, errors, warnings };
}

