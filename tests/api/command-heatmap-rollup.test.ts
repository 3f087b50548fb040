import { beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB } from '../helpers/db.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { loadConfig } from '../../server/config.ts';
import { commandConfig } from '../../server/command/config.ts';
import { binReports, binRollup, binSizeMetres, type HeatBin } from '../../server/command/heatmap.ts';
import type { Bbox, ReportFilter, StateFilter } from '../../server/command/filters.ts';

// The heatmap's rollup (report_heat, kept by a trigger on reports) against the raw binning of the
// reports, on random filter combinations: the same bins, the same counts, the same weights.

const NOW = new Date('2030-06-15T12:00:00Z');
const WEIGHTS = { ordinary: 1, major: 3 };
const OPEN = ['reported', 'verified', 'dispatched', 'rectifying', 'rectified'];
const STATES = [...OPEN, 'rejected', 'closed'];
const CATEGORIES = ['fire', 'environment', 'work_safety'];
const STATE_FILTERS: StateFilter[] = ['open', 'overdue', 'closed', 'all'];

let t: TestApp;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h = {} as Record<'admin' | 'district' | 'west', Headers>;

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  const base = loadConfig({});
  t = await testApp({ now: () => NOW, config: { command: commandConfig({ heatmap: { pointThreshold: 5 } }, base.command.timeZone) } });
  ids = await twoStreets(t.db);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'cmdDistrict', 'commander', [ids.district]);
  await createUser(t.db, 'cmdWest', 'commander', [ids.west]);
  h.admin = await signIn(t.app, 'admin');
  h.district = await signIn(t.app, 'cmdDistrict');
  h.west = await signIn(t.app, 'cmdWest');
  const random = rng(21);
  const rows = Array.from({ length: 400 }, (_, i) => {
    // Mostly inside the district, some outside it (unassigned), a few clustered.
    const lon = i % 5 === 0 ? 106.95 + random() * 0.2 : 107 + random() * 0.1;
    const lat = i % 5 === 0 ? 33.95 + random() * 0.2 : 34 + random() * 0.1;
    const created = new Date(NOW.getTime() - Math.floor(random() * 40 * 24 * 60) * 60_000);
    const due = new Date(NOW.getTime() + (random() < 0.5 ? -1 : 1) * Math.floor(random() * 72 * 60) * 60_000);
    return [lon, lat, CATEGORIES[Math.floor(random() * 3)]!, random() < 0.3 ? 'major' : 'ordinary', STATES[Math.floor(random() * STATES.length)]!, created.toISOString(), due.toISOString()];
  });
  await t.db.query(
    `INSERT INTO reports (tracking_code, geom, category, severity, description, source, state, cell_id, step_started_at, due_at, created_at, updated_at)
     SELECT 'WG-ROLL' || lpad(n::text, 4, '0'), g, x->>2, x->>3, '测试隐患', 'patrol', x->>4, route_point(g),
            (x->>5)::timestamptz, (x->>6)::timestamptz, (x->>5)::timestamptz, (x->>5)::timestamptz
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a (x, n),
          LATERAL (SELECT ST_SetSRID(ST_MakePoint((x->>0)::float8, (x->>1)::float8), 4326) AS g) p`,
    [JSON.stringify(rows)]);
});

const sorted = (bins: HeatBin[]) => [...bins].sort((a, b) => a.lon - b.lon || a.lat - b.lat);
function expectSameBins(actual: HeatBin[], expected: HeatBin[]) {
  const a = sorted(actual), e = sorted(expected);
  expect(a.map((b) => [b.lon, b.lat, b.count])).toEqual(e.map((b) => [b.lon, b.lat, b.count]));
  a.forEach((b, k) => expect(b.weight).toBeCloseTo(e[k]!.weight, 9));
}

interface Combo { filter: ReportFilter; zoom: number; query: Record<string, string> }

function randomCombo(random: () => number): Combo {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const zoom = 8 + Math.floor(random() * 10); // 8..17: bins the rollup can answer (14..17 for all time only)
  const query: Record<string, string> = { zoom: String(zoom), mode: 'bins' };
  const filter: ReportFilter = { scope: [], now: NOW, state: pick(STATE_FILTERS) };
  query.state = filter.state!;
  if (random() < 0.5) query.category = filter.category = pick(CATEGORIES);
  if (random() < 0.4) { filter.severity = pick(['ordinary', 'major'] as const); query.severity = filter.severity; }
  if (random() < 0.7) {
    // A window, or a replay step: a day or a few hours, at any minute.
    const from = new Date(NOW.getTime() - Math.floor(random() * 40 * 24 * 60) * 60_000);
    const to = new Date(from.getTime() + Math.floor((random() < 0.5 ? 24 * 60 : random() * 20 * 24 * 60) + 1) * 60_000);
    filter.from = from; filter.to = to;
    if (random() < 0.2) { delete filter.from; delete query.from; } else query.from = from.toISOString();
    if (random() < 0.2) { delete filter.to; } else query.to = to.toISOString();
  }
  if (random() < 0.8) {
    const w = 106.96 + random() * 0.1, s = 33.96 + random() * 0.1;
    const bbox: Bbox = [w, s, w + 0.02 + random() * 0.15, s + 0.02 + random() * 0.15];
    filter.bbox = bbox;
    query.bbox = bbox.join(',');
  }
  return { filter, zoom, query };
}

const heat = async (query: Record<string, string>, who: Headers) => {
  const res = await t.app.inject({ url: `/api/heatmap?${new URLSearchParams(query)}`, headers: who });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { mode: string; cellSize: number; bins: HeatBin[]; total: number };
};

describe(`heatmap rollup (${TEST_DB})`, () => {
  it('answers as the raw binning does on random filter combinations (category, severity, state, window, replay step, bbox, zoom)', async () => {
    const random = rng(2112);
    let answered = 0, fine = 0;
    for (let k = 0; k < 90; k++) {
      const { filter, query } = randomCombo(random);
      const who = k % 3 === 1 ? h.district : h.admin;
      const f = { ...filter, scope: k % 3 === 1 ? [ids.district] : [] };
      const res = await heat(query, who);
      const raw = await binReports(t.db, { filter: f, cellSize: res.cellSize, weights: WEIGHTS });
      expectSameBins(res.bins, raw);
      const rolled = await binRollup(t.db, { filter: f, cellSize: res.cellSize, weights: WEIGHTS });
      if (rolled) {
        answered++;
        if (Number(query.zoom) >= 14) fine++;
        expectSameBins(rolled, raw);
      }
    }
    // Most combinations were answered from the rollup, not by the fallback, the finest band too.
    expect(answered).toBeGreaterThan(40);
    expect(fine).toBeGreaterThan(5);
  });

  it('uses the rollup for a top-level scope and for the whole grid, not below the top level', async () => {
    const filter: ReportFilter = { scope: [ids.district], now: NOW };
    const size = binSizeMetres(11, 16);
    expect(await binRollup(t.db, { filter, cellSize: size, weights: WEIGHTS })).toBeDefined();
    expect(await binRollup(t.db, { filter: { ...filter, scope: [] }, cellSize: size, weights: WEIGHTS })).toBeDefined();
    expect(await binRollup(t.db, { filter: { ...filter, scope: [ids.west] }, cellSize: size, weights: WEIGHTS })).toBeUndefined();
    const west = await heat({ zoom: '11', mode: 'bins' }, h.west);
    expectSameBins(west.bins, await binReports(t.db, { filter: { ...filter, scope: [ids.west] }, cellSize: west.cellSize, weights: WEIGHTS }));
  });

  it('shows a new report in the next answer, and follows it through the workflow', async () => {
    const q = { zoom: '10', mode: 'bins', bbox: '107,34,107.1,34.1', category: 'food_drug' };
    expect((await heat(q, h.admin)).total).toBe(0);
    const res = await t.app.inject({
      method: 'POST', url: '/api/reports',
      payload: { location: { type: 'Point', coordinates: [107.03, 34.04] }, category: 'food_drug', severity: 'major', description: '过期食品' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as number;
    const after = await heat(q, h.admin);
    expect(after.total).toBe(1);
    expect(after.bins[0]!.weight).toBe(3);
    expect((await heat({ ...q, state: 'open' }, h.admin)).total).toBe(1);
    const reject = await t.app.inject({ method: 'POST', url: `/api/reports/${id}/actions`, headers: h.admin, payload: { action: 'reject', note: '不属实' } });
    expect(reject.statusCode, reject.body).toBe(200);
    expect((await heat({ ...q, state: 'open' }, h.admin)).total).toBe(0);
    expect((await heat(q, h.admin)).total).toBe(1);
    await t.db.query('DELETE FROM reports WHERE id = $1', [id]);
    expect((await heat(q, h.admin)).total).toBe(0);
  });

  it('rebuilt from the reports, the rollup is what the trigger kept', async () => {
    const before = (await t.db.query('SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8')).rows;
    await t.db.query('SELECT report_heat_rebuild()');
    const after = (await t.db.query('SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8')).rows;
    expect(before.length).toBeGreaterThan(400);
    expect(after).toEqual(before);
  });

  it('follows a street moved to another district: the rollup counts it for its new top-level cell', async () => {
    const other = await insertCell(t.db, { code: '610303', name: '金台区', level: 1, rings: square(107.2, 34, 0.1) });
    // A row no report makes: the street's reports are moved from one top-level cell to the other,
    // not the whole rollup rebuilt (minutes at 10^7 reports), which would drop it.
    await t.db.query(`INSERT INTO report_heat (band, day, i, j, root_id, n) VALUES (15, '1900-01-01', 0, 0, 0, '{7}')`);
    await t.db.query('UPDATE cells SET parent_id = $1 WHERE id = $2', [other, ids.east]);
    expect((await t.db.query(`SELECT n FROM report_heat WHERE day = '1900-01-01'`)).rows).toEqual([{ n: [7] }]);
    await t.db.query(`DELETE FROM report_heat WHERE day = '1900-01-01'`);
    const counts = 'SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8';
    const kept = (await t.db.query(counts)).rows;
    expect(kept.some((r) => r.root_id === other)).toBe(true);
    await t.db.query('SELECT report_heat_rebuild()');
    expect((await t.db.query(counts)).rows).toEqual(kept);
    const size = binSizeMetres(11, 16);
    for (const scope of [[other], [ids.district]]) {
      const filter: ReportFilter = { scope, now: NOW };
      const rolled = await binRollup(t.db, { filter, cellSize: size, weights: WEIGHTS });
      expect(rolled).toBeDefined();
      expectSameBins(rolled!, await binReports(t.db, { filter, cellSize: size, weights: WEIGHTS }));
    }
    expect((await binReports(t.db, { filter: { scope: [other], now: NOW }, cellSize: size, weights: WEIGHTS })).length).toBeGreaterThan(0);
  });
});
