import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from '../../scripts/bench/server.ts';
import { serverPlace, signInHttp, type ServerPlace } from '../helpers/child-server.ts';
import { createUser } from '../helpers/auth.ts';
import { TEST_DB } from '../helpers/db.ts';
import { seedDemoDistrict } from '../../server/demo/seed.ts';

// The QGIS project as QGIS itself opens it: the real server runs as a child process, the project
// is downloaded from it (POST, with an API token for the units) and Debian's QGIS (python3-qgis,
// headless) reads it with scripts/qgis-validate.py, fetching every layer from the server.

/** QGIS's Python: Debian's system python3 (a pyenv or venv python3 on PATH has no qgis module). */
const PYTHON = process.env.WANGGE_QGIS_PYTHON ?? '/usr/bin/python3';
const ROOT = path.resolve(import.meta.dirname, '../..');

let place: ServerPlace;
let server: ChildServer;
let tmp: string;
const expected: Record<string, number> = {};

beforeAll(async () => {
  // Fails, not skips, without QGIS: CI installs it, and a skipped test would hide a broken project.
  const probe = spawnSync(PYTHON, ['-c', 'import qgis.core'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`QGIS's Python bindings are missing (${PYTHON} -c 'import qgis.core' failed: ${(probe.stderr || String(probe.error)).trim().split('\n').pop()}). `
      + 'Install them: apt-get install python3-qgis qgis-providers (or set WANGGE_QGIS_PYTHON to a python3 that has them).');
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wangge-qgis-'));
  place = await serverPlace('qgis');
  const db = await place.open({ migrate: true });
  await seedDemoDistrict(db);
  // The demo has no building cells (level 5): one inside the first area cell, so that every level's layer has features.
  await db.query(`INSERT INTO cells (code, name, level, parent_id, geom)
    SELECT code || '001', '一号楼院', 5, id, ST_Multi(ST_CollectionExtract(ST_Intersection(geom, ST_Expand(ST_PointOnSurface(geom), 0.0005)), 3))
    FROM cells WHERE level = 4 ORDER BY code LIMIT 1`);
  const { rows: points } = await db.query<{ lon: number; lat: number }>(
    'SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM cells WHERE level = 4 ORDER BY code LIMIT 4) x');
  for (const [i, p] of points.slice(0, 3).entries()) {
    await db.query(`INSERT INTO units (type, name, geom) VALUES ('company', $1, ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326))`, [`单位${i}`, p.lon, p.lat]);
  }
  await db.query(`INSERT INTO units (type, name, geom, archived_at) VALUES ('company', '已归档', ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326), now())`, [points[3]!.lon, points[3]!.lat]);
  // Open reports in two categories, and a closed and a rejected one the layer leaves out.
  const states = [['fire', 'reported'], ['fire', 'dispatched'], ['environment', 'rectifying'], ['fire', 'closed'], ['environment', 'rejected']] as const;
  for (const [i, [category, state]] of states.entries()) {
    const p = points[i % points.length]!;
    await db.query(
      `INSERT INTO reports (tracking_code, geom, category, severity, description, source, state, cell_id, step_started_at, created_at, updated_at, closed_at)
       VALUES ($1, ST_SetSRID(ST_MakePoint($2, $3), 4326), $4, 'ordinary', '测试隐患', 'patrol', $5,
               route_point(ST_SetSRID(ST_MakePoint($2, $3), 4326)), now(), now(), now(), CASE WHEN $5 = 'closed' THEN now() END)`,
      [`WG-QGIS${i}-00000`, p.lon, p.lat, category, state]);
  }
  const { rows: levels } = await db.query<{ level: number; n: number }>('SELECT level, count(*)::int AS n FROM cells GROUP BY level');
  for (const l of levels) expected[`cells_level_${l.level}`] = l.n;
  expected.units_layer = 3;
  expected.reports_open = 3;
  await createUser(db, 'gis', 'planner');
  await db.close();
  server = await startChildServer(place.serverDb);
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await place?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface LayerReport { id: string; name: string; valid: boolean; features: number; provider: string; renderer: string | null; labels: boolean; fields: string[] }

function openInQgis(file: string): { status: number | null; layers: LayerReport[]; output: string } {
  const run = spawnSync(PYTHON, [path.join(ROOT, 'scripts/qgis-validate.py'), file], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, QT_QPA_PLATFORM: 'offscreen', XDG_RUNTIME_DIR: tmp },
  });
  const layers = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LayerReport);
  return { status: run.status, layers, output: `${run.stdout}\n${run.stderr}` };
}

describe(`QGIS opens the downloaded project from a running server (${TEST_DB})`, () => {
  it('every layer (cells per level, open reports by category, units with the token) is valid and has its features', async () => {
    const headers = await signInHttp(server.url, 'gis');
    const tokenRes = await fetch(`${server.url}/api/tokens`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'QGIS' }) });
    const { token } = (await tokenRes.json()) as { token: string };
    const res = await fetch(`${server.url}/api/export/project.qgs`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(res.status).toBe(200);
    const file = path.join(tmp, 'wangge.qgs');
    writeFileSync(file, await res.text());

    const { status, layers, output } = openInQgis(file);
    expect(layers.length, output).toBe(Object.keys(expected).length);
    const byId = Object.fromEntries(layers.map((l) => [l.id, l]));
    for (const [id, n] of Object.entries(expected)) {
      expect(byId[id], `${id}\n${output}`).toMatchObject({ valid: true, features: n, provider: 'OAPIF' });
    }
    expect(status, output).toBe(0);
    for (const id of Object.keys(expected).filter((k) => k.startsWith('cells_level_'))) {
      expect(byId[id]).toMatchObject({ renderer: 'singleSymbol', labels: true });
      expect(byId[id]!.fields).toEqual(expect.arrayContaining(['code', 'name', 'level']));
    }
    expect(byId.reports_open).toMatchObject({ renderer: 'categorizedSymbol' });
    expect(byId.reports_open!.fields).toContain('category');
    expect(byId.units_layer).toMatchObject({ renderer: 'singleSymbol', labels: true });
  }, 90_000);

  it('without the token (GET) the project has no units layer, and QGIS opens the rest', async () => {
    const headers = await signInHttp(server.url, 'gis');
    const res = await fetch(`${server.url}/api/export/project.qgs`, { headers });
    expect(res.status).toBe(200);
    const file = path.join(tmp, 'public.qgs');
    writeFileSync(file, await res.text());
    const { status, layers, output } = openInQgis(file);
    expect(layers.map((l) => l.id)).not.toContain('units_layer');
    expect(layers.every((l) => l.valid && l.features > 0), output).toBe(true);
    expect(status, output).toBe(0);
  }, 90_000);
});
