import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { TEST_DB } from '../helpers/db.ts';
import { multipartFile, zipOf } from '../fixtures/exchange/upload.ts';
import { describeProblem } from '../../core/problems/index.ts';

// Hostile or broken files that once made the upload answer 500. Attributes may hold what PostgreSQL
// cannot store in text: NUL (common in fixed-width exports) and UTF-16 surrogates without their pair
// (text cut in the middle of an emoji): the file must import, those characters left out. A
// GeometryCollection may hold anything: the feature is refused as not a polygon, the rest imports.

let t: TestApp;
let planner: Headers;

beforeAll(async () => {
  t = await testApp();
  await createUser(t.db, 'importer', 'planner');
  planner = await signIn(t.app, 'importer');
});
afterAll(() => t.app.close());

const square = (x: number) => ({ type: 'Polygon', coordinates: [[[x, 39], [x + 0.1, 39], [x + 0.1, 39.1], [x, 39.1], [x, 39]]] });

describe(`attribute text PostgreSQL cannot store (${TEST_DB})`, () => {
  it('imports the file with those characters left out of names and fields, and keeps whole emoji', async () => {
    const features = [
      { type: 'Feature', properties: { name: '东\u0000城区', code: '110101', level: 1, 'no\u0000te': 'a\u0000b' }, geometry: square(116) },
      { type: 'Feature', properties: { name: '西城区\uD83D', code: '110102', level: 1, 'no\u0000te': '\uDE00x' }, geometry: square(116.2) },
      { type: 'Feature', properties: { name: '朝阳区🔥', code: '110105', level: 1, 'no\u0000te': { nested: 'c\u0000' } }, geometry: square(116.4) },
    ];
    const body = await multipartFile('hostile.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
    expect(up.statusCode, up.body).toBe(201);
    const preview = up.json<{ id: string; mapping: Record<string, string | null>; fields: { name: string; sample: string | null }[]; summary: { errors: number } }>();
    expect(preview.summary.errors).toBe(0);
    expect(preview.fields.map((f) => f.name)).toEqual(['name', 'code', 'level', 'note']);
    expect(preview.fields.find((f) => f.name === 'note')!.sample).toBe('ab');
    const done = await t.app.inject({ method: 'POST', url: `/api/import/cells/${preview.id}/commit`, payload: { mapping: preview.mapping }, headers: planner });
    expect(done.statusCode, done.body).toBe(201);
    const { rows } = await t.db.query<{ code: string; name: string }>('SELECT code, name FROM cells ORDER BY code');
    expect(rows).toEqual([{ code: '110101', name: '东城区' }, { code: '110102', name: '西城区' }, { code: '110105', name: '朝阳区🔥' }]);
  });

  it('refuses a GeometryCollection without an array of polygons as not a polygon, and checks the rest', async () => {
    const broken = [null, 'x', [null, 5], [{ type: 'Point', coordinates: [116, 39] }]];
    const features = [
      ...broken.map((geometries, k) => ({ type: 'Feature', properties: { name: `坏${k}`, code: `11020${k + 1}`, level: 1 }, geometry: { type: 'GeometryCollection', geometries } })),
      { type: 'Feature', properties: { name: '好', code: '110209', level: 1 }, geometry: { type: 'GeometryCollection', geometries: [square(117)] } },
    ];
    const body = await multipartFile('collections.geojson', JSON.stringify({ type: 'FeatureCollection', features }));
    const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
    expect(up.statusCode, up.body).toBe(201);
    const preview = up.json<{ features: { index: number; problems: { code: string }[] }[] }>();
    expect(preview.features.map((f) => f.problems.map((p) => p.code))).toEqual([
      ['imports.row-not-polygon'], ['imports.row-not-polygon'], ['imports.row-not-polygon'], ['imports.row-not-polygon'], [],
    ]);
  });

  it('says why a file cannot be read in the planner\'s language (it was an English sentence in the Chinese message)', async () => {
    const cases: [string, Buffer | string, string, string][] = [
      ['empty.geojson', '', '文件是空的', 'The file is empty'],
      ['cut.geojson', '{"type": "FeatureCollection", "features": [', '文件不是有效的 JSON（文件不完整，或根本不是 JSON）', 'The file is not valid JSON (it is cut short, or not JSON at all)'],
      ['notes.txt', 'hello', '"notes.txt" 不是本系统能导入的格式：请上传 GeoJSON、Shapefile 压缩包、KML/KMZ 或 GeoPackage', '"notes.txt" is not a format Wangge imports'],
      ['roads.zip', await zipOf(new Map([['roads.shp', Buffer.alloc(100)]])), '压缩包中有 roads.shp 但没有 roads.dbf', 'The zip holds roads.shp but no roads.dbf'],
    ];
    for (const [name, data, zh, en] of cases) {
      const body = await multipartFile(name, data);
      const res = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
      expect(res.statusCode, res.body).toBe(422);
      const problem = res.json();
      expect(problem.code).toBe('imports.unreadable');
      expect(describeProblem(problem, 'zh-CN')).toContain(`${name}：无法读取（${zh}`);
      expect(describeProblem(problem, 'en')).toContain(`${name}: ${en}`);
      expect(problem.detail).toContain(en);
    }
  });
});
