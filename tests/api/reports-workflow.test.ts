import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { loadConfig, reportsConfig } from '../../server/config.ts';
import { runEscalation } from '../../server/reports/escalation.ts';

// The workflow through the API: every transition allowed and forbidden, who may take it, what it
// needs, concurrent actions, deadlines and escalation on a clock the test sets, warnings, rewards.

type State = 'reported' | 'verified' | 'rejected' | 'dispatched' | 'rectifying' | 'rectified' | 'closed';
const STATES: State[] = ['reported', 'verified', 'rejected', 'dispatched', 'rectifying', 'rectified', 'closed'];
const ACTIONS = ['verify', 'reject', 'dispatch', 'accept', 'rectify', 'close', 'return', 'transfer', 'reopen'] as const;
type Action = (typeof ACTIONS)[number];

// The closed loop as the issue states it: the only moves there are, and where they lead.
const MOVES: Record<State, Partial<Record<Action, State>>> = {
  reported: { verify: 'verified', reject: 'rejected', transfer: 'reported' },
  verified: { dispatch: 'dispatched', transfer: 'verified' },
  rejected: { reopen: 'reported' },
  dispatched: { accept: 'rectifying' },
  rectifying: { rectify: 'rectified' },
  rectified: { close: 'closed', return: 'rectifying' },
  closed: { reopen: 'rectifying' },
};
// Checking and closing, sending back and reopening are the supervisor's (commander's) call.
const SUPERVISOR_ONLY: Action[] = ['close', 'return', 'reopen'];

const T0 = new Date('2030-03-01T00:00:00Z');
let clock = T0;
const at = (hours: number) => new Date(T0.getTime() + hours * 3600_000);

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h = {} as Record<'admin' | 'commander' | 'workerWest' | 'workerWest2' | 'workerEast', Headers>;
const PERSON_WEST = 7001;
const PERSON_DISTRICT = 7002;

beforeAll(async () => {
  const base = loadConfig({});
  t = await testApp({
    now: () => clock,
    config: { reports: reportsConfig({ categoryDeadlines: { fire: { major: { verify: 2 } } } }, {}, base.dataDir) },
  });
  ids = await twoStreets(t.db);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'workerWest', 'worker', [ids.west]);
  await createUser(t.db, 'workerWest2', 'worker', [ids.west]);
  await createUser(t.db, 'workerEast', 'worker', [ids.east]);
  for (const who of ['admin', 'commander', 'workerWest', 'workerWest2', 'workerEast'] as const) h[who] = await signIn(t.app, who);
  // The test's clock jumps weeks ahead; sessions must outlive it.
  await t.db.query(`UPDATE sessions SET expires_at = 'infinity'`);
  await t.db.query(`INSERT INTO people (id, name) VALUES ($1, '王西街'), ($2, '赵区长')`, [PERSON_WEST, PERSON_DISTRICT]);
  await t.db.query(`INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, $2, 'manager'), ($3, 1, $4, 'first_responsible')`,
    [ids.west, PERSON_WEST, ids.district, PERSON_DISTRICT]);
});

const file = async (extra: Record<string, unknown> = {}, headers: Headers = {}, lon = 107.02, lat = 34.02) => {
  const res = await t.app.inject({
    method: 'POST', url: '/api/reports', headers,
    payload: { location: { type: 'Point', coordinates: [lon, lat] }, category: 'environment', severity: 'ordinary', description: '河道垃圾堆积', ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: number; trackingCode: string; cellId: number | null; dueAt: string };
};
const act = (id: number, who: Headers, payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/api/reports/${id}/actions`, headers: who, payload });
const get = (id: number, who: Headers = h.commander) => t.app.inject({ url: `/api/reports/${id}`, headers: who }).then((r) => r.json());
const events = (id: number) => t.app.inject({ url: `/api/reports/${id}/events`, headers: h.commander }).then((r) => r.json() as Promise<{ action: string; fromState: string; toState: string; fromCell: number; toCell: number; user: string | null; note: string | null }[]>);

/** A report put straight into a state, as the table's starting point. */
async function reportIn(state: State) {
  const r = await file();
  await t.db.query(`UPDATE reports SET state = $2, closed_at = CASE WHEN $2 = 'closed' THEN now() END WHERE id = $1`, [r.id, state]);
  return r.id;
}

/** What each action carries when it is taken properly. */
const payloadFor = (action: Action): Record<string, unknown> => ({
  action,
  ...(['reject', 'return', 'reopen', 'rectify'].includes(action) ? { note: '理由或整改说明' } : {}),
  ...(action === 'dispatch' ? { assignees: [PERSON_WEST] } : {}),
  ...(action === 'transfer' ? { cellId: ids.east } : {}),
});

describe(`every transition, allowed and forbidden (${TEST_DB})`, () => {
  const cases = STATES.flatMap((state) => ACTIONS.map((action) => ({ state, action, to: MOVES[state][action] })));

  it.each(cases)('$state + $action → $to', async ({ state, action, to }) => {
    const id = await reportIn(state);
    const res = await act(id, h.admin, payloadFor(action));
    const allowed = ACTIONS.filter((a) => MOVES[state][a]);
    if (to) {
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().state).toBe(to);
      expect(res.json().version).toBe(2);
      const last = (await events(id)).at(-1)!;
      expect(last).toMatchObject({ action, fromState: state, toState: to, user: 'admin' });
    } else {
      expect(res.statusCode, res.body).toBe(409);
      expect(res.json().allowedActions).toEqual(allowed);
      expect(res.json().detail).toMatch(new RegExp(`allowed now: ${allowed.join(', ')}`));
      expect((await get(id)).version).toBe(1);
    }
  });

  it.each(STATES)('in %s, a worker is offered the work steps and a commander the supervision steps too', async (state) => {
    const id = await reportIn(state);
    const all = ACTIONS.filter((a) => MOVES[state][a]);
    expect((await get(id, h.workerWest)).allowedActions).toEqual(all.filter((a) => !SUPERVISOR_ONLY.includes(a)));
    expect((await get(id, h.commander)).allowedActions).toEqual(all);
  });

  it('refuses a supervision step to a worker with 403 and the allowed list', async () => {
    const id = await reportIn('rectified');
    const res = await act(id, h.workerWest, { action: 'close' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ allowedActions: [], state: 'rectified' });
    expect((await act(id, {}, { action: 'close' })).statusCode).toBe(401);
  });
});

describe(`what each step needs (${TEST_DB})`, () => {
  it.each([
    ['reject without a reason', 'reported', { action: 'reject' }, /needs a reason/, 'note'],
    ['rectify without evidence', 'rectifying', { action: 'rectify' }, /needs evidence/, 'note'],
    ['dispatch to no one', 'verified', { action: 'dispatch' }, /Dispatch to people/, 'assignees'],
    ['dispatch to an unknown person', 'verified', { action: 'dispatch', assignees: [999999] }, /No person with id 999999/, 'assignees'],
    ['dispatch with a past deadline', 'verified', { action: 'dispatch', department: '区环保局', dueAt: '2000-01-01T00:00:00Z' }, /not a time in the future/, 'dueAt'],
    ['transfer to a missing cell', 'reported', { action: 'transfer', cellId: 999999 }, /Cell 999999 does not exist/, 'cellId'],
    ['rectify citing a photo of another report', 'rectifying', { action: 'rectify', photoIds: [424242] }, /photoIds must be photos uploaded to report/, 'photoIds'],
  ] as const)('refuses %s (422) and changes nothing', async (_name, state, payload, message, field) => {
    const id = await reportIn(state);
    const res = await act(id, h.workerWest, payload);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().detail).toMatch(message);
    expect(res.json().errors[0].field).toBe(field);
    expect((await get(id)).version).toBe(1);
    expect(await events(id)).toHaveLength(1);
  });

  it('dispatches only to people who answer for the cell or a cell above it', async () => {
    await t.db.query(`INSERT INTO people (id, name) VALUES (7003, '钱东街')`);
    await t.db.query(`INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, 7003, 'manager')`, [ids.east]);
    const id = await reportIn('verified');
    const wrong = await act(id, h.workerWest, { action: 'dispatch', assignees: [7003] });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().detail).toMatch(/Person 7003 holds no role in cell/);
    const fromAbove = await act(id, h.workerWest, { action: 'dispatch', assignees: [PERSON_DISTRICT], department: '区城管局' });
    expect(fromAbove.statusCode, fromAbove.body).toBe(200);
    expect(fromAbove.json()).toMatchObject({ assignees: [{ id: PERSON_DISTRICT, name: '赵区长' }], department: '区城管局' });
  });

  it('transfers to another cell: the new cell sees it, the old one no longer does', async () => {
    const r = await file();
    const res = await act(r.id, h.workerWest, { action: 'transfer', cellId: ids.east, note: '属东街道辖区' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ cellId: ids.east, transferred: true, state: 'reported' });
    expect((await t.app.inject({ url: `/api/reports/${r.id}`, headers: h.workerWest })).statusCode).toBe(404);
    expect((await get(r.id, h.workerEast)).allowedActions).toEqual(['verify', 'reject', 'transfer']);
    // The handling record names the person and role, not the login, and the cell it went to.
    await t.db.query(`UPDATE users SET display_name = '王西' WHERE username = 'workerWest'`);
    expect((await events(r.id)).at(-1)).toMatchObject({
      action: 'transfer', fromCell: ids.west, toCell: ids.east, note: '属东街道辖区', userName: '王西', userRole: 'worker', toCellName: '东街道',
    });
  });
});

describe(`concurrent actions on one report (${TEST_DB})`, () => {
  it('lets one of two simultaneous steps win; the other gets 409', async () => {
    for (const [a, b] of [[{ action: 'verify' }, { action: 'verify' }], [{ action: 'verify' }, { action: 'reject', note: '不属实' }]]) {
      const r = await file();
      const results = await Promise.all([act(r.id, h.workerWest, { ...a, version: 1 }), act(r.id, h.workerWest2, { ...b, version: 1 })]);
      expect(results.map((x) => x.statusCode).sort()).toEqual([200, 409]);
      const report = await get(r.id);
      expect(report.version).toBe(2);
      expect((await events(r.id)).map((e) => e.action)).toHaveLength(2);
    }
  });

  it('refuses an action on a version someone else already changed', async () => {
    const r = await file();
    expect((await act(r.id, h.workerWest, { action: 'verify', version: 1 })).statusCode).toBe(200);
    const stale = await act(r.id, h.workerWest2, { action: 'dispatch', department: '区环保局', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().detail).toMatch(/you acted on version 1, it is now version 2/);
  });
});

describe(`deadlines and escalation, on the test's clock (${TEST_DB})`, () => {
  it('takes deadlines from configuration by category and severity', async () => {
    clock = T0;
    const fireMajor = await file({ category: 'fire', severity: 'major' });
    const envMajor = await file({ category: 'environment', severity: 'major' });
    expect(fireMajor.dueAt).toBe(at(2).toISOString());
    expect(envMajor.dueAt).toBe(at(24).toISOString());
    const verified = (await act(envMajor.id, h.workerWest, { action: 'verify' })).json();
    expect(verified.supervised).toBe(true);
    const dispatched = (await act(envMajor.id, h.workerWest, { action: 'dispatch', department: '区环保局' })).json();
    expect(dispatched.dueAt).toBe(at(30 * 24).toISOString());
  });

  it('escalates an overdue report one level up per missed period, warns the people passed, and stops at the top', async () => {
    await t.db.query(`UPDATE reports SET escalate_at = NULL`);
    clock = T0;
    const r = await file({}, {}, 107.04, 34.08);
    expect(r.cellId).toBe(ids.west);
    expect((await runEscalation(t.db, at(23))).escalated).not.toContain(r.id);
    clock = at(23);
    expect((await get(r.id)).overdue).toBe(false);

    const first = await runEscalation(t.db, at(25));
    expect(first.escalated).toEqual([r.id]);
    clock = at(25);
    expect(await get(r.id)).toMatchObject({ overdue: true, escalatedTo: ids.district, escalationLevel: 1, cellId: ids.west, state: 'reported' });
    expect((await events(r.id)).at(-1)).toMatchObject({ action: 'escalate', fromCell: ids.west, toCell: ids.district, toCellName: '渭滨区', fromState: 'reported', toState: 'reported', user: null, userName: null });
    const warnings = (id: number) => t.app.inject({ url: `/api/people/${id}/warnings`, headers: h.commander }).then((x) => x.json());
    expect(await warnings(PERSON_WEST)).toMatchObject({ count: 1, level: 'warning', reports: [{ reportId: r.id, cellId: ids.west, step: 'verify' }] });
    expect((await warnings(PERSON_DISTRICT)).count).toBe(0);

    expect((await runEscalation(t.db, at(26))).escalated).toEqual([]);
    const top = await runEscalation(t.db, at(25 + 24 + 1));
    expect(top).toEqual({ escalated: [], overdueAtTop: [r.id] });
    expect((await events(r.id)).at(-1)).toMatchObject({ action: 'overdue', fromCell: ids.district, toCell: ids.district });
    expect((await warnings(PERSON_DISTRICT)).count).toBe(1);
    expect(await runEscalation(t.db, at(500))).toEqual({ escalated: [], overdueAtTop: [] });

    // Acting on it starts the next step fresh.
    clock = at(60);
    const verified = (await act(r.id, h.workerWest, { action: 'verify' })).json();
    expect(verified).toMatchObject({ overdue: false, escalatedTo: null, escalationLevel: 0, dueAt: at(60 + 24).toISOString() });
  });

  it('escalates each overdue report once even when two processes run the job at the same moment', async () => {
    await t.db.query(`UPDATE reports SET escalate_at = NULL`);
    clock = at(1000);
    const a = await file();
    const b = await file();
    const [x, y] = await Promise.all([runEscalation(t.db, at(1030)), runEscalation(t.db, at(1030))]);
    expect([...x.escalated, ...y.escalated].sort()).toEqual([a.id, b.id].sort());
    for (const id of [a.id, b.id]) expect((await events(id)).filter((e) => e.action === 'escalate')).toHaveLength(1);
  });

  it('raises a person from warning to written explanation to public notice (1, 3, 5)', async () => {
    await t.db.query(`UPDATE reports SET escalate_at = NULL`);
    await t.db.query(`DELETE FROM report_warnings`);
    clock = at(2000);
    const levels: (string | null)[] = [];
    for (let i = 1; i <= 5; i++) {
      await file();
      await runEscalation(t.db, at(2000 + 25 * i));
      levels.push((await t.app.inject({ url: `/api/people/${PERSON_WEST}/warnings`, headers: h.commander })).json().level);
    }
    expect(levels).toEqual(['warning', 'warning', 'explanation', 'explanation', 'publicNotice']);
    expect((await t.app.inject({ url: `/api/people/${PERSON_WEST}/warnings` })).statusCode).toBe(401);
  });

  it('puts overdue reports first in the inbox, then by due date', async () => {
    await t.db.query(`DELETE FROM reports`);
    clock = at(3000);
    const overdue = await file();
    clock = at(3010);
    const later = await file();
    const verifiedSoon = await file();
    await act(verifiedSoon.id, h.workerWest, { action: 'verify' });
    await t.db.query('UPDATE reports SET due_at = $2 WHERE id = $1', [verifiedSoon.id, at(3020)]);
    clock = at(3025);
    const inbox = (await t.app.inject({ url: '/api/reports', headers: h.workerWest })).json();
    expect(inbox.items.map((r: { id: number }) => r.id)).toEqual([verifiedSoon.id, overdue.id, later.id]);
    expect(inbox.items.map((r: { overdue: boolean }) => r.overdue)).toEqual([true, true, false]);
    const onlyOverdue = (await t.app.inject({ url: '/api/reports?overdue=true', headers: h.workerWest })).json();
    expect(onlyOverdue.total).toBe(2);
  });
});

describe(`supervision and rewards (${TEST_DB})`, () => {
  it('flags a major hazard for top-level supervision when verified, and rewards public reports once', async () => {
    await t.db.query(`DELETE FROM reports`);
    const ordinary = await file({ source: 'resident' });
    const upgraded = await file({ source: 'resident' });
    const patrol = await file({ source: 'patrol' }, h.workerWest);
    await act(ordinary.id, h.workerWest, { action: 'verify' });
    const major = (await act(upgraded.id, h.workerWest, { action: 'verify', severity: 'major' })).json();
    expect(major).toMatchObject({ severity: 'major', supervised: true });
    expect((await get(ordinary.id)).supervised).toBe(false);
    await act(patrol.id, h.workerWest, { action: 'verify' });
    const ledger = (await t.app.inject({ url: '/api/rewards', headers: h.commander })).json();
    expect(ledger.items.map((w: { reportId: number; amount: number }) => [w.reportId, w.amount]).sort()).toEqual([[ordinary.id, 50], [upgraded.id, 300]].sort());
    expect(ledger.total).toBe(350);
    expect((await t.app.inject({ url: '/api/rewards', headers: h.workerWest })).statusCode).toBe(403);
    const track = (await t.app.inject({ url: `/api/reports/track/${upgraded.trackingCode}` })).json();
    expect(track.reward).toBe(300);
  });

  it('refuses to let a worker verify his own report, even an anonymous one, and rewards no one who handled it', async () => {
    await t.db.query(`DELETE FROM reports`);
    // Filed signed in, as an anonymous resident: he may not verify it (as major, for 300) himself.
    const own = await file({ source: 'resident', severity: 'major' }, h.workerWest);
    const self = await act(own.id, h.workerWest, { action: 'verify', severity: 'major' });
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe('workflow.own-report');
    // Someone else verifies it: no reward for a report filed from a staff account.
    expect((await act(own.id, h.workerWest2, { action: 'verify', severity: 'major' })).statusCode).toBe(200);
    // Filed signed out with his own phone as the contact: still his own.
    const { rows } = await t.db.query<{ id: number }>(`INSERT INTO people (name, phone) VALUES ('西街网格员', '13911112222') RETURNING id`);
    await t.db.query(`UPDATE users SET person_id = $1 WHERE username = 'workerWest'`, [rows[0]!.id]);
    const byPhone = await file({ source: 'resident', reporter: { name: '热心群众', contact: '139-1111-2222' } });
    expect((await act(byPhone.id, h.workerWest, { action: 'verify' })).json().code).toBe('workflow.own-report');
    // A colleague may verify it, but a staff member's phone earns no reward.
    expect((await act(byPhone.id, h.workerWest2, { action: 'verify' })).statusCode).toBe(200);
    const honest = await file({ source: 'resident', reporter: { name: '居民', contact: '13700000009' } });
    expect((await act(honest.id, h.workerWest, { action: 'verify' })).statusCode).toBe(200);
    const ledger = (await t.app.inject({ url: '/api/rewards', headers: h.commander })).json();
    expect(ledger.items.map((w: { reportId: number }) => w.reportId)).toEqual([honest.id]);
  });
});
