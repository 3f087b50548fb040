import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/db.ts';
import { startChildServer, type ChildServer } from '../../scripts/bench/server.ts';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createUser, signIn } from '../helpers/auth.ts';
import { insertCell, square, twoStreets } from '../helpers/cells.ts';
import { serverPlace, signInHttp, type ServerPlace } from '../helpers/child-server.ts';
import { TEST_DB } from '../helpers/db.ts';

// The real server (server/main.ts) as a child process, killed with SIGKILL while changes of many
// rows are in flight — a split, a merge, an import commit, a coverage fix: afterwards nothing of
// them is visible (cells, their history, the children and reports they move, the import's state,
// the audit log are all exactly as before), and each then goes through whole.
//
// PostgreSQL: a second connection holds an ACCESS EXCLUSIVE lock on audit_log, which each of these
// changes writes last. The split writes all its rows and waits for the lock; the merge, the fix and
// the import each write their first rows and wait for the split (every change of cells updates the
// one row of cells_state). With all four backends waiting, each with a transaction id (it has
// written), the server is killed, the lock released, and the server started again.
// Embedded PGlite is one connection in the server's own process: a commit of 100 imported cells is
// killed as soon as the data files grow (its transaction has begun inserting), and the data
// directory is opened again (PostgreSQL's crash recovery, in WebAssembly).

let place: ServerPlace;
let server: ChildServer | undefined;
let ids: Record<'district' | 'west' | 'east' | 'w1' | 'w2' | 'e1' | 'e2' | 'e2a' | 'e3' | 'e4', number>;
/** The database as prepared, before any server ran on it. */
let prepared: Snapshot;

const PLANNER = 'crashPlanner';
const IMPORT_ID = randomUUID();
/** Enough cells for PGlite's commit to be in flight for seconds. */
const EMBEDDED_IMPORT = 100;

beforeAll(async () => {
  place = await serverPlace('crashmr');
  const db = await place.open({ migrate: true });
  try {
    const { district, west, east } = await twoStreets(db);
    const cell = (code: string, name: string, parentId: number, rings: number[][][]) => insertCell(db, { code, name, level: code.length === 12 ? 3 : 4, parentId, rings });
    const box = (x0: number, y0: number, x1: number, y1: number) => [[[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]];
    // The west street: two communities, with ground between them that only the street covers.
    const w1 = await cell('610302001001', '西一社区', west, box(107, 34, 107.02, 34.04));
    const w2 = await cell('610302001002', '西二社区', west, box(107, 34.07, 107.02, 34.1));
    // The east street: two neighbours to merge (the second with an area inside), two that overlap.
    const e1 = await cell('610302002001', '东一社区', east, box(107.05, 34, 107.075, 34.05));
    const e2 = await cell('610302002002', '东二社区', east, box(107.075, 34, 107.1, 34.05));
    const e2a = await cell('610302002002001', '东二片区', e2, square(107.08, 34.01, 0.01));
    const e3 = await cell('610302002003', '东三社区', east, box(107.05, 34.05, 107.08, 34.1));
    const e4 = await cell('610302002004', '东四社区', east, box(107.07, 34.05, 107.1, 34.1));
    ids = { district, west, east, w1, w2, e1, e2, e2a, e3, e4 };
    const planner = await createUser(db, PLANNER, 'planner');
    // An uploaded file waiting for its commit (what POST /api/import/cells stores): areas in 西一社区.
    await db.query('INSERT INTO cell_imports (id, user_id, file_name, format, features) VALUES ($1, $2, $3, $4, $5)',
      [IMPORT_ID, planner, 'areas.geojson', 'geojson', JSON.stringify(importFeatures(TEST_DB === 'embedded' ? EMBEDDED_IMPORT : 24))]);
    prepared = await snapshot(db);
  } finally {
    await db.close();
  }
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await place?.drop();
});

/** n areas (24-gons) on a grid inside 西一社区 (107–107.02 E, 34–34.04 N). */
function importFeatures(n: number) {
  const side = Math.ceil(Math.sqrt(n));
  const dx = 0.02 / side;
  const dy = 0.04 / side;
  return Array.from({ length: n }, (_, i) => {
    const cx = 107 + ((i % side) + 0.5) * dx;
    const cy = 34 + (Math.floor(i / side) + 0.5) * dy;
    const ring = Array.from({ length: 24 }, (_, k) => [cx + 0.4 * dx * Math.cos((2 * Math.PI * k) / 24), cy + 0.4 * dy * Math.sin((2 * Math.PI * k) / 24)]);
    ring.push(ring[0]!);
    return { index: i, geometry: { type: 'Polygon', coordinates: [ring] }, properties: { name: `导入片区${i + 1}` } };
  });
}

/** Everything a multi-row change touches, in a comparable form. */
async function snapshot(db: Db) {
  const rows = async (sql: string) => (await db.query<Record<string, unknown>>(sql)).rows;
  return {
    cells: await rows('SELECT id, code, name, level, parent_id, version, md5(ST_AsEWKB(geom)::text) AS geom FROM cells ORDER BY id'),
    versions: await rows('SELECT cell_id, version, operation, parent_id, md5(ST_AsEWKB(geom)::text) AS geom FROM cell_versions ORDER BY cell_id, version, operation'),
    generation: await rows('SELECT generation FROM cells_state'),
    reports: await rows('SELECT id, cell_id, version, state, transferred FROM reports ORDER BY id'),
    reportEvents: await rows('SELECT id, report_id, action, from_cell, to_cell FROM report_events ORDER BY id'),
    // Sign-ins (each start signs in again) are not part of the change.
    audit: await rows(`SELECT id, action, target FROM audit_log WHERE action NOT LIKE 'session.%' ORDER BY id`),
    imports: await rows('SELECT id, committed_at IS NOT NULL AS committed, committed_ids FROM cell_imports ORDER BY id'),
  };
}
type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** The database as it is, read directly (for the embedded one, only while no server runs). */
async function stateNow(): Promise<Snapshot> {
  const db = await place.open();
  try {
    return await snapshot(db);
  } finally {
    await db.close();
  }
}

interface Change {
  method: 'POST';
  url: string;
  body: unknown;
}

function send(s: ChildServer, headers: Record<string, string>, c: Change): Promise<{ status: number; body: Record<string, unknown> } | { error: string }> {
  return fetch(`${s.url}${c.url}`, { method: c.method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(c.body) })
    .then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }))
    .catch((e: Error & { cause?: { code?: string } }) => ({ error: e.cause?.code ?? e.message }));
}

async function start(): Promise<{ s: ChildServer; headers: Record<string, string> }> {
  server = await startChildServer(place.serverDb);
  return { s: server, headers: await signInHttp(server.url, PLANNER) };
}

async function report(s: ChildServer, lon: number, lat: number): Promise<number> {
  const res = await fetch(`${s.url}/api/reports`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ location: { type: 'Point', coordinates: [lon, lat] }, category: 'fire', severity: 'ordinary', description: `崩溃测试 ${lon},${lat}` }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

const cellOf = (snap: Snapshot, id: number) => snap.cells.find((c) => c.id === id);
const reportOf = (snap: Snapshot, id: number) => snap.reports.find((r) => r.id === id)!;

describe.runIf(TEST_DB === 'postgres')('the server killed while four multi-row changes wait on PostgreSQL', () => {
  const url = process.env.TEST_DATABASE_URL!;
  // The server's connections carry a name of their own, to find them among the shared server's.
  const appName = `wangge-crash-${randomUUID().slice(0, 8)}`;
  let reports: Record<'westNorth' | 'westSouth' | 'inE2' | 'inE2a', number>;
  let s: ChildServer;
  let headers: Record<string, string>;

  const changes = {
    split: (): Change => ({ method: 'POST', url: `/api/cells/${ids.west}/split`, body: { type: 'LineString', coordinates: [[106.99, 34.06], [107.06, 34.06]] } }),
    merge: (): Change => ({ method: 'POST', url: '/api/cells/merge', body: { ids: [ids.e1, ids.e2] } }),
    fix: (): Change => ({ method: 'POST', url: '/api/coverage/fix', body: { kind: 'overlap', a: ids.e3, b: ids.e4, keep: 'a' } }),
    import: (): Change => ({ method: 'POST', url: `/api/import/cells/${IMPORT_ID}/commit`, body: { mapping: { name: 'name' }, parentId: ids.w1 } }),
  };

  beforeAll(async () => {
    const serverUrl = new URL(place.serverDb.databaseUrl!);
    serverUrl.searchParams.set('application_name', appName);
    place.serverDb.databaseUrl = serverUrl.toString();
    ({ s, headers } = await start());
    reports = {
      // Filed in the west street itself (no community there): the split moves the northern one.
      westNorth: await report(s, 107.04, 34.08),
      westSouth: await report(s, 107.04, 34.02),
      // In 东二社区 (merged away: it moves to 东一社区) and in its area 东二片区 (stays).
      inE2: await report(s, 107.09, 34.04),
      inE2a: await report(s, 107.085, 34.015),
    };
  }, 180_000);

  it('shows nothing of any of them after the crash: cells, history, children, reports, imports, audit as before', async () => {
    const before = await stateNow();
    // audit_log, which each change writes last, is locked. The split goes first: it writes all its
    // rows and waits for the lock. The others each write their first rows, then wait for the split's
    // transaction (cells_state, which every change of cells updates). Then the server is killed.
    const locker = new pg.Client({ connectionString: url });
    // A second connection watches: in the locker's transaction, pg_stat_activity would stay as first read.
    const watcher = new pg.Client({ connectionString: url });
    await locker.connect();
    await watcher.connect();
    const waiting = async () => (await watcher.query<{ pid: number; xid: string | null; query: string; blocked_by: number[] }>(
      `SELECT pid, backend_xid::text AS xid, query, pg_blocking_pids(pid) AS blocked_by FROM pg_stat_activity
       WHERE application_name = $1 AND wait_event_type = 'Lock' ORDER BY pid`, [appName])).rows;
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${place.schema}.audit_log IN ACCESS EXCLUSIVE MODE`);
      const answers = [send(s, headers, changes.split())];
      await expect.poll(async () => (await waiting()).length, { timeout: 20_000, interval: 50 }).toBe(1);
      const [split] = await waiting();
      // The split has written (its transaction has an id) and waits to write its audit record.
      expect(split).toMatchObject({ xid: expect.stringMatching(/^\d+$/), query: expect.stringMatching(/^INSERT INTO audit_log/), blocked_by: [(locker as unknown as { processID: number }).processID] });
      answers.push(send(s, headers, changes.merge()), send(s, headers, changes.fix()), send(s, headers, changes.import()));
      await expect.poll(async () => (await waiting()).length, { timeout: 20_000, interval: 50 }).toBe(4);
      for (const w of await waiting()) expect(w.xid, w.query).toMatch(/^\d+$/);
      await s.kill();
      server = undefined;
      for (const a of await Promise.all(answers)) expect(a).toHaveProperty('error');
      await locker.query('ROLLBACK');
      // Each backend goes on to find its client gone, and rolls back.
      await expect.poll(async () => (await watcher.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [appName])).rowCount, { timeout: 20_000, interval: 50 }).toBe(0);
    } finally {
      await locker.end();
      await watcher.end();
    }
    expect(await stateNow()).toEqual(before);
  });

  describe('and after a restart each goes through whole', () => {
    beforeAll(async () => {
      ({ s, headers } = await start());
    }, 120_000);

    it('split: the cell, its new sibling, the moved community and the moved report', async () => {
      const was = await stateNow();
      expect(await send(s, headers, changes.split())).toMatchObject({ status: 201 });
      const after = await stateNow();
      const added = after.cells.filter((c) => !cellOf(was, c.id as number));
      expect(added).toHaveLength(1);
      const north = added[0]!.id;
      expect(cellOf(after, ids.w2)).toMatchObject({ parent_id: north });
      expect(cellOf(after, ids.w1)).toMatchObject({ parent_id: ids.west });
      expect(reportOf(after, reports.westNorth)).toMatchObject({ cell_id: north });
      expect(reportOf(after, reports.westSouth)).toMatchObject({ cell_id: ids.west });
      expect(after.versions.length).toBe(was.versions.length + 3);
      expect(after.audit.map((a) => a.action)).toContain('cell.split');
    });

    it('merge: the kept cell, the deleted one, the area and report that move to the kept one', async () => {
      const was = await stateNow();
      expect(await send(s, headers, changes.merge())).toMatchObject({ status: 200 });
      const after = await stateNow();
      expect(cellOf(after, ids.e2)).toBeUndefined();
      expect(cellOf(after, ids.e2a)).toMatchObject({ parent_id: ids.e1 });
      expect(reportOf(after, reports.inE2)).toMatchObject({ cell_id: ids.e1 });
      expect(reportOf(after, reports.inE2a)).toMatchObject({ cell_id: ids.e2a });
      expect(after.versions.filter((v) => v.cell_id === ids.e2 && v.operation === 'delete')).toHaveLength(1);
      expect(after.reportEvents.length).toBeGreaterThan(was.reportEvents.length);
    });

    it('coverage fix: the clipped cell and its history', async () => {
      const was = await stateNow();
      expect(await send(s, headers, changes.fix())).toMatchObject({ status: 200 });
      const after = await stateNow();
      expect(cellOf(after, ids.e4)!.version).toBe((cellOf(was, ids.e4)!.version as number) + 1);
      expect(cellOf(after, ids.e4)!.geom).not.toBe(cellOf(was, ids.e4)!.geom);
      expect(after.versions.length).toBe(was.versions.length + 1);
      expect(after.audit.map((a) => a.action)).toContain('coverage.fix.overlap');
    });

    it('import commit: every cell of the file, and the import marked committed', async () => {
      const was = await stateNow();
      expect(await send(s, headers, changes.import())).toMatchObject({ status: 201, body: { created: 24 } });
      const after = await stateNow();
      expect(after.cells.length).toBe(was.cells.length + 24);
      expect(after.imports.find((i) => i.id === IMPORT_ID)).toMatchObject({ committed: true });
    });
  });
});

describe.runIf(TEST_DB === 'embedded')('the embedded server killed while an import commit is in flight', () => {
  /** Total size of the database's data files: it grows as soon as a transaction adds pages. */
  function dataBytes(): number {
    const walk = (d: string): number => readdirSync(d, { withFileTypes: true })
      .reduce((n, e) => n + (e.isDirectory() ? walk(path.join(d, e.name)) : statSync(path.join(d, e.name)).size), 0);
    return walk(path.join(place.serverDb.dataDir!, 'base'));
  }

  const commit = () => ({ method: 'POST' as const, url: `/api/import/cells/${IMPORT_ID}/commit`, body: { mapping: { name: 'name' }, parentId: ids.w1 } });

  it(`leaves none of ${EMBEDDED_IMPORT} cells and loses nothing committed; the data directory opens again and the commit goes through whole`, async () => {
    const before = prepared;
    const { s, headers } = await start();
    const size = dataBytes();
    const answer = send(s, headers, commit());
    await expect.poll(() => dataBytes() > size, { timeout: 60_000, interval: 20 }).toBe(true);
    await s.kill();
    server = undefined;
    // Killed in flight: the client got no answer.
    expect(await answer).toHaveProperty('error');

    // Opening the directory again recovers it: all that was committed (the sign-in too), none of the commit.
    const db = await place.open();
    try {
      const crashed = await snapshot(db);
      expect(crashed).toEqual(before);
      expect((await db.query(`SELECT 1 FROM audit_log WHERE action = 'session.signin'`)).rowCount).toBe(1);

      // The same commit, now run to its end (in this process: another server start would only cost time).
      const base = loadConfig({});
      const app = await buildApp({ db, config: { ...base, security: { ...base.security, signInPerMinute: 1000 } }, clientDir: '/nonexistent' });
      try {
        const planner = await signIn(app, PLANNER);
        const c = commit();
        const res = await app.inject({ method: c.method, url: c.url, payload: c.body, headers: planner });
        expect(res.statusCode, res.body).toBe(201);
        expect(res.json()).toMatchObject({ created: EMBEDDED_IMPORT });
      } finally {
        await app.close();
      }
      const after = await snapshot(db);
      expect(after.cells.length).toBe(before.cells.length + EMBEDDED_IMPORT);
      expect(after.versions.length).toBe(before.versions.length + EMBEDDED_IMPORT);
      expect(after.imports.find((i) => i.id === IMPORT_ID)).toMatchObject({ committed: true });
    } finally {
      await db.close();
    }
  }, 120_000);
});
