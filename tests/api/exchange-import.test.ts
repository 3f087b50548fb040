import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureCollection, MultiPolygon } from 'geojson';
import { testApp, type TestApp } from '../helpers/app.ts';
import { problemText, type ProblemParam } from '../../core/problems/index.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { gdal, tempFile } from '../fixtures/exchange/gdal.ts';
import { multipartFile, unzip, zipOf } from '../fixtures/exchange/upload.ts';

// Import: upload → preview with a report per feature → commit in one transaction, or nothing.
// The demo district 渭滨区 (146 cells on 4 levels) is exported in every format, the cells are
// removed, and the file imported again must give the same cells.

let t: TestApp;
let planner: Headers;
let original: Map<string, { name: string; level: number; parentCode: string | null; geometry: MultiPolygon }>;
const exported = new Map<string, Buffer>();

beforeAll(async () => {
  t = await testApp({ demo: true });
  await createUser(t.db, 'importer', 'planner');
  planner = await signIn(t.app, 'importer');
  const res = await t.app.inject({ method: 'GET', url: '/api/export/cells.geojson' });
  const fc = res.json() as FeatureCollection<MultiPolygon, { code: string; name: string; level: number; parentCode: string | null }>;
  original = new Map(fc.features.map((f) => [f.properties.code, { name: f.properties.name, level: f.properties.level, parentCode: f.properties.parentCode, geometry: f.geometry }]));
  for (const ext of ['geojson', 'kml', 'shp.zip', 'gpkg']) {
    exported.set(ext, (await t.app.inject({ method: 'GET', url: `/api/export/cells.${ext}` })).rawPayload);
  }
});

afterAll(async () => {
  await t.app.close();
});

const counts = async () => {
  const { rows } = await t.db.query<{ cells: number; versions: number; imports: number }>(
    `SELECT (SELECT count(*)::int FROM cells) AS cells, (SELECT count(*)::int FROM cell_versions) AS versions,
            (SELECT count(*)::int FROM cell_imports WHERE committed_at IS NOT NULL) AS imports`);
  return rows[0]!;
};

async function upload(name: string, data: Buffer | string, opts: { headers?: Headers; epsg?: number } = {}) {
  const body = await multipartFile(name, data, opts.epsg ? { epsg: String(opts.epsg) } : {});
  return t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...(opts.headers ?? planner), ...body.headers } });
}

const commit = (id: string, body: Record<string, unknown>, headers = planner) =>
  t.app.inject({ method: 'POST', url: `/api/import/cells/${id}/commit`, payload: body, headers });
const repreview = (id: string, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/import/cells/${id}/preview`, payload: body, headers: planner });

const clearCells = () => t.db.exec('TRUNCATE cells, cell_versions CASCADE');

/** Codes, names, parents and levels as stored now, and the largest distance from the original shapes. */
async function storedCells() {
  const { rows } = await t.db.query<{ code: string; name: string; level: number; parent_code: string | null; created_by: string | null }>(
    'SELECT c.code, c.name, c.level, p.code AS parent_code, c.created_by FROM cells c LEFT JOIN cells p ON p.id = c.parent_id ORDER BY c.code');
  const originals = JSON.stringify([...original].map(([code, c]) => ({ code, g: c.geometry })));
  const { rows: dist } = await t.db.query<{ d: number | null }>(
    `SELECT max(ST_HausdorffDistance(c.geom, ST_SetSRID(ST_GeomFromGeoJSON(o->>'g'), 4326))) AS d
     FROM cells c JOIN jsonb_array_elements($1::jsonb) o ON o->>'code' = c.code`, [originals]);
  return { rows, maxDistance: dist[0]?.d ?? null };
}

describe('round trip: export, remove, import gives the same cells', () => {
  for (const ext of ['geojson', 'kml', 'shp.zip', 'gpkg']) {
    it(ext, async () => {
      await clearCells();
      const up = await upload(`渭滨区.${ext}`, exported.get(ext)!);
      expect(up.statusCode, up.body.slice(0, 800)).toBe(201);
      const preview = up.json();
      expect(preview.featureCount).toBe(146);
      expect(preview.mapping).toMatchObject({ name: expect.any(String), code: 'code' });
      expect(preview.summary, JSON.stringify(preview.features.filter((f: { problems: unknown[] }) => f.problems.length).slice(0, 3))).toMatchObject({ errors: 0, ready: true });
      expect(preview.preview.features).toHaveLength(146);
      expect((await counts()).cells).toBe(0);

      const done = await commit(preview.id, { mapping: preview.mapping });
      expect(done.statusCode, done.body.slice(0, 800)).toBe(201);
      expect(done.json().created).toBe(146);
      const { rows, maxDistance } = await storedCells();
      expect(rows.map((r) => ({ code: r.code, name: r.name, level: r.level, parentCode: r.parent_code })))
        .toEqual([...original].sort(([a], [b]) => a.localeCompare(b)).map(([code, c]) => ({ code, name: c.name, level: c.level, parentCode: c.parentCode })));
      expect(rows.every((r) => r.created_by === 'importer')).toBe(true);
      // Geometry within the export's precision (7 decimals ≈ 1 cm).
      expect(maxDistance).toBeLessThan(1e-6);
      // History: one version per cell, by the planner, as the cell was written.
      expect((await counts()).versions).toBe(146);
      const { rows: history } = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM cell_versions v JOIN cells c ON c.id = v.cell_id AND c.version = v.version AND c.code = v.code AND c.name = v.name
           AND c.parent_id IS NOT DISTINCT FROM v.parent_id AND ST_Equals(c.geom, v.geom) AND v.changed_at = c.updated_at
         WHERE v.operation = 'insert' AND v.changed = '{}' AND v.changed_by = 'importer'`);
      expect(history[0]!.n).toBe(146);

      const again = await commit(preview.id, { mapping: preview.mapping });
      expect(again.statusCode).toBe(409);
    });
  }
});

describe('shapefiles as they come in China', () => {
  async function convertedShapefile(opts: string[], drop: string[] = []): Promise<Buffer> {
    const src = tempFile('cells.geojson', exported.get('geojson')!);
    const out = path.join(path.dirname(src.file), 'out');
    try {
      await gdal('ogr2ogr', ['-f', 'ESRI Shapefile', out, src.file, '-nln', 'cells', '-where', 'level <= 2', ...opts]);
      const files = new Map<string, Buffer>();
      for (const f of readdirSync(out)) if (!drop.some((d) => f.endsWith(d))) files.set(f, readFileSync(path.join(out, f)));
      return zipOf(files);
    } finally {
      src.cleanup();
    }
  }

  it('reads GBK attributes declared in the .cpg, and without one (not UTF-8, so GBK), saying how it chose', async () => {
    for (const drop of [[], ['.cpg']]) {
      await clearCells();
      const zip = await convertedShapefile(['-lco', 'ENCODING=CP936'], drop);
      const files = await unzip(zip);
      expect([...files.keys()].some((f) => f.endsWith('.cpg'))).toBe(drop.length === 0);
      const up = await upload('gbk.zip', zip);
      expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
      const preview = up.json();
      expect(preview.encoding).toBe('gbk');
      expect(preview.features.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['渭滨区', '经二路街道', '马营镇']));
      // Without a .cpg, a notice says how the encoding was chosen, in the catalog's words (the client shows the Chinese).
      const notices = preview.notices as { code: string | null; params: Record<string, ProblemParam>; message: string }[];
      expect(notices.map((n) => n.code)).toEqual(drop.length ? ['imports.note-cpg-missing-gbk'] : []);
      expect(preview.warnings).toEqual(notices.map((n) => n.message));
      if (drop.length) {
        expect(problemText(notices[0]!.code!, notices[0]!.params, 'zh-CN')).toMatch(/^缺少 .+\.cpg：属性文本不是 UTF-8，按 GBK 读取$/);
        expect(notices[0]!.message).toMatch(/^No .+\.cpg: the attributes were read as GBK/);
      }
      expect(preview.summary.ready).toBe(true);
    }
  });

  it('reprojects a CGCS2000 Gauss-Krüger shapefile (.prj) to lon/lat', async () => {
    await clearCells();
    const zip = await convertedShapefile(['-t_srs', 'EPSG:4524']);
    const up = await upload('gk.zip', zip);
    expect(up.statusCode, up.body.slice(0, 500)).toBe(201);
    const preview = up.json();
    expect(preview.crs).toMatch(/GK_Zone_36|4524/);
    expect(preview.summary.ready).toBe(true);
    expect((await commit(preview.id, { mapping: preview.mapping })).statusCode).toBe(201);
    const { rows, maxDistance } = await storedCells();
    expect(rows).toHaveLength(6);
    // GDAL and proj4 agree to well under a centimetre.
    expect(maxDistance).toBeLessThan(1e-7);
  });
});

describe('broken files: a clear report, nothing written', () => {
  beforeAll(async () => {
    await clearCells();
    const up = await upload('demo.geojson', exported.get('geojson')!);
    expect((await commit(up.json().id, { mapping: up.json().mapping })).statusCode).toBe(201);
  });

  const feature = (name: string | null, code: string | null, coordinates: unknown, extra: Record<string, unknown> = {}) =>
    ({ type: 'Feature', properties: { name, code, ...extra }, geometry: { type: 'Polygon', coordinates } });
  const fc = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
  /** A small square inside the street 经二路街道, where a level-3 cell can go. */
  const insideStreet = async (size = 0.001) => {
    const { rows } = await t.db.query<{ x: number; y: number }>(
      `SELECT ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT ST_PointOnSurface(geom) AS p FROM cells WHERE code = '610302001001001') s`);
    const { x, y } = rows[0]!;
    return { x, y, ring: [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]] };
  };

  it('a truncated zip', async () => {
    const before = await counts();
    const zip = exported.get('shp.zip')!;
    const res = await upload('cells.shp.zip', zip.subarray(0, Math.floor(zip.length / 2)));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toMatch(/damaged or truncated/);
    expect(await counts()).toEqual(before);
  });

  it('a shapefile without its .dbf', async () => {
    const files = await unzip(exported.get('shp.zip')!);
    files.delete('cells.dbf');
    const res = await upload('cells.zip', await zipOf(files));
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toContain('no cells.dbf');
  });

  it('a GeoJSON with a bow-tie: the reason and where, and the commit writes nothing', async () => {
    const before = await counts();
    const { x, y } = await insideStreet();
    const d = 0.001;
    const bowTie = [[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]];
    const good = (await insideStreet(0.0005)).ring.map(([a, b]) => [a! + 0.002, b!]);
    const up = await upload('bowtie.geojson', fc(
      feature('好网格', '610302001001999', [good]),
      feature('蝴蝶网格', '610302001001998', [bowTie]),
      feature(null, '610302001001997', [good.map(([a, b]) => [a! + 0.001, b!])]),
    ));
    expect(up.statusCode, up.body).toBe(201);
    const preview = up.json();
    expect(preview.summary).toMatchObject({ ready: false, withErrors: 2 });
    const [ok, tie, unnamed] = preview.features;
    expect(ok.problems.filter((p: { severity: string }) => p.severity === 'error')).toEqual([]);
    expect(ok.level).toBe(4);
    expect(ok.parentCode).toBe('610302001001');
    expect(tie.problems[0]).toMatchObject({ kind: 'geometry', severity: 'error' });
    expect(tie.problems[0].message).toMatch(/Self-intersection at \[/);
    // The fault's code, for the planner's language.
    expect(tie.problems[0].code).toBe('cells.geometry-self-intersection');
    expect(problemText(tie.problems[0].code, tie.problems[0].params, 'zh-CN')).toMatch(/^几何图形无效：边界自相交（位置 \[[\d.]+, [\d.]+\]）：出现“8”字形或交叉/);
    expect(unnamed.problems.map((p: { kind: string }) => p.kind)).toContain('name');

    const res = await commit(preview.id, { mapping: preview.mapping });
    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toMatch(/Nothing was imported/);
    expect(res.json().report.features[1].problems[0].message).toMatch(/Self-intersection/);
    expect(await counts()).toEqual(before);

    // Leaving the broken features out imports the good one.
    const partial = await commit(preview.id, { mapping: preview.mapping, exclude: [1, 2] });
    expect(partial.statusCode, partial.body).toBe(201);
    expect(partial.json().cells).toMatchObject([{ code: '610302001001999', name: '好网格', level: 4 }]);
  });

  it('outside the parent, overlapping existing cells, a code of the wrong length', async () => {
    const before = await counts();
    const existing = original.get('610302001001001')!.geometry.coordinates[0]!;
    const { ring } = await insideStreet();
    const up = await upload('faults.geojson', fc(
      feature('越界网格', '610302001001901', [[[100, 30], [100.01, 30], [100.01, 30.01], [100, 30.01], [100, 30]]]),
      feature('重叠网格', '610302001001902', existing),
      feature('短码网格', '6103020010019', [ring]),
    ));
    const [outside, overlap, shortCode] = up.json().features;
    expect(outside.problems).toContainEqual(expect.objectContaining({ kind: 'outside', severity: 'error', message: expect.stringMatching(/lie outside the parent 610302001001/) }));
    expect(overlap.problems).toContainEqual(expect.objectContaining({ kind: 'overlap', severity: 'warning', message: expect.stringContaining('610302001001001') }));
    const out = outside.problems.find((p: { kind: string }) => p.kind === 'outside');
    expect(out).toMatchObject({ code: 'imports.row-outside', params: { parent: '610302001001' } });
    expect(problemText(out.code, out.params, 'zh-CN')).toMatch(/^有 [\d.]+ (m²|km²) 超出上级网格 610302001001，位置约在 \[/);
    const over = overlap.problems.find((p: { kind: string }) => p.kind === 'overlap');
    expect(over).toMatchObject({ code: 'imports.row-overlaps', params: { count: expect.any(Number), level: 4 } });
    expect(problemText(over.code, over.params, 'zh-CN')).toMatch(/^与 \d+ 个第 4 级已有网格重叠：.*610302001001001/);
    expect(shortCode.problems.map((p: { kind: string }) => p.kind)).toContain('code');
    expect((await commit(up.json().id, { mapping: up.json().mapping })).statusCode).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it('a bad row names its problem by a catalog code with parameters: the English message as before, the Chinese from the code', async () => {
    const before = await counts();
    const { ring } = await insideStreet(0.0002);
    const at = (k: number) => [ring.map(([a, b]) => [a! + 0.0004 * k, b!])];
    const up = await upload('rows.geojson', fc(
      feature('网'.repeat(201), '610302001001903', at(0)),
      feature(null, '610302001001904', at(1)),
      feature('重码甲', '610302001001905', at(2)),
      feature('重码乙', '610302001001905', at(3)),
      feature('无上级', '610302999999001', at(4)),
      { type: 'Feature', properties: { name: '一个点', code: '610302001001906' }, geometry: { type: 'Point', coordinates: at(5)[0]![0] } },
      feature('层级不符', '610302001001907', at(6), { lv: 3 }),
    ));
    expect(up.statusCode, up.body).toBe(201);
    const preview = await repreview(up.json().id, { mapping: { ...up.json().mapping, level: 'lv' } });
    expect(preview.statusCode, preview.body).toBe(200);
    const problems = preview.json().features.map((f: { problems: { code: string; params: Record<string, ProblemParam>; message: string }[] }) => f.problems);
    const expected: [number, string, Record<string, ProblemParam>, string, string][] = [
      [0, 'imports.row-name-too-long', { length: 201, max: 200 }, 'the name has 201 characters; a cell\'s name has at most 200', '名称有 201 个字符，网格名称最多 200 个字符'],
      [1, 'imports.row-name-empty', { field: 'name' }, 'the name (field "name") is empty', '名称（字段“name”）为空'],
      [3, 'imports.row-code-duplicate', { code: '610302001001905', feature: 3 }, 'the code 610302001001905 appears twice in the file (also feature 3)', '编码 610302001001905 在文件中重复出现（另见第 3 个要素）'],
      [4, 'imports.row-parent-not-found', { parent: '610302999999' }, 'the parent 610302999999 is neither in the file nor among the cells', '上级 610302999999 既不在文件中，也不在已有网格中'],
      [5, 'imports.row-not-polygon', { type: 'Point' }, 'a Point, not a polygon: cells are areas', '几何类型为 Point，不是多边形：网格必须是面'],
      [6, 'imports.row-level-misfit', { level: 3, parentLevel: 3, expected: 4 }, 'level 3 does not fit under a level-3 parent: it must be 4', '层级 3 与第 3 级上级不符：应为 4'],
    ];
    for (const [index, code, params, en, zh] of expected) {
      const p = problems[index].find((x: { code: string }) => x.code === code);
      expect(p, `feature ${index}: ${JSON.stringify(problems[index])}`).toMatchObject({ severity: 'error', code, params, message: en });
      expect(problemText(p.code, p.params, 'zh-CN')).toBe(zh);
      expect(problemText(p.code, p.params, 'en')).toBe(en);
    }
    // Every problem of the preview has a code the catalog reads in Chinese.
    for (const p of [...problems.flat(), ...preview.json().fileProblems]) expect(problemText(p.code, p.params, 'zh-CN'), JSON.stringify(p)).toMatch(/[\u4e00-\u9fff]/);
    expect((await commit(up.json().id, { mapping: { ...up.json().mapping, level: 'lv' } })).statusCode).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it('the wrong coordinate system: a clear report; the right EPSG code fixes it', async () => {
    await t.db.query("DELETE FROM cells WHERE level = 4 AND parent_id = (SELECT id FROM cells WHERE code = '610302001001')");
    const before = await counts();
    // The communities of 经二路街道's first community's area, in CGCS2000 GK zone 36, without saying so.
    const src = tempFile('a.geojson', fc(...[...original].filter(([, c]) => c.parentCode === '610302001001').map(([code, c]) =>
      ({ type: 'Feature', properties: { name: c.name, code }, geometry: c.geometry }))));
    let projected: string;
    try {
      projected = await gdal('ogr2ogr', ['-f', 'GeoJSON', '/vsistdout/', src.file, '-t_srs', 'EPSG:4524', '-lco', 'WRITE_NAME=NO']);
    } finally {
      src.cleanup();
    }
    const withoutCrs = JSON.stringify({ ...JSON.parse(projected), crs: undefined });
    const up = await upload('gk-no-crs.geojson', withoutCrs);
    expect(up.statusCode).toBe(201);
    const preview = up.json();
    expect(preview.summary.ready).toBe(false);
    expect(preview.fileProblems[0]).toMatchObject({ kind: 'crs', severity: 'error' });
    expect(preview.fileProblems[0].message).toMatch(/not longitude\/latitude.*Choose the coordinate system/);
    expect(preview.fileProblems[0].code).toBe('imports.file-not-lonlat-undeclared');
    expect(problemText(preview.fileProblems[0].code, preview.fileProblems[0].params, 'en')).toBe(preview.fileProblems[0].message);
    expect(problemText(preview.fileProblems[0].code, preview.fileProblems[0].params, 'zh-CN')).toMatch(/个的坐标不是经纬度.*文件未说明坐标系/);
    expect((await commit(preview.id, { mapping: preview.mapping })).statusCode).toBe(422);
    expect(await counts()).toEqual(before);

    const fixed = await repreview(preview.id, { mapping: preview.mapping, epsg: 4524 });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json().summary).toMatchObject({ ready: true });
    expect(fixed.json().crs).toContain('EPSG:4524');
    const done = await commit(preview.id, { mapping: preview.mapping, epsg: 4524 });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().created).toBeGreaterThan(0);
    const { maxDistance } = await storedCells();
    expect(maxDistance).toBeLessThan(1e-7);
  });

  // A commit with the options of the last preview writes what that preview checked (its PostGIS
  // findings and staged geometries) instead of checking again; whatever the preview relied on
  // that may have changed meanwhile is checked again.
  it('a parent reshaped after the preview: the commit checks against the new outline and refuses', async () => {
    const { ring } = await insideStreet(0.0004);
    const up = await upload('late-parent.geojson', fc(feature('新网格', '610302001001990', [ring])));
    expect(up.json().summary, up.body).toMatchObject({ ready: true });
    // Someone cuts the square out of the area 610302001001 (an edit bumps the version).
    await t.db.query(
      `UPDATE cells SET geom = ST_Multi(ST_Difference(geom, ST_Buffer(ST_GeomFromGeoJSON($1), 0.0001))), version = version + 1 WHERE code = '610302001001'`,
      [JSON.stringify({ type: 'Polygon', coordinates: [ring], crs: { type: 'name', properties: { name: 'EPSG:4326' } } })]);
    const before = await counts();
    const res = await commit(up.json().id, { mapping: up.json().mapping });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().report.features[0].problems).toContainEqual(expect.objectContaining({ kind: 'outside', severity: 'error' }));
    expect(await counts()).toEqual(before);
  });

  it('a commit with other options than the last preview is checked again', async () => {
    const before = await counts();
    const { ring } = await insideStreet(0.0004);
    const shifted = ring.map(([a, b]) => [a! + 0.0008, b!]);
    const d = 0.0004;
    const [x, y] = shifted[0]! as [number, number];
    const bowTie = [[x + 0.002, y], [x + 0.002 + d, y + d], [x + 0.002 + d, y], [x + 0.002, y + d], [x + 0.002, y]];
    const up = await upload('options.geojson', fc(feature('好的', '610302001001981', [shifted]), feature('坏的', '610302001001982', [bowTie])));
    const id = up.json().id;
    // Previewed clean without the bow-tie, then committed with it: refused, as the check says.
    expect((await repreview(id, { mapping: up.json().mapping, exclude: [1] })).json().summary).toMatchObject({ ready: true });
    const withIt = await commit(id, { mapping: up.json().mapping });
    expect(withIt.statusCode).toBe(422);
    expect(withIt.json().report.features[1].problems[0]).toMatchObject({ kind: 'geometry' });
    expect(await counts()).toEqual(before);
    // Checked again with other options in between, the options of the earlier preview still commit exactly their cells.
    await repreview(id, { mapping: { ...up.json().mapping, name: null } });
    const done = await commit(id, { mapping: up.json().mapping, exclude: [1] });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().cells).toMatchObject([{ code: '610302001001981', name: '好的' }]);
    // A preview with the options of the commit, then the commit: it writes the staged rows and drops them.
    const up2 = await upload('again.geojson', fc(feature('又一个', '610302001001983', [shifted.map(([a, b]) => [a! + 0.001, b!])])));
    const { rows: [checked] } = await t.db.query<{ run: string }>("SELECT checked_spatial->>'run' AS run FROM cell_imports WHERE id = $1", [up2.json().id]);
    const again = await commit(up2.json().id, { mapping: up2.json().mapping });
    expect(again.statusCode, again.body).toBe(201);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cell_import_staging WHERE run = $1', [checked!.run]);
    expect(rows[0]!.n).toBe(0);
  });
});

describe('who may import', () => {
  it('needs a planner, in scope', async () => {
    const file = JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'x' }, geometry: { type: 'Polygon', coordinates: [[[107, 34], [107.001, 34], [107.001, 34.001], [107, 34]]] } }] });
    const anonymous = await multipartFile('a.geojson', file);
    expect((await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: anonymous.payload, headers: anonymous.headers })).statusCode).toBe(401);
    await createUser(t.db, 'imp-worker', 'worker');
    expect((await upload('a.geojson', file, { headers: await signIn(t.app, 'imp-worker') })).statusCode).toBe(403);

    const { rows } = await t.db.query<{ id: number }>("SELECT id FROM cells WHERE code = '610302002'");
    await createUser(t.db, 'imp-scoped', 'planner', [rows[0]!.id]);
    const scoped = await signIn(t.app, 'imp-scoped');
    const up = await upload('a.geojson', JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: '外区网格', code: '610302001001950' }, geometry: original.get('610302001001001')!.geometry }] }), { headers: scoped });
    expect(up.statusCode).toBe(201);
    expect(up.json().features[0].problems).toContainEqual(expect.objectContaining({ kind: 'scope', severity: 'error' }));
    // Someone else's upload does not exist for another planner.
    expect((await repreview(up.json().id, { mapping: up.json().mapping })).statusCode).toBe(404);
  });
});
