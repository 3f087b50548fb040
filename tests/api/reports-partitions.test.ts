import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app.ts';
import { TEST_DB, testDb } from '../helpers/db.ts';
import { twoStreets } from '../helpers/cells.ts';
import { createUser, signIn, type Headers } from '../helpers/auth.ts';
import { loadConfig } from '../../server/config.ts';
import { commandConfig } from '../../server/command/config.ts';
import { binReports, binRollup } from '../../server/command/heatmap.ts';
import type { ReportFilter } from '../../server/command/filters.ts';
import type { Db, Queryable } from '../../server/db/db.ts';
import { createPostgresDb } from '../../server/db/postgres.ts';
import { listMigrations, migrate } from '../../server/db/migrate.ts';
import { ensureReportPartitions, startReportPartitions } from '../../server/reports/partitions.ts';
import { DEMO_MARKER, shiftDemoDates } from '../../server/demo/template.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Reports partitioned by month of intake (migration 025): 24 months of reports answer the heatmap
// (raw and rollup) and intake exactly as they did from one table, every report sits in its month's
// partition, the server's job makes the partitions ahead, and migration 025 moves existing reports.

const NOW = new Date('2029-06-15T12:00:00Z');
const FIRST = new Date('2027-07-01T00:00:00Z');
const WEIGHTS = { ordinary: 1, major: 3 };
const STATES = ['reported', 'verified', 'dispatched', 'rectifying', 'rectified', 'rejected', 'closed'];
const CATEGORIES = ['fire', 'environment', 'work_safety'];

let t: TestApp;
// The app's clock: NOW, moved forward by the job's test.
let clock = NOW;
let ids: Awaited<ReturnType<typeof twoStreets>>;
const h = {} as Record<'admin' | 'district', Headers>;

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The monthly partitions of reports (not DEFAULT), by name. */
async function monthlyPartitions(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'reports'::regclass AND c.relname <> 'reports_default' ORDER BY 1`);
  return rows.map((r) => r.name);
}

/** Reports whose partition is not the one of their UTC month (the DEFAULT one counts as wrong). */
async function misplaced(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM reports
     WHERE tableoid::regclass::text <> 'reports_y' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY"m"MM')`);
  return rows[0]!.n;
}

const inDefault = async (q: Queryable) => (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM reports_default')).rows[0]!.n;

interface Combo { query: Record<string, string>; filter: ReportFilter; who: 'admin' | 'district' }

function randomCombo(random: () => number, k: number): Combo {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const zoom = 8 + Math.floor(random() * 6);
  const who = k % 3 === 1 ? 'district' : 'admin';
  const state = pick(['open', 'overdue', 'closed', 'all'] as const);
  const query: Record<string, string> = { zoom: String(zoom), state, ...(k % 4 === 3 ? {} : { mode: 'bins' }) };
  const filter: ReportFilter = { scope: who === 'district' ? [ids.district] : [], now: NOW, state };
  if (random() < 0.5) query.category = filter.category = pick(CATEGORIES);
  if (random() < 0.7) {
    // A window across months (or within one), as the replay steps through them.
    const from = new Date(FIRST.getTime() + Math.floor(random() * 700) * 24 * 3600_000);
    const to = new Date(from.getTime() + Math.floor(1 + random() * 120) * 24 * 3600_000);
    query.from = from.toISOString(); query.to = to.toISOString();
    filter.from = from; filter.to = to;
  }
  return { query, filter, who };
}

const combos: Combo[] = [];
const answers: unknown[] = [];
let firstIntake: Record<string, unknown>;

async function answer(c: Combo) {
  const res = await t.app.inject({ url: `/api/heatmap?${new URLSearchParams(c.query)}`, headers: h[c.who] });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as unknown;
}

async function intake() {
  const res = await t.app.inject({
    method: 'POST', url: '/api/reports',
    payload: { location: { type: 'Point', coordinates: [107.031, 34.042] }, category: 'fire', severity: 'major', description: '楼道堆放杂物' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Record<string, unknown>;
}

/** An intake's answer without what names the one report (id, tracking code and what is made of them). */
function sameForAnyReport(a: Record<string, unknown>) {
  const { id, trackingCode, trackUrl, claimCode, ...rest } = a;
  expect(typeof id).toBe('number');
  expect(typeof claimCode).toBe('string');
  expect(trackUrl).toBe(`/api/reports/track/${String(trackingCode)}`);
  return rest;
}

beforeAll(async () => {
  const base = loadConfig({});
  t = await testApp({ now: () => clock, config: { command: commandConfig({ heatmap: { pointThreshold: 5 } }, base.command.timeZone) } });
  // Partitions made by an earlier file of this worker hold no rows (emptied): without them, this
  // file's reports start in the DEFAULT partition, i.e. in one table.
  for (const p of await monthlyPartitions(t.db)) await t.db.exec(`DROP TABLE ${p}`);
  ids = await twoStreets(t.db);
  await createUser(t.db, 'admin', 'admin');
  await createUser(t.db, 'cmdDistrict', 'commander', [ids.district]);
  h.admin = await signIn(t.app, 'admin');
  h.district = await signIn(t.app, 'cmdDistrict');
  const random = rng(524);
  const span = NOW.getTime() - FIRST.getTime();
  const rows = Array.from({ length: 480 }, (_, i) => {
    const lon = i % 5 === 0 ? 106.95 + random() * 0.2 : 107 + random() * 0.1;
    const lat = i % 5 === 0 ? 33.95 + random() * 0.2 : 34 + random() * 0.1;
    // Every one of the 24 months gets reports, the rest anywhere in the two years.
    const created = i < 24
      ? new Date(Date.UTC(2027, 6 + i, 1 + (i % 27), i % 24, 0))
      : new Date(FIRST.getTime() + Math.floor(random() * span / 60_000) * 60_000);
    const due = new Date(created.getTime() + Math.floor(random() * 30 * 24 * 60) * 60_000);
    return [lon, lat, CATEGORIES[Math.floor(random() * 3)]!, random() < 0.3 ? 'major' : 'ordinary', STATES[Math.floor(random() * STATES.length)]!, created.toISOString(), due.toISOString()];
  });
  await t.db.query(
    `INSERT INTO reports (tracking_code, geom, category, severity, description, source, state, cell_id, step_started_at, due_at, created_at, updated_at)
     SELECT 'WG-PART' || lpad(n::text, 4, '0'), g, x->>2, x->>3, '测试隐患', 'patrol', x->>4, route_point(g),
            (x->>5)::timestamptz, (x->>6)::timestamptz, (x->>5)::timestamptz, (x->>5)::timestamptz
     FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a (x, n),
          LATERAL (SELECT ST_SetSRID(ST_MakePoint((x->>0)::float8, (x->>1)::float8), 4326) AS g) p`,
    [JSON.stringify(rows)]);
  firstIntake = await intake();
  // The answers from one table: every report in the DEFAULT partition.
  expect(await inDefault(t.db)).toBe(481);
  const random2 = rng(2112);
  for (let k = 0; k < 40; k++) {
    const c = randomCombo(random2, k);
    combos.push(c);
    answers.push(await answer(c));
  }
});

describe(`reports partitioned by month (${TEST_DB})`, () => {
  it('with 24 monthly partitions, every report in its month, the heatmap (raw and rollup) answers as from one table', async () => {
    const made = await ensureReportPartitions(t.db, FIRST, new Date('2029-06-01T00:00:00Z'));
    expect(made).toHaveLength(24);
    expect(await monthlyPartitions(t.db)).toEqual([...made].sort());
    expect(made).toContain('reports_y2027m07');
    expect(made).toContain('reports_y2029m06');
    expect(await inDefault(t.db)).toBe(0);
    expect(await misplaced(t.db)).toBe(0);
    const { rows: perMonth } = await t.db.query<{ part: string; n: number }>(
      'SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM reports GROUP BY 1');
    expect(perMonth).toHaveLength(24);
    expect(perMonth.every((p) => p.n > 0)).toBe(true);

    let rolledUp = 0;
    for (const [k, c] of combos.entries()) {
      expect(await answer(c), JSON.stringify(c.query)).toEqual(answers[k]);
      if (c.query.mode !== 'bins') continue;
      const cellSize = (answers[k] as { cellSize: number }).cellSize;
      const raw = await binReports(t.db, { filter: c.filter, cellSize, weights: WEIGHTS });
      const rolled = await binRollup(t.db, { filter: c.filter, cellSize, weights: WEIGHTS });
      if (rolled) {
        rolledUp++;
        const key = (b: { lon: number; lat: number; count: number }) => `${b.lon},${b.lat},${b.count}`;
        expect(rolled.map(key).sort()).toEqual(raw.map(key).sort());
      }
    }
    expect(rolledUp).toBeGreaterThan(10);
  });

  it('takes a report as before: the same answer, into this month\'s partition, and the moved one keeps its history', async () => {
    const second = await intake();
    expect(sameForAnyReport(second)).toEqual(sameForAnyReport(firstIntake));
    expect(second.id).toBe(Number(firstIntake.id) + 1);
    const { rows } = await t.db.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM reports WHERE id = $1', [second.id]);
    expect(rows[0]!.part).toBe('reports_y2029m06');
    // The first intake moved from the DEFAULT partition with the rest: its page and history are unchanged.
    const page = await t.app.inject({ url: `/api/reports/${String(firstIntake.id)}`, headers: h.admin });
    expect(page.statusCode, page.body).toBe(200);
    const events = await t.app.inject({ url: `/api/reports/${String(firstIntake.id)}/events`, headers: h.admin });
    expect(events.statusCode, events.body).toBe(200);
    expect(JSON.stringify(events.json())).toContain('"create"');
    const track = await t.app.inject({ url: `/api/reports/track/${String(firstIntake.trackingCode)}` });
    expect(track.statusCode, track.body).toBe(200);
  });

  it('keeps report ids and tracking codes unique across months, and deleting a report deletes what is about it', async () => {
    const { rows: [r] } = await t.db.query<{ id: number; tracking_code: string }>(
      `SELECT id, tracking_code FROM reports WHERE tableoid = 'reports_y2028m01'::regclass LIMIT 1`);
    const copy = (id: string, code: string, at: string) => t.db.query(
      `INSERT INTO reports (id, tracking_code, geom, category, severity, description, source, step_started_at, created_at, updated_at)
       SELECT ${id}, ${code}, geom, category, severity, description, source, $2::timestamptz, $2::timestamptz, $2::timestamptz FROM reports WHERE id = $1`,
      [r!.id, at]);
    await expect(copy('id', `'WG-OTHER'`, '2028-05-05T00:00:00Z')).rejects.toMatchObject({ code: '23505' });
    await expect(copy(`nextval('reports_id_seq')`, 'tracking_code', '2028-05-05T00:00:00Z')).rejects.toMatchObject({ code: '23505' });
    await t.db.query(`INSERT INTO report_events (report_id, at, action) VALUES ($1, now(), 'note')`, [r!.id]);
    await t.db.query('DELETE FROM reports WHERE id = $1', [r!.id]);
    const { rows: left } = await t.db.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM report_events WHERE report_id = $1) + (SELECT count(*) FROM report_keys WHERE id = $1) AS n', [r!.id]);
    expect(Number(left[0]!.n)).toBe(0);
  });

  it('moves a report whose time changes month into that month, with its key, history and heat', async () => {
    const id = Number(firstIntake.id);
    await t.db.query(`UPDATE reports SET created_at = '2028-02-10T08:00:00Z' WHERE id = $1`, [id]);
    const { rows } = await t.db.query<{ part: string; key_at: Date; events: number }>(
      `SELECT r.tableoid::regclass::text AS part, k.created_at AS key_at, (SELECT count(*)::int FROM report_events e WHERE e.report_id = r.id) AS events
       FROM reports r JOIN report_keys k ON k.id = r.id WHERE r.id = $1`, [id]);
    expect(rows[0]!.part).toBe('reports_y2028m02');
    expect(rows[0]!.key_at.toISOString()).toBe('2028-02-10T08:00:00.000Z');
    expect(rows[0]!.events).toBeGreaterThan(0);
    const before = (await t.db.query('SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8')).rows;
    await t.db.query('SELECT report_heat_rebuild()');
    expect((await t.db.query('SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8')).rows).toEqual(before);
  });

  it("the server's job makes this month's partition and the next three ahead, daily, and gives a month's waiting reports their own", async () => {
    const now = new Date('2029-06-20T00:00:00Z');
    const job = startReportPartitions(t.db, t.app.log, () => now);
    try {
      expect(await job.first).toEqual(['reports_y2029m07', 'reports_y2029m08', 'reports_y2029m09']);
      const { rows: bounds } = await t.db.query<{ bound: string }>(
        `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_class c WHERE c.oid = 'reports_y2029m09'::regclass`);
      expect(bounds[0]!.bound).toMatch(/^FOR VALUES FROM \('2029-09-01 \d\d:00:00[+-]\d\d'\) TO \('2029-10-01 \d\d:00:00[+-]\d\d'\)$/);
      expect(await ensureReportPartitions(t.db, now, new Date('2029-09-01T00:00:00Z'))).toEqual([]);
    } finally {
      job.stop();
    }
    // A report far ahead of the partitions is still taken (into DEFAULT), and moved to its month by the job's next run.
    clock = new Date('2032-03-05T00:00:00Z');
    const res = await t.app.inject({
      method: 'POST', url: '/api/reports',
      payload: { location: { type: 'Point', coordinates: [107.031, 34.042] }, category: 'fire', severity: 'ordinary', description: '消防通道堵塞' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await inDefault(t.db)).toBe(1);
    const later = startReportPartitions(t.db, t.app.log, () => new Date('2031-01-05T00:00:00Z'));
    later.stop();
    expect(await later.first).toEqual(['reports_y2031m01', 'reports_y2031m02', 'reports_y2031m03', 'reports_y2031m04', 'reports_y2032m03']);
    expect(await inDefault(t.db)).toBe(0);
    expect(await misplaced(t.db)).toBe(0);
    const track = await t.app.inject({ url: `/api/reports/track/${String(res.json().trackingCode)}` });
    expect(track.statusCode, track.body).toBe(200);
  });

  it("moves the demo's dates forward once: each report by the shift, into its new month, with its key", async () => {
    const { rows: before } = await t.db.query<{ id: number; created_at: Date }>('SELECT id, created_at FROM reports ORDER BY id');
    const dir = await mkdtemp(path.join(tmpdir(), 'wangge-shift-'));
    try {
      await writeFile(path.join(dir, DEMO_MARKER), JSON.stringify({ seededAt: '2029-06-15T12:00:00Z' }));
      const shift = await shiftDemoDates(t.db, dir, new Date('2029-07-05T12:00:00Z'));
      expect(shift).toBe(20 * 24 * 3600_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const { rows: after } = await t.db.query<{ id: number; created_at: Date; key_at: Date }>(
      'SELECT r.id, r.created_at, k.created_at AS key_at FROM reports r JOIN report_keys k ON k.id = r.id ORDER BY r.id');
    expect(after.map((r) => [r.id, r.created_at.getTime() - 20 * 24 * 3600_000, r.key_at.getTime() - 20 * 24 * 3600_000]))
      .toEqual(before.map((r) => [r.id, r.created_at.getTime(), r.created_at.getTime()]));
    await ensureReportPartitions(t.db, new Date('2029-07-01T00:00:00Z'), new Date('2029-07-01T00:00:00Z'));
    expect(await inDefault(t.db)).toBe(0);
    expect(await misplaced(t.db)).toBe(0);
    const { rows: heat } = await t.db.query('SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8');
    await t.db.query('SELECT report_heat_rebuild()');
    expect((await t.db.query('SELECT band, day, i, j, category, severity, state_class, root_id, n FROM report_heat_counts ORDER BY 1, 2, 3, 4, 5, 6, 7, 8')).rows).toEqual(heat);
  });
});

describe(`migration 025 (${TEST_DB})`, () => {
  const schema = `wg_migpart_${inject('runId')}_${process.env.VITEST_POOL_ID ?? '0'}`;
  let db: Db;
  let restore: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const shared = await testDb();
    await shared.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    if (TEST_DB === 'postgres') {
      db = createPostgresDb({ connectionString: process.env.TEST_DATABASE_URL!, schema, max: 1 });
      restore = () => db.close();
    } else {
      // The embedded database is one session: the migration runs with the schema first on its path.
      db = shared;
      await db.exec(`SET search_path TO ${schema}, public`);
      restore = () => db.exec('RESET search_path');
    }
  });
  afterAll(async () => {
    await restore?.();
    await (await testDb()).exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('moves the reports filed before it into their months, with ids, history, photos, rewards and heat unchanged', async () => {
    const all = listMigrations();
    const partitioned = all.find((m) => m.name.endsWith('_reports_partitioned'))!;
    await migrate(db, all.filter((m) => m.version < partitioned.version));
    await db.exec(`
      INSERT INTO reports (id, tracking_code, geom, category, severity, description, source, step_started_at, created_at, updated_at) VALUES
        (1, 'WG-A', ST_SetSRID(ST_MakePoint(107.01, 34.01), 4326), 'fire', 'major', '甲', 'resident', '2026-10-03Z', '2026-10-03Z', '2026-10-03Z'),
        (2, 'WG-B', ST_SetSRID(ST_MakePoint(107.02, 34.02), 4326), 'fire', 'ordinary', '乙', 'resident', '2026-11-30 23:30Z', '2026-11-30 23:30Z', '2026-11-30 23:30Z'),
        (5, 'WG-C', ST_SetSRID(ST_MakePoint(107.03, 34.03), 4326), 'price', 'ordinary', '丙', 'hotline', '2026-12-01Z', '2026-12-01Z', '2026-12-01Z');
      INSERT INTO report_events (report_id, at, action) VALUES (1, now(), 'report'), (2, now(), 'report'), (5, now(), 'report');
      INSERT INTO report_photos (report_id, purpose, file, mime, bytes, sha256, created_at) VALUES (2, 'report', 'x.jpg', 'image/jpeg', 1, 'ab', now());
      INSERT INTO report_rewards (report_id, amount, created_at) VALUES (5, 50, now());`);
    const heat = async () => (await db.query('SELECT * FROM report_heat ORDER BY 1, 2, 3, 4, 5, 6, 7, 8')).rows;
    const heatBefore = await heat();
    expect(await migrate(db, [partitioned])).toEqual([partitioned.name]);

    expect(await monthlyPartitions(db)).toEqual(['reports_y2026m10', 'reports_y2026m11', 'reports_y2026m12']);
    expect(await misplaced(db)).toBe(0);
    expect((await db.query('SELECT id, tracking_code FROM reports ORDER BY id')).rows)
      .toEqual([{ id: 1, tracking_code: 'WG-A' }, { id: 2, tracking_code: 'WG-B' }, { id: 5, tracking_code: 'WG-C' }]);
    expect(await heat()).toEqual(heatBefore);
    // Every table about a report references its key, with the same name and action as before.
    const { rows: fks } = await db.query<{ tbl: string; def: string }>(
      `SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE contype = 'f' AND confrelid = 'report_keys'::regclass ORDER BY 1`);
    expect(fks.map((f) => f.tbl)).toEqual(expect.arrayContaining(['report_events', 'report_photos', 'report_rewards', 'report_ratings', 'inspection_findings', 'report_intake_keys', 'report_warnings']));
    expect(fks.every((f) => /ON DELETE CASCADE/.test(f.def))).toBe(true);
    // New reports continue the ids.
    const { rows: next } = await db.query<{ id: number }>(
      `INSERT INTO reports (tracking_code, geom, category, severity, description, source, step_started_at, created_at, updated_at)
       VALUES ('WG-D', ST_SetSRID(ST_MakePoint(107.04, 34.04), 4326), 'fire', 'ordinary', '丁', 'resident', now(), '2026-12-24Z', now()) RETURNING id`);
    expect(next[0]!.id).toBe(6);
    await db.query('DELETE FROM reports WHERE id = 2');
    const { rows: left } = await db.query<{ events: number; photos: number }>(
      'SELECT (SELECT count(*)::int FROM report_events WHERE report_id = 2) AS events, (SELECT count(*)::int FROM report_photos WHERE report_id = 2) AS photos');
    expect(left[0]).toEqual({ events: 0, photos: 0 });
  });

  it('then migration 029 keeps the heat of every report filed before it, now one row per band cell', async () => {
    const all = listMigrations();
    const arrays = all.find((m) => m.name.endsWith('_report_heat_kinds'))!;
    const rowsOf = 'SELECT band, day, i, j, category, severity, state_class, root_id, n FROM {t} WHERE n <> 0 AND band IN (15, 18) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8';
    const before = (await db.query(rowsOf.replace('{t}', 'report_heat'))).rows;
    expect(before.length).toBeGreaterThan(0);
    expect(await migrate(db, all.filter((m) => m.version <= arrays.version))).toContain(arrays.name);
    expect((await db.query(rowsOf.replace('{t}', 'report_heat_counts'))).rows).toEqual(before);
    // The finer bands hold every report once, for all time.
    const { rows: fine } = await db.query<{ band: number; n: number }>(
      "SELECT band, sum(n)::int AS n FROM report_heat_counts WHERE band IN (19, 21) AND day = 'infinity' GROUP BY band ORDER BY band");
    const reports = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM reports')).rows[0]!.n;
    expect(fine).toEqual([{ band: 19, n: reports }, { band: 21, n: reports }]);
  });
});
