import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// Patrols through the API: start, track, check in near and far, checklists, findings filed as
// reports, finish with a track; coverage and overdue lists; the ledger and its CSV; scope.
// Cells: a district (107..107.1 E, 34..34.1 N), a west and an east street; in the west street a
// community (level 3, 107.01..107.02 E, 34.01..34.02 N) holding an area (level 4, its south-west quarter).

const T0 = new Date('2030-03-12T02:00:00Z'); // 10:00 in Beijing
let clock = T0;
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>> & { community: number; area: number };
const h = {} as Record<'workerWest' | 'workerWest2' | 'workerEast' | 'commander' | 'planner', Headers>;
const u = {} as Record<'fireA' | 'shop' | 'areaShop' | 'east', number>;

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
const post = (url: string, headers: Headers, payload: object = {}) => t.app.inject({ method: 'POST', url, headers, payload });
const put = (url: string, headers: Headers, payload: object) => t.app.inject({ method: 'PUT', url, headers, payload });

async function addUnit(lon: number, lat: number, name: string, type: string) {
  const res = await post('/api/units', h.planner, { type: 'Feature', geometry: point(lon, lat), properties: { type, name } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: number }>().id;
}

beforeAll(async () => {
  t = await testApp({ now: () => clock });
  const streets = await twoStreets(t.db);
  const community = await insertCell(t.db, { code: '610302001001', name: '西一社区', level: 3, parentId: streets.west, rings: square(107.01, 34.01, 0.01) });
  const area = await insertCell(t.db, { code: '610302001001001', name: '西一片区', level: 4, parentId: community, rings: square(107.01, 34.01, 0.005) });
  ids = { ...streets, community, area };
  await createUser(t.db, 'workerWest', 'worker', [ids.west]);
  await createUser(t.db, 'workerWest2', 'worker', [ids.west]);
  await createUser(t.db, 'workerEast', 'worker', [ids.east]);
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'planner', 'planner');
  for (const who of Object.keys({ workerWest: 1, workerWest2: 1, workerEast: 1, commander: 1, planner: 1 }) as (keyof typeof h)[]) h[who] = await signIn(t.app, who);
  u.fireA = await addUnit(107.0175, 34.0175, '宝鸡商场', 'key_fire_a');
  u.shop = await addUnit(107.018, 34.012, '面馆', 'small_place');
  u.areaShop = await addUnit(107.012, 34.012, '小卖部', 'small_place');
  u.east = await addUnit(107.07, 34.05, '东街加油站', 'key_fire_a');
});

interface Visit { id: number; unitId: number; far: boolean; distanceM: number; locationSource: string; result: string; checklist: { code: string; ok: boolean }[]; checklistItems: { code: string }[]; findings: number[] }
interface Inspection { id: number; open: boolean; cellId: number; inspector: string; visits: Visit[]; findings: { reportId: number; unitId: number | null; visitId: number | null; trackingCode: string }[]; track: { type: string; coordinates: number[][] } | null; trackTimes: string[]; trackLengthM: number | null; finishedAt: string | null; trackPoints: number }

let patrol: Inspection;
let nearVisit: Visit;

describe(`plans (${TEST_DB})`, () => {
  it('lists the configured plans with cadences, windows and checklists', async () => {
    const res = await get('/api/plans', h.workerWest);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.timeZone).toBe('Asia/Shanghai');
    const evening = body.plans.find((p: { code: string }) => p.code === 'fire_supervisor_evening');
    expect(evening).toMatchObject({ level: 3, roles: ['supervisor'], cadence: { period: 'week', times: 2, window: { from: '20:00', to: '01:00' } } });
    expect(body.plans.find((p: { code: string }) => p.code === 'key_fire_a_weekly')).toMatchObject({ unitTypes: ['key_fire_a'], cadence: { period: 'week', times: 1 } });
    expect(body.checklists.key_fire_a.map((i: { code: string }) => i.code)).toContain('extinguishers');
    expect((await t.app.inject({ method: 'GET', url: '/api/plans' })).statusCode).toBe(401);
  });

  it('gives a cell\'s plan: its patrol plans and its units, overdue first, each with its checklist', async () => {
    const res = await get(`/api/plans/cells/${ids.community}`, h.workerWest);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.cell.plans.map((p: { plan: string }) => p.plan).sort()).toEqual(['community_weekly', 'fire_supervisor_evening']);
    expect(body.cell.patrolStatus).toBe('overdue');
    expect(body.units.map((x: { id: number }) => x.id).sort()).toEqual([u.fireA, u.shop, u.areaShop].sort());
    expect(body.units.every((x: { status: string; lastAt: null }) => x.status === 'overdue' && x.lastAt === null)).toBe(true);
    expect(body.units.find((x: { id: number }) => x.id === u.fireA).checklist.map((i: { code: string }) => i.code)).toContain('fire_systems');
    expect((await get(`/api/plans/cells/${ids.east}`, h.workerWest)).statusCode).toBe(403);
    expect((await get(`/api/plans/cells/${ids.east}`, h.planner)).statusCode).toBe(403);
  });
});

describe(`a patrol from start to finish (${TEST_DB})`, () => {
  it('starts a patrol of a cell in scope, one at a time, and refuses cells outside scope', async () => {
    const east = await post('/api/inspections', h.workerWest, { cellId: ids.east });
    expect(east.statusCode).toBe(403);
    expect(east.json().detail).toMatch(/outside your scope/);
    expect((await post('/api/inspections', h.planner, { cellId: ids.community })).statusCode).toBe(403);
    expect((await post('/api/inspections', h.workerWest, { cellId: 999999 })).statusCode).toBe(404);
    const count = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM inspections')).rows[0]!.n;
    expect(await count()).toBe(0);

    const res = await post('/api/inspections', h.workerWest, { cellId: ids.community });
    expect(res.statusCode, res.body).toBe(201);
    patrol = res.json();
    expect(patrol).toMatchObject({ cellId: ids.community, inspector: 'workerWest', open: true, visits: [], findings: [], track: null });
    const again = await post('/api/inspections', h.workerWest, { cellId: ids.area });
    expect(again.statusCode).toBe(409);
    expect(again.json().inspectionId).toBe(patrol.id);
    expect(await count()).toBe(1);
  });

  it('checks in near a unit (not flagged), far from one (flagged, not refused), and without a position (the unit\'s, flagged)', async () => {
    clock = later(5);
    // ~22 m south of the class A unit.
    const near = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: u.fireA, location: point(107.0175, 34.0173), accuracy: 8 });
    expect(near.statusCode, near.body).toBe(201);
    nearVisit = near.json();
    expect(nearVisit).toMatchObject({ unitId: u.fireA, far: false, locationSource: 'device', result: 'incomplete' });
    expect(nearVisit.distanceM).toBeGreaterThan(20);
    expect(nearVisit.distanceM).toBeLessThan(25);

    clock = later(10);
    // ~555 m north of the shop: recorded, flagged.
    const far = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: u.shop, location: point(107.018, 34.017) });
    expect(far.statusCode, far.body).toBe(201);
    expect(far.json()).toMatchObject({ far: true, locationSource: 'device' });
    expect(far.json().distanceM).toBeGreaterThan(500);

    const noFix = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: u.areaShop });
    expect(noFix.statusCode, noFix.body).toBe(201);
    expect(noFix.json()).toMatchObject({ locationSource: 'unit', distanceM: 0, far: false });
  });

  it('refuses a second check-in at a unit, a unit of another cell, an unknown unit, and someone else\'s patrol', async () => {
    const dup = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: u.fireA });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().visitId).toBe(nearVisit.id);
    const other = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: u.east });
    expect(other.statusCode).toBe(422);
    expect(other.json().detail).toMatch(/not in the patrolled cell/);
    expect((await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: 999999 })).statusCode).toBe(404);
    const colleague = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest2, { unitId: u.east });
    expect(colleague.statusCode).toBe(403);
    expect(colleague.json().detail).toMatch(/workerWest's patrol/);
    // Outside the patrol's scope it does not exist at all.
    expect((await post(`/api/inspections/${patrol.id}/visits`, h.workerEast, { unitId: u.east })).statusCode).toBe(404);
    expect((await get(`/api/inspections/${patrol.id}`, h.workerEast)).statusCode).toBe(404);
    const bad = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: u.shop, location: point(34.01, 107.01) });
    expect(bad.statusCode).toBe(422);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM inspection_visits');
    expect(rows[0]!.n).toBe(3);
  });

  it('ticks the unit type\'s checklist: unknown items are refused and change nothing; all ok is a pass, one not ok a fail', async () => {
    const url = `/api/inspections/${patrol.id}/visits/${nearVisit.id}/checklist`;
    const codes = nearVisit.checklistItems.map((i) => i.code);
    expect(codes).toEqual(['exits_clear', 'extinguishers', 'wiring', 'gas', 'fire_systems', 'emergency_lighting', 'duty_records']);
    const unknown = await put(url, h.workerWest, { checklist: [{ code: 'exits_clear', ok: true }, { code: 'karaoke', ok: true }] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0]).toMatchObject({ field: 'checklist.1.code' });
    const twice = await put(url, h.workerWest, { checklist: [{ code: 'gas', ok: true }, { code: 'gas', ok: false }] });
    expect(twice.statusCode).toBe(422);
    expect((await get(`/api/inspections/${patrol.id}`, h.workerWest)).json().visits[0].checklist).toEqual([]);

    const pass = await put(url, h.workerWest, { checklist: codes.map((code) => ({ code, ok: true })) });
    expect(pass.statusCode, pass.body).toBe(200);
    expect(pass.json().result).toBe('pass');
    const fail = await put(url, h.workerWest, { checklist: codes.map((code) => ({ code, ok: code !== 'extinguishers', ...(code === 'extinguishers' ? { note: '两具灭火器过期' } : {}) })) });
    expect(fail.json().result).toBe('fail');
    expect(fail.json().checklist.find((c: { code: string }) => c.code === 'extinguishers')).toEqual({ code: 'extinguishers', ok: false, note: '两具灭火器过期' });
  });

  it('files a finding in one step: a report from an inspection, routed to the unit\'s cell, linked to the patrol and the unit', async () => {
    const res = await post(`/api/inspections/${patrol.id}/findings`, h.workerWest, { unitId: u.fireA, category: 'fire', severity: 'ordinary', description: '灭火器过期两具' });
    expect(res.statusCode, res.body).toBe(201);
    const f = res.json();
    expect(f).toMatchObject({ inspectionId: patrol.id, unitId: u.fireA, visitId: nearVisit.id, cellId: ids.community, state: 'reported' });
    const report = await get(`/api/reports/${f.reportId}`, h.workerWest);
    expect(report.statusCode).toBe(200);
    expect(report.json()).toMatchObject({ source: 'inspection', cellId: ids.community, category: 'fire' });
    // Reported at the unit, not where the worker stood.
    expect(report.json().location.coordinates).toEqual([107.0175, 34.0175]);
    const inbox = await get('/api/reports?state=reported', h.workerWest);
    expect(inbox.json().items.map((r: { id: number }) => r.id)).toContain(f.reportId);

    // A finding in the area shop's cell goes to the area (the deepest cell there).
    const inArea = await post(`/api/inspections/${patrol.id}/findings`, h.workerWest, { unitId: u.areaShop, category: 'fire', severity: 'major', description: '三合一住人' });
    expect(inArea.json().cellId).toBe(ids.area);

    const detail = (await get(`/api/inspections/${patrol.id}`, h.workerWest)).json<Inspection>();
    expect(detail.findings.map((x) => x.reportId)).toEqual([f.reportId, inArea.json().reportId]);
    expect(detail.visits.find((v) => v.unitId === u.fireA)!.findings).toEqual([f.reportId]);
    expect(detail.visits.find((v) => v.unitId === u.areaShop)!.result).toBe('fail');

    const before = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n;
    const unvisited = await post(`/api/inspections/${patrol.id}/findings`, h.workerWest, { unitId: u.east, category: 'fire', severity: 'ordinary', description: 'x' });
    expect(unvisited.statusCode).toBe(409);
    const nowhere = await post(`/api/inspections/${patrol.id}/findings`, h.workerWest, { category: 'fire', severity: 'ordinary', description: '路边堆放易燃物' });
    expect(nowhere.statusCode).toBe(422);
    const badCategory = await post(`/api/inspections/${patrol.id}/findings`, h.workerWest, { unitId: u.shop, category: 'ufo', severity: 'ordinary', description: 'x' });
    expect(badCategory.statusCode).toBe(422);
    expect((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n).toBe(before);
    const free = await post(`/api/inspections/${patrol.id}/findings`, h.workerWest, { location: point(107.015, 34.019), category: 'environment', severity: 'ordinary', description: '路边焚烧垃圾' });
    expect(free.statusCode).toBe(201);
    expect(free.json()).toMatchObject({ unitId: null, visitId: null, cellId: ids.community });
  });

  it('records the track in batches and finishes: the track is a line with a time for every point', async () => {
    const pts = [0, 1, 2, 3].map((i) => ({ lon: 107.0175, lat: 34.012 + i * 0.001, at: later(1 + i).toISOString(), accuracy: 5 }));
    const first = await post(`/api/inspections/${patrol.id}/track`, h.workerWest, { points: pts.slice(0, 3) });
    expect(first.json()).toEqual({ added: 3, trackPoints: 3 });
    // A resent batch is not doubled.
    const resent = await post(`/api/inspections/${patrol.id}/track`, h.workerWest, { points: pts.slice(0, 3) });
    expect(resent.json()).toEqual({ added: 0, trackPoints: 3 });
    const stale = await post(`/api/inspections/${patrol.id}/track`, h.workerWest, { points: [{ lon: 107.01, lat: 34.01, at: '2020-01-01T00:00:00Z' }] });
    expect(stale.statusCode).toBe(422);
    expect(stale.json().errors[0].field).toBe('track.0.at');

    clock = later(20);
    const done = await post(`/api/inspections/${patrol.id}/finish`, h.workerWest, { track: pts.slice(3), note: '巡查完毕' });
    expect(done.statusCode, done.body).toBe(200);
    const body = done.json<Inspection>();
    expect(body.open).toBe(false);
    expect(body.finishedAt).toBe(later(20).toISOString());
    expect(body.track!.type).toBe('LineString');
    expect(body.track!.coordinates).toEqual(pts.map((p) => [p.lon, p.lat]));
    expect(body.trackTimes).toEqual(pts.map((p) => p.at));
    // Three steps of 0.001° latitude: about 333 m on the ground.
    expect(body.trackLengthM).toBeGreaterThan(325);
    expect(body.trackLengthM).toBeLessThan(340);

    const after = await post(`/api/inspections/${patrol.id}/visits`, h.workerWest, { unitId: u.shop });
    expect(after.statusCode).toBe(409);
    expect((await post(`/api/inspections/${patrol.id}/finish`, h.workerWest)).statusCode).toBe(409);

    // Each visit went into its unit's file (一户一档).
    const records = await get(`/api/units/${u.fireA}/records`, h.workerWest);
    expect(JSON.stringify(records.json())).toMatch(new RegExp(`巡查 #${patrol.id}（workerWest）：不合格 1 项，发现隐患 1 条`));
  });

  it('shows the patrol to the commander and in lists, and not outside scope', async () => {
    expect((await get(`/api/inspections/${patrol.id}`, h.commander)).json().visits).toHaveLength(3);
    const mine = await get('/api/inspections?mine=true', h.workerWest);
    expect(mine.json().items.map((i: { id: number }) => i.id)).toEqual([patrol.id]);
    expect((await get('/api/inspections', h.workerEast)).json()).toEqual({ total: 0, items: [] });
    expect((await get(`/api/inspections?cellId=${ids.west}`, h.workerEast)).statusCode).toBe(403);
    expect((await get('/api/inspections', h.planner)).statusCode).toBe(403);
  });
});

describe(`coverage and overdue units (${TEST_DB})`, () => {
  const cov = async (query: string, headers = h.commander) => {
    const res = await get(`/api/inspections/coverage?${query}`, headers);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ cells: { id: number; pctInspected: number | null; unitsTotal: number; unitsInspected: number; unitsOverdue: number; patrolStatus: string | null; plans: { plan: string; status: string }[] }[]; units: { id: number; status: string; lastAt: string | null }[] }>();
  };

  it('counts the visited units as inspected, the others overdue, per cell and up the tree', async () => {
    const now = await cov(`cellId=${ids.west}&unitStatus=overdue&unitStatus=due&unitStatus=ok`);
    const status = Object.fromEntries(now.units.map((x) => [x.id, x.status]));
    // The shop's only check-in was 555 m away: no proof of a visit, so it is still overdue.
    expect(status).toEqual({ [u.fireA]: 'ok', [u.shop]: 'overdue', [u.areaShop]: 'ok' });
    const community = now.cells.find((c) => c.id === ids.community)!;
    expect(community).toMatchObject({ unitsTotal: 3, unitsInspected: 2, unitsOverdue: 1, pctInspected: 66.7 });
    // The community was patrolled once, in the morning: its weekly check is done, its evening patrols are not.
    expect(Object.fromEntries(community.plans.map((p) => [p.plan, p.status]))).toEqual({ community_weekly: 'ok', fire_supervisor_evening: 'overdue' });
    expect(now.cells.find((c) => c.id === ids.west)!.pctInspected).toBe(66.7);
    expect(now.cells.find((c) => c.id === ids.area)).toMatchObject({ unitsTotal: 1, patrolStatus: 'overdue' });
  });

  it('makes the weekly class A unit overdue after 8 days, while the monthly shops are still fine', async () => {
    const at = new Date(later(5).getTime() + 8 * 86_400_000).toISOString();
    const in8 = await cov(`cellId=${ids.community}&at=${at}`);
    expect(in8.units.map((x) => x.id).sort()).toEqual([u.fireA, u.shop].sort());
    expect(in8.units.find((x) => x.id === u.fireA)!.lastAt).toBe(later(5).toISOString());
    expect(in8.cells.find((c) => c.id === ids.community)).toMatchObject({ unitsOverdue: 2, unitsInspected: 1, pctInspected: 33.3 });
    const at6 = new Date(later(5).getTime() + 6 * 86_400_000).toISOString();
    expect((await cov(`cellId=${ids.community}&at=${at6}`)).units.map((x) => x.id)).toEqual([u.shop]);
  });

  it('lists a responsible person\'s cells, keeps workers in scope, and draws the map layer', async () => {
    const { rows } = await t.db.query<{ id: number }>("INSERT INTO people (name) VALUES ('李网格') RETURNING id");
    await t.db.query("INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, $2, 'info_officer')", [ids.area, rows[0]!.id]);
    const mine = await cov(`personId=${rows[0]!.id}`);
    expect(mine.cells.map((c) => c.id)).toEqual([ids.area]);
    expect(mine.cells[0]!).toMatchObject({ responsible: [{ personId: rows[0]!.id, name: '李网格', role: 'info_officer' }] });
    expect((await get(`/api/inspections/coverage?personId=${rows[0]!.id}`, h.workerEast)).statusCode).toBe(404);
    expect((await get(`/api/inspections/coverage?cellId=${ids.west}`, h.workerEast)).statusCode).toBe(403);
    const east = await cov('', h.workerEast);
    expect(east.cells.map((c) => c.id)).toEqual([ids.east]);
    expect(east.units.map((x) => x.id)).toEqual([u.east]);

    const map = await get(`/api/inspections/coverage/map?cellId=${ids.west}&level=3`, h.commander);
    expect(map.statusCode).toBe(200);
    const layer = map.json();
    expect(layer.cells.features).toHaveLength(1);
    expect(layer.cells.features[0]).toMatchObject({ id: ids.community, geometry: { type: 'MultiPolygon' }, properties: { pctInspected: 66.7 } });
    // The shop checked in from afar is overdue, on the map too.
    expect(layer.units.features.map((f: { id: number }) => f.id)).toEqual([u.shop]);
  });

  it('matches a brute-force count on a grid of units with visits at random times', async () => {
    // 40 units in the east street, weekly (class A), visited at pseudo-random times over 20 days.
    const at = new Date('2030-04-01T04:00:00Z');
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const { rows: insp } = await t.db.query<{ id: number }>(
      `INSERT INTO inspections (cell_id, cell_code, cell_name, cell_level, inspector, started_at, finished_at)
       VALUES ($1, '610302002', '东街道', 2, 'sim', $2, $2) RETURNING id`, [ids.east, new Date(at.getTime() - 25 * 86_400_000)]);
    const expected = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const { rows } = await t.db.query<{ id: number }>(
        `INSERT INTO units (type, name, geom) VALUES ('key_fire_a', $1, ST_SetSRID(ST_MakePoint($2, $3), 4326)) RETURNING id`,
        [`单位${i}`, 107.055 + (i % 8) * 0.005, 34.005 + Math.floor(i / 8) * 0.005]);
      const days = i % 5 === 0 ? [] : [rand() * 20, rand() * 20].slice(0, 1 + (i % 2));
      for (const [k, d] of days.entries()) {
        // Visits in separate patrols, as the table allows one visit per unit and patrol.
        const { rows: p } = k === 0 ? { rows: insp } : await t.db.query<{ id: number }>(
          `INSERT INTO inspections (cell_id, cell_code, cell_name, cell_level, inspector, started_at) VALUES ($1, 'x', 'x', 2, 'sim', $2) RETURNING id`, [ids.east, at]);
        await t.db.query(
          `INSERT INTO inspection_visits (inspection_id, unit_id, unit_name, unit_type, cell_id, at, geom, location_source, distance_m, far)
           VALUES ($1, $2, 'x', 'key_fire_a', $3, $4, ST_SetSRID(ST_MakePoint(107.06, 34.05), 4326), 'device', 0, false)`,
          [p[0]!.id, rows[0]!.id, ids.east, new Date(at.getTime() - d * 86_400_000)]);
      }
      if (!days.some((d) => d < 7)) expected.add(rows[0]!.id);
    }
    expected.add(u.east);
    const res = await cov(`cellId=${ids.east}&at=${at.toISOString()}`);
    expect(new Set(res.units.map((x) => x.id))).toEqual(expected);
    const east = res.cells.find((c) => c.id === ids.east)!;
    expect(east.unitsTotal).toBe(41);
    expect(east.unitsOverdue).toBe(expected.size);
    expect(east.pctInspected).toBe(Math.round((1000 * (41 - expected.size)) / 41) / 10);
    // Cleared again for the ledger below.
    await t.db.query("DELETE FROM inspections WHERE inspector = 'sim'");
    await t.db.query("DELETE FROM units WHERE name LIKE '单位%'");
  });
});

describe(`the ledger (台账) (${TEST_DB})`, () => {
  it('lists every inspection of a unit with its result, and exports it as CSV', async () => {
    const res = await get(`/api/inspections/ledger/units/${u.fireA}`, h.workerWest);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().entries).toHaveLength(1);
    expect(res.json().entries[0]).toMatchObject({ inspectionId: patrol.id, inspector: 'workerWest', result: 'fail', failedItems: ['extinguishers'], far: false, date: '2030-03-12' });
    const csv = await get(`/api/inspections/ledger/units/${u.fireA}?format=csv`, h.workerWest);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(csv.body, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ date: '2030-03-12', unit_name: '宝鸡商场', unit_type: 'key_fire_a', inspector: 'workerWest', result: 'fail', failed_items: 'extinguishers', far: 'false', location_source: 'device' });
    expect(rows[0]!.findings).toMatch(/^WG-/);
    // A unit outside one's scope is not admitted to exist.
    expect((await get(`/api/inspections/ledger/units/${u.fireA}`, h.workerEast)).statusCode).toBe(404);
    expect((await get('/api/inspections/ledger/units/999999', h.workerWest)).statusCode).toBe(404);
  });

  it('gives per cell and month the inspections done vs due, as CSV too', async () => {
    const res = await get(`/api/inspections/ledger?cellId=${ids.community}&from=2030-02&to=2030-03`, h.commander);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const row = (month: string, cellId: number) => body.rows.find((r: { month: string; cellId: number }) => r.month === month && r.cellId === cellId);
    // March: one patrol of the community against 5 weekly + 9 evening (2 a week over 31 days) patrols due;
    // 3 unit inspections against 5 (class A, weekly) + 1 + 1 (shops, monthly) due.
    expect(row('2030-03', ids.community)).toMatchObject({ patrolsDone: 1, patrolsDue: 14, unitsTotal: 3, unitsInspected: 2, unitInspectionsDone: 2, unitInspectionsDue: 7, findings: 2, farCheckIns: 1, pctUnitsInspected: 66.7 });
    expect(row('2030-03', ids.area)).toMatchObject({ patrolsDone: 0, patrolsDue: 31, unitsTotal: 1, unitInspectionsDone: 1 });
    expect(row('2030-02', ids.community)).toMatchObject({ patrolsDone: 0, patrolsDue: 12, unitInspectionsDone: 0, unitInspectionsDue: 6, pctUnitsInspected: 0 });

    const csv = await get(`/api/inspections/ledger?cellId=${ids.community}&from=2030-03&to=2030-03&format=csv`, h.commander);
    expect(csv.statusCode).toBe(200);
    const rows = parse(csv.body, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((r) => r.cell_code).sort()).toEqual(['610302001001', '610302001001001']);
    expect(rows.find((r) => r.cell_code === '610302001001')).toMatchObject({ month: '2030-03', cell_name: '西一社区', patrols_done: '1', patrols_due: '14', unit_inspections_done: '2', unit_inspections_due: '7', pct_units_inspected: '66.7', far_check_ins: '1' });

    // For people: Chinese headers and words, local times.
    const zh = parse((await get(`/api/inspections/ledger?cellId=${ids.community}&from=2030-03&to=2030-03&format=csv&lang=zh-CN`, h.commander)).body, { columns: true, bom: true }) as Record<string, string>[];
    expect(zh.find((r) => r['网格编码'] === '610302001001')).toMatchObject({ 月份: '2030-03', 网格名称: '西一社区', 已检查次数: '2', 远距离签到次数: '1' });
    const unitZh = parse((await get(`/api/inspections/ledger/units/${u.fireA}?format=csv&lang=zh-CN`, h.workerWest)).body, { columns: true, bom: true }) as Record<string, string>[];
    expect(unitZh[0]).toMatchObject({ 单位名称: '宝鸡商场', 结果: '不合格', 远距离签到: '否', 位置来源: '设备定位' });
    expect(unitZh[0]!['时间']).toMatch(/^2030\/3\/12 \d\d:\d\d$/);

    expect((await get(`/api/inspections/ledger?cellId=${ids.community}&from=2030-04&to=2030-03`, h.commander)).statusCode).toBe(422);
    expect((await get(`/api/inspections/ledger?from=2030-13`, h.commander)).statusCode).toBe(400);
    expect((await get(`/api/inspections/ledger?cellId=${ids.community}`, h.workerEast)).statusCode).toBe(403);
  });
});

describe(`far check-ins (${TEST_DB})`, () => {
  it('are listed for the commander with the distance, newest first, and kept in scope', async () => {
    const res = await get(`/api/inspections/far-check-ins?from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z`, h.commander);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ thresholdM: number; items: { unitId: number; unitName: string; inspector: string; cellName: string; distanceM: number }[] }>();
    expect(body.thresholdM).toBe(150);
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ unitId: u.shop, inspector: 'workerWest', cellName: '西一社区' });
    expect(body.items[0]!.distanceM).toBeGreaterThan(500);
    // The worker of the other street sees none of them; a cell outside scope is refused.
    const east = await get(`/api/inspections/far-check-ins?from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z`, h.workerEast);
    expect(east.json().items).toEqual([]);
    expect((await get(`/api/inspections/far-check-ins?cellId=${ids.community}`, h.workerEast)).statusCode).toBe(403);
    expect((await get('/api/inspections/far-check-ins?from=yesterday', h.commander)).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/inspections/far-check-ins' })).statusCode).toBe(401);
  });
});
