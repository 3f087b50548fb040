import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// The accountability screens: warnings by person with the thresholds reached, numbered warning
// notices (预警通知书), the periodic evaluation (考评) from measured figures plus 民主测评, and its 通报.
// Figures are seeded straight into the tables with times in November 2026 (Asia/Shanghai).

const NOW = new Date('2026-11-20T04:00:00Z');
let clock = NOW;
let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h = {} as Record<'commander' | 'commanderEast' | 'worker' | 'admin', Headers>;
const person = {} as Record<'wang' | 'li' | 'zhao', number>;
const codes: Record<string, string> = {};

let seq = 0;
/** A report in a cell with its events: [action, local day in November, hour]. */
async function report(cellId: number, events: [string, string][]): Promise<number> {
  seq += 1;
  const code = `EVAL-${String(seq).padStart(4, '0')}`;
  const lon = cellId === ids.west ? 107.02 : 107.07;
  const { rows } = await t.db.query<{ id: number }>(
    `INSERT INTO reports (tracking_code, geom, category, severity, description, source, state, cell_id, step_started_at, created_at, updated_at)
     VALUES ($1, ST_SetSRID(ST_MakePoint($2, 34.05), 4326), 'fire', 'ordinary', '消防通道堵塞', 'resident', 'verified', $3, $4, $4, $4) RETURNING id`,
    [code, lon, cellId, '2026-11-01T02:00:00Z']);
  const id = rows[0]!.id;
  codes[id] = code;
  for (const [action, at] of events) {
    await t.db.query('INSERT INTO report_events (report_id, at, action) VALUES ($1, $2, $3)', [id, at, action]);
  }
  return id;
}
const warn = (reportId: number, personId: number, cellId: number, at: string) =>
  t.db.query('INSERT INTO report_warnings (report_id, person_id, cell_id, step, at) VALUES ($1, $2, $3, $4, $5)', [reportId, personId, cellId, 'rectify', at]);
const rate = (reportId: number, score: number, at: string) =>
  t.db.query('INSERT INTO report_ratings (report_id, score, at) VALUES ($1, $2, $3)', [reportId, score, at]);

const get = (url: string, who: Headers = h.commander) => t.app.inject({ url, headers: who });

beforeAll(async () => {
  t = await testApp({ now: () => clock });
  ids = await twoStreets(t.db);
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'commanderEast', 'commander', [ids.east]);
  await createUser(t.db, 'worker', 'worker', [ids.west]);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'commanderNewYear', 'commander');
  for (const who of ['commander', 'commanderEast', 'worker', 'admin'] as const) h[who] = await signIn(t.app, who);
  for (const [key, name, cell, role] of [['wang', '王西', ids.west, 'chief'], ['li', '李东', ids.east, 'chief'], ['zhao', '赵西', ids.west, 'manager']] as const) {
    const { rows } = await t.db.query<{ id: number }>('INSERT INTO people (name) VALUES ($1) RETURNING id', [name]);
    person[key] = rows[0]!.id;
    await t.db.query('INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, $2, $3, $4)', [cell, key === 'zhao' ? 2 : 1, rows[0]!.id, role]);
  }
  // West: R1 on time, rectified, closed, rated 5; R2 went overdue, then rectified; R3 verified only.
  const r1 = await report(ids.west, [['verify', '2026-11-02T02:00:00Z'], ['rectify', '2026-11-05T02:00:00Z'], ['close', '2026-11-06T02:00:00Z']]);
  const r2 = await report(ids.west, [['verify', '2026-11-03T02:00:00Z'], ['escalate', '2026-11-10T02:00:00Z'], ['rectify', '2026-11-12T02:00:00Z']]);
  const r3 = await report(ids.west, [['verify', '2026-11-04T02:00:00Z']]);
  await rate(r1, 5, '2026-11-07T02:00:00Z');
  // East: E1 on time and rectified, rated 2.
  const e1 = await report(ids.east, [['verify', '2026-11-02T02:00:00Z'], ['rectify', '2026-11-04T02:00:00Z']]);
  await rate(e1, 2, '2026-11-05T02:00:00Z');
  // 王西: 3 warnings this month (explanation level); 赵西 1; 李东 one last year, one this month.
  await warn(r1, person.wang, ids.west, '2026-11-03T02:00:00Z');
  await warn(r2, person.wang, ids.west, '2026-11-10T02:00:00Z');
  await warn(r3, person.wang, ids.west, '2026-11-11T02:00:00Z');
  await warn(r2, person.zhao, ids.west, '2026-11-10T02:00:00Z');
  await warn(e1, person.li, ids.east, '2025-12-30T02:00:00Z');
  // Patrols: the west street's one unit (monthly plan) was inspected in November, so the patrols'
  // coverage is 100%; the east street has no unit: its monthly township patrol was done (1 of 1 due).
  const patrol = async (cellId: number, name: string, at: string) => (await t.db.query<{ id: number }>(
    `INSERT INTO inspections (cell_id, cell_code, cell_name, cell_level, inspector, started_at) VALUES ($1, $2, $3, 2, '巡查员', $4) RETURNING id`,
    [cellId, cellId === ids.west ? '610302001' : '610302002', name, at])).rows[0]!.id;
  const { rows: unit } = await t.db.query<{ id: number }>(
    `INSERT INTO units (type, name, geom) VALUES ('small_place', '西街面馆', ST_SetSRID(ST_MakePoint(107.02, 34.05), 4326)) RETURNING id`);
  const westPatrol = await patrol(ids.west, '西街道', '2026-11-10T02:00:00Z');
  await t.db.query(
    `INSERT INTO inspection_visits (inspection_id, unit_id, unit_name, unit_type, cell_id, at, geom, location_source, distance_m, far)
     VALUES ($1, $2, '西街面馆', 'small_place', $3, '2026-11-10T02:30:00Z', ST_SetSRID(ST_MakePoint(107.02, 34.05), 4326), 'device', 5, false)`,
    [westPatrol, unit[0]!.id, ids.west]);
  await patrol(ids.east, '东街道', '2026-11-08T02:00:00Z');
  const e2 = await report(ids.east, []);
  await warn(e2, person.li, ids.east, '2026-11-12T02:00:00Z');
});

interface WarningsBody {
  thresholds: { warning: number; explanation: number; publicNotice: number };
  people: { personId: number; name: string; count: number; level: string | null; cells: { name: string }[]; notices: { number: string; url: string }[] }[];
  warnings: { personName: string; trackingCode: string; reportUrl: string; cellName: string; roles: { zh: string }[]; step: string }[];
}

describe(`warnings screen (${TEST_DB})`, () => {
  it('lists each warning and per person the count and level, the people at a threshold first', async () => {
    const res = await get('/api/warnings?from=2026-01-01&to=2026-11-20');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as WarningsBody;
    expect(body.thresholds).toEqual({ warning: 1, explanation: 3, publicNotice: 5 });
    expect(body.people.map((p) => [p.name, p.count, p.level])).toEqual([['王西', 3, 'explanation'], ['李东', 1, 'warning'], ['赵西', 1, 'warning']]);
    expect(body.people[0]!.cells.map((c) => c.name)).toEqual(['西街道']);
    const wangs = body.warnings.filter((w) => w.personName === '王西');
    expect(wangs).toHaveLength(3);
    expect(wangs[0]).toMatchObject({ cellName: '西街道', step: 'rectify', roles: [{ zh: '网格长' }] });
    expect(wangs[0]!.reportUrl).toMatch(/^\/#\/reports\?report=\d+$/);
    // Last year's warning of 李东 is outside the period.
    expect(body.warnings.filter((w) => w.personName === '李东')).toHaveLength(1);
  });

  it('filters by cell: the cell\'s warnings and people, who keep their count over all cells', async () => {
    const all = (await get('/api/warnings?from=2026-01-01&to=2026-11-20')).json() as WarningsBody & { cells: { id: number; name: string; count: number }[]; total: number };
    expect(all.cells.map((c) => [c.name, c.count])).toEqual([['西街道', 4], ['东街道', 1]]);
    expect(all.total).toBe(5);
    const east = (await get(`/api/warnings?from=2026-01-01&to=2026-11-20&cellId=${ids.east}`)).json() as typeof all;
    expect(east.people.map((p) => p.name)).toEqual(['李东']);
    expect(east.warnings.map((w) => w.cellName)).toEqual(['东街道']);
    expect(east.total).toBe(1);
    const west = (await get(`/api/warnings?from=2026-01-01&to=2026-11-20&cellId=${ids.west}`)).json() as typeof all;
    expect(west.people.map((p) => [p.name, p.count, p.level])).toEqual([['王西', 3, 'explanation'], ['赵西', 1, 'warning']]);
    expect(new Set(west.warnings.map((w) => w.cellName))).toEqual(new Set(['西街道']));
  });

  it('counts in local days: a period ending before a warning leaves it out', async () => {
    const body = (await get('/api/warnings?from=2026-11-01&to=2026-11-10')).json() as WarningsBody;
    // 2026-11-10T02:00Z is 10:00 on the 10th in Shanghai: in; the 11th: out.
    expect(body.people.find((p) => p.name === '王西')).toMatchObject({ count: 2, level: 'warning' });
  });

  it('shows a commander only the people of their cells; workers may not see it', async () => {
    const east = (await get('/api/warnings', h.commanderEast)).json() as WarningsBody;
    expect(east.people.map((p) => p.name)).toEqual(['李东']);
    expect((await get('/api/warnings', h.worker)).statusCode).toBe(403);
    expect((await get('/api/warnings', {})).statusCode).toBe(401);
  });

  it('answers bad dates and an empty period with coded problems', async () => {
    const bad = await get('/api/warnings?from=2026-02-30');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('warnings.bad-date');
    const empty = await get('/api/warnings?from=2026-11-10&to=2026-11-01');
    expect(empty.json().code).toBe('warnings.window-empty');
  });
});

describe(`warning notices (预警通知书) (${TEST_DB})`, () => {
  const issue = (payload: Record<string, unknown>, who = h.commander) =>
    t.app.inject({ method: 'POST', url: '/api/warnings/notices', headers: who, payload: { from: '2026-01-01', to: '2026-11-20', ...payload } });

  it('numbers notices per year, lists the warnings, audits, and prints them', async () => {
    const first = await issue({ personId: person.wang, level: 'explanation', note: '限期说明' });
    expect(first.statusCode, first.body).toBe(201);
    const n1 = first.json();
    expect(n1).toMatchObject({ number: '〔2026〕第 1 号', personName: '王西', level: 'explanation', note: '限期说明' });
    expect(n1.warnings).toHaveLength(3);
    const second = (await issue({ personId: person.zhao, level: 'warning' })).json();
    expect(second.number).toBe('〔2026〕第 2 号');

    const { rows } = await t.db.query<{ action: string; target: string }>(`SELECT action, target FROM audit_log WHERE action = 'warning.notice' ORDER BY id`);
    expect(rows).toEqual([{ action: 'warning.notice', target: `person:${person.wang}` }, { action: 'warning.notice', target: `person:${person.zhao}` }]);

    const html = await get(n1.url);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain('预警通知书');
    expect(html.body).toContain('〔2026〕第 1 号');
    expect(html.body).toContain('王西');
    expect(html.body).toContain('西街道（网格长）');
    expect(html.body).toContain('书面说明');
    expect(html.body).toContain('签发人');
    for (const w of n1.warnings as { trackingCode: string }[]) expect(html.body).toContain(w.trackingCode);

    // The screen links to the notices issued.
    const screen = (await get('/api/warnings')).json() as WarningsBody;
    expect(screen.people.find((p) => p.name === '王西')!.notices).toEqual([expect.objectContaining({ number: '〔2026〕第 1 号', url: n1.url })]);
  });

  it('hands out distinct consecutive numbers to notices issued at once, and starts again in a new year', async () => {
    const before = (await t.db.query<{ n: number }>('SELECT max(number)::int AS n FROM warning_notices WHERE year = 2026')).rows[0]!.n ?? 0;
    const issued = await Promise.all([person.wang, person.zhao, person.li].map((personId) => issue({ personId, level: 'warning' })));
    expect(issued.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    const numbers = issued.map((r) => r.json().seq as number).sort((a, b) => a - b);
    expect(numbers).toEqual([before + 1, before + 2, before + 3]);
    // 2027-01-01 01:00 in Shanghai is still 2026 in UTC: the local year counts.
    clock = new Date('2026-12-31T17:00:00Z');
    try {
      // (A session does not last six weeks: sign in again on the new day.)
      const next = (await issue({ personId: person.wang, level: 'warning' }, await signIn(t.app, 'commanderNewYear'))).json();
      expect(next).toMatchObject({ number: '〔2027〕第 1 号', year: 2027, seq: 1 });
    } finally {
      clock = NOW;
    }
  });

  it('refuses a level not reached, a person outside my cells, and a worker', async () => {
    const high = await issue({ personId: person.wang, level: 'publicNotice' });
    expect(high.statusCode).toBe(409);
    expect(high.json()).toMatchObject({ code: 'warnings.level-not-reached', params: { count: 3, needed: 5 } });
    const other = await issue({ personId: person.wang, level: 'warning' }, h.commanderEast);
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('warnings.person-not-found');
    expect((await issue({ personId: person.wang, level: 'warning' }, h.worker)).statusCode).toBe(403);
    // A notice of another commander's person is not shown.
    const { rows } = await t.db.query<{ id: number }>('SELECT id FROM warning_notices ORDER BY id LIMIT 1');
    expect((await get(`/warnings/notices/${rows[0]!.id}`, h.commanderEast)).json().code).toBe('warnings.notice-not-found');
  });
});

interface EvalBody {
  cells: { id: number; name: string; onTime: number | null; rectification: number | null; patrol: number | null; satisfaction: number | null; democratic: number | null; total: number | null; rank: number | null; handled: number }[];
  people: { name: string; average: number | null; warnings: number; score: number | null; rank: number | null }[];
  weights: Record<string, number>;
  warningPenalty: number;
}

describe(`evaluation (考评) (${TEST_DB})`, () => {
  const evaluation = (query: string, who = h.commander) => get(`/api/evaluations?${query}`, who);

  it('measures each figure per cell and ranks by the weighted total', async () => {
    const res = await evaluation('period=2026-11&level=2');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as EvalBody;
    const west = body.cells.find((c) => c.name === '西街道')!;
    const east = body.cells.find((c) => c.name === '东街道')!;
    expect(west).toMatchObject({ handled: 3, onTime: 66.7, rectification: 66.7, patrol: 100, satisfaction: 100, democratic: null });
    expect(east).toMatchObject({ handled: 1, onTime: 100, rectification: 100, patrol: 100, satisfaction: 25, democratic: null });
    // The total is the weighted mean of the figures present.
    const w = body.weights;
    for (const c of [west, east]) {
      const parts = [['onTime', c.onTime], ['rectification', c.rectification], ['patrol', c.patrol], ['satisfaction', c.satisfaction]] as const;
      const present = parts.filter(([, v]) => v !== null);
      const expected = present.reduce((s, [k, v]) => s + w[k]! * v!, 0) / present.reduce((s, [k]) => s + w[k]!, 0);
      expect(c.total).toBeCloseTo(expected, 0);
    }
    expect(body.cells.map((c) => [c.name, c.rank])).toEqual([['东街道', 1], ['西街道', 2]]);
    // People: their cell's total minus the penalty per warning in the period.
    const wang = body.people.find((p) => p.name === '王西')!;
    expect(wang).toMatchObject({ average: west.total, warnings: 3 });
    expect(wang.score).toBeCloseTo(west.total! - 3 * body.warningPenalty, 5);
    expect(body.people[0]!.name).toBe('李东');
  });

  it('a 民主测评 score entered for a cell changes the ranking, and is audited', async () => {
    const put = (cellId: number, score: number, who = h.commander, period = '2026-11') =>
      t.app.inject({ method: 'PUT', url: `/api/evaluations/${period}/cells/${cellId}/democratic`, headers: who, payload: { score } });
    expect((await put(ids.west, 100)).json()).toEqual({ cellId: ids.west, period: '2026-11', score: 100 });
    expect((await put(ids.east, 0)).statusCode).toBe(200);
    const body = (await evaluation('period=2026-11&level=2')).json() as EvalBody;
    expect(body.cells.map((c) => [c.name, c.rank, c.democratic])).toEqual([['西街道', 1, 100], ['东街道', 2, 0]]);
    // Another period is untouched; the quarter has its own entry.
    const q4 = (await evaluation('period=2026-Q4&level=2')).json() as EvalBody;
    expect(q4.cells.every((c) => c.democratic === null)).toBe(true);
    // Without units the quarter asks three monthly township patrols of the east street: one was done.
    expect(q4.cells.find((c) => c.id === ids.east)!.patrol).toBe(33.3);
    expect(q4.cells.find((c) => c.id === ids.west)!.patrol).toBe(100);
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'evaluation.democratic'`);
    expect(rows[0]!.n).toBe(2);
    // Out of range, outside my cells, a worker, a bad period.
    expect((await put(ids.west, 101)).statusCode).toBe(400);
    expect((await put(ids.west, 50, h.commanderEast)).json().code).toBe('evaluations.cell-not-found');
    expect((await put(ids.west, 50, h.worker)).statusCode).toBe(403);
    expect((await put(ids.west, 50, h.commander, '2026-13')).json().code).toBe('evaluations.bad-period');
  });

  it('scopes cells to the commander, and answers a bad period with a coded problem', async () => {
    const east = (await evaluation('period=2026-11&level=2', h.commanderEast)).json() as EvalBody;
    expect(east.cells.map((c) => c.name)).toEqual(['东街道']);
    expect(east.people.map((p) => p.name)).toEqual(['李东']);
    for (const period of ['2026-13', '2026-Q5', 'november']) {
      const bad = await evaluation(`period=${period}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('evaluations.bad-period');
    }
    expect((await evaluation('period=2026-11', h.worker)).statusCode).toBe(403);
  });

  it('prints the 通报 with the period, the ranked table and the first and last named', async () => {
    const res = await get('/evaluations/2026-11/notice?level=2');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('关于2026年11月街道网格考评结果的通报');
    expect(res.body).toMatch(/第一名为<strong data-top>西街道<\/strong>/);
    expect(res.body).toMatch(/最后一名为<strong data-bottom>东街道<\/strong>/);
    expect(res.body).toContain('2026年11月1日至2026年11月30日');
    expect(res.body.indexOf('西街道</td>')).toBeLessThan(res.body.indexOf('东街道</td>'));
    expect((await get('/evaluations/2026-Q9/notice')).json().code).toBe('evaluations.bad-period');
  });
});
