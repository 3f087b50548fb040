/**
 * Boundary import speed and what it leaves of the server meanwhile: the U.S. states and counties of
 * us-atlas (Census Bureau 1:10m; 56 states, 3,231 counties; states merged from their counties in
 * the same topology) as one GeoJSON, states at level 1 and counties under them, uploaded (read in
 * the worker, stored, checked: the preview) and committed into an empty cells table, over HTTP to
 * the real server process as `npm start` runs it. Features the preview finds faulty (counties that
 * quantising made invalid) are left out, as a planner would. Meanwhile GET /api/health is asked
 * every 50 ms from the benchmark's process: its slowest answer is the figure of how much an import
 * blocks others. Beside it, ogr2ogr loads the same file into PostGIS (no checks at all): the
 * yardstick. --quick: the states and the counties of 12 states.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { feature } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import { hashPassword } from '../../server/auth/passwords.ts';
import { BENCH_DATABASE_URL, QUICK, openPlace, schemaUrl, seconds, type DbKind } from './lib.ts';
import { startChildServer } from './server.ts';

export interface ImportRow {
  db: DbKind | 'ogr2ogr';
  features: number;
  imported: number;
  leftOut: number;
  uploadSeconds: number;
  commitSeconds: number;
  cellsPerSecond: number;
  healthMaxMs: number | null;
  healthAnswers: number | null;
}

type Atlas = Topology<{ counties: { type: 'GeometryCollection'; geometries: GeometryObject<{ name: string }>[] }; states: { type: 'GeometryCollection'; geometries: GeometryObject<{ name: string }>[] } }>;

/** The states and their counties as one GeoJSON with name, code (6 digits for a state, 9 for a county) and level. */
export function usAtlasFile(quick = QUICK): { text: string; features: number } {
  const topo = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('us-atlas/counties-10m.json'), 'utf8')) as Atlas;
  const states = topo.objects.states.geometries.filter((g) => g.id !== undefined);
  const keep = new Set(states.map((s) => String(s.id)).sort().slice(0, quick ? 12 : undefined));
  const features = [
    ...states.map((s) => ({ ...feature(topo, s), properties: { name: (s.properties as { name: string }).name, code: `${String(s.id)}0000`, level: 1 } })),
    ...topo.objects.counties.geometries.filter((c) => keep.has(String(c.id).slice(0, 2))).map((c) => ({
      ...feature(topo, c), properties: { name: (c.properties as { name: string }).name, code: `${String(c.id).slice(0, 2)}0000${String(c.id).slice(2)}`, level: 2 },
    })),
  ];
  return { text: JSON.stringify({ type: 'FeatureCollection', features }), features: features.length };
}

const PASSWORD = 'bench import password';

/** Signs the planner in over HTTP: the session cookie and the CSRF token. */
async function planner(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench_importer', password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = /wangge_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')![0];
  return { cookie, 'x-csrf-token': ((await res.json()) as { csrfToken: string }).csrfToken };
}

/**
 * GET /api/health every 50 ms from this process until stopped: the slowest answer and how many
 * came. A request is timed from when it was due, so a server too busy to answer counts in full.
 */
function healthProbe(url: string) {
  let running = true;
  let max = 0;
  let answers = 0;
  const done = (async () => {
    let due = performance.now();
    while (running) {
      const res = await fetch(`${url}/api/health`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`health ${res.status}`);
      max = Math.max(max, performance.now() - due);
      due = performance.now() + 50;
      answers++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    running = false;
    await done;
    return { maxMs: max, answers };
  };
}

/**
 * The import through the real server process, as `npm start` runs it (the bundle: the reader's
 * worker starts from its own bundled file), over HTTP from this process.
 */
export async function benchImports(kind: DbKind, runId: string, log: (s: string) => void): Promise<ImportRow[]> {
  const file = usAtlasFile();
  log(`  us-atlas file: ${file.features} features, ${(file.text.length / 1e6).toFixed(1)} MB`);
  const dir = kind === 'embedded' ? mkdtempSync(path.join(os.tmpdir(), 'wangge-bench-imports-')) : undefined;
  const place = { kind, where: dir ?? `wg_bench_${runId}_imports` };
  const db = await openPlace(place, { create: true });
  await db.query(`INSERT INTO users (username, display_name, password_hash, role, scope) VALUES ('bench_importer', 'bench', $1, 'planner', '{}')`,
    [await hashPassword(PASSWORD)]);
  await db.close();
  const server = await startChildServer(kind === 'embedded' ? { dataDir: dir } : { databaseUrl: schemaUrl(place.where) });
  const rows: ImportRow[] = [];
  try {
    const headers = await planner(server.url);
    const post = (url: string, body: unknown) => fetch(`${server.url}${url}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const form = new FormData();
    form.append('file', new Blob([file.text]), 'us-atlas.geojson');
    const stopProbe = healthProbe(server.url);
    let start = process.hrtime.bigint();
    const up = await fetch(`${server.url}/api/import/cells`, { method: 'POST', headers, body: form });
    type Preview = { id: string; mapping: Record<string, string | null>; summary: { errors: number }; features: { index: number; problems: { severity?: string }[] }[] };
    let preview = (await up.json()) as Preview;
    const uploadSeconds = seconds(start);
    if (up.status !== 201) throw new Error(`upload: ${up.status} ${JSON.stringify(preview).slice(0, 300)}`);
    // Left out: the faulty features, then what depended on them (a county whose state is left out), until the preview is clean.
    const bad = new Set<number>();
    for (let round = 0; preview.summary.errors > 0 && round < 5; round++) {
      for (const f of preview.features) if (f.problems.some((p) => p.severity !== 'warning')) bad.add(f.index);
      const again = await post(`/api/import/cells/${preview.id}/preview`, { mapping: preview.mapping, exclude: [...bad] });
      preview = { ...((await again.json()) as Preview), id: preview.id };
    }
    start = process.hrtime.bigint();
    const done = await post(`/api/import/cells/${preview.id}/commit`, { mapping: preview.mapping, exclude: [...bad] });
    const answer = (await done.json()) as { created: number; report?: { features: { index: number; problems: unknown[] }[] } };
    const commitSeconds = seconds(start);
    const health = await stopProbe();
    if (done.status !== 201) throw new Error(`commit: ${done.status} ${JSON.stringify(answer.report?.features.filter((f) => f.problems.length).slice(0, 5) ?? answer).slice(0, 600)}`);
    const imported = answer.created;
    rows.push({
      db: kind, features: file.features, imported, leftOut: bad.size, uploadSeconds, commitSeconds,
      cellsPerSecond: imported / (uploadSeconds + commitSeconds), healthMaxMs: health.maxMs, healthAnswers: health.answers,
    });
    log(`  ${kind}: upload ${uploadSeconds.toFixed(2)} s, commit ${commitSeconds.toFixed(2)} s, ${imported} imported, ${bad.size} left out; health max ${health.maxMs.toFixed(0)} ms over ${health.answers} answers; server peak RSS ${server.peakRssMiB()} MiB`);
  } finally {
    await server.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  if (kind === 'postgres') rows.push(ogr2ogr(file, runId, log));
  return rows;
}

/** ogr2ogr loading the same file into a schema of the bench database: no checks, the yardstick. */
function ogr2ogr(file: { text: string; features: number }, runId: string, log: (s: string) => void): ImportRow {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wangge-ogr-'));
  const schema = `wg_bench_${runId}_ogr2ogr`;
  const u = new URL(BENCH_DATABASE_URL);
  const pgConn = `PG:host=${u.hostname} port=${u.port || 5432} dbname=${decodeURIComponent(u.pathname.slice(1))} user=${decodeURIComponent(u.username || 'postgres')}${u.password ? ` password=${decodeURIComponent(u.password)}` : ''}`;
  try {
    const src = path.join(dir, 'us-atlas.geojson');
    writeFileSync(src, file.text);
    execFileSync('psql', [BENCH_DATABASE_URL, '-qc', `CREATE SCHEMA IF NOT EXISTS ${schema}`]);
    const start = process.hrtime.bigint();
    execFileSync('ogr2ogr', ['-f', 'PostgreSQL', pgConn, src, '-nln', `${schema}.cells`, '-nlt', 'PROMOTE_TO_MULTI', '-lco', 'GEOMETRY_NAME=geom', '-lco', 'SPATIAL_INDEX=GIST'], { stdio: 'ignore' });
    const s = seconds(start);
    log(`  ogr2ogr: ${s.toFixed(2)} s for ${file.features} features`);
    return { db: 'ogr2ogr', features: file.features, imported: file.features, leftOut: 0, uploadSeconds: s, commitSeconds: 0, cellsPerSecond: file.features / s, healthMaxMs: null, healthAnswers: null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
