import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// Intake files the common report (no photos, key or phone time) in one statement without a
// transaction around it, and anything more in a transaction: either way the report, its first
// event and its audit entry are written together, once.

let t: TestApp;
let staff: Headers;
let workerId: number;

const report = (extra: Record<string, unknown> = {}) => ({
  location: { type: 'Point', coordinates: [107.02, 34.02] }, category: 'fire', severity: 'major', description: '配电箱冒烟', ...extra,
});

async function trail(id: number) {
  const audit = await t.db.query<{ user_id: number | null; username: string | null; target: string; detail: unknown; ip: string }>(
    "SELECT user_id, username, target, detail, ip FROM audit_log WHERE action = 'report.create' AND target = $1", [`report:${id}`]);
  const events = await t.db.query<{ action: string }>('SELECT action FROM report_events WHERE report_id = $1', [id]);
  return { audit: audit.rows, events: events.rows.map((e) => e.action) };
}

beforeAll(async () => {
  t = await testApp();
  const ids = await twoStreets(t.db);
  await insertCell(t.db, { code: '610302001001', name: '和平社区', level: 3, parentId: ids.west, rings: square(107.01, 34.01, 0.02) });
  workerId = await createUser(t.db, 'worker1', 'worker');
  staff = await signIn(t.app, 'worker1');
});

describe(`intake writes the report, its event and its audit entry together (${TEST_DB})`, () => {
  it('a resident report in one statement: audited without an actor, from the sender address', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/reports', remoteAddress: '10.9.8.7', payload: report() });
    expect(res.statusCode, res.body).toBe(201);
    const { id, cellName } = res.json();
    expect(cellName).toBe('和平社区');
    expect(await trail(id)).toEqual({
      audit: [{ user_id: null, username: null, target: `report:${id}`, detail: { category: 'fire', severity: 'major', photos: 0 }, ip: '10.9.8.7' }],
      events: ['create'],
    });
  });

  it('a worker report with a phone time and an Idempotency-Key: one transaction, audited once, replay adds nothing', async () => {
    const observedAt = new Date(Date.now() - 60_000).toISOString();
    const send = () => t.app.inject({
      method: 'POST', url: '/api/reports', headers: { ...staff, 'idempotency-key': 'intake-audit-key-1' },
      payload: report({ observedAt, source: 'patrol' }),
    });
    const first = await send();
    expect(first.statusCode, first.body).toBe(201);
    const again = await send();
    expect(again.statusCode, again.body).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    const { audit, events } = await trail(first.json().id);
    expect(audit).toEqual([{ user_id: workerId, username: 'worker1', target: `report:${first.json().id}`, detail: { category: 'fire', severity: 'major', photos: 0 }, ip: '127.0.0.1' }]);
    expect(events).toEqual(['create']);
  });

  it('a refused report leaves no report, event or audit entry', async () => {
    const before = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.create'");
    const res = await t.app.inject({ method: 'POST', url: '/api/reports', payload: report({ category: 'no-such-kind' }) });
    expect(res.statusCode).toBe(422);
    const after = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.create'");
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});
