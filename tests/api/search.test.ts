import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';

// The search box: every role finds places by name or code; staff also find units and people in
// their scope; a tracking code and a pasted coordinate go straight to where they point.

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h: Record<string, Headers> = {};
let trackingCode = '';
let reportId = 0;

interface Hit { kind: string; id: number | string; label: string; detail: string | null; cellId: number | null; lon: number | null; lat: number | null; bbox: number[] | null }

const search = async (q: string, who: Headers = {}) => {
  const res = await t.app.inject({ url: `/api/search?q=${encodeURIComponent(q)}`, headers: who });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { results: Hit[] }).results;
};

beforeAll(async () => {
  t = await testApp();
  ids = await twoStreets(t.db);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'workerWest', 'worker', [ids.west]);
  await createUser(t.db, 'workerEast', 'worker', [ids.east]);
  for (const who of ['admin', 'workerWest', 'workerEast']) h[who] = await signIn(t.app, who);
  await t.db.query(`INSERT INTO units (type, name, address, cell_id, geom) VALUES
    ('shop', '清姜百货', '清姜路 12 号', $1, ST_SetSRID(ST_MakePoint(107.02, 34.02), 4326)),
    ('shop', '东岭五金', '东岭路 3 号', $2, ST_SetSRID(ST_MakePoint(107.08, 34.02), 4326))`, [ids.west, ids.east]);
  const { rows } = await t.db.query<{ id: number }>(`INSERT INTO people (name, phone) VALUES ('王清姜', '13800001234'), ('李东岭', '13800005678') RETURNING id`);
  await t.db.query(`INSERT INTO cell_assignments (cell_id, position, person_id, role) VALUES ($1, 1, $2, 'manager'), ($3, 1, $4, 'manager')`, [ids.west, rows[0]!.id, ids.east, rows[1]!.id]);
  const filed = await t.app.inject({ method: 'POST', url: '/api/reports', payload: { location: { type: 'Point', coordinates: [107.02, 34.03] }, category: 'fire', severity: 'ordinary', description: '楼道堆放杂物' } });
  expect(filed.statusCode, filed.body).toBe(201);
  ({ trackingCode, id: reportId } = filed.json());
});

describe(`search (${TEST_DB})`, () => {
  it('finds cells by name and by code for everyone, with the box to fly to', async () => {
    const byName = await search('西街');
    expect(byName.map((r) => [r.kind, r.label])).toEqual([['cell', '西街道']]);
    expect(byName[0]).toMatchObject({ cellId: ids.west, detail: '610302001 · 渭滨区' });
    expect(byName[0]!.bbox).toEqual([107, 34, 107.05, 34.1]);
    expect((await search('610302')).map((r) => r.label)).toEqual(['渭滨区', '西街道', '东街道']);
  });

  it('shows units and people to signed-in staff only, and only in their scope; never a phone number', async () => {
    expect((await search('清姜')).map((r) => r.kind)).toEqual([]);
    const west = await search('清姜', h.workerWest);
    expect(west.map((r) => [r.kind, r.label])).toEqual([['unit', '清姜百货'], ['person', '王清姜']]);
    expect(west[0]).toMatchObject({ detail: '清姜路 12 号 · 西街道', cellId: ids.west, lon: 107.02, lat: 34.02 });
    expect(JSON.stringify(west)).not.toContain('1380000');
    expect(await search('清姜', h.workerEast)).toEqual([]);
    expect((await search('东岭', h.admin)).map((r) => r.kind)).toEqual(['unit', 'person']);
    expect((await search('路 3 号', h.admin)).map((r) => r.label)).toEqual(['东岭五金']);
  });

  it('goes from a tracking code to the report for staff in scope, to the tracking page for anyone else', async () => {
    expect(await search(trackingCode.toLowerCase(), h.workerWest)).toEqual([expect.objectContaining({ kind: 'report', id: reportId, cellId: ids.west })]);
    const publicHit = await search(trackingCode);
    expect(publicHit).toEqual([expect.objectContaining({ kind: 'track', id: trackingCode, cellId: null, lon: null, lat: null })]);
    expect(await search(trackingCode, h.workerEast)).toEqual([expect.objectContaining({ kind: 'track' })]);
    expect(await search('WG-00000-00000')).toEqual([]);
  });

  it('reads a pasted coordinate in either order and names the cell there', async () => {
    for (const q of ['107.08, 34.05', '34.05,107.08', 'N34.05 E107.08']) {
      expect(await search(q), q).toEqual([expect.objectContaining({ kind: 'point', cellId: ids.east, lon: 107.08, lat: 34.05, detail: '东街道 610302002' })]);
    }
    expect(await search('120.5, 30.2')).toEqual([expect.objectContaining({ kind: 'point', cellId: null, detail: null })]);
  });

  it('takes LIKE\'s wildcards literally and refuses empty or oversized queries', async () => {
    expect(await search('%')).toEqual([]);
    expect(await search('_', h.admin)).toEqual([]);
    expect((await t.app.inject({ url: '/api/search?q=' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: `/api/search?q=${'网'.repeat(101)}` })).statusCode).toBe(400);
  });

  it('says in Chinese when no cell lies at a point ("which grid am I in")', async () => {
    const res = await t.app.inject({ url: '/api/cards/at?lon=120.5&lat=30.2' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'people.no-cell-at-point', params: { lon: 120.5, lat: 30.2 } });
  });
});
