import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { multipartFile } from '../fixtures/exchange/upload.ts';

// Imported cells are stored on the export grid (1e-7°), so that whatever was imported exports and
// imports again. Rounding the vertices keeps almost every polygon valid; where it does not (a
// notch reaching within the grid of another edge), the import mends it instead of storing an
// invalid cell or refusing a polygon that was valid as given.

let t: TestApp;
let planner: Headers;

beforeAll(async () => {
  t = await testApp();
  await twoStreets(t.db);
  await createUser(t.db, 'importer', 'planner');
  planner = await signIn(t.app, 'importer');
});

afterAll(async () => {
  await t.app.close();
});

// A community in the west street with a V notch from its top edge down to 4e-8° above its bottom
// edge: valid as given; rounded to 1e-7° the notch's tip lands on the bottom edge.
const [x0, y0, x1, y1] = [107.01, 34.01, 107.02, 34.02];
const notched = [[[x0, y0], [x1, y0], [x1, y1], [107.016, y1], [107.015, y0 + 4e-8], [107.014, y1], [x0, y1], [x0, y0]]];
const plain = [[[x0, y0 + 0.02], [x1, y0 + 0.02], [x1, y1 + 0.02], [x0, y1 + 0.02], [x0, y0 + 0.02]]];

describe(`imported cells are stored on the 1e-7° grid, valid (${TEST_DB})`, () => {
  it('a polygon valid as given but not once rounded is mended, not refused; every stored vertex is on the grid', async () => {
    const file = JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { name: '缺口社区', code: '610302001001' }, geometry: { type: 'Polygon', coordinates: notched } },
      { type: 'Feature', properties: { name: '方正社区', code: '610302001002' }, geometry: { type: 'Polygon', coordinates: plain } },
    ] });
    const body = await multipartFile('notch.geojson', file, {});
    const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
    expect(up.statusCode, up.body).toBe(201);
    const preview = up.json();
    expect(preview.features.map((f: { problems: unknown[] }) => f.problems)).toEqual([[], []]);
    const done = await t.app.inject({ method: 'POST', url: `/api/import/cells/${preview.id}/commit`, payload: { mapping: preview.mapping }, headers: planner });
    expect(done.statusCode, done.body).toBe(201);

    const { rows } = await t.db.query<{ code: string; valid: boolean; on_grid: boolean; area_ratio: number }>(
      `SELECT code, ST_IsValid(geom) AS valid, ST_OrderingEquals(geom, ST_SnapToGrid(geom, 1e-7)) AS on_grid,
              ST_Area(geom) / ST_Area(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326)) AS area_ratio
       FROM cells WHERE code = '610302001001'
       UNION ALL
       SELECT code, ST_IsValid(geom), ST_OrderingEquals(geom, ST_SnapToGrid(geom, 1e-7)), ST_Area(geom) / ST_Area(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326))
       FROM cells WHERE code = '610302001002'`,
      [JSON.stringify({ type: 'Polygon', coordinates: notched }), JSON.stringify({ type: 'Polygon', coordinates: plain })]);
    expect(rows.map((r) => ({ code: r.code, valid: r.valid, onGrid: r.on_grid }))).toEqual([
      { code: '610302001001', valid: true, onGrid: true },
      { code: '610302001002', valid: true, onGrid: true },
    ]);
    // Mending moves nothing further than the grid: the areas are those drawn.
    for (const r of rows) expect(r.area_ratio).toBeCloseTo(1, 6);
  });
});

describe(`the preview shows outlines as they would be stored (${TEST_DB})`, () => {
  it('with 7 decimals and without heights; a file with heights imports as flat cells', async () => {
    // 14 decimals and a height at every vertex, as GIS tools often write them.
    const ring = [[107.03123456789123, 34.01123456789123, 412.5], [107.03987654321988, 34.01123456789123, 413],
      [107.03987654321988, 34.01987654321988, 420.25], [107.03123456789123, 34.01987654321988, 418], [107.03123456789123, 34.01123456789123, 412.5]];
    const file = JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { name: '高程社区', code: '610302001003' }, geometry: { type: 'Polygon', coordinates: [ring] } },
    ] });
    const body = await multipartFile('heights.geojson', file, {});
    const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
    expect(up.statusCode, up.body).toBe(201);
    const preview = up.json();
    expect(preview.features[0].problems).toEqual([]);
    expect(preview.preview.features[0].geometry.coordinates[0]).toEqual(ring.map(([x, y]) => [Math.round(x! * 1e7) / 1e7, Math.round(y! * 1e7) / 1e7]));
    expect(preview.preview.features[0].geometry.coordinates[0][1]).toEqual([107.0398765, 34.0112346]);
    const done = await t.app.inject({ method: 'POST', url: `/api/import/cells/${preview.id}/commit`, payload: { mapping: preview.mapping }, headers: planner });
    expect(done.statusCode, done.body).toBe(201);
    const { rows } = await t.db.query<{ dims: number; valid: boolean; first: string }>(
      `SELECT ST_NDims(geom) AS dims, ST_IsValid(geom) AS valid, ST_AsText(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 2), 7) AS first FROM cells WHERE code = '610302001003'`);
    expect(rows).toEqual([{ dims: 2, valid: true, first: 'POINT(107.0398765 34.0112346)' }]);
  });
});

describe(`an uploaded file is kept as written (${TEST_DB})`, () => {
  it('a second preview lists the fields in the file\'s order, as the first did', async () => {
    const geometry = { type: 'Polygon', coordinates: [[[107.05, 34.01], [107.06, 34.01], [107.06, 34.02], [107.05, 34.01]]] };
    const file = JSON.stringify({ type: 'FeatureCollection', features: [
      { type: 'Feature', properties: { 网格名称: '字段社区', remark: '备注', a: 1, code: '610302001004' }, geometry },
    ] });
    const body = await multipartFile('fields.geojson', file, {});
    const up = await t.app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...planner, ...body.headers } });
    expect(up.statusCode, up.body).toBe(201);
    const names = (p: { fields: { name: string }[] }) => p.fields.map((f) => f.name);
    expect(names(up.json())).toEqual(['网格名称', 'remark', 'a', 'code']);
    const again = await t.app.inject({ method: 'POST', url: `/api/import/cells/${up.json().id}/preview`, payload: { mapping: up.json().mapping }, headers: planner });
    expect(again.statusCode, again.body).toBe(200);
    expect(names(again.json())).toEqual(['网格名称', 'remark', 'a', 'code']);
  });
});
