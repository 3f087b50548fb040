import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let planner: Headers;
let workerWest: Headers;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'wes', 'worker', [ids.west]);
  planner = await signIn(t.app, 'pat');
  workerWest = await signIn(t.app, 'wes');
});

interface UnitFeature { id: number; geometry: { coordinates: number[] }; properties: { cellId: number | null; name: string; type: string; version: number; attributes: Record<string, unknown> } }

const unit = (lon: number, lat: number, name: string, type = 'company', extra: Record<string, unknown> = {}) =>
  ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { type, name, ...extra } });
const addUnit = async (lon: number, lat: number, name: string, headers = planner, type = 'company') => {
  const res = await t.app.inject({ method: 'POST', url: '/api/units', headers, payload: unit(lon, lat, name, type) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<UnitFeature>();
};
const cellOf = async (unitId: number) => (await t.db.query<{ cell_id: number | null }>('SELECT cell_id FROM units WHERE id = $1', [unitId])).rows[0]!.cell_id;
const createCell = async (rings: number[][][], name: string, level: number, parentId: number) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/cells', headers: planner, payload: { type: 'Feature', geometry: { type: 'Polygon', coordinates: rings }, properties: { name, level, parentId } } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: number; properties: { version: number } }>();
};
const unitCount = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM units')).rows[0]!.n;

describe(`units filed in cells (${TEST_DB})`, () => {
  it('files a unit in the smallest cell containing it, and refuses a point outside every cell', async () => {
    const community = await createCell(square(107.01, 34.01, 0.02), '西一社区', 3, ids.west);
    const inCommunity = await addUnit(107.015, 34.015, '宝鸡机床厂', workerWest);
    expect(inCommunity.properties).toMatchObject({ cellId: community.id, name: '宝鸡机床厂', type: 'company', version: 1 });
    const inStreet = await addUnit(107.04, 34.08, '九小场所·面馆', planner, 'small_place');
    expect(inStreet.properties.cellId).toBe(ids.west);
    const outside = await t.app.inject({ method: 'POST', url: '/api/units', headers: planner, payload: unit(100, 30, '远方') });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().detail).toMatch(/outside every cell/);
    const badType = await t.app.inject({ method: 'POST', url: '/api/units', headers: planner, payload: unit(107.01, 34.01, 'x', 'casino') });
    expect(badType.statusCode).toBe(400);
    const badLat = await t.app.inject({ method: 'POST', url: '/api/units', headers: planner, payload: unit(34.01, 107.01, 'swapped') });
    expect(badLat.statusCode).toBe(422);
    expect(badLat.json().detail).toMatch(/out of range/);
  });

  it('keeps a worker to units in their scope: a unit of another street cannot be filed, edited, deleted or logged', async () => {
    const east = await addUnit(107.07, 34.05, '东街加油站', planner, 'key_fire_a');
    const before = await unitCount();
    const create = await t.app.inject({ method: 'POST', url: '/api/units', headers: workerWest, payload: unit(107.07, 34.06, '越界') });
    expect(create.statusCode).toBe(403);
    const url = `/api/units/${east.id}`;
    const patch = await t.app.inject({ method: 'PATCH', url, headers: { ...workerWest, 'if-match': '"1"' }, payload: { properties: { name: '改名' } } });
    // A unit outside one's scope is not admitted to exist.
    expect(patch.statusCode).toBe(404);
    expect(patch.json().code).toBe('units.not-found');
    expect((await t.app.inject({ method: 'DELETE', url, headers: workerWest })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `${url}/records`, headers: workerWest, payload: { kind: 'note', text: 'x' } })).statusCode).toBe(404);
    // Nor move one of their own units into the other street.
    const own = await addUnit(107.03, 34.05, '西街仓库', workerWest);
    const move = await t.app.inject({ method: 'PATCH', url: `/api/units/${own.id}`, headers: { ...workerWest, 'if-match': '"1"' }, payload: { geometry: { type: 'Point', coordinates: [107.07, 34.05] } } });
    expect(move.statusCode).toBe(403);
    expect(await cellOf(own.id)).toBe(ids.west);
    expect(await unitCount()).toBe(before + 1);
    expect((await t.app.inject({ url })).statusCode).toBe(401);
    const edited = await t.app.inject({ method: 'PATCH', url, headers: { ...planner, 'if-match': '"1"' }, payload: { properties: { name: '东街加油站(中石化)', attributes: { 级别: '一级' } } } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().properties).toMatchObject({ name: '东街加油站(中石化)', attributes: { 级别: '一级' }, version: 2, cellId: ids.east });
  });

  it('keeps a dated record log of inspections and notes', async () => {
    const u = await addUnit(107.02, 34.03, '出租屋', workerWest, 'rented_housing');
    const url = `/api/units/${u.id}/records`;
    const a = await t.app.inject({ method: 'POST', url, headers: workerWest, payload: { date: '2025-03-01', kind: 'inspection', text: '消防通道畅通' } });
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json()).toMatchObject({ date: '2025-03-01', kind: 'inspection', text: '消防通道畅通', by: 'wes' });
    await t.app.inject({ method: 'POST', url, headers: workerWest, payload: { date: '2025-04-02', kind: 'note', text: '房东换人' } });
    expect((await t.app.inject({ method: 'POST', url, headers: workerWest, payload: { date: '2025-02-30', kind: 'note', text: 'x' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url, headers: workerWest, payload: { kind: 'visit', text: 'x' } })).statusCode).toBe(400);
    const log = (await t.app.inject({ url, headers: planner })).json();
    expect(log.map((r: { date: string; kind: string }) => [r.date, r.kind])).toEqual([['2025-04-02', 'note'], ['2025-03-01', 'inspection']]);
  });

  it('lists units by cell (with sub-cells), type and bbox, and counts them by type', async () => {
    const list = async (q: string) => (await t.app.inject({ url: `/api/units?${q}`, headers: planner })).json<{ features: UnitFeature[] }>().features.map((f) => f.properties.name).sort();
    const west = await list(`cellId=${ids.west}`);
    expect(west).toEqual(['九小场所·面馆', '出租屋', '宝鸡机床厂', '西街仓库'].sort());
    expect(await list(`cellId=${ids.east}`)).toEqual(['东街加油站(中石化)']);
    expect(await list('type=small_place&type=key_fire_a')).toEqual(['东街加油站(中石化)', '九小场所·面馆'].sort());
    expect(await list('bbox=107.01,34.01,107.03,34.04')).toEqual(['出租屋', '宝鸡机床厂'].sort());
    const summary = (await t.app.inject({ url: `/api/cells/${ids.west}/units/summary`, headers: workerWest })).json();
    expect(summary.total).toBe(4);
    const byType = Object.fromEntries(summary.byType.map((b: { type: string; count: number }) => [b.type, b.count]));
    expect(byType).toMatchObject({ company: 2, small_place: 1, rented_housing: 1, key_fire_a: 0 });
    expect(summary.byType.find((b: { type: string }) => b.type === 'small_place')).toMatchObject({ zh: '九小场所' });
    expect((await t.app.inject({ url: `/api/cells/${ids.district}/units/summary`, headers: planner })).json().total).toBe(5);
    // A scoped worker counts only the units of their scope, even for the district above it.
    expect((await t.app.inject({ url: `/api/cells/${ids.district}/units/summary`, headers: workerWest })).json().total).toBe(4);
  });
});

describe(`units follow boundary changes (${TEST_DB})`, () => {
  it('moves units to their new cell when a boundary is reshaped, a cell is created, deleted or merged', async () => {
    const area = await createCell(square(107.01, 34.06, 0.02), '待改社区', 3, ids.west);
    const u = await addUnit(107.025, 34.075, '将被划出的厂');
    expect(u.properties.cellId).toBe(area.id);
    // Shrink the cell so the unit falls outside it: it goes back to the street.
    const shrink = await t.app.inject({ method: 'PATCH', url: `/api/cells/${area.id}`, headers: { ...planner, 'if-match': '"1"' }, payload: { geometry: { type: 'Polygon', coordinates: square(107.01, 34.06, 0.01) } } });
    expect(shrink.statusCode, shrink.body).toBe(200);
    expect(await cellOf(u.id)).toBe(ids.west);
    // Grow it back: the unit returns.
    await t.app.inject({ method: 'PATCH', url: `/api/cells/${area.id}`, headers: { ...planner, 'if-match': '"2"' }, payload: { geometry: { type: 'Polygon', coordinates: square(107.01, 34.06, 0.02) } } });
    expect(await cellOf(u.id)).toBe(area.id);
    // A new smaller cell drawn around it takes it; deleting that cell gives it back.
    const inner = await createCell(square(107.02, 34.07, 0.01), '楼院', 4, area.id);
    expect(await cellOf(u.id)).toBe(inner.id);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/cells/${inner.id}`, headers: planner })).statusCode).toBe(204);
    expect(await cellOf(u.id)).toBe(area.id);
    // Merging a neighbour into the cell moves the neighbour's units to it.
    const neighbour = await createCell(square(107.03, 34.06, 0.01), '邻社区', 3, ids.west);
    const v = await addUnit(107.035, 34.065, '邻社区商店');
    expect(v.properties.cellId).toBe(neighbour.id);
    const merge = await t.app.inject({ method: 'POST', url: '/api/cells/merge', headers: planner, payload: { ids: [area.id, neighbour.id] } });
    expect(merge.statusCode, merge.body).toBe(200);
    expect(await cellOf(v.id)).toBe(area.id);
  });

  it('moves units to their part when a cell is split; a unit on the cut goes to the lower id', async () => {
    const community = await createCell(square(107.01, 34.085, 0.012), '待分社区', 3, ids.west);
    const westUnit = await addUnit(107.012, 34.09, '西边厂');
    const eastUnit = await addUnit(107.021, 34.09, '东边厂');
    const onCut = await addUnit(107.018, 34.09, '线上厂');
    const res = await t.app.inject({ method: 'POST', url: `/api/cells/${community.id}/split`, headers: planner, payload: { type: 'LineString', coordinates: [[107.018, 34.08], [107.018, 34.1]] } });
    expect(res.statusCode, res.body).toBe(201);
    const partIds = res.json<{ features: { id: number }[] }>().features.map((f) => f.id);
    expect(partIds).toHaveLength(2);
    const newPart = partIds.find((id) => id !== community.id)!;
    // The larger (western) part keeps the id; the eastern part is new.
    expect(await cellOf(westUnit.id)).toBe(community.id);
    expect(await cellOf(eastUnit.id)).toBe(newPart);
    expect(await cellOf(onCut.id)).toBe(Math.min(community.id, newPart));
    const card = (await t.app.inject(`/api/cards/at?lon=107.018&lat=34.09`)).json();
    expect(card.id).toBe(await cellOf(onCut.id));
  });
});

describe(`unit import and export (${TEST_DB})`, () => {
  it('imports CSV with lon/lat or WKT, extra columns as attributes; exports CSV and GeoJSON that import again', async () => {
    const csv = [
      'type,name,address,contact,lon,lat,wkt,法人',
      'company,秦川机械,渭滨路1号,李经理,107.041,34.041,,李某',
      '九小场所,小超市,,,,,"POINT(107.061 34.061)",',
      'pollution_source,印染厂,,,,,SRID=4326;POINT (107.062 34.062),',
    ].join('\n');
    const res = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: { ...planner, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ rows: 3, imported: 3, skipped: 0, errors: [] });
    const imported = res.json<{ ids: number[] }>().ids;
    const { rows } = await t.db.query<{ name: string; type: string; cell_id: number; attributes: Record<string, unknown> }>('SELECT name, type, cell_id, attributes FROM units WHERE id = ANY($1::int[]) ORDER BY id', [imported]);
    expect(rows).toEqual([
      { name: '秦川机械', type: 'company', cell_id: ids.west, attributes: { 法人: '李某' } },
      { name: '小超市', type: 'small_place', cell_id: ids.east, attributes: {} },
      { name: '印染厂', type: 'pollution_source', cell_id: ids.east, attributes: {} },
    ]);

    const exported = await t.app.inject({ url: `/api/units/export.csv?cellId=${ids.east}&type=small_place&type=pollution_source`, headers: planner });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    const lines = exported.body.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('id,type,name,address,contact,lon,lat,wkt,cell_code,attributes,archived_at,archived_by');
    expect(lines.slice(1).map((l) => l.split(',').slice(1, 3).join(','))).toEqual(['small_place,小超市', 'pollution_source,印染厂']);
    expect(lines[1]).toContain('POINT(107.061 34.061)');

    const geojson = await t.app.inject({ url: `/api/units/export.geojson?cellId=${ids.west}&type=company`, headers: planner });
    expect(geojson.headers['content-type']).toMatch(/^application\/geo\+json/);
    const fc = JSON.parse(geojson.body);
    const qinchuan = fc.features.find((f: UnitFeature) => f.properties.name === '秦川机械');
    expect(qinchuan.geometry).toEqual({ type: 'Point', coordinates: [107.041, 34.041] });
    expect(qinchuan.properties.attributes).toEqual({ 法人: '李某' });

    // Round trips: the exported files import as the same units (new ids, same cells and attributes).
    const before = await unitCount();
    const again = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: { ...planner, 'content-type': 'application/geo+json' }, payload: geojson.body });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().imported).toBe(fc.features.length);
    const copy = await t.db.query<{ cell_id: number; attributes: Record<string, unknown> }>("SELECT cell_id, attributes FROM units WHERE name = '秦川机械' ORDER BY id DESC LIMIT 1");
    expect(copy.rows[0]).toEqual({ cell_id: ids.west, attributes: { 法人: '李某' } });
    const csvAgain = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: { ...planner, 'content-type': 'text/csv' }, payload: exported.body });
    expect(csvAgain.json()).toMatchObject({ imported: 2, errors: [] });
    expect(await unitCount()).toBe(before + fc.features.length + 2);
  });

  it('writes nothing when a row is invalid unless skipInvalid, and reports each bad row', async () => {
    const before = await unitCount();
    const csv = [
      'type,name,lon,lat,wkt',
      'company,好厂,107.01,34.02,',
      'casino,坏类型,107.01,34.02,',
      'company,界外,100,30,',
      'company,坏坐标,abc,34,',
      'company,坏WKT,,,LINESTRING(1 2 3 4)',
      'company,,107.01,34.02,',
    ].join('\n');
    const res = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: { ...planner, 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([[3, 'type'], [4, 'position'], [5, 'lon'], [6, 'wkt'], [7, 'name']]);
    expect(res.json().errors[1].message).toBe('[100, 30] lies outside every cell');
    expect(await unitCount()).toBe(before);
    const skip = await t.app.inject({ method: 'POST', url: '/api/units/import?skipInvalid=true', headers: { ...planner, 'content-type': 'text/csv' }, payload: csv });
    expect(skip.json()).toMatchObject({ rows: 6, imported: 1, skipped: 5 });
    expect(await unitCount()).toBe(before + 1);

    const fc = { type: 'FeatureCollection', features: [unit(107.07, 34.07, '东边'), { type: 'Feature', geometry: { type: 'LineString', coordinates: [[1, 2], [3, 4]] }, properties: { type: 'company', name: '线' } }] };
    const bad = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: planner, payload: { geojson: fc } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ row: 2, field: 'features.1.geometry', message: 'must be a Point with [longitude, latitude] numbers', code: 'units.row-geometry-invalid', params: {} }]);
    // A scoped worker's import is refused row by row outside the scope.
    const scoped = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: workerWest, payload: { geojson: { type: 'FeatureCollection', features: [unit(107.07, 34.07, '东边')] } } });
    expect(scoped.statusCode).toBe(422);
    expect(scoped.json().errors[0].message).toMatch(/outside your scope/);
    expect(await unitCount()).toBe(before + 1);
  });
});
