import { beforeAll, describe, expect, it } from 'vitest';
import { describeProblem, isProblemCode, problemText, type ProblemBody } from '../../core/problems/index.ts';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { problemLacks } from '../helpers/problems.ts';

// Real failing requests across the API, one or more per area: each answer is problem+json with a
// catalog code whose text reads in Chinese and in English (the zh-CN UI shows no English prose).
// Every other API test checks the same through testApp's hook (a problem without it becomes a 599).

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h = {} as Record<'admin' | 'planner' | 'worker' | 'commander', Headers>;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'adm', 'admin');
  await createUser(t.db, 'pla', 'planner');
  await createUser(t.db, 'wor', 'worker', [ids.west]);
  await createUser(t.db, 'com', 'commander');
  h.admin = await signIn(t.app, 'adm');
  h.planner = await signIn(t.app, 'pla');
  h.worker = await signIn(t.app, 'wor');
  h.commander = await signIn(t.app, 'com');
});

type Who = keyof typeof h | null;
interface Case { name: string; method?: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'; url: string; who?: Who; body?: unknown; headers?: Headers; code: string; status: number }

const square = [[[107.01, 34.01], [107.02, 34.01], [107.02, 34.02], [107.01, 34.02], [107.01, 34.01]]];
const cases = (): Case[] => [
  { name: 'no such route', url: '/api/no-such-thing', code: 'http.not-found', status: 404 },
  { name: 'schema error', method: 'POST', url: '/api/reports', body: { category: 'fire' }, code: 'request.invalid', status: 400 },
  { name: 'not signed in', url: '/api/units', code: 'auth.sign-in-required', status: 401 },
  { name: 'cell missing', url: '/api/cells/999999', code: 'cells.not-found', status: 404 },
  { name: 'cell edit without If-Match', method: 'PATCH', url: `/api/cells/${ids.west}`, who: 'admin', body: { properties: { name: '西' } }, code: 'cells.if-match-required', status: 428 },
  { name: 'cell code of the wrong length', method: 'POST', url: '/api/cells', who: 'admin', body: { type: 'Feature', geometry: { type: 'Polygon', coordinates: square }, properties: { name: '新', level: 3, parentId: ids.west, code: '12' } }, code: 'cells.code-length', status: 422 },
  { name: 'merge of one cell with itself', method: 'POST', url: '/api/cells/merge', who: 'admin', body: { ids: [ids.west, 999999] }, code: 'cells.not-found', status: 404 },
  { name: 'coverage with both parentId and level', url: `/api/coverage?parentId=${ids.district}&level=2`, who: 'admin', code: 'coverage.parent-or-level', status: 400 },
  { name: 'overlap fix of a cell with itself', method: 'POST', url: '/api/coverage/fix', who: 'admin', body: { kind: 'overlap', a: ids.west, b: ids.west, keep: 'a' }, code: 'coverage.same-cell', status: 422 },
  { name: 'report missing', url: '/api/reports/999999', who: 'admin', code: 'reports.not-found', status: 404 },
  { name: 'tracking code unknown', url: '/api/reports/track/WG-00000-XXXXX', code: 'reports.not-found', status: 404 },
  { name: 'report of an unknown category', method: 'POST', url: '/api/reports', body: { category: 'no-such', severity: 'ordinary', description: '路灯坏了', location: { type: 'Point', coordinates: [107.02, 34.02] } }, code: 'reports.category-unknown', status: 422 },
  { name: 'report bbox', url: '/api/reports?bbox=1,2,0,1', who: 'admin', code: 'reports.bbox-invalid', status: 422 },
  { name: 'inspection missing', url: '/api/inspections/999999', who: 'worker', code: 'patrols.inspection-not-found', status: 404 },
  { name: 'patrol of a missing cell', method: 'POST', url: '/api/inspections', who: 'worker', body: { cellId: 999999 }, code: 'patrols.cell-not-found', status: 404 },
  { name: 'OGC collection missing', url: '/ogc/collections/nope', code: 'ogc.collection-not-found', status: 404 },
  { name: 'OGC bbox', url: '/ogc/collections/cells/items?bbox=1,2', code: 'ogc.bbox-invalid', status: 400 },
  { name: 'OGC datetime', url: '/ogc/collections/reports/items?datetime=yesterday', code: 'ogc.datetime-invalid', status: 400 },
  { name: 'OGC units for a stranger', url: '/ogc/collections/units/items', code: 'ogc.sign-in-required', status: 401 },
  { name: 'tile out of range', url: '/tiles/cells/1/5/0.mvt', code: 'tiles.out-of-range', status: 400 },
  { name: 'cell export under a missing cell', url: '/api/export/cells.geojson?rootId=999999', who: 'admin', code: 'export.cell-not-found', status: 404 },
  { name: 'people CSV without rows', method: 'POST', url: '/api/assignments/import', who: 'admin', headers: { 'content-type': 'text/csv' }, body: 'cellCode,name,role,phone\n', code: 'csv.no-rows', status: 422 },
  { name: 'people CSV with bad rows', method: 'POST', url: '/api/assignments/import', who: 'admin', headers: { 'content-type': 'text/csv' }, body: 'cellCode,name,role,phone\n999,张三,chief,abc\n', code: 'people.import-invalid-rows', status: 422 },
  { name: 'units CSV with bad rows', method: 'POST', url: '/api/units/import', who: 'admin', headers: { 'content-type': 'text/csv' }, body: '类型,名称,经度,纬度\ncasino,,200,30\n', code: 'units.import-invalid-rows', status: 422 },
  { name: 'heatmap of an unknown level', url: '/api/stats/cells?level=9', who: 'commander', code: 'command.level-unknown', status: 422 },
  { name: 'unit missing', url: '/api/units/999999', who: 'admin', code: 'units.not-found', status: 404 },
  { name: 'division into one cell', method: 'POST', url: `/api/cells/${ids.west}/partition`, who: 'planner', body: { count: 1 }, code: 'partition.count-too-small', status: 422 },
  { name: 'workload of a missing cell', url: '/api/cells/999999/workload', who: 'planner', code: 'partition.cell-not-found', status: 404 },
];

describe(`every problem the API answers has a code with zh-CN and en text (${TEST_DB})`, () => {
  it('walks failing requests of every area', async () => {
    for (const c of cases()) {
      const headers = { ...(c.who ? h[c.who] : {}), ...c.headers };
      const res = await t.app.inject({ method: c.method ?? 'GET', url: c.url, headers, payload: c.body as string | object | undefined });
      expect(res.statusCode, `${c.name}: ${res.body}`).toBe(c.status);
      expect(res.headers['content-type'], c.name).toMatch(/^application\/problem\+json/);
      const body = res.json<ProblemBody>();
      expect(body.code, `${c.name}: ${res.body}`).toBe(c.code);
      expect(problemLacks(body), c.name).toBeNull();
      expect(typeof body.detail, c.name).toBe('string');
      const zh = describeProblem(body, 'zh-CN');
      const en = describeProblem(body, 'en');
      expect(zh, c.name).toMatch(/[\u4e00-\u9fff]/);
      expect(zh, c.name).not.toMatch(/\{\w+\}/);
      expect(en, c.name).not.toMatch(/\{\w+\}/);
    }
  });

  it('names a self-intersecting outline by its own code, with the place in both languages and what to do in Chinese', async () => {
    const bowTie = [[[107.01, 34.01], [107.02, 34.02], [107.02, 34.01], [107.01, 34.02], [107.01, 34.01]]];
    const res = await t.app.inject({
      method: 'POST', url: '/api/cells', headers: h.admin,
      payload: { type: 'Feature', geometry: { type: 'Polygon', coordinates: bowTie }, properties: { name: '蝴蝶', level: 3, parentId: ids.west } },
    });
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json<ProblemBody>();
    expect(problemLacks(body)).toBeNull();
    expect(body.code).toBe('cells.geometry-self-intersection');
    expect(body.params).toEqual({ whose: '', at: { en: ' at [107.015, 34.015]', zh: '（位置 [107.015, 34.015]）' } });
    // The English the API always answered, the field and its message as before.
    expect(body.detail).toBe('Invalid geometry: Self-intersection at [107.015, 34.015]');
    expect(body.errors).toEqual([{ field: 'geometry.coordinates', message: 'Self-intersection at [107.015, 34.015]' }]);
    expect(describeProblem(body, 'zh-CN')).toBe('几何图形无效：边界自相交（位置 [107.015, 34.015]）：出现“8”字形或交叉，请拖动顶点消除交叉。');

    // A structure fault names its place in Chinese as the planner sees it.
    const open = await t.app.inject({
      method: 'POST', url: '/api/cells', headers: h.admin,
      payload: { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [square, [square[0]!.slice(0, 4)]] }, properties: { name: '缺口', level: 3, parentId: ids.west } },
    });
    expect(open.statusCode, open.body).toBe(422);
    expect(open.json().code).toBe('cells.geometry-ring-not-closed');
    expect(open.json().detail).toBe('Invalid geometry: polygon 1, ring 0 is not closed: it starts at [107.01, 34.01] and ends at [107.01, 34.02]');
    expect(describeProblem(open.json(), 'zh-CN')).toBe('几何图形无效：第 2 部分的外边界未闭合：起点 [107.01, 34.01] 与终点 [107.01, 34.02] 不同，请让最后一个坐标与第一个相同。');
  });

  it('names each refused import row by a code the client shows in Chinese', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/units/import?dryRun=true', headers: { ...h.admin, 'content-type': 'text/csv' },
      payload: '类型,名称,经度,纬度\ncasino,赌场,107.02,34.02\n九小场所,,107.02,34.02\n九小场所,远方,100,30\n九小场所,越界,200,30\n',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { errors } = res.json<{ errors: { row: number; field: string; message: string; code: string; params: Record<string, string | number> }[] }>();
    expect(errors.map((e) => [e.row, e.code])).toEqual([
      [2, 'units.row-type-unknown'], [3, 'units.row-name-empty'], [4, 'units.row-outside-cells'], [5, 'units.row-position-range'],
    ]);
    for (const e of errors) {
      expect(isProblemCode(e.code)).toBe(true);
      expect(problemText(e.code, e.params, 'en')).toBe(e.message);
      expect(problemText(e.code, e.params, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(problemText(errors[2]!.code, errors[2]!.params, 'zh-CN')).toBe('点 [100, 30] 不在任何网格内');
  });
});
