import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// An archived unit (归档, units.archived_at) leaves the active work: it is not due for patrol, not
// counted overdue, not found by search nor served by OGC; restoring it brings it all back.

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
let planner: Headers;
let commander: Headers;
let worker: Headers;

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
const post = (url: string, headers: Headers, payload?: object) => t.app.inject({ method: 'POST', url, headers, payload });

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'pat', 'planner');
  await createUser(t.db, 'com', 'commander');
  await createUser(t.db, 'wes', 'worker', [ids.west]);
  worker = await signIn(t.app, 'wes');
  planner = await signIn(t.app, 'pat');
  commander = await signIn(t.app, 'com');
});

async function addUnit(name: string, lon: number, lat: number) {
  const res = await post('/api/units', planner, { type: 'Feature', geometry: point(lon, lat), properties: { type: 'key_fire_a', name } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: number }>().id;
}

interface Coverage { cells: { id: number; unitsTotal: number; unitsOverdue: number }[]; units: { id: number; status: string }[] }

async function state(unitId: number) {
  const cov = await get(`/api/inspections/coverage?cellId=${ids.west}&unitStatus=overdue&unitStatus=due&unitStatus=ok`, commander);
  expect(cov.statusCode, cov.body).toBe(200);
  const c = cov.json<Coverage>();
  const planRes = await get(`/api/plans/cells/${ids.west}`, worker);
  expect(planRes.statusCode, planRes.body).toBe(200);
  const plan = planRes.json<{ units: { id: number; status: string }[] }>();
  const search = (await get(`/api/search?q=${encodeURIComponent('旧仓库')}`, planner)).json<{ results: { kind: string; id: number }[] }>().results;
  const ogc = (await get('/ogc/collections/units/items?limit=1000', planner)).json<{ features: { id: number }[] }>();
  return {
    covered: c.units.find((u) => u.id === unitId)?.status ?? null,
    west: c.cells.find((x) => x.id === ids.west)!,
    planned: plan.units.find((u) => u.id === unitId)?.status ?? null,
    found: search.some((h) => h.kind === 'unit' && h.id === unitId),
    served: ogc.features.some((f) => f.id === unitId),
  };
}

describe(`archiving a unit takes it off the active work (${TEST_DB})`, () => {
  it('is not due for patrol nor counted overdue while archived; restore makes it due again', async () => {
    await addUnit('西街商店', 107.03, 34.03);
    const unitId = await addUnit('旧仓库', 107.02, 34.02);

    const before = await state(unitId);
    expect(before).toMatchObject({ covered: 'overdue', planned: 'overdue', found: true, served: true });
    expect(before.west).toMatchObject({ unitsTotal: 2, unitsOverdue: 2 });

    const archived = await post(`/api/units/${unitId}/archive`, planner);
    expect(archived.statusCode, archived.body).toBe(200);
    const { rows } = await t.db.query<{ archived_at: Date | null; archived_by: string | null; attributes: object }>(
      'SELECT archived_at, archived_by, attributes FROM units WHERE id = $1', [unitId]);
    expect(rows[0]).toMatchObject({ archived_by: 'pat', attributes: {} });
    expect(rows[0]!.archived_at).toBeInstanceOf(Date);

    const gone = await state(unitId);
    expect(gone).toMatchObject({ covered: null, planned: null, found: false, served: false });
    expect(gone.west).toMatchObject({ unitsTotal: 1, unitsOverdue: 1 });
    expect((await get(`/ogc/collections/units/items/${unitId}`, planner)).statusCode).toBe(404);
    // Still on file: the list (with its mark) and its page.
    const listed = (await get('/api/units', planner)).json<{ features: { id: number; properties: { archivedAt: string | null } }[] }>();
    expect(listed.features.find((f) => f.id === unitId)!.properties.archivedAt).toEqual(expect.any(String));
    expect((await get(`/api/units/${unitId}/history`, planner)).statusCode).toBe(200);

    expect((await post(`/api/units/${unitId}/restore`, planner)).statusCode).toBe(200);
    const back = await state(unitId);
    expect(back).toMatchObject({ covered: 'overdue', planned: 'overdue', found: true, served: true });
    expect(back.west).toMatchObject({ unitsTotal: 2, unitsOverdue: 2 });
  });

  it('keeps the mark through export and re-import, and a PATCH cannot set it through attributes', async () => {
    const unitId = await addUnit('旧粮站', 107.04, 34.04);
    expect((await post(`/api/units/${unitId}/archive`, planner)).statusCode).toBe(200);
    const csv = (await get(`/api/units/export.csv?cellId=${ids.west}`, planner)).body;
    const line = csv.split(/\r?\n/).find((l) => l.includes('旧粮站'))!;
    expect(line).toMatch(/,\d{4}-\d\d-\d\dT[^,]+,pat$/);
    const header = csv.replace(/^\uFEFF/, '').split(/\r?\n/)[0]!;
    const res = await t.app.inject({ method: 'POST', url: '/api/units/import', headers: { ...planner, 'content-type': 'text/csv' }, payload: `${header}\n${line.replace('旧粮站', '旧粮站二号')}\n` });
    expect(res.statusCode, res.body).toBe(200);
    const copy = (await get(`/api/units/${res.json<{ ids: number[] }>().ids[0]}`, planner)).json<{ properties: { archivedAt: string | null; archivedBy: string | null; attributes: object } }>();
    expect(copy.properties).toMatchObject({ archivedAt: expect.any(String), archivedBy: 'pat', attributes: {} });

    const fresh = await addUnit('新商铺', 107.05, 34.05);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/units/${fresh}`, headers: { ...planner, 'if-match': '"1"' }, payload: { properties: { attributes: { archivedAt: '2020-01-01T00:00:00Z', floors: 3 } } } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<{ properties: { archivedAt: string | null; attributes: object } }>().properties).toMatchObject({ archivedAt: null, attributes: { floors: 3 } });
  });

  it('migration 016 moves the archive marks kept in attributes into the columns', async () => {
    const sql = readFileSync(new URL('../../server/db/migrations/016_unit_archive.sql', import.meta.url), 'utf8');
    const update = sql.slice(sql.indexOf('UPDATE units'), sql.indexOf(';', sql.indexOf('UPDATE units')) + 1);
    const { rows } = await t.db.query<{ id: number }>(
      `INSERT INTO units (type, name, geom, attributes) VALUES
         ('key_fire_a', '老厂房', ST_SetSRID(ST_MakePoint(107.021, 34.021), 4326), '{"archivedAt": "2025-06-01T08:00:00.000Z", "archivedBy": "old", "floors": 1}'),
         ('key_fire_a', '坏日期', ST_SetSRID(ST_MakePoint(107.022, 34.022), 4326), '{"archivedAt": "someday"}')
       RETURNING id`);
    await t.db.exec(update);
    const { rows: after } = await t.db.query<{ archived_at: Date | null; archived_by: string | null; attributes: object }>(
      'SELECT archived_at, archived_by, attributes FROM units WHERE id = ANY($1::int[]) ORDER BY id', [rows.map((r) => r.id)]);
    expect(after[0]).toMatchObject({ archived_by: 'old', attributes: { floors: 1 } });
    expect(after[0]!.archived_at!.toISOString()).toBe('2025-06-01T08:00:00.000Z');
    expect(after[1]).toMatchObject({ archived_by: null, attributes: {} });
    expect(after[1]!.archived_at).toBeInstanceOf(Date);
  });
});
