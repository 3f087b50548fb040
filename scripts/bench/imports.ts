/**
 * Boundary import speed and what it leaves of the server meanwhile: the U.S. states and counties of
 * us-atlas (Census Bureau 1:10m; 56 states, 3,231 counties; states merged from their counties in
 * the same topology) as one GeoJSON, states at level 1 and counties under them, uploaded (read in
 * the worker, stored, checked: the preview) and committed through the API in-process, into an empty
 * cells table. Features the preview finds faulty (counties that quantising made invalid) are left
 * out, as a planner would. Meanwhile GET /api/health is asked every 50 ms: its slowest answer is
 * the figure of how much an import blocks others. Beside it, ogr2ogr loads the same file into
 * PostGIS (no checks at all): the yardstick. --quick: the states and the counties of 12 states.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { feature } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import { buildApp } from '../../server/app.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { loadConfig } from '../../server/config.ts';
import type { Db } from '../../server/db/db.ts';
import { BENCH_DATABASE_URL, QUICK, openPlace, seconds, type DbKind } from './lib.ts';

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

async function multipart(name: string, data: string) {
  const form = new FormData();
  form.append('file', new Blob([data]), name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { payload: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

async function planner(app: FastifyInstance, db: Db): Promise<Record<string, string>> {
  const password = 'bench import password';
  await db.query(`INSERT INTO users (username, display_name, password_hash, role, scope) VALUES ('bench_importer', 'bench', $1, 'planner', '{}')
                  ON CONFLICT (username) DO NOTHING`, [await hashPassword(password)]);
  const res = await app.inject({ method: 'POST', url: '/api/session', payload: { username: 'bench_importer', password } });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'wangge_session')!;
  return { cookie: `wangge_session=${cookie.value}`, 'x-csrf-token': (res.json() as { csrfToken: string }).csrfToken };
}

/**
 * GET /api/health every 50 ms until stopped: the slowest answer and how many came. A request is
 * timed from when it was due, so time the server's thread was blocked (and could not even send it)
 * counts, as it would for a client in another process.
 */
function healthProbe(app: FastifyInstance) {
  let running = true;
  let max = 0;
  let answers = 0;
  const done = (async () => {
    let due = performance.now();
    while (running) {
      const res = await app.inject({ method: 'GET', url: '/api/health' });
      if (res.statusCode !== 200) throw new Error(`health ${res.statusCode}`);
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

export async function benchImports(kind: DbKind, runId: string, log: (s: string) => void): Promise<ImportRow[]> {
  const file = usAtlasFile();
  log(`  us-atlas file: ${file.features} features, ${(file.text.length / 1e6).toFixed(1)} MB`);
  const db = await openPlace({ kind, where: kind === 'embedded' ? '' : `wg_bench_${runId}_imports` }, { create: true });
  const base = loadConfig({});
  const app = await buildApp({ db, config: { ...base, security: { ...base.security, signInPerMinute: 1_000_000, publicReadsPerMinute: 1_000_000_000 } }, clientDir: '/nonexistent' });
  const rows: ImportRow[] = [];
  try {
    await app.ready();
    const headers = await planner(app, db);
    const body = await multipart('us-atlas.geojson', file.text);
    const stopProbe = healthProbe(app);
    let start = process.hrtime.bigint();
    const up = await app.inject({ method: 'POST', url: '/api/import/cells', payload: body.payload, headers: { ...headers, ...body.headers } });
    const uploadSeconds = seconds(start);
    if (up.statusCode !== 201) throw new Error(`upload: ${up.statusCode} ${up.body.slice(0, 300)}`);
    type Preview = { id: string; mapping: Record<string, string | null>; summary: { errors: number }; features: { index: number; problems: { severity?: string }[] }[] };
    let preview = up.json() as Preview;
    // Left out: the faulty features, then what depended on them (a county whose state is left out), until the preview is clean.
    const bad = new Set<number>();
    for (let round = 0; preview.summary.errors > 0 && round < 5; round++) {
      for (const f of preview.features) if (f.problems.some((p) => p.severity !== 'warning')) bad.add(f.index);
      const again = await app.inject({ method: 'POST', url: `/api/import/cells/${preview.id}/preview`, payload: { mapping: preview.mapping, exclude: [...bad] }, headers });
      preview = { ...(again.json() as Preview), id: preview.id };
    }
    start = process.hrtime.bigint();
    const done = await app.inject({ method: 'POST', url: `/api/import/cells/${preview.id}/commit`, payload: { mapping: preview.mapping, exclude: [...bad] }, headers });
    const commitSeconds = seconds(start);
    const health = await stopProbe();
    if (done.statusCode !== 201) throw new Error(`commit: ${done.statusCode} ${JSON.stringify((done.json() as { report?: { features: { index: number; problems: unknown[] }[] } }).report?.features.filter((f) => f.problems.length).slice(0, 5)) ?? done.body.slice(0, 600)}`);
    const imported = (done.json() as { created: number }).created;
    rows.push({
      db: kind, features: file.features, imported, leftOut: bad.size, uploadSeconds, commitSeconds,
      cellsPerSecond: imported / (uploadSeconds + commitSeconds), healthMaxMs: health.maxMs, healthAnswers: health.answers,
    });
    log(`  ${kind}: upload ${uploadSeconds.toFixed(2)} s, commit ${commitSeconds.toFixed(2)} s, ${imported} imported, ${bad.size} left out; health max ${health.maxMs.toFixed(0)} ms over ${health.answers} answers`);
  } finally {
    await app.close();
    await db.close();
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
