import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

/** A unit's page (its file over time and who answers for it), archiving, and the import preview. */

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let planner: Headers;
let workerWest: Headers;
let workerEast: Headers;

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'wes', 'worker', [ids.west]);
  await createUser(t.db, 'eas', 'worker', [ids.east]);
  planner = await signIn(t.app, 'pat');
  workerWest = await signIn(t.app, 'wes');
  workerEast = await signIn(t.app, 'eas');
});

interface UnitFeature { id: number; properties: { name: string; version: number; cellId: number | null; attributes: Record<string, unknown>; archivedAt: string | null; archivedBy: string | null } }
interface Entry { kind: string; at: string; by: string | null; text: string | null; result: string | null; failedItems: string[]; reportId: number | null; category: string | null }

const post = (url: string, headers: Headers, payload?: unknown, extra: Headers = {}) => t.app.inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload: payload as object });
async function addUnit(lon: number, lat: number, name: string, extra: Record<string, unknown> = {}) {
  const res = await post('/api/units', planner, { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { type: 'key_fire_a', name, ...extra } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<UnitFeature>();
}

describe(`a unit's page (${TEST_DB})`, () => {
  it('gathers its records, check-ins, hazards found and their rectification, newest first, with its contacts', async () => {
    const unit = await addUnit(107.02, 34.02, '金台商场', { contact: '王经理 13800138000' });
    await t.db.query("INSERT INTO people (name, phone, organisation) VALUES ('李网格', '13900139000', '西街道')");
    await t.db.query("INSERT INTO cell_assignments (cell_id, position, person_id, role) SELECT $1, 1, id, 'chief' FROM people WHERE phone = '13900139000'", [ids.west]);
    expect((await post(`/api/units/${unit.id}/records`, planner, { kind: 'note', text: '新开业', date: '2026-01-05' })).statusCode).toBe(201);

    const patrol = (await post('/api/inspections', workerWest, { cellId: ids.west })).json<{ id: number }>();
    const visit = await post(`/api/inspections/${patrol.id}/visits`, workerWest, { unitId: unit.id });
    expect(visit.statusCode, visit.body).toBe(201);
    const finding = await post(`/api/inspections/${patrol.id}/findings`, workerWest, { unitId: unit.id, category: 'fire', severity: 'ordinary', description: '安全出口堵塞' });
    expect(finding.statusCode, finding.body).toBe(201);
    const reportId = finding.json<{ reportId: number }>().reportId;
    await t.db.query("INSERT INTO report_events (report_id, at, action, username, from_state, to_state, note) VALUES ($1, now() + interval '1 hour', 'rectify', 'wes', 'rectifying', 'rectified', '已清理出口')", [reportId]);
    await t.db.query("UPDATE reports SET state = 'rectified' WHERE id = $1", [reportId]);

    const res = await t.app.inject({ url: `/api/units/${unit.id}/history`, headers: workerWest });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<{ unit: UnitFeature; contacts: { name: string; role: string; phone: string | null }[]; counts: Record<string, number>; entries: Entry[] }>();
    expect(page.unit.properties.name).toBe('金台商场');
    expect(page.entries.map((e) => e.kind)).toEqual(['rectification', 'hazard', 'visit', 'note']);
    expect(page.entries[0]).toMatchObject({ reportId, text: '已清理出口', result: 'rectified', by: 'wes' });
    expect(page.entries[1]).toMatchObject({ reportId, text: '安全出口堵塞', category: 'fire', result: 'rectified', by: 'wes' });
    expect(page.entries[2]).toMatchObject({ by: 'wes', result: 'ok' });
    expect(page.counts).toMatchObject({ inspections: 1, hazards: 1, openHazards: 0, rectified: 1 });
    expect(page.contacts).toEqual([
      expect.objectContaining({ name: '王经理 13800138000', role: 'unit' }),
      expect.objectContaining({ name: '李网格', role: 'chief', phone: '13900139000' }),
    ]);
  });

  it('is not there for a user whose scope does not hold the unit: 404 with a problem code', async () => {
    const unit = await addUnit(107.03, 34.03, '西街小吃');
    const res = await t.app.inject({ url: `/api/units/${unit.id}/history`, headers: workerEast });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'units.not-found', params: { id: unit.id } });
    expect((await t.app.inject({ url: '/api/units/999999/history', headers: planner })).json()).toMatchObject({ code: 'units.not-found' });
    expect((await t.app.inject({ url: `/api/units/${unit.id}/history` })).statusCode).toBe(401);
  });
});

describe(`archiving a unit (${TEST_DB})`, () => {
  it('marks it archived, keeps its file, refuses a second archive, and restores it', async () => {
    const unit = await addUnit(107.04, 34.04, '老粮站', { attributes: { floors: 2 } });
    expect((await post(`/api/units/${unit.id}/records`, planner, { kind: 'note', text: '停业' })).statusCode).toBe(201);
    const stale = await post(`/api/units/${unit.id}/archive`, planner, undefined, { 'if-match': '"7"' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'units.stale', params: { expected: 7, current: 1 } });

    const archived = await post(`/api/units/${unit.id}/archive`, planner, undefined, { 'if-match': '"1"' });
    expect(archived.statusCode, archived.body).toBe(200);
    const a = archived.json<UnitFeature>();
    expect(a.properties.attributes).toEqual({ floors: 2 });
    expect(a.properties).toMatchObject({ archivedBy: 'pat', archivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(a.properties.version).toBe(2);
    expect((await post(`/api/units/${unit.id}/archive`, planner)).json()).toMatchObject({ code: 'units.already-archived' });
    const history = await t.app.inject({ url: `/api/units/${unit.id}/history`, headers: planner });
    expect(history.json<{ entries: Entry[] }>().entries.map((e) => e.text)).toEqual(['停业']);

    // Another street's worker cannot find it to archive it; restoring brings it back.
    expect((await post(`/api/units/${unit.id}/restore`, workerEast)).statusCode).toBe(404);
    const restored = await post(`/api/units/${unit.id}/restore`, planner);
    expect(restored.statusCode).toBe(200);
    expect(restored.json<UnitFeature>().properties).toMatchObject({ attributes: { floors: 2 }, archivedAt: null, archivedBy: null });
    expect((await post(`/api/units/${unit.id}/restore`, planner)).json()).toMatchObject({ code: 'units.not-archived' });
    // The commander may look but not archive.
    await createUser(t.db, 'com', 'commander');
    expect((await post(`/api/units/${unit.id}/archive`, await signIn(t.app, 'com'))).statusCode).toBe(403);
  });
});

describe(`the import preview (${TEST_DB})`, () => {
  it('shows each valid row with the cell it would be filed in and each row error, and writes nothing', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM units')).rows[0]!.n;
    const csv = '类型,名称,地址,经度,纬度\n企事业单位,西街五金,西街1号,107.01,34.01\n九小场所,东街面馆,东街2号,107.07,34.07\ncasino,赌场,,107.02,34.02\n九小场所,远方,,100,30\n';
    const res = await post('/api/units/import?dryRun=true', { ...planner, 'content-type': 'text/csv' }, csv);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ rows: number; imported: number; skipped: number; preview: { row: number; name: string; cellCode: string }[]; errors: { row: number; field: string }[] }>();
    expect(body.rows).toBe(4);
    expect(body.imported).toBe(0);
    expect(body.preview.map((p) => [p.row, p.name, p.cellCode])).toEqual([[2, '西街五金', '610302001'], [3, '东街面馆', '610302002']]);
    expect(body.errors.map((e) => [e.row, e.field])).toEqual([[4, 'type'], [5, 'position']]);
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM units')).rows[0]!.n).toBe(before);

    // A worker's preview flags rows outside their scope.
    const scoped = await post('/api/units/import?dryRun=true', { ...workerWest, 'content-type': 'text/csv' }, csv);
    expect(scoped.json<{ preview: { name: string }[]; errors: { row: number; field: string }[] }>().preview.map((p) => p.name)).toEqual(['西街五金']);
    expect(scoped.json<{ errors: { row: number }[] }>().errors.map((e) => e.row)).toEqual([3, 4, 5]);
  });
});
