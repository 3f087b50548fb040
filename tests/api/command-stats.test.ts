import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { runEscalation } from '../../server/reports/escalation.ts';

// Cell statistics, KPIs, the monthly report (月报) and the live feed's first load, on reports taken
// through the workflow by the API on a clock the test sets, so every figure is known in advance.

/** A local time in the deployment's zone (Asia/Shanghai, UTC+8, no daylight saving). */
const L = (s: string) => new Date(`${s}:00+08:00`);
let clock = L('2030-01-01T00:00');

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>> & { westN: number; westS: number };
const h = {} as Record<'admin' | 'west' | 'east' | 'planner' | 'handler', Headers>;

async function at<T>(time: Date, fn: () => Promise<T>): Promise<T> {
  clock = time;
  return fn();
}

async function file(time: string, lon: number, lat: number, extra: Record<string, unknown> = {}) {
  return at(L(time), async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/reports', headers: h.admin,
      payload: { location: { type: 'Point', coordinates: [lon, lat] }, category: 'environment', severity: 'ordinary', description: '隐患', ...extra },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  });
}

async function act(id: number, time: string, action: string, extra: Record<string, unknown> = {}) {
  return at(L(time), async () => {
    const payload = {
      action,
      ...(['reject', 'return', 'reopen', 'rectify'].includes(action) ? { note: '已处理' } : {}),
      ...(action === 'dispatch' ? { department: '区应急管理局' } : {}),
      ...extra,
    };
    const res = await t.app.inject({ method: 'POST', url: `/api/reports/${id}/actions`, headers: h.handler, payload });
    expect(res.statusCode, res.body).toBe(200);
  });
}

/** verify → dispatch → accept at the given times (an hour apart from the first). */
async function toRectifying(id: number, day: string, hour = 11) {
  await act(id, `${day}T${hour}:00`, 'verify');
  await act(id, `${day}T${hour + 1}:00`, 'dispatch');
  await act(id, `${day}T${hour + 2}:00`, 'accept');
}

const R = {} as Record<string, number>;

beforeAll(async () => {
  t = await testApp({ now: () => clock });
  const streets = await twoStreets(t.db);
  // The west street has two communities (level 3); the east has none, so at level 3 its reports are unallocated.
  const westS = await insertCell(t.db, { code: '610302001001', name: '南社区', level: 3, parentId: streets.west, rings: [[[107, 34], [107, 34.05], [107.05, 34.05], [107.05, 34], [107, 34]]] });
  const westN = await insertCell(t.db, { code: '610302001002', name: '北社区', level: 3, parentId: streets.west, rings: [[[107, 34.05], [107, 34.1], [107.05, 34.1], [107.05, 34.05], [107, 34.05]]] });
  ids = { ...streets, westN, westS };
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'cmdWest', 'commander', [ids.west]);
  await createUser(t.db, 'cmdEast', 'commander', [ids.east]);
  await createUser(t.db, 'planner', 'planner');
  // Reports are filed from the admin's account (staff: no rewards); another admin works them, as
  // nobody may verify a report of their own.
  await createUser(t.db, 'handler', 'admin');
  clock = L('2030-01-01T00:00');
  h.admin = await signIn(t.app, 'admin');
  h.west = await signIn(t.app, 'cmdWest');
  h.east = await signIn(t.app, 'cmdEast');
  h.planner = await signIn(t.app, 'planner');
  h.handler = await signIn(t.app, 'handler');
  await t.db.query(`UPDATE sessions SET expires_at = 'infinity'`);

  // ── June 2030, for the cell statistics; "now" is 1 June 09:00 + 72 h.
  R.A = await file('2030-06-01T09:00', 107.02, 34.02, { category: 'fire' });
  await toRectifying(R.A, '2030-06-01', 10);
  await act(R.A, '2030-06-02T05:00', 'rectify');
  await act(R.A, '2030-06-03T09:00', 'close'); // 48 h after filing
  R.B = await file('2030-06-01T09:00', 107.02, 34.07, { severity: 'major' });
  await act(R.B, '2030-06-01T10:00', 'verify'); // major + verified = 挂牌督办
  await act(R.B, '2030-06-01T11:00', 'dispatch');
  R.C = await file('2030-06-01T09:00', 107.03, 34.03); // never verified: overdue after 24 h
  R.D = await file('2030-06-01T09:00', 107.04, 34.08);
  await act(R.D, '2030-06-01T10:00', 'reject');
  R.E = await file('2030-06-01T09:00', 107.07, 34.05);
  await toRectifying(R.E, '2030-06-01', 10);
  await act(R.E, '2030-06-01T19:00', 'rectify'); // awaiting the check, due 72 h later
  R.F = await file('2030-06-01T09:00', 107.08, 34.02, { category: 'fire' });
  await toRectifying(R.F, '2030-06-01', 10);
  await act(R.F, '2030-06-01T14:00', 'rectify');
  await act(R.F, '2030-06-02T09:00', 'close'); // 24 h after filing

  // ── February to April 2030, for the monthly report.
  R.r1 = await file('2030-02-27T10:00', 107.02, 34.02);
  await toRectifying(R.r1, '2030-02-27');
  await act(R.r1, '2030-03-02T10:00', 'rectify');
  await act(R.r1, '2030-03-03T10:00', 'close'); // closed in March, 4 days after filing
  R.r2 = await file('2030-03-05T10:00', 107.02, 34.03);
  await toRectifying(R.r2, '2030-03-05');
  await act(R.r2, '2030-03-12T10:00', 'rectify');
  await act(R.r2, '2030-04-02T10:00', 'close'); // closed in April, 28 days after filing
  R.r3 = await file('2030-03-31T23:00', 107.03, 34.04); // March in Shanghai (still 31 March 15:00 UTC)
  R.r4 = await file('2030-04-01T00:30', 107.03, 34.06); // April in Shanghai, though 31 March in UTC
  R.r5 = await file('2030-03-08T10:00', 107.04, 34.07);
  await act(R.r5, '2030-03-09T10:00', 'reject');
  R.r6 = await file('2030-03-12T00:00', 107.01, 34.09, { severity: 'major' });
  clock = L('2030-03-14T10:00');
  const esc = await runEscalation(t.db, clock); // r6 was to be verified by 13 March
  expect(esc.escalated).toEqual([R.r6]);
  await act(R.r6, '2030-04-01T10:00', 'verify');
  R.r7 = await file('2030-03-15T10:00', 107.07, 34.05);
  await toRectifying(R.r7, '2030-03-15');
  await act(R.r7, '2030-03-18T10:00', 'rectify');
  await act(R.r7, '2030-03-20T10:00', 'close'); // 5 days

  clock = L('2030-06-04T09:00'); // 72 h after the June reports were filed
});

const JUNE = { from: L('2030-06-01T00:00').toISOString(), to: L('2030-07-01T00:00').toISOString() };

async function get(url: string, who: Headers = h.admin) {
  const res = await t.app.inject({ url, headers: who });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const stats = (query: Record<string, string | number>, who: Headers = h.admin) =>
  get(`/api/stats/cells?${new URLSearchParams({ ...JUNE, ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])) })}`, who);

// No units yet: no inspection figures; streets have a monthly patrol plan and were never patrolled.
const NO_UNITS = { pctInspected: null, unitsOverdue: 0, patrolStatus: 'overdue' };
const WEST = { ...NO_UNITS, reports: 4, open: 2, overdue: 1, closed: 1, rejected: 1, verified: 2, rectified: 1, rate: 0.5, medianHours: 48, major: 1, majorSupervised: 1 };
const EAST = { ...NO_UNITS, reports: 2, open: 1, overdue: 0, closed: 1, rejected: 0, verified: 2, rectified: 2, rate: 1, medianHours: 24, major: 0, majorSupervised: 0 };

describe(`cell statistics on known reports (${TEST_DB})`, () => {
  it('gives each street its figures and the view its KPIs, worst (most overdue) first', async () => {
    const s = await stats({ level: 2 });
    expect(s).toMatchObject({ level: 2, levelName: { zh: '街道' }, sort: 'overdue', order: 'desc', unallocated: 0, from: JUNE.from, to: JUNE.to });
    expect(s.cells).toEqual([
      { id: ids.west, code: '610302001', name: '西街道', parentId: ids.district, rank: 1, ...WEST },
      { id: ids.east, code: '610302002', name: '东街道', parentId: ids.district, rank: 2, ...EAST },
    ]);
    expect(s.kpis).toEqual({
      found: 6, reports: 6, verified: 4, rectified: 3, rate: 0.75, overdue: 1, majorSupervised: 1,
      open: 3, closed: 2, rejected: 1, major: 1, medianHours: 36,
    });
  });

  it('ranks by the figure asked for: the lowest rectification rate first, or the order given', async () => {
    expect((await stats({ level: 2, sort: 'rate' })).cells.map((c: { name: string }) => c.name)).toEqual(['西街道', '东街道']);
    expect((await stats({ level: 2, sort: 'rate', order: 'desc' })).cells.map((c: { name: string }) => c.name)).toEqual(['东街道', '西街道']);
    expect((await stats({ level: 2, sort: 'closed', order: 'asc' })).cells.map((c: { rank: number; name: string }) => `${c.rank}${c.name}`)).toEqual(['1西街道', '2东街道']);
    expect((await stats({ level: 2, sort: 'medianHours' })).cells[0].name).toBe('西街道');
  });

  it('rolls reports up to the level asked: communities at level 3, the east street unallocated there', async () => {
    const s = await stats({ level: 3 });
    const by = Object.fromEntries(s.cells.map((c: { name: string }) => [c.name, c]));
    expect(Object.keys(by)).toEqual(['南社区', '北社区']);
    expect(by['南社区']).toMatchObject({ reports: 2, open: 1, overdue: 1, closed: 1, rectified: 1, medianHours: 48 }); // A, C
    expect(by['北社区']).toMatchObject({ reports: 2, open: 1, rejected: 1, major: 1, majorSupervised: 1, rate: 0, medianHours: null }); // B, D
    expect(s.unallocated).toBe(2);
    expect(s.kpis.found).toBe(6);
  });

  it('filters by category, severity, state and time window', async () => {
    const fire = await stats({ level: 2, category: 'fire' });
    expect(fire.cells.map((c: { reports: number }) => c.reports)).toEqual([1, 1]);
    expect(fire.kpis).toMatchObject({ found: 2, closed: 2, rate: 1 });
    const major = await stats({ level: 2, severity: 'major' });
    expect(major.kpis).toMatchObject({ found: 1, majorSupervised: 1 });
    const open = await stats({ level: 2, state: 'open' });
    expect(open.kpis).toMatchObject({ found: 3, open: 3, closed: 0 });
    const overdue = await stats({ level: 2, state: 'overdue' });
    expect(overdue.kpis.found).toBe(1);
    expect(overdue.cells[0]).toMatchObject({ name: '西街道', reports: 1, overdue: 1 });
    const may = await stats({ level: 2, from: L('2030-05-01T00:00').toISOString(), to: L('2030-06-01T00:00').toISOString() });
    expect(may.kpis.found).toBe(0);
    expect(may.cells.map((c: { reports: number; rate: number | null }) => [c.reports, c.rate])).toEqual([[0, null], [0, null]]);
    // Without a window every month counts: June's six and the seven of February to April.
    expect((await get('/api/stats/cells?level=2')).kpis.found).toBe(13);
  });

  it('keeps each commander to their street', async () => {
    const east = await stats({ level: 2 }, h.east);
    expect(east.cells).toEqual([{ id: ids.east, code: '610302002', name: '东街道', parentId: ids.district, rank: 1, ...EAST }]);
    expect(east.kpis).toMatchObject({ found: 2, overdue: 0 });
    const eastL3 = await stats({ level: 3 }, h.east);
    expect(eastL3.cells).toEqual([]);
    expect(eastL3.unallocated).toBe(2);
    const west = await stats({ level: 3 }, h.west);
    expect(west.cells.map((c: { name: string }) => c.name)).toEqual(['南社区', '北社区']);
    expect(west.kpis).toMatchObject({ found: 4, overdue: 1, majorSupervised: 1 });
    expect(west.unallocated).toBe(0);
  });

  it('click-through: the reports list already filters by cell, window and scope', async () => {
    const list = await get(`/api/reports?cellId=${ids.westS}&since=${encodeURIComponent(JUNE.from)}&until=${encodeURIComponent(JUNE.to)}`);
    expect(list.items.map((r: { id: number }) => r.id).sort()).toEqual([R.A, R.C].sort());
    const outside = await get(`/api/reports?cellId=${ids.west}&since=${encodeURIComponent(JUNE.from)}`, h.east);
    expect(outside.total).toBe(0);
  });

  it('refuses bad input with a problem naming the field, and planners', async () => {
    const bad = await t.app.inject({ url: '/api/stats/cells?level=9', headers: h.admin });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ errors: [{ field: 'querystring.level' }] });
    expect(bad.json().detail).toMatch(/levels are 1, 2, 3, 4, 5/);
    expect((await t.app.inject({ url: '/api/stats/cells?sort=colour', headers: h.admin })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/stats/cells', headers: h.planner })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/stats/cells' })).statusCode).toBe(401);
  });
});

const MARCH_WEST = { found: 4, verified: 1, rectified: 1, rate: 1, closed: 0, rejected: 1, overdue: 1, major: 1, medianDays: 4 };
const MARCH_EAST = { found: 1, verified: 1, rectified: 1, rate: 1, closed: 1, rejected: 0, overdue: 0, major: 0, medianDays: 5 };
const ZERO = { found: 0, verified: 0, rectified: 0, rate: null, closed: 0, rejected: 0, overdue: 0, major: 0, medianDays: null };

describe(`monthly report 月报 from the events (${TEST_DB})`, () => {
  it('March per street: found in the month, verified and rectified by its end, overdue and closed in it', async () => {
    const m = await get('/api/reports/monthly?month=2030-03&level=2');
    expect(m).toMatchObject({
      month: '2030-03', level: 2, levelName: { zh: '街道', en: 'Street' }, timeZone: 'Asia/Shanghai',
      from: '2030-02-28T16:00:00.000Z', to: '2030-03-31T16:00:00.000Z', category: null,
    });
    expect(m.cells).toEqual([
      { id: ids.west, code: '610302001', name: '西街道', parentId: ids.district, ...MARCH_WEST, duty: { patrols: 0, inspections: 0, farCheckIns: 0, warnings: 0, rewards: 0, rewardYuan: 0 } },
      { id: ids.east, code: '610302002', name: '东街道', parentId: ids.district, ...MARCH_EAST, duty: { patrols: 0, inspections: 0, farCheckIns: 0, warnings: 0, rewards: 0, rewardYuan: 0 } },
    ]);
    expect(m.total).toEqual({ found: 5, verified: 2, rectified: 2, rate: 1, closed: 1, rejected: 1, overdue: 1, major: 1, medianDays: 4.5 });
    expect(m.unallocated).toEqual(ZERO);
  });

  it('reads each month as at its end: February before r1 was rectified, April with r2 closed and r4 found', async () => {
    const feb = await get('/api/reports/monthly?month=2030-02&level=2');
    expect(feb.cells[0]).toMatchObject({ name: '西街道', found: 1, verified: 1, rectified: 0, rate: 0, closed: 0, medianDays: null });
    const apr = await get('/api/reports/monthly?month=2030-04&level=2');
    expect(apr.cells[0]).toMatchObject({ name: '西街道', found: 1, verified: 0, rectified: 0, rate: null, overdue: 0, medianDays: 28 });
    expect(apr.total.found).toBe(1);
  });

  it('at level 3 the communities, and the east street\'s report in the unallocated row', async () => {
    const m = await get('/api/reports/monthly?month=2030-03&level=3');
    expect(m.cells.map((c: { name: string; found: number; medianDays: number | null }) => [c.name, c.found, c.medianDays])).toEqual([['南社区', 2, 4], ['北社区', 2, null]]);
    expect(m.unallocated).toMatchObject({ found: 1, closed: 1, medianDays: 5 });
    expect(m.total.found).toBe(5);
  });

  it('a commander gets their own street only; category filters', async () => {
    const east = await get('/api/reports/monthly?month=2030-03&level=2', h.east);
    expect(east.cells).toEqual([{ id: ids.east, code: '610302002', name: '东街道', parentId: ids.district, ...MARCH_EAST, duty: { patrols: 0, inspections: 0, farCheckIns: 0, warnings: 0, rewards: 0, rewardYuan: 0 } }]);
    expect(east.total).toEqual(MARCH_EAST);
    const fire = await get('/api/reports/monthly?month=2030-03&level=2&category=fire');
    expect(fire.total).toEqual(ZERO);
  });

  it('as CSV: UTF-8 with a BOM, Chinese headers, a row per cell and the total, parsed by csv-parse', async () => {
    const res = await t.app.inject({ url: '/api/reports/monthly.csv?month=2030-03&level=2', headers: h.admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('月报-2030-03-街道.csv')}`);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse(res.body, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['网格编码', '网格名称', '发现隐患', '已核实', '已整改', '整改率(%)', '已结案', '不属实', '逾期', '重大隐患', '结案用时中位数(天)']);
    expect(rows).toEqual([
      { 网格编码: '610302001', 网格名称: '西街道', 发现隐患: '4', 已核实: '1', 已整改: '1', '整改率(%)': '100.0', 已结案: '0', 不属实: '1', 逾期: '1', 重大隐患: '1', '结案用时中位数(天)': '4.0' },
      { 网格编码: '610302002', 网格名称: '东街道', 发现隐患: '1', 已核实: '1', 已整改: '1', '整改率(%)': '100.0', 已结案: '1', 不属实: '0', 逾期: '0', 重大隐患: '0', '结案用时中位数(天)': '5.0' },
      { 网格编码: '', 网格名称: '合计', 发现隐患: '5', 已核实: '2', 已整改: '2', '整改率(%)': '100.0', 已结案: '1', 不属实: '1', 逾期: '1', 重大隐患: '1', '结案用时中位数(天)': '4.5' },
    ]);
    const l3 = parse((await t.app.inject({ url: '/api/reports/monthly.csv?month=2030-03&level=3', headers: h.admin })).body, { bom: true, columns: true }) as Record<string, string>[];
    expect(l3.map((r) => r['网格名称'])).toEqual(['南社区', '北社区', '（未落入本级网格）', '合计']);
    const mayRows = parse((await t.app.inject({ url: '/api/reports/monthly.csv?month=2030-05&level=2', headers: h.admin })).body, { bom: true, columns: true }) as Record<string, string>[];
    expect(mayRows.at(-1)).toMatchObject({ 网格名称: '合计', 发现隐患: '0', '整改率(%)': '', '结案用时中位数(天)': '' });
  });

  it('counts the month\'s patrols, unit inspections (far ones apart), warnings and rewards per cell', async () => {
    // A patrol in the west street in March with a near and a far check-in, a warning and a reward.
    const { rows: [patrol] } = await t.db.query<{ id: number }>(
      `INSERT INTO inspections (cell_id, cell_code, cell_name, cell_level, inspector, started_at, finished_at)
       VALUES ($1, '610302001', '西街道', 2, 'worker', $2, $2) RETURNING id`, [ids.west, L('2030-03-10T09:00')]);
    for (const [name, far] of [['甲', false], ['乙', true]] as const) {
      await t.db.query(
        `INSERT INTO inspection_visits (inspection_id, unit_name, unit_type, cell_id, at, geom, location_source, distance_m, far)
         VALUES ($1, $2, 'shop', $3, $4, ST_SetSRID(ST_MakePoint(107.02, 34.02), 4326), 'device', $5, $6)`,
        [patrol!.id, name, ids.west, L('2030-03-10T09:30'), far ? 900 : 10, far]);
    }
    const { rows: [person] } = await t.db.query<{ id: number }>("INSERT INTO people (name) VALUES ('王网格') RETURNING id");
    await t.db.query(`INSERT INTO report_warnings (report_id, person_id, cell_id, step, at) VALUES ($1, $2, $3, 'verify', $4)`, [R.r6, person!.id, ids.west, L('2030-03-14T10:00')]);
    await t.db.query(`INSERT INTO report_rewards (report_id, amount, created_at) VALUES ($1, 300, $2)`, [R.r5, L('2030-03-20T10:00')]);
    try {
      const m = await get('/api/reports/monthly?month=2030-03&level=2');
      expect(m.cells[0].duty).toEqual({ patrols: 1, inspections: 1, farCheckIns: 1, warnings: 1, rewards: 1, rewardYuan: 300 });
      expect(m.cells[1].duty).toEqual({ patrols: 0, inspections: 0, farCheckIns: 0, warnings: 0, rewards: 0, rewardYuan: 0 });
      expect(m.duty).toEqual({ patrols: 1, inspections: 1, farCheckIns: 1, warnings: 1, rewards: 1, rewardYuan: 300 });
      expect((await get('/api/reports/monthly?month=2030-04&level=2')).duty.patrols).toBe(0);
    } finally {
      await t.db.query('DELETE FROM inspections WHERE id = $1', [patrol!.id]);
      await t.db.query('DELETE FROM report_warnings WHERE person_id = $1', [person!.id]);
      await t.db.query('DELETE FROM people WHERE id = $1', [person!.id]);
      await t.db.query('DELETE FROM report_rewards WHERE report_id = $1', [R.r5]);
    }
  });

  it('as a printable official document in Chinese: office, local period, both tables, lines to sign', async () => {
    const res = await t.app.inject({ url: '/api/reports/monthly.html?month=2030-03&level=2', headers: h.admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('2030年3月网格隐患排查整改月报');
    expect(res.body).toContain('报送单位：渭滨区');
    expect(res.body).toContain('统计时段：2030年3月1日至2030年3月31日');
    expect(res.body).toContain('二、巡查检查与问责情况');
    expect(res.body).toMatch(/填报人：<span class="line">admin<\/span>/);
    expect(res.body).toContain('审核人：');
    expect(res.body).toContain('@media print');
    expect(res.body).toMatch(/<td>西街道<\/td><td class="num">4<\/td>/);
    expect(res.body).toMatch(/<td>合计<\/td><td class="num">5<\/td>/);
    // Chinese only: no English column names, no UTC instants.
    expect(res.body).not.toMatch(/Monthly hazard report|Found|Verified|\d{4}-\d{2}-\d{2}T/);
    const east = await t.app.inject({ url: '/api/reports/monthly.html?month=2030-03&level=2', headers: h.east });
    expect(east.body).toContain('报送单位：东街道');
  });

  it('as an Excel workbook that GDAL and a spreadsheet reader open: a sheet per table, numbers as numbers', async () => {
    const res = await t.app.inject({ url: '/api/reports/monthly.xlsx?month=2030-03&level=2', headers: h.admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('月报-2030-03-街道.xlsx')}`);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'wangge-monthly-')), 'monthly.xlsx');
    writeFileSync(file, res.rawPayload);
    // GDAL's XLSX driver reads each sheet as a layer; the table starts after the heading lines.
    const info = execFileSync('ogrinfo', ['-ro', '-al', '-q', '-oo', 'HEADERS=DISABLE', file], { encoding: 'utf8' });
    expect(info).toContain('隐患排查整改');
    expect(info).toContain('巡查检查与问责');
    expect(info).toMatch(/西街道/);
    expect(info).toMatch(/合计/);
    expect(info).toContain('报送单位：渭滨区');
  });

  it('refuses a bad month or level, and planners', async () => {
    for (const [url, status] of [
      ['/api/reports/monthly?month=2030-13', 400], ['/api/reports/monthly', 400], ['/api/reports/monthly?month=2030-3', 400],
      ['/api/reports/monthly?month=2030-03&level=0', 400], ['/api/reports/monthly.csv?month=2030-03&level=7', 422],
    ] as const) {
      const res = await t.app.inject({ url, headers: h.admin });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await t.app.inject({ url: '/api/reports/monthly.csv?month=2030-03', headers: h.planner })).statusCode).toBe(403);
  });
});

describe(`live feed first load (${TEST_DB})`, () => {
  it('lists the reports changed since a time, newest change first, in the shape of the event stream', async () => {
    const since = L('2030-06-01T23:00').toISOString();
    const feed = await get(`/api/reports/feed?since=${encodeURIComponent(since)}`);
    expect(feed.items.map((r: { id: number }) => r.id)).toEqual([R.A, R.F]);
    expect(feed.more).toBe(false);
    expect(feed.cursor).toBe(L('2030-06-03T09:00').toISOString());
    expect(feed.items[0]).toMatchObject({ id: R.A, state: 'closed', trackingCode: expect.stringMatching(/^WG-/), allowedActions: ['reopen'] });
    const page = await get(`/api/reports/feed?since=${encodeURIComponent(since)}&limit=1`);
    expect(page.items.map((r: { id: number }) => r.id)).toEqual([R.A]);
    expect(page.more).toBe(true);
    const after = await get(`/api/reports/feed?since=${encodeURIComponent(feed.cursor)}`);
    expect(after).toEqual({ items: [], cursor: feed.cursor, more: false });
  });

  it('shows a commander only their street', async () => {
    const feed = await get(`/api/reports/feed?since=${encodeURIComponent(L('2030-06-01T23:00').toISOString())}`, h.east);
    expect(feed.items.map((r: { id: number }) => r.id)).toEqual([R.F]);
    const all = await get('/api/reports/feed?limit=200', h.east);
    expect(all.items.every((r: { cellId: number }) => r.cellId === ids.east)).toBe(true);
    expect(all.items).toHaveLength(3);
  });
});

describe(`inspections count in the cell statistics (${TEST_DB})`, () => {
  it('shows, per cell, the units not inspected within their cadence', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/units', headers: h.admin,
      payload: { type: 'Feature', geometry: { type: 'Point', coordinates: [107.02, 34.05] }, properties: { type: 'key_fire_a', name: '西街商场' } },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { cells } = await stats({ level: 2 });
    const west = cells.find((c: { id: number }) => c.id === ids.west);
    const east = cells.find((c: { id: number }) => c.id === ids.east);
    // Never inspected on a weekly cadence: overdue, 0 % inspected; a street without units has no figure.
    expect(west).toMatchObject({ unitsOverdue: 1, pctInspected: 0 });
    expect(east).toMatchObject({ unitsOverdue: 0, pctInspected: null });
  });
});
