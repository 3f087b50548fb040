import { beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// A phone replaying its offline queue: every action carries an Idempotency-Key, so the same key sent
// again after an answer lost on the way back gets the first answer and writes nothing twice; the
// action's time is the phone's (corrected by its clock offset), flagged when implausible.

const T0 = new Date('2030-03-12T02:00:00Z');
let clock = T0;
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

let t: TestApp;
let community: number;
const h = {} as Record<'worker' | 'commander' | 'planner', Headers>;
const u = {} as Record<'fire' | 'shop' | 'other', number>;

const point = (lon: number, lat: number) => ({ type: 'Point', coordinates: [lon, lat] });
const post = (url: string, headers: Headers, payload: object, extra: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload });
const count = async (sql: string, params: unknown[] = []) => (await t.db.query<{ n: number }>(sql, params)).rows[0]!.n;

/** A multipart body as a browser's FormData sends it. */
async function multipart(fields: Record<string, string>, photo: Buffer) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('photos', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'finding.jpg');
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

beforeAll(async () => {
  t = await testApp({ now: () => clock });
  const streets = await twoStreets(t.db);
  community = await insertCell(t.db, { code: '610302001001', name: '西一社区', level: 3, parentId: streets.west, rings: square(107.01, 34.01, 0.01) });
  await createUser(t.db, 'worker', 'worker', [streets.west]);
  await createUser(t.db, 'worker2', 'worker', [streets.west]);
  await createUser(t.db, 'commander', 'commander');
  await createUser(t.db, 'planner', 'planner');
  for (const who of ['worker', 'commander', 'planner'] as const) h[who] = await signIn(t.app, who);
  const addUnit = async (lon: number, lat: number, name: string, type: string) => {
    const res = await post('/api/units', h.planner, { type: 'Feature', geometry: point(lon, lat), properties: { type, name } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number }>().id;
  };
  u.fire = await addUnit(107.0175, 34.0175, '宝鸡商场', 'key_fire_a');
  u.shop = await addUnit(107.018, 34.012, '面馆', 'small_place');
  u.other = await addUnit(107.07, 34.05, '东街加油站', 'key_fire_a');
});

let patrolId: number;

describe(`replaying a patrol with Idempotency-Key (${TEST_DB})`, () => {
  it('starts once: the same key answers the same patrol', async () => {
    clock = minutes(0);
    const first = await post('/api/inspections', h.worker, { cellId: community }, { 'idempotency-key': 'start-key-0001' });
    expect(first.statusCode, first.body).toBe(201);
    const again = await post('/api/inspections', h.worker, { cellId: community }, { 'idempotency-key': 'start-key-0001' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    patrolId = first.json().id;
    expect(await count('SELECT count(*)::int AS n FROM inspections')).toBe(1);
  });

  it('checks in once at the phone\'s time (corrected by its clock offset), however often the check-in is replayed', async () => {
    // Done offline at 00:10 by a phone whose clock runs 3 minutes fast; sent at 00:40 (server time).
    clock = minutes(40);
    const phone = (d: Date) => new Date(d.getTime() + 3 * 60_000).toISOString();
    const body = { unitId: u.fire, location: point(107.0175, 34.0174), accuracy: 8, at: phone(minutes(10)) };
    const headers = { 'idempotency-key': 'checkin-key-0001', 'x-client-time': phone(minutes(40)) };
    const first = await post(`/api/inspections/${patrolId}/visits`, h.worker, body, headers);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ unitId: u.fire, at: minutes(10).toISOString(), receivedAt: minutes(40).toISOString(), timeFlag: null });
    // The answer was lost: the phone sends it again a minute later (its header clock moved on).
    clock = minutes(41);
    const again = await post(`/api/inspections/${patrolId}/visits`, h.worker, body, { ...headers, 'x-client-time': phone(minutes(41)) });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    expect(await count('SELECT count(*)::int AS n FROM inspection_visits')).toBe(1);
    // Without the key a second check-in is refused as before (already checked in).
    const plain = await post(`/api/inspections/${patrolId}/visits`, h.worker, body);
    expect(plain.statusCode).toBe(409);
    expect(plain.json().code).toBe('patrols.already-checked-in');
  });

  it('refuses the same key for a different action, and keeps no refusal (a refused action replayed is refused again)', async () => {
    const other = await post(`/api/inspections/${patrolId}/visits`, h.worker, { unitId: u.shop }, { 'idempotency-key': 'checkin-key-0001' });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('offline.key-reused');
    for (let i = 0; i < 2; i++) {
      const elsewhere = await post(`/api/inspections/${patrolId}/visits`, h.worker, { unitId: u.other }, { 'idempotency-key': 'checkin-key-0002' });
      expect(elsewhere.statusCode).toBe(422);
      expect(elsewhere.json().code).toBe('patrols.unit-elsewhere');
    }
    expect(await count('SELECT count(*)::int AS n FROM request_keys')).toBe(2);
  });

  it('files a finding with a photo once: one report, one photo, seen at the phone\'s time', async () => {
    clock = minutes(42);
    const photo = await sharp({ create: { width: 80, height: 60, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg().toBuffer();
    const finding = { unitId: u.fire, category: 'fire', severity: 'ordinary', description: '灭火器过期', at: minutes(12).toISOString() };
    const send = async () => {
      const body = await multipart({ finding: JSON.stringify(finding) }, photo);
      return t.app.inject({ method: 'POST', url: `/api/inspections/${patrolId}/findings`, payload: body.payload, headers: { ...h.worker, 'content-type': body.contentType, 'idempotency-key': 'finding-key-0001' } });
    };
    const first = await send();
    expect(first.statusCode, first.body).toBe(201);
    const again = await send();
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().reportId).toBe(first.json().reportId);
    expect(await count('SELECT count(*)::int AS n FROM reports')).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM report_photos')).toBe(1);
    const report = (await t.app.inject({ url: `/api/reports/${first.json().reportId}`, headers: h.worker })).json();
    expect(report).toMatchObject({ source: 'inspection', observedAt: minutes(12).toISOString(), timeFlag: null, createdAt: minutes(42).toISOString() });
    expect(report.photos).toHaveLength(1);
  });

  it('saves a checklist, adds track points and finishes once each', async () => {
    clock = minutes(43);
    const visitId = (await t.db.query<{ id: number }>('SELECT id FROM inspection_visits')).rows[0]!.id;
    const checklist = { checklist: [{ code: 'extinguishers', ok: false }] };
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'PUT', url: `/api/inspections/${patrolId}/visits/${visitId}/checklist`, headers: { ...h.worker, 'idempotency-key': 'checklist-key-01' }, payload: checklist });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().result).toBe('fail');
    }
    const points = [{ lon: 107.0175, lat: 34.017, at: minutes(5).toISOString() }, { lon: 107.0176, lat: 34.0172, at: minutes(9).toISOString() }];
    const tracks = [];
    for (let i = 0; i < 2; i++) tracks.push((await post(`/api/inspections/${patrolId}/track`, h.worker, { points }, { 'idempotency-key': 'track-key-00001' })).json());
    expect(tracks[1]).toEqual(tracks[0]);
    expect(tracks[0]).toEqual({ added: 2, trackPoints: 2 });
    const finishes = [];
    for (let i = 0; i < 2; i++) finishes.push(await post(`/api/inspections/${patrolId}/finish`, h.worker, { at: minutes(30).toISOString() }, { 'idempotency-key': 'finish-key-0001' }));
    expect(finishes.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(finishes[1]!.json().finishedAt).toBe(minutes(30).toISOString());
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'inspection.finish'`)).toBe(1);
  });
});

describe(`the phone's time of an action (${TEST_DB})`, () => {
  const report = (observedAt: string) => ({ location: point(107.015, 34.015), category: 'fire', severity: 'ordinary', description: '楼道堆放杂物', observedAt });

  it('keeps a report made offline at its time; a time in the future is taken as now and flagged, one older than 7 days flagged', async () => {
    clock = minutes(60 * 24 * 10);
    h.worker = await signIn(t.app, 'worker');
    const filed = async (at: string, key: string) => {
      const res = await post('/api/reports', h.worker, report(at), { 'idempotency-key': key });
      expect(res.statusCode, res.body).toBe(201);
      return (await t.app.inject({ url: `/api/reports/${res.json().id}`, headers: h.worker })).json();
    };
    expect(await filed(minutes(60 * 24 * 10 - 30).toISOString(), 'report-key-0001')).toMatchObject({ observedAt: minutes(60 * 24 * 10 - 30).toISOString(), timeFlag: null });
    expect(await filed(minutes(60 * 24 * 10 + 30).toISOString(), 'report-key-0002')).toMatchObject({ observedAt: clock.toISOString(), timeFlag: 'future' });
    expect(await filed(minutes(60).toISOString(), 'report-key-0003')).toMatchObject({ observedAt: minutes(60).toISOString(), timeFlag: 'stale' });
    // Replayed: the same report.
    const before = await count('SELECT count(*)::int AS n FROM reports');
    await filed(minutes(60).toISOString(), 'report-key-0003');
    expect(await count('SELECT count(*)::int AS n FROM reports')).toBe(before);
  });

  it('takes workflow steps once per key: verify, and a rectification with a photo at the phone\'s time', async () => {
    const id = (await t.db.query<{ id: number }>(`SELECT id FROM reports WHERE state = 'reported' ORDER BY id LIMIT 1`)).rows[0]!.id;
    // Someone else verifies what the worker filed (nobody verifies their own report).
    const other = await signIn(t.app, 'worker2');
    const events = () => count(`SELECT count(*)::int AS n FROM report_events WHERE report_id = $1 AND action = 'verify'`, [id]);
    for (let i = 0; i < 2; i++) {
      const res = await post(`/api/reports/${id}/actions`, other, { action: 'verify' }, { 'idempotency-key': 'verify-key-0001' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().state).toBe('verified');
    }
    expect(await events()).toBe(1);

    // Dispatched and accepted; then rectified in a basement with a photo, sent later, replayed after a lost answer.
    const due = new Date(clock.getTime() + 3 * 86_400_000).toISOString();
    expect((await post(`/api/reports/${id}/actions`, other, { action: 'dispatch', department: '区消防救援大队', dueAt: due })).statusCode).toBe(200);
    expect((await post(`/api/reports/${id}/actions`, other, { action: 'accept' })).statusCode).toBe(200);
    const doneAt = new Date(clock.getTime() + 60 * 60_000);
    clock = new Date(clock.getTime() + 3 * 60 * 60_000);
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 30, g: 200, b: 30 } } }).jpeg().toBuffer();
    const body = await multipart({ action: JSON.stringify({ action: 'rectify', note: '已清理', at: doneAt.toISOString() }) }, photo);
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'POST', url: `/api/reports/${id}/actions`, payload: body.payload, headers: { ...other, 'content-type': body.contentType, 'idempotency-key': 'rectify-key-0001' } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().state).toBe('rectified');
    }
    const { rows } = await t.db.query<{ at: Date; photos: number }>(
      `SELECT e.at, (SELECT count(*)::int FROM report_photos ph WHERE ph.event_id = e.id) AS photos FROM report_events e WHERE e.report_id = $1 AND e.action = 'rectify'`, [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.at.toISOString()).toBe(doneAt.toISOString());
    expect(rows[0]!.photos).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM report_photos WHERE report_id = $1 AND purpose = 'evidence'`, [id])).toBe(1);
  });
});
